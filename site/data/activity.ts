import type { Statement } from 'better-sqlite3';
import { DAY_MS, dayStart as utcDayStart, monthRange } from '../../collector/store/contract.js';
import type { LocalCalendar } from './local-calendar.js';
import type { ArchiveReader } from './reader.js';

/**
 * A chat's activity, counted in SQL (never by reading its messages into memory): messages per
 * local month for its whole life, per local day for its last HEATMAP_YEARS calendar years (the
 * heatmap), in the site's time zone, so a day here is a day separator on the archive pages.
 * Only plausibly dated messages count (the catalog's first/last ignore the others too).
 */

/** Calendar years a heatmap shows: the year of the newest message and the ones before it. */
export const HEATMAP_YEARS = 3;

export interface ChatActivity {
  /** Local months with messages, oldest first: [`2021-09`, count]. */
  months: [month: string, count: number][];
  /** The first local day key `days` covers (1 January of the first heatmap year). */
  daysFrom: number;
  /** Local days with messages from `daysFrom` on, oldest first: [day key, count]. */
  days: [day: number, count: number][];
  /** Messages with implausible times, in no picture. */
  undated: number;
  /** The first and last plausible times it was counted for (what a later count starts from). */
  range: [number, number] | null;
}

/** A chat's activity as a previous build counted it, and the UTC days (`2021-09-14`) changed since. */
export interface ActivityBefore {
  activity: ChatActivity;
  days: ReadonlySet<string>;
}

/** Years of a local day key / of `2021-09`. */
export function yearOfDay(calendar: LocalCalendar, dayKey: number): number {
  return Number(calendar.dateOf(dayKey).slice(0, -6));
}

/**
 * Far enough back in days that time + offset + SHIFT is positive for every dated time, so that
 * SQLite's integer division (which truncates toward zero) floors.
 */
const SHIFT_DAYS = 800_000;
/** A day is counted by a range count per day (two index seeks) once a span averages this many messages a day. */
const DENSE_PER_DAY = 4;

/** Prepared statements per reader (one build's connection). */
const statements = new WeakMap<ArchiveReader, { grouped: Statement; dense: Statement }>();

function statementsOf(reader: ArchiveReader): { grouped: Statement; dense: Statement } {
  let s = statements.get(reader);
  if (s) return s;
  const t = reader.messageTable;
  const off = 'CAST(@offset AS INTEGER)';
  const dayOf = (time: string) => `((${time} + ${off} + ${SHIFT_DAYS * DAY_MS}) / ${DAY_MS} - ${SHIFT_DAYS})`;
  // The first instant of the local day after the one of `s` (within a span of one offset).
  const nextDay = `((s + ${off} + ${SHIFT_DAYS * DAY_MS}) / ${DAY_MS} + 1) * ${DAY_MS} - ${SHIFT_DAYS * DAY_MS} - ${off}`;
  s = {
    // Sparse spans: one GROUP BY over the (chat, time) index, packed into two JSON arrays (one
    // row per chat: a row per day costs better-sqlite3 more than SQLite's grouping does).
    grouped: reader.db
      .prepare(
        `SELECT json_group_array(day), json_group_array(n) FROM (
           SELECT ${dayOf('time')} AS day, count(*) AS n FROM ${t}
           WHERE chat_id = @chat AND time >= @from AND time < @to GROUP BY day ORDER BY day)`,
      )
      .raw(),
    // Dense spans: skip from day to day with the index (first message on or after a day's start)
    // and count each day's range; work per day, not per message.
    dense: reader.db
      .prepare(
        `WITH RECURSIVE d(s) AS (
           SELECT (SELECT min(time) FROM ${t} WHERE chat_id = @chat AND time >= @from AND time < @to)
           UNION ALL
           SELECT (SELECT min(time) FROM ${t} WHERE chat_id = @chat AND time >= ${nextDay} AND time < @to) FROM d WHERE s IS NOT NULL)
         SELECT json_group_array(${dayOf('s')}),
           json_group_array((SELECT count(*) FROM ${t} WHERE chat_id = @chat AND time >= s AND time < min(${nextDay}, @to)))
         FROM d WHERE s IS NOT NULL`,
      )
      .raw(),
  };
  statements.set(reader, s);
  return s;
}

