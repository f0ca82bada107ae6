/**
 * IRC logs as irssi, WeeChat and ZNC write them: one log file, or a folder of them (an irssi
 * `~/irclogs`, a ZNC `moddata/log`, a WeeChat `logs/`), followed as they grow.
 *
 * - Each file's client ("dialect") is sniffed from its first lines; the line grammars are in
 *   irc-lines.ts, what the file's name and folders say (network, channel, ZNC's date) in
 *   irc-files.ts.
 * - A chat per channel (or query) per network, `irc:<network>/<#channel>`: the daily files of a
 *   channel are one chat, read in date order.
 * - Times are wall-clock times of the logging machine, converted with `options.irc.timeZone` (else
 *   the machine's zone; WeeChat 4.8+ lines that end in `Z` are UTC already) by zoned-time.ts.
 *   Dates: irssi's `Log opened`/`Day changed` lines, WeeChat's own stamps, ZNC's file name.
 * - No message ids: a message's identity is its author, minute (or second) and text, and identical
 *   lines get occurrence numbers from the store (two "ok" in one minute stay two).
 * - Kinds: messages `text`, actions `emote`, notices `notice`, joins/parts/quits/kicks/nick and
 *   topic changes `event`; mode changes are events with the `irc-quiet` markup (shown dimly).
 *
 * Following: a log only grows, so the cursor (irc-cursor.ts) keeps, per file, the offset after the
 * last complete line and a hash of its head. The next read continues each file that still starts
 * the same and is not shorter (a file renamed by logrotate, or copied aside by copytruncate, is
 * recognised by its head and continued too), and reads
 * anew a file that was rotated, truncated or replaced, and any new file. Files read anew come
 * first, then `resume`, then the continued parts: the store treats what follows `resume` as new
 * (an identity already stored is a further occurrence), what precedes it as possibly known. A
 * last line without its line end is left for the next read.
 *
 * Untrusted input: lines that fit no grammar are skipped with a warning naming file, line and
 * byte; lines that are not UTF-8 are read as Windows-1252 (old clients) and counted; a "line"
 * longer than MAX_LINE_BYTES (limits.ts) is skipped. A single file that is no IRC log is a SourceError.
 */
import { isUtf8 } from 'node:buffer';
import { open, stat, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { dateFromText, dateText, entryFits, formatCursor, HEAD_BYTES, headHash, parseCursor, type FileEntry, type IrcCursor } from './cursor.js';
import { describeLogName, displayRel, findLogFiles, isChannelName, type FoundFile, type LogName } from './files.js';
import { ircPersonId, LINE_PARSERS, sniffDialect, type CivilDate, type Dialect, type LineClock } from './lines.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent, type SourceWarning } from '../types.js';
import { type ChatRecord, type MessageRecord } from '../../model.js';
import { civilUtc, machineTimeZone, ZonedClock } from '../kit/zoned-time.js';
import { flatten } from '../kit/batches.js';
import { readHead } from '../kit/files.js';
import { formatLimit, MAX_LINE_BYTES as MAX_LINE } from '../kit/limits.js';

export const irc: SourceAdapter = {
  format: 'irc',
  description: 'IRC logs of irssi, WeeChat or ZNC: a log file, or a folder of them (followed as they grow)',
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const ircTuning = {
  chunkBytes: 1 << 20,
};
/** Individual warnings per read before they are only counted. */
const MAX_WARNINGS = 200;
/** Files looked at when sniffing a folder. */
const DETECT_FILES = 200;

export const IRC_MARKUP = 'irc';
/** Mode changes: the same markup, shown dimly (collector/markup/irc.ts). */
export const IRC_QUIET_MARKUP = 'irc-quiet';

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (info.isFile()) return sniffDialect(await headText(path)) !== null;
  if (!info.isDirectory()) return false;
  for (const file of await findLogFiles(path, DETECT_FILES)) {
    if (describeLogName(file.path).notChat) continue;
    if (sniffDialect(await headText(file.path)) !== null) return true;
  }
  return false;
}

async function headText(path: string): Promise<string> {
  try {
    return (await readHead(path, HEAD_BYTES)).toString('latin1');
  } catch {
    return '';
  }
}

// ---------------------------------------------------------------------------------------------
// Planning: what to read of each file

interface PlannedFile {
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
  /** Continues after the cursor (read after `resume`) rather than from the start. */
  continues: boolean;
  sortKey: string;
}

interface Plan {
  clock: ZonedClock;
  networkOption: string | undefined;
  files: PlannedFile[];
  /** Cursor entries carried over untouched (nothing to read, chat not wanted this time…). */
  kept: Record<string, FileEntry>;
  warnings: SourceWarning[];
}

async function plan(path: string, options: ReadOptions): Promise<Plan> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file or folder');
  }
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
  const oldFiles = previous?.files ?? {};
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
    const date = entry?.t ? dateFromText(entry.t) : name.date;
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
      start: entry?.o ?? 0,
      line: entry?.l ?? 0,
      date,
      last: entry?.w ?? -Infinity,
      continues: entry !== undefined,
      sortKey: `${name.date ? dateText(name.date) : '0000-00-00'}\u0000${String(999 - name.rotation).padStart(3, '0')}\u0000${file.rel}`,
    };
    if (entry && entry.o === size) kept[file.rel] = { ...newHead(entry, head, size), d: dialect ?? undefined };
    else files.push(planned);
  }
  // Grouped by chat (the store counts occurrences per chat visit), in date order within a chat.
  files.sort((a, b) => cmp(a.chat.nativeId, b.chat.nativeId) || cmp(a.sortKey, b.sortKey));
  return { clock, networkOption, files, kept, warnings };
}

