/**
 * Archive periods: which page a message lives on — the one owner of that rule (the store, the
 * site, its search index and `chatchannels search` all ask here; the browser's copy in
 * site/client/search/ is held to it by test/periods.test.ts).
 *
 * A chat's month is one page, or, when the month already held more than PAGE_SPLIT_THRESHOLD
 * messages when first imported, one page per day. The choice is stored (table `periods`) and never
 * revised, so a published URL never moves. Months are UTC months: the site's display time zone is
 * an option, and URLs must not depend on it. Messages dated before year 1 or from year 10000 on
 * have no YYYY/MM/ page: they are on the chat's out-of-range pages, `out-of-range/early/` and
 * `out-of-range/late/`.
 */
export const PAGE_SPLIT_THRESHOLD = 1000;

export const DAY_MS = 86_400_000;

/** The first instant with a YYYY/MM/ page (year 1) and the end of those (year 10000), UTC ms. */
export const DATED_MIN = new Date(0).setUTCFullYear(1, 0, 1);
export const DATED_END = new Date(0).setUTCFullYear(10000, 0, 1);
/** Beyond any INTEGER SQLite can hold: the open ends of the out-of-range slots. */
export const FAR = 2 ** 64;

export const EARLY_PATH = 'out-of-range/early/';
export const LATE_PATH = 'out-of-range/late/';

/** A month slot: `early`, `YYYY-MM` (UTC) or `late`, and the times it covers, [start, end). */
export interface Slot {
  label: string;
  start: number;
  end: number;
}

/** Whether a time has a YYYY/MM/ page (years 1–9999). */
export function isDated(time: number): boolean {
  return time >= DATED_MIN && time < DATED_END;
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

/** `2021-09`: the UTC month of a time (meant for times with a page of their own: isDated). */
export function monthOf(time: number): string {
  const d = new Date(time);
  return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}`;
}

/** The last day dayOf formatted: messages come in time order, most of them on the day before. */
let lastDay = { number: NaN, label: '' };
/** The latest (and, negated, earliest) time a Date holds. */
const DATE_LIMIT = 8.64e15;

/** YYYY-MM-DD (UTC); without its last 3 characters it is monthOf(time). */
export function dayOf(time: number): string {
  // A UTC day is DAY_MS long (JavaScript time has no leap seconds): its number names it. Of a
  // time as a Date takes it (fractions cut toward zero); times no Date holds are not kept.
  const whole = Math.trunc(time);
  const number = Math.floor(whole / DAY_MS);
  const kept = Math.abs(whole) <= DATE_LIMIT;
  if (kept && number === lastDay.number) return lastDay.label;
  const d = new Date(time);
  const label = `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  if (kept) lastDay = { number, label };
  return label;
}

/**
 * The change log's day for a whole chat (`changes.day`): its title, kind or members changed, which
 * all its pages show. dayStart cannot place it, so every reader of the log redoes the chat.
 */
export const WHOLE_CHAT = '*';

/** The inverse of dayOf: `2021-09-14` (or a five-digit year) → UTC ms of its start, else null. */
export function dayStart(day: string): number | null {
  const m = /^(\d{4,5})-(\d\d)-(\d\d)$/.exec(day);
  if (!m) return null;
  const time = new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(time) ? time : null;
}

/**
 * `2021-09` → [its first instant, the next month's], UTC ms. setUTCFullYear, not Date.UTC: that
 * one reads years 0–99 as 1900–1999.
 */
export function monthRange(month: string): [number, number] {
  const cut = month.lastIndexOf('-');
  const year = Number(month.slice(0, cut));
  const m = Number(month.slice(cut + 1)) - 1;
  return [new Date(0).setUTCFullYear(year, m, 1), new Date(0).setUTCFullYear(year, m + 1, 1)];
}

/** The slot of a time: its UTC month, or the early or late slot. */
export function slotOf(time: number): Slot {
  if (time < DATED_MIN) return { label: 'early', start: -FAR, end: DATED_MIN };
  if (time >= DATED_END) return { label: 'late', start: DATED_END, end: FAR };
  const label = monthOf(time);
  const [start, end] = monthRange(label);
  return { label, start, end };
}

/**
 * The page path of a message, relative to its chat's folder: `2021/09/`, `2021/09/14/` (its month
 * is split into days) or an out-of-range page.
 */
export function pagePathOf(time: number, byDay: boolean): string {
  if (time < DATED_MIN) return EARLY_PATH;
  if (time >= DATED_END) return LATE_PATH;
  const d = new Date(time);
  const ym = `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1, 2)}/`;
  return byDay ? `${ym}${pad(d.getUTCDate(), 2)}/` : ym;
}
