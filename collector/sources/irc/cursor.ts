/**
 * The cursor of an IRC log source: how far each of its files was read, so that the next import
 * of a growing log reads only what was appended (index.ts).
 *
 *   {"v":1,"zone":"Europe/Berlin","network":"libera","m":240000,"files":{"libera/#chan.log":
 *     {"o":10432,"l":210,"n":4096,"h":"9f2c…","d":"irssi","t":"2016-06-03","w":1464991260000,
 *      "r":10100,"rl":204,"rt":"2016-06-03","rw":1464991020000}}}
 *
 * Per file: `o` the byte offset just after the last complete line read, `l` the lines before it,
 * `n`/`h` the length and hash of the file's head when it was read (up to 4 KB: a log that was
 * rotated, truncated or replaced no longer starts the same), `d` its dialect, `t` the date in force
 * at `o` (irssi writes the date only in `Log opened`/`Day changed` lines), `w` the UTC time of the
 * last line (which of the two 02:30s a repeated hour means depends on it). The time zone and the
 * network option used are kept too, so a later run without them (a `watch` resumed from the
 * database) keeps giving the same times and ids.
 *
 * Replay: `r` is where the lines within `m` ms (twice the merge tolerance) of the last line begin,
 * `rl`/`rt`/`rw` the lines, date and last time before it. A continued read reads those lines again
 * before the appended ones, so the store sees what a whole read shows it: how often each identity
 * already occurred (a log runs forward: an appended line's identical earlier ones are among them)
 * and which stored rows, another logger's too, this log's lines near the new ones are (an
 * appended line merges into no row of which this log already holds one, even one its earlier line
 * was merged into a tolerance away). An entry without them (an older cursor), or a cursor with a
 * smaller window than wanted now, is read whole once.
 */
import { createHash } from 'node:crypto';
import type { CivilDate, Dialect } from './lines.js';

export const HEAD_BYTES = 4096;

export interface FileEntry {
  o: number;
  l: number;
  n: number;
  h: string;
  d?: Dialect;
  t?: string;
  w?: number;
  r: number;
  rl: number;
  rt?: string;
  rw?: number;
}

export interface IrcCursor {
  v: 1;
  zone: string;
  network?: string;
  /** The replay window the entries' `r` were found with (ms). */
  m?: number;
  files: Record<string, FileEntry>;
}

const DIALECTS = new Set(['irssi', 'weechat', 'znc']);

/** The cursor in `text`, or null when there is none or it is not one of ours (then read all). */
export function parseCursor(text: string | null | undefined): IrcCursor | null {
  if (!text) return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isObject(value) || value.v !== 1 || typeof value.zone !== 'string' || !isObject(value.files)) return null;
  const files: Record<string, FileEntry> = {};
  for (const [rel, e] of Object.entries(value.files)) {
    if (!isObject(e)) continue;
    const { o, l, n, h, d, t, w, r, rl, rt, rw } = e;
    if (!isCount(o) || !isCount(l) || !isCount(n) || n > HEAD_BYTES || typeof h !== 'string') continue;
    if (!isCount(r) || !isCount(rl) || r > o || rl > l) continue; // nothing to replay from: read whole
    const entry: FileEntry = { o, l, n, h, r, rl };
    if (typeof d === 'string' && DIALECTS.has(d)) entry.d = d as Dialect;
    if (typeof t === 'string' && dateFromText(t)) entry.t = t;
    if (typeof w === 'number' && Number.isFinite(w)) entry.w = w;
    if (typeof rt === 'string' && dateFromText(rt)) entry.rt = rt;
    if (typeof rw === 'number' && Number.isFinite(rw)) entry.rw = rw;
    files[rel] = entry;
  }
  const cursor: IrcCursor = { v: 1, zone: value.zone, files };
  if (typeof value.network === 'string' && value.network) cursor.network = value.network;
  if (isCount(value.m)) cursor.m = value.m;
  return cursor;
}

/** The cursor as JSON, files in name order (the same state always gives the same text). */
export function formatCursor(cursor: IrcCursor): string {
  const files: Record<string, FileEntry> = {};
  for (const rel of Object.keys(cursor.files).sort()) files[rel] = cursor.files[rel];
  return JSON.stringify({ ...cursor, files });
}

export function headHash(head: Buffer, length: number): string {
  return createHash('sha256').update(head.subarray(0, length)).digest('hex').slice(0, 20);
}

/** Whether the file (its size and the head read from it now) is still the one `entry` read. */
export function entryFits(entry: FileEntry, size: number, head: Buffer): boolean {
  return size >= entry.o && head.length >= entry.n && headHash(head, entry.n) === entry.h;
}

export function dateText(date: CivilDate): string {
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

export function dateFromText(text: string): CivilDate | null {
  const m = /^(\d{4})-(\d\d)-(\d\d)$/.exec(text);
  if (!m) return null;
  const date = { year: Number(m[1]), month: Number(m[2]), day: Number(m[3]) };
  return date.month >= 1 && date.month <= 12 && date.day >= 1 && date.day <= 31 ? date : null;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}
