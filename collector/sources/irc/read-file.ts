/**
 * Reading one planned log file from where its plan starts to its last complete line: lines split
 * and decoded (UTF-8, else Windows-1252), parsed in the file's dialect, dated and made UTC, and
 * emitted as messages; lines that fit no grammar, and lines too long to hold, are skipped with a
 * warning naming file, line and byte. Returns the file's next cursor entry.
 *
 * A continued file starts at its replay point (cursor.ts): the lines up to where the last read
 * stopped are emitted again as messages, but warn of nothing (their warnings were given).
 */
import { isUtf8 } from 'node:buffer';
import { open, type FileHandle } from 'node:fs/promises';
import { basename } from 'node:path';
import { ircPersonId } from '../../markup/irc-grammar.js';
import type { MessageRecord } from '../../model.js';
import { formatLimit, MAX_LINE_BYTES as MAX_LINE } from '../kit/limits.js';
import type { Warnings } from '../kit/warnings.js';
import { civilUtc, type ZonedClock } from '../kit/zoned-time.js';
import { SourceError, type SourceEvent } from '../types.js';
import { dateText, HEAD_BYTES, headHash, type FileEntry } from './cursor.js';
import { displayRel } from './files.js';
import { LINE_PARSERS, sniffDialect, type CivilDate, type LineClock } from './lines.js';
import type { Plan, PlannedFile } from './plan.js';

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const ircTuning = {
  chunkBytes: 1 << 20,
  /** Most lines a cursor's replay holds (a log whose clock jumped back keeps no more than these). */
  maxReplayLines: 50_000,
};

export const IRC_MARKUP = 'irc';
/** Mode changes: the same markup, shown dimly (collector/markup/irc.ts). */
export const IRC_QUIET_MARKUP = 'irc-quiet';

export interface ReadState {
  warnings: Warnings;
  done: number;
  total: number;
  /** The chat whose `chat` event was emitted last. */
  chat: string | null;
}

/** A message line's start, as a replay point: offset, lines and date before it, the last time before it. */
interface Mark {
  o: number;
  l: number;
  date: CivilDate | null;
  last: number;
  time: number;
}

const LF = 0x0a;
const CR = 0x0d;
const cp1252 = new TextDecoder('windows-1252');

/** Reads one planned file from its start to the last complete line; returns its cursor entry. */
export async function* readFile(root: string, planned: PlannedFile, p: Plan, state: ReadState): AsyncGenerator<SourceEvent[], FileEntry> {
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
  // The message lines within plan.replayMs of the newest (a log runs forward): marks[head] on.
  let marks: Mark[] = [];
  let head = 0;
  const quiet = (byte: number) => byte < planned.resumeAt; // replayed: warned of last time
  const warn = (lineNo: number, byte: number, message: string): SourceEvent[] =>
    quiet(byte) ? [] : lineWarningEvents(state, where, lineNo, byte, message);
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
          if (!skippingLong) yield warn(line + 1, offset, `line longer than ${formatLimit(MAX_LINE)} skipped`);
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
            if (!quiet(lineStart)) notUtf8++;
          }
        }
        from = lf + 1;
        if (length > MAX_LINE) {
          events.push(...warn(line, lineStart, `line longer than ${formatLimit(MAX_LINE)} skipped`));
          continue;
        }
        if (lineStart === 0 && text.charCodeAt(0) === 0xfeff) text = text.slice(1);
        if (!dialect) dialect = sniffDialect(text);
        if (!dialect) {
          if (text.trim()) events.push(...warn(line, lineStart, 'not an irssi, WeeChat or ZNC log line'));
          continue;
        }
        const parsed = LINE_PARSERS[dialect](text);
        switch (parsed.type) {
          case 'skip':
            break;
          case 'unknown':
            events.push(...warn(line, lineStart, `${parsed.why}: ${JSON.stringify(text.slice(0, 80))}`));
            break;
          case 'date':
            if (parsed.date) date = parsed.date;
            else if (parsed.dayChange && date) date = nextDay(date);
            else events.push(...warn(line, lineStart, `unreadable date: ${JSON.stringify(text.slice(0, 80))}`));
            break;
          case 'message': {
            const clock = parsed.clock;
            const day = clock.date ?? date;
            if (!day) {
              if (!quiet(lineStart)) undated++;
              break;
            }
            const time = timeOf(day, clock, p.clock, last);
            marks.push({ o: lineStart, l: line - 1, date, last, time });
            while (marks[head].time < time - p.replayMs || marks.length - head > ircTuning.maxReplayLines) head++;
            if (head > 1024 && head * 2 > marks.length) [marks, head] = [marks.slice(head), 0];
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
        events.push(...warn(line + 1, offset, `line longer than ${formatLimit(MAX_LINE)} skipped`));
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
      state.warnings.add(where, `${undated} line(s) before any date (no "Log opened" line, no date in the file name) skipped`);
      yield state.warnings.take();
    }
    if (notUtf8) {
      state.warnings.add(where, `${notUtf8} line(s) not in UTF-8, read as Windows-1252`);
      yield state.warnings.take();
    }
  } finally {
    await fh.close();
  }
  const n = Math.min(planned.head.length, HEAD_BYTES);
  // No message line to replay: the next read starts where this one stopped.
  const from: Mark = marks[head] ?? { o: offset, l: line, date, last, time: last };
  const entry: FileEntry = { o: offset, l: line, n, h: headHash(planned.head, n), r: from.o, rl: from.l };
  if (dialect) entry.d = dialect;
  if (date && dialect !== 'weechat') entry.t = dateText(date);
  if (last > -Infinity) entry.w = last;
  if (from.date && dialect !== 'weechat') entry.rt = dateText(from.date);
  if (from.last > -Infinity) entry.rw = from.last;
  return entry;
}

/** A warning about one line, as events to emit where the line was (none past the cap). */
function lineWarningEvents(state: ReadState, where: string, line: number, byte: number, message: string): SourceEvent[] {
  state.warnings.add(`${where}: line ${line} (byte ${byte})`, message);
  return state.warnings.take();
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
