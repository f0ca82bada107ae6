/**
 * What to read of each log file: its chat (network and window from its name and folders), its
 * dialect, and where to start: from its cursor entry when the file still starts the same and is
 * not shorter (also under a new name, after logrotate), replaying the lines near its end
 * (cursor.ts), else from its start. Files are grouped by chat, in date order within a chat.
 */
import { stat } from 'node:fs/promises';
import type { ChatRecord } from '../../model.js';
import { DEFAULT_MERGE_TOLERANCE_MS } from '../../store/merge.js';
import { readHead, statInput } from '../kit/files.js';
import { machineTimeZone, ZonedClock } from '../kit/zoned-time.js';
import { SourceError, type ReadOptions, type SourceWarning } from '../types.js';
import { dateFromText, dateText, entryFits, HEAD_BYTES, headHash, parseCursor, type FileEntry } from './cursor.js';
import { describeLogName, displayRel, findLogFiles, isChannelName, type FoundFile, type LogName } from './files.js';
import { sniffDialect, type CivilDate, type Dialect } from './lines.js';

export interface PlannedFile {
  file: FoundFile;
  name: LogName;
  chat: ChatRecord;
  network: string;
  dialect: Dialect | null;
  size: number;
  head: Buffer;
  /** Where reading starts, the lines before it, the date in force there, the last line's time. */
  start: number;
  line: number;
  date: CivilDate | null;
  last: number;
  /** Continues after the cursor rather than from the start: lines before this offset are replayed. */
  resumeAt: number;
  continues: boolean;
  sortKey: string;
}

export interface Plan {
  clock: ZonedClock;
  /** How far back of its last line a file's next read replays (ms): twice the merge tolerance. */
  replayMs: number;
  networkOption: string | undefined;
  files: PlannedFile[];
  /** Cursor entries carried over untouched (nothing to read, chat not wanted this time…). */
  kept: Record<string, FileEntry>;
  warnings: SourceWarning[];
}

export async function plan(path: string, options: ReadOptions): Promise<Plan> {
  const info = await statInput(path);
  const single = !info.isDirectory();
  const previous = parseCursor(options.cursor);
  let clock: ZonedClock;
  try {
    clock = new ZonedClock(options.irc?.timeZone || previous?.zone || machineTimeZone());
  } catch (err) {
    throw new SourceError(path, null, (err as Error).message);
  }
  const networkOption = options.irc?.network || previous?.network;
  const found: FoundFile[] = single ? [{ path, rel: '' }] : await findLogFiles(path);
  const replayMs = 2 * (options.mergeToleranceMs ?? DEFAULT_MERGE_TOLERANCE_MS);
  // Entries found with a shorter replay window than wanted now would replay too little: read whole.
  const oldFiles = previous && (previous.m ?? -1) >= replayMs ? previous.files : {};
  const warnings: SourceWarning[] = [];
  const files: PlannedFile[] = [];
  const kept: Record<string, FileEntry> = {};

  // Size and head of every file, and whether its own entry still fits it.
  const looked: { file: FoundFile; name: LogName; size: number; head: Buffer; fits: boolean }[] = [];
  for (const file of found) {
    const name = describeLogName(file.path);
    if (name.notChat && !single) continue;
    try {
      const size = (await stat(file.path)).size;
      const head = await readHead(file.path, HEAD_BYTES);
      const own = oldFiles[file.rel];
      looked.push({ file, name, size, head, fits: own !== undefined && entryFits(own, size, head) });
    } catch {
      // vanished between listing and reading: the next change event will tell
    }
  }
  // Entries no file fits at their own path any more (gone, rotated, truncated, replaced): a file
  // under another name that starts the same continues one (logrotate's `#chan.log` → `#chan.log.1`,
  // copytruncate's copy), so it is not read again.
  const fitting = new Set(looked.filter((l) => l.fits).map((l) => l.file.rel));
  const free = new Map(Object.entries(oldFiles).filter(([rel, e]) => !fitting.has(rel) && e.n > 0 && e.o > 0));

  for (const { file, name, size, head, fits } of looked) {
    let entry: FileEntry | undefined = fits ? oldFiles[file.rel] : undefined;
    if (!entry) {
      for (const [rel, e] of free) {
        if (rel !== file.rel && entryFits(e, size, head)) {
          entry = e;
          free.delete(rel);
          break;
        }
      }
    }
    const dialect = entry?.d ?? sniffDialect(head.toString('latin1'));
    if (!dialect && head.length > 0) {
      if (single) throw new SourceError(path, null, 'not an IRC log: no line in its first 4 KB looks like an irssi, WeeChat or ZNC log line');
      continue; // some other file in the folder
    }
    const network = (name.networkInName && name.network) || networkOption || name.network || 'unknown';
    const chat: ChatRecord = {
      nativeId: `irc:${network.toLowerCase()}/${name.window.toLowerCase()}`,
      title: name.window,
      kind: isChannelName(name.window) ? 'channel' : 'direct',
    };
    if (options.wantChat && !options.wantChat(chat.nativeId)) continue; // no entry: read whole when wanted
    const date = entry?.rt ? dateFromText(entry.rt) : name.date;
    if (dialect === 'znc' && !date) {
      const message = 'a ZNC log has its date only in its file name, and this name has none (e.g. #chan_20160602.log or #chan/2016-06-02.log)';
      if (single) throw new SourceError(path, null, message);
      warnings.push({ position: displayRel(file.rel), message: `skipped: ${message}` });
      continue;
    }
    const planned: PlannedFile = {
      file,
      name,
      chat,
      network,
      dialect,
      size,
      head,
      start: entry?.r ?? 0,
      line: entry?.rl ?? 0,
      date,
      last: entry?.rw ?? -Infinity,
      resumeAt: entry?.o ?? 0,
      continues: entry !== undefined,
      sortKey: `${name.date ? dateText(name.date) : '0000-00-00'}\u0000${String(999 - name.rotation).padStart(3, '0')}\u0000${file.rel}`,
    };
    if (entry && entry.o === size) kept[file.rel] = { ...newHead(entry, head, size), d: dialect ?? undefined };
    else files.push(planned);
  }
  // Grouped by chat (the store counts occurrences per chat visit), in date order within a chat.
  files.sort((a, b) => cmp(a.chat.nativeId, b.chat.nativeId) || cmp(a.sortKey, b.sortKey));
  return { clock, replayMs, networkOption, files, kept, warnings };
}

/** An entry whose head was shorter than HEAD_BYTES gets the longer head the file has now. */
function newHead(entry: FileEntry, head: Buffer, size: number): FileEntry {
  const n = Math.min(size, HEAD_BYTES, head.length);
  return n > entry.n ? { ...entry, n, h: headHash(head, n) } : { ...entry };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
