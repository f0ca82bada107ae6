// @ts-check
/*
 * chatchannels search: archive periods and page paths, as the site lays them out
 * (collector/store/periods.ts). Documents are grouped in slots: a UTC month 'YYYY-MM', or
 * 'early' / 'late' for messages dated before year 1 or after 9999, which live on out-of-range
 * pages.
 */

/** The first instant of year 1 and of year 10000 (UTC ms): the dated range. */
export const DATED_MIN = new Date(0).setUTCFullYear(1, 0, 1);
export const DATED_END = new Date(0).setUTCFullYear(10000, 0, 1);

/**
 * @param {number} n
 * @param {number} width
 */
function pad(n, width) {
  let s = String(n);
  while (s.length < width) s = '0' + s;
  return s;
}

/**
 * The instants a slot covers, [start, end) in UTC ms (early and late reach to ±Infinity).
 * @param {import('../../search/format.js').SlotLabel} label
 * @returns {[number, number]}
 */
export function slotRange(label) {
  if (label === 'early') return [-Infinity, DATED_MIN];
  if (label === 'late') return [DATED_END, Infinity];
  const y = Number(label.slice(0, label.length - 3));
  const m = Number(label.slice(-2)) - 1;
  return [new Date(0).setUTCFullYear(y, m, 1), new Date(0).setUTCFullYear(y, m + 1, 1)];
}

/**
 * Sort order of slot labels: early, then months in order, then late.
 * @param {string} a
 * @param {string} b
 */
export function slotOrder(a, b) {
  const ka = a === 'early' ? 0 : a === 'late' ? 2 : 1;
  const kb = b === 'early' ? 0 : b === 'late' ? 2 : 1;
  return ka - kb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A message's archive page within its chat folder (collector/store/periods.ts pagePathOf, and
 * the out-of-range pages): `2021/09/`, `2021/09/14/` (a month split by day), `out-of-range/early/`.
 * @param {string} slotLabel the slot of the message's group
 * @param {boolean | number} byDay whether its month's page is split by day
 * @param {number} time the message's time (UTC ms)
 */
export function pagePath(slotLabel, byDay, time) {
  if (slotLabel === 'early') return 'out-of-range/early/';
  if (slotLabel === 'late') return 'out-of-range/late/';
  const d = new Date(time);
  const path = pad(d.getUTCFullYear(), 4) + '/' + pad(d.getUTCMonth() + 1, 2) + '/';
  return byDay ? path + pad(d.getUTCDate(), 2) + '/' : path;
}
