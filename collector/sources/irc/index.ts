/**
 * IRC logs as irssi, WeeChat and ZNC write them: one log file, or a folder of them (an irssi
 * `~/irclogs`, a ZNC `moddata/log`, a WeeChat `logs/`), followed as they grow.
 *
 * - Each file's client ("dialect") is sniffed from its first lines; the line grammars are in
 *   lines.ts, what the file's name and folders say (network, channel, ZNC's date) in
 *   files.ts.
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
 * Following: a log only grows, so the cursor (cursor.ts) keeps, per file, the offset after the
 * last complete line and a hash of its head. The next read continues each file that still starts
 * the same and is not shorter (a file renamed by logrotate, or copied aside by copytruncate, is
 * recognised by its head and continued too), and reads
 * anew a file that was rotated, truncated or replaced, and any new file. `resume` comes first
 * when a file is continued; then every file in the order a whole read takes, a continued one from
 * its replay point: the lines within twice the merge tolerance of where the last read stopped are
 * read again, so the store numbers and matches what follows as a whole read would (cursor.ts). A
 * last line without its line end is left for the next read.
 *
 * Untrusted input: lines that fit no grammar are skipped with a warning naming file, line and
 * byte; lines that are not UTF-8 are read as Windows-1252 (old clients) and counted; a "line"
 * longer than MAX_LINE_BYTES (limits.ts) is skipped. A single file that is no IRC log is a SourceError.
 */
import { describeFormat } from '../modules.js';
import { basename } from 'node:path';
import { flatten } from '../kit/batches.js';
import { readHead, statOrNull } from '../kit/files.js';
import { Warnings } from '../kit/warnings.js';
import type { ReadOptions, SourceAdapter, SourceEvent } from '../types.js';
import { formatCursor, HEAD_BYTES, type FileEntry, type IrcCursor } from './cursor.js';
import { describeLogName, findLogFiles } from './files.js';
import { sniffDialect } from './lines.js';
import { plan } from './plan.js';
import { readFile, type ReadState } from './read-file.js';

export { ircTuning } from './read-file.js';

export const irc: SourceAdapter = {
  format: 'irc',
  description: describeFormat('irc'),
  detect,
  read,
};

/** Files looked at when sniffing a folder. */
const DETECT_FILES = 200;

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
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
// read

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const p = await plan(path, options);
  const state: ReadState = {
    warnings: new Warnings(basename(path)),
    done: 0,
    total: p.files.reduce((n, f) => n + (f.size - f.start), 0),
    chat: null,
  };
  for (const { position, message } of p.warnings) state.warnings.add(position, message);
  yield state.warnings.take();
  const entries: Record<string, FileEntry> = { ...p.kept };
  if (p.files.some((f) => f.continues)) yield [{ type: 'resume' }];
  // In plan order (chat, then date), as a whole read: identical lines get the same occurrence numbers.
  for (const file of p.files) {
    const entry = yield* readFile(path, file, p, state);
    // A file of which nothing was consumed is read from its start next time too, and as new
    // content: an empty entry would "fit" whatever the file is replaced with.
    if (file.continues || entry.o > 0) entries[file.file.rel] = entry;
  }
  const end = state.warnings.summary();
  const cursor: IrcCursor = { v: 1, zone: p.clock.zone, m: p.replayMs, files: entries };
  if (p.networkOption) cursor.network = p.networkOption;
  end.push({ type: 'progress', done: state.total, total: state.total }, { type: 'cursor', cursor: formatCursor(cursor) });
  yield end;
}
