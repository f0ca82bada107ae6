/**
 * Archive periods: which page a message lives on. A chat's month is one page, or, when the month
 * already held more than PAGE_SPLIT_THRESHOLD messages when first imported, one page per day.
 * The choice is stored (table `periods`) and never revised, so a published URL never moves.
 * Months are UTC months: the site's display time zone is an option, and URLs must not depend on it.
 */
export const PAGE_SPLIT_THRESHOLD = 1000;

export function monthOf(time: number): string {
  const d = new Date(time);
  return `${String(d.getUTCFullYear()).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
}

/** YYYY-MM-DD (UTC); without its last 3 characters it is monthOf(time). */
export function dayOf(time: number): string {
  const d = new Date(time);
  const y = String(d.getUTCFullYear()).padStart(4, '0');
  return `${y}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

export const DAY_MS = 86_400_000;

/** The inverse of dayOf: `2021-09-14` (or a five-digit year) → UTC ms of its start, else null. */
export function dayStart(day: string): number | null {
  const m = /^(\d{4,5})-(\d\d)-(\d\d)$/.exec(day);
  if (!m) return null;
  const time = new Date(0).setUTCFullYear(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(time) ? time : null;
}

/** The page path of a message, relative to its chat's folder: `2021/09/` or `2021/09/14/`. */
export function pagePathOf(time: number, byDay: boolean): string {
  const d = new Date(time);
  const ym = `${String(d.getUTCFullYear()).padStart(4, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/`;
  return byDay ? `${ym}${String(d.getUTCDate()).padStart(2, '0')}/` : ym;
}