/** An entry whose head was shorter than HEAD_BYTES gets the longer head the file has now. */
function newHead(entry: FileEntry, head: Buffer, size: number): FileEntry {
  const n = Math.min(size, HEAD_BYTES, head.length);
  return n > entry.n ? { ...entry, n, h: headHash(head, n) } : { ...entry };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

// ---------------------------------------------------------------------------------------------
// read

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const p = await plan(path, options);
  const state: ReadState = {
    warnings: 0,
    omitted: 0,
    done: 0,
    total: p.files.reduce((n, f) => n + (f.size - f.start), 0),
    chat: null,
  };
  yield p.warnings.map((warning) => warn(state, warning));
  const entries: Record<string, FileEntry> = { ...p.kept };
  const fresh = p.files.filter((f) => !f.continues);
  const continued = p.files.filter((f) => f.continues);
  for (const file of fresh) {
    const entry = yield* readFile(path, file, p, state);
    // A file of which nothing was consumed is read from its start next time too, and as new
    // content: an empty entry would "fit" whatever the file is replaced with.
    if (entry.o > 0) entries[file.file.rel] = entry;
  }
  if (continued.length) {
    yield [{ type: 'resume' }];
    for (const file of continued) entries[file.file.rel] = yield* readFile(path, file, p, state);
  }
  const end: SourceEvent[] = [];
  if (state.omitted) {
    end.push({ type: 'warning', warning: { position: basename(path), message: `${state.omitted} more line(s) skipped (only the first ${MAX_WARNINGS} are listed)` } });
  }
  const cursor: IrcCursor = { v: 1, zone: p.clock.zone, files: entries };
  if (p.networkOption) cursor.network = p.networkOption;
  end.push({ type: 'progress', done: state.total, total: state.total }, { type: 'cursor', cursor: formatCursor(cursor) });
  yield end;
}

interface ReadState {
  warnings: number;
  omitted: number;
  done: number;
  total: number;
  /** The chat whose `chat` event was emitted last. */
  chat: string | null;
}

function warn(state: ReadState, warning: SourceWarning): SourceEvent {
  state.warnings++;
  return { type: 'warning', warning };
}

const LF = 0x0a;
const CR = 0x0d;
const cp1252 = new TextDecoder('windows-1252');