/**
 * Counts per local day of [from, to): a query per stretch of one UTC offset, merged (a day cut by
 * an offset change gets both parts).
 */
export function dayCounts(reader: ArchiveReader, calendar: LocalCalendar, chatId: number, from: number, to: number): [number, number][] {
  const { grouped, dense } = statementsOf(reader);
  const counts = new Map<number, number>();
  for (const span of calendar.spans(from, to)) {
    const n = reader.countInRange(chatId, span.start, span.end);
    if (n === 0) continue;
    const isDense = n > DENSE_PER_DAY * Math.max(1, (span.end - span.start) / DAY_MS);
    const params = { chat: chatId, from: span.start, to: span.end, offset: span.offset };
    const [days, ns] = (isDense ? dense : grouped).get(params) as [string, string];
    const dayList = JSON.parse(days) as number[];
    const countList = JSON.parse(ns) as number[];
    for (let i = 0; i < dayList.length; i++) counts.set(dayList[i], (counts.get(dayList[i]) ?? 0) + countList[i]);
  }
  return [...counts].sort((a, b) => a[0] - b[0]);
}

/**
 * A chat's activity. `range`: its first and last plausible times (catalog), or null; `utcMonths`:
 * the UTC months (`2021-09`) its archive has pages for: only the local months that overlap one
 * can hold messages, each counted with one indexed range count. `before` (an incremental build):
 * only the months and days that the changed days or a moved first or last time touch are counted
 * again, so one new message costs its month's and day's counts, not its chat's.
 */
export function chatActivity(
  reader: ArchiveReader,
  calendar: LocalCalendar,
  chatId: number,
  range: [number, number] | null,
  utcMonths: readonly string[],
  total: number,
  before: ActivityBefore | null = null,
): ChatActivity {
  if (range === null) return { months: [], daysFrom: 0, days: [], undated: total, range: null };
  const [first, last] = range;
  const end = last + 1;
  const dirty = before?.activity.range ? changedSpans(before.activity.range, range, before.days) : null;
  const touched = (from: number, to: number) => dirty === null || dirty.some(([a, b]) => a < to && b > from);
  const counted = new Map(dirty ? before!.activity.months : []);
  // The zone's offsets over the chat's life (and a day around it), found once for all that follows.
  calendar.spans(first - DAY_MS, end + DAY_MS);
  const candidates = new Set<string>();
  for (const month of utcMonths) {
    if (!/^\d{4}-\d\d$/.test(month)) continue;
    const [start, stop] = monthRange(month);
    if (stop <= first || start >= end) continue;
    const a = calendar.monthOf(calendar.dayKey(Math.max(start, first)));
    const b = calendar.monthOf(calendar.dayKey(Math.min(stop, end) - 1));
    candidates.add(a);
    for (let m = a; m !== b; ) candidates.add((m = calendar.nextMonth(m)));
  }
  const months: [string, number][] = [];
  let dated = 0;
  for (const month of [...candidates].sort()) {
    const start = Math.max(first, calendar.dayStart(calendar.monthFirstDay(month)));
    const monthEnd = calendar.dayStart(calendar.monthFirstDay(calendar.nextMonth(month)));
    const stop = Math.min(end, monthEnd);
    // A month nothing touched has the count it had (none when it was not listed).
    const n = !touched(calendar.dayStart(calendar.monthFirstDay(month)), monthEnd) ? (counted.get(month) ?? 0) : stop > start ? reader.countInRange(chatId, start, stop) : 0;
    if (n > 0) {
      months.push([month, n]);
      dated += n;
    }
  }
  const lastYear = yearOfDay(calendar, calendar.dayKey(last));
  const daysFrom = calendar.monthFirstDay(`${String(lastYear - HEATMAP_YEARS + 1).padStart(4, '0')}-01`);
  const from = Math.max(first, calendar.dayStart(daysFrom));
  const days = dirty && before!.activity.daysFrom === daysFrom ? recountDays(reader, calendar, chatId, before!.activity.days, dirty, from, end) : dayCounts(reader, calendar, chatId, from, end);
  return { months, daysFrom, days, undated: total - dated, range };
}

