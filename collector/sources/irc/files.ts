/**
 * Where an IRC log's network, channel and date come from: its file name and folders, as each
 * client lays them out.
 *
 *   irssi    <network>/<#chan>.log                  (autolog_path "~/irclogs/$tag/$0.log")
 *            <network>/<#chan>.2016-06-02.log, <network>/<#chan>/2016-06-02.log (strftime paths)
 *   WeeChat  irc.<network>.<#chan>.weechatlog       (logger.file.mask "$plugin.$name.weechatlog")
 *   ZNC      <network>/<#chan>/2016-06-02.log       (log module, 1.6+), <#chan>/2016-06-02.log
 *            <#chan>_20160602.log, <network>_<#chan>_20160602.log, <user>_<network>_<#chan>_…
 *   logrotate  <#chan>.log.1, <#chan>.log.2 …      (older, in that order)
 *
 * A network written in the file name (WeeChat, old ZNC) is data and always used; otherwise the
 * `network` option, then the folder the layout puts it in, then "unknown". Folder names that only
 * say "logs" (irclogs, log, znc…) name no network. Channel and network are lower-cased in ids (IRC
 * names are case-insensitive, and clients differ in how they case file names).
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join, sep } from 'node:path';
import type { CivilDate } from './lines.js';

export interface LogName {
  /** Network named by the file name itself (WeeChat, old ZNC), else by its folder, or null. */
  network: string | null;
  /** Whether `network` came from the file name (beats the option) or from a folder (does not). */
  networkInName: boolean;
  /** Channel (`#chan`) or nick (a query), as written. */
  window: string;
  /** The day a ZNC-style name carries, if any. */
  date: CivilDate | null;
  /** logrotate's `.N` suffix (0 for the live file): higher is older. */
  rotation: number;
  /** WeeChat's server and core buffers, ZNC's status window: no conversation in them. */
  notChat: boolean;
}

/** Folder names that say "logs" rather than naming a network. */
const GENERIC_FOLDERS = new Set(['irclogs', 'logs', 'log', 'irc', 'znc', 'weechat', 'moddata', 'users', 'chatlogs', '']);

/** File names worth sniffing: `.log`, `.txt`, `.weechatlog`, each maybe with a rotation number. */
export function isCandidateName(name: string): boolean {
  return !name.startsWith('.') && /\.(?:log|txt|weechatlog)(?:\.\d{1,3})?$/i.test(name);
}

const DATE_ONLY = /^(\d{4})-?(\d\d)-?(\d\d)$/;
const WITH_DATE = /^(.+?)[_.-](\d{4})-?(\d\d)-?(\d\d)$/;

/** Network, window and date of the log at `path` (its folders are used as the layouts say). */
export function describeLogName(path: string): LogName {
  let name = basename(path);
  let rotation = 0;
  const rotated = /\.(\d{1,3})$/.exec(name);
  if (rotated && /\.(?:log|txt|weechatlog)\.\d{1,3}$/i.test(name)) {
    rotation = Number(rotated[1]);
    name = name.slice(0, -rotated[0].length);
  }
  const weechat = /\.weechatlog$/i.test(name);
  let base = name.replace(/\.weechatlog$/i, '').replace(/\.txt$/i, '').replace(/\.log$/i, '');
  const parent = basename(dirname(path));
  const grandparent = basename(dirname(dirname(path)));
  const folder = (n: string): string | null => (GENERIC_FOLDERS.has(n.toLowerCase()) ? null : n);

  // WeeChat: irc.<server>.<#chan>, irc.<server>.<nick>; irc.server.<name> and core.weechat are no chats.
  const wee = /^irc\.([^.]+)\.(.+)$/i.exec(base);
  if (wee && (weechat || /^[#&!+]/.test(wee[2]))) {
    const server = wee[1].toLowerCase() === 'server';
    return { network: server ? wee[2] : wee[1], networkInName: true, window: wee[2], date: null, rotation, notChat: server };
  }
  if (weechat) return { network: folder(parent), networkInName: false, window: base, date: null, rotation, notChat: true };

  const dateOnly = DATE_ONLY.exec(base);
  if (dateOnly) {
    // <network>/<window>/<date>.log: the window is the folder.
    const window = parent;
    return { network: folder(grandparent), networkInName: false, window, date: civil(dateOnly), rotation, notChat: window.toLowerCase() === 'status' };
  }
  let date: CivilDate | null = null;
  const withDate = WITH_DATE.exec(base);
  if (withDate) {
    date = civil([withDate[0], withDate[2], withDate[3], withDate[4]]);
    if (date) base = withDate[1];
  }
  // Old ZNC: [<user>_]<network>_<#chan>: the channel starts at the last `_#` (or `_&`).
  const split = /^(.*)_([#&!+][^_]*(?:_[^_#&]*)*)$/.exec(base);
  if (split && date) {
    const parts = split[1].split('_');
    return { network: parts[parts.length - 1] || null, networkInName: true, window: split[2], date, rotation, notChat: false };
  }
  return { network: folder(parent), networkInName: false, window: base, date, rotation, notChat: date !== null && base.toLowerCase() === 'status' };
}

function civil(m: ArrayLike<string>): CivilDate | null {
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  return { year, month, day };
}

export function isChannelName(window: string): boolean {
  return /^[#&!+]/.test(window);
}

export interface FoundFile {
  path: string;
  /** Relative to the folder read, with `/` separators: the file's name in cursors. */
  rel: string;
}

const MAX_DEPTH = 8;

/**
 * Candidate log files under `root`, depth-first in name order. Hidden folders and symbolic links
 * are not followed (a link loop must not hang a watch). `limit` stops early (detection).
 */
export async function findLogFiles(root: string, limit = Infinity): Promise<FoundFile[]> {
  const out: FoundFile[] = [];
  const walk = async (dir: string, rel: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return; // unreadable or vanished meanwhile
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (out.length >= limit) return;
      if (entry.name.startsWith('.')) continue;
      const childRel = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (depth < MAX_DEPTH) await walk(join(dir, entry.name), childRel, depth + 1);
      } else if (entry.isFile() && isCandidateName(entry.name)) {
        out.push({ path: join(dir, entry.name), rel: childRel });
      }
    }
  };
  await walk(root, '', 0);
  return out;
}

/** `rel` in the platform's form, for messages. */
export function displayRel(rel: string): string {
  return sep === '/' ? rel : rel.split('/').join(sep);
}