/** Reads one planned file from its start to the last complete line; returns its cursor entry. */
async function* readFile(root: string, planned: PlannedFile, p: Plan, state: ReadState): AsyncGenerator<SourceEvent[], FileEntry> {
  const where = planned.file.rel ? displayRel(planned.file.rel) : basename(planned.file.path);
  const label = planned.file.rel ? `${root}/${planned.file.rel}` : planned.file.path;
  let fh: FileHandle;
  try {
    fh = await open(planned.file.path, 'r');
  } catch (err) {
    throw new SourceError(label, null, `cannot open: ${(err as Error).message}`);
  }
  let dialect = planned.dialect;
  let date = planned.date;
  let offset = planned.start; // just after the last complete line
  let line = planned.line;
  let last = planned.last;
  let undated = 0;
  let notUtf8 = 0;
  try {
    const end = (await fh.stat()).size; // what is appended meanwhile is for the next read
    let pending: Buffer = Buffer.alloc(0); // bytes after `offset` without a line end yet
    let skippingLong = false;
    let position = planned.start;
    while (position < end) {
      const chunk = Buffer.allocUnsafe(Math.min(ircTuning.chunkBytes, end - position));
      const { bytesRead } = await fh.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break; // truncated while reading: the next read sees it
      position += bytesRead;
      const data = pending.length ? Buffer.concat([pending, chunk.subarray(0, bytesRead)]) : chunk.subarray(0, bytesRead);
      const lastLf = data.lastIndexOf(LF);
      if (lastLf < 0) {
        state.done += bytesRead;
        pending = data;
        if (pending.length > MAX_LINE) {
          if (!skippingLong) yield lineWarningEvents(state, where, line + 1, offset, `line longer than ${formatLimit(MAX_LINE)} skipped`);
          skippingLong = true;
          offset += pending.length;
          pending = Buffer.alloc(0);
        }
        continue;
      }
      const complete = data.subarray(0, lastLf + 1);
      const allUtf8 = isUtf8(complete);
      let from = 0;
      const events: SourceEvent[] = [];
      while (from <= lastLf) {
        const lf = complete.indexOf(LF, from);
        const lineStart = offset;
        let stop = lf;
        if (stop > from && complete[stop - 1] === CR) stop--;
        line++;
        offset += lf + 1 - from;
        if (skippingLong) {
          skippingLong = false;
          from = lf + 1;
          continue;
        }
        const length = stop - from;
        let text = '';
        if (length <= MAX_LINE) {
          if (allUtf8 || isUtf8(complete.subarray(from, stop))) {
            text = complete.toString('utf8', from, stop);
          } else {
            text = cp1252.decode(complete.subarray(from, stop));
            notUtf8++;
          }
        }
        from = lf + 1;
        if (length > MAX_LINE) {
          events.push(...lineWarningEvents(state, where, line, lineStart, `line longer than ${formatLimit(MAX_LINE)} skipped`));
          continue;
        }
        if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (!dialect) dialect = sniffDialect(text);
        if (!dialect) {
          if (text.trim()) events.push(...lineWarningEvents(state, where, line, lineStart, 'not an irssi, WeeChat or ZNC log line'));
          continue;
        }
        const parsed = LINE_PARSERS[dialect](text);
        switch (parsed.type) {
          case 'skip':
            break;
          case 'unknown':
            events.push(...lineWarningEvents(state, where, line, lineStart, `${parsed.why}: ${JSON.stringify(text.slice(0, 80))}`));
            break;
          case 'date':
            if (parsed.date) date = parsed.date;
            else if (parsed.dayChange && date) date = nextDay(date);
            else events.push(...lineWarningEvents(state, where, line, lineStart, `unreadable date: ${JSON.stringify(text.slice(0, 80))}`));
            break;
          case 'message': {
            const clock = parsed.clock;
            const day = clock.date ?? date;
            if (!day) {
              undated++;
              break;
            }
            const time = timeOf(day, clock, p.clock, last);
            last = time;
            if (state.chat !== planned.chat.nativeId) {
              events.push({ type: 'chat', chat: planned.chat });
              state.chat = planned.chat.nativeId;
            }
            const message: MessageRecord = {
              authorId: ircPersonId(planned.chat.nativeId, parsed.nick)!,
              authorName: parsed.nick,
              time,
              kind: parsed.kind,
              body: parsed.body,
              markup: parsed.quiet ? IRC_QUIET_MARKUP : IRC_MARKUP,
            };
            events.push({ type: 'message', message });
            break;
          }
        }
      }
      pending = data.subarray(lastLf + 1);
      if (pending.length > MAX_LINE) {
        events.push(...lineWarningEvents(state, where, line + 1, offset, `line longer than ${formatLimit(MAX_LINE)} skipped`));
        skippingLong = true;
        offset += pending.length;
        pending = Buffer.alloc(0);
      }
      state.done += bytesRead;
      events.push({ type: 'progress', done: state.done, total: state.total });
      yield events;
    }
    if (pending.length) {
      yield lineWarningEvents(state, where, line + 1, offset, 'the last line has no line end yet: left for the next read');
    }
    if (undated) {
      yield [warn(state, { position: where, message: `${undated} line(s) before any date (no "Log opened" line, no date in the file name) skipped` })];
    }
    if (notUtf8) {
      yield [warn(state, { position: where, message: `${notUtf8} line(s) not in UTF-8, read as Windows-1252` })];
    }
  } finally {
    await fh.close();
  }
  const n = Math.min(planned.head.length, HEAD_BYTES);
  const entry: FileEntry = { o: offset, l: line, n, h: headHash(planned.head, n) };
  if (dialect) entry.d = dialect;
  if (date && dialect !== 'weechat') entry.t = dateText(date);
  if (last > -Infinity) entry.w = last;
  return entry;
}

function lineWarningEvents(state: ReadState, where: string, line: number, byte: number, message: string): SourceEvent[] {
  if (state.warnings >= MAX_WARNINGS) {
    state.omitted++;
    return [];
  }
  return [warn(state, { position: `${where}: line ${line} (byte ${byte})`, message })];
}

/**
 * A line's UTC time. Wall-clock times in the hour a DST change repeats take the earliest instant
 * not before the previous line's (a log runs forward); `last` is kept in the cursor, so a resumed
 * read decides as a whole read does.
 */
function timeOf(date: CivilDate, clock: LineClock, zone: ZonedClock, last: number): number {
  const wall = civilUtc(date.year, date.month, date.day, clock.hour, clock.minute, clock.second) + clock.ms;
  return clock.offsetMinutes !== undefined ? wall - clock.offsetMinutes * 60_000 : zone.toUtc(wall, last);
}

function nextDay(date: CivilDate): CivilDate {
  const next = new Date(Date.UTC(date.year, date.month - 1, date.day + 1));
  return { year: next.getUTCFullYear(), month: next.getUTCMonth() + 1, day: next.getUTCDate() };
}
