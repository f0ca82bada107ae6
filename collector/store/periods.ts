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

/** The page path of a message, relative to its chat's folder: `2021/09/` or `2021/09/14/`. */
export function pagePathOf(time: number, byDay: boolean): string {
  const d = new Date(time);
  const ym = `${String(d.getUTCFullYear()).padStart(4, '0')}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/`;
  return byDay ? `${ym}${String(d.getUTCDate()).padStart(2, '0')}/` : ym;
}