/**
 * Where counts may differ from the previous build's: the changed UTC days, and the stretches
 * between the old and the new first and last plausible times. Null: a day the change log names
 * that is no date (count everything).
 */
function changedSpans([first0, last0]: [number, number], [first, last]: [number, number], days: ReadonlySet<string>): [number, number][] | null {
  const spans: [number, number][] = [];
  for (const day of days) {
    const start = utcDayStart(day);
    if (start === null) return null;
    spans.push([start, start + DAY_MS]);
  }
  if (first0 !== first) spans.push([Math.min(first0, first), Math.max(first0, first)]);
  if (last0 !== last) spans.push([Math.min(last0, last) + 1, Math.max(last0, last) + 1]);
  return spans;
}

/**
 * The day counts of [from, to) from the previous ones: the local days `dirty` touches counted
 * again (each stretch of them once), the others kept.
 */
function recountDays(reader: ArchiveReader, calendar: LocalCalendar, chatId: number, previous: readonly [number, number][], dirty: [number, number][], from: number, to: number): [number, number][] {
  // Local day keys [first, last] each span touches, merged where they meet.
  const runs: [number, number][] = [];
  for (const [a, b] of dirty.map(([a, b]) => [calendar.dayKey(a), calendar.dayKey(b - 1)]).sort((x, y) => x[0] - y[0])) {
    const run = runs[runs.length - 1];
    if (run && a <= run[1] + 1) run[1] = Math.max(run[1], b);
    else runs.push([a, b]);
  }
  const counts = new Map(previous);
  for (const [a, b] of runs) {
    for (const day of counts.keys()) if (day >= a && day <= b) counts.delete(day);
    const start = Math.max(from, calendar.dayStart(a));
    const stop = Math.min(to, calendar.dayStart(b + 1));
    if (stop > start) for (const [day, n] of dayCounts(reader, calendar, chatId, start, stop)) counts.set(day, n);
  }
  return [...counts].sort((x, y) => x[0] - y[0]);
}

/** The activity of a build's chats, computed when first asked for (landing pages, the home page). */
export class ActivityStore {
  private readonly byChat = new Map<number, ChatActivity>();
  /** Changed chats' previous activity and changed days: counted again only around those. */
  private readonly before = new Map<number, ActivityBefore>();

  constructor(
    private readonly reader: ArchiveReader,
    readonly calendar: LocalCalendar,
    /** An incremental build: the previous build's activity; kept for the chats that did not change. */
    previous: ReadonlyMap<number, ChatActivity> | null = null,
    changed: ReadonlySet<number> = new Set(),
    /** The UTC days the change log names per chat since the previous build, when known. */
    changedDays: ReadonlyMap<number, ReadonlySet<string>> | null = null,
  ) {
    for (const [chatId, activity] of previous ?? []) {
      if (!changed.has(chatId)) this.byChat.set(chatId, activity);
      else if (changedDays) this.before.set(chatId, { activity, days: changedDays.get(chatId) ?? new Set() });
    }
  }

  of(chat: { id: number; count: number; months: readonly { month: string }[] }): ChatActivity {
    let activity = this.byChat.get(chat.id);
    if (!activity) {
      activity = chatActivity(this.reader, this.calendar, chat.id, this.reader.plausibleRange(chat.id), chat.months.map((m) => m.month), chat.count, this.before.get(chat.id) ?? null);
      this.byChat.set(chat.id, activity);
    }
    return activity;
  }

  /** What the next incremental build may reuse. */
  get computed(): ReadonlyMap<number, ChatActivity> {
    return this.byChat;
  }
}
