// @ts-check
/*
 * chatchannels search: the dates a query names (`after:2021-03`), read as the instant that
 * period starts in the page's time zone.
 */

/**
 * Milliseconds to add to UTC to get wall time in `zone` at `time`.
 * @param {number} time
 * @param {string} zone
 */
export function zoneOffset(time, zone) {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: zone, hourCycle: 'h23', year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
  }).formatToParts(new Date(time));
  /** @type {Record<string, number>} */
  const v = {};
  for (let i = 0; i < parts.length; i++) v[parts[i].type] = Number(parts[i].value);
  let wall = new Date(0).setUTCFullYear(v.year, v.month - 1, v.day);
  wall += ((v.hour % 24) * 3600 + v.minute * 60 + v.second) * 1000;
  return wall - (time - (time % 1000 + 1000) % 1000);
}

/**
 * `2021`, `2021-03` or `2021-03-31` → the instant that period starts in `zone` (ms), or null.
 * @param {unknown} text
 * @param {string} [zone]
 * @returns {number | null}
 */
export function parseDate(text, zone) {
  const m = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(String(text).trim());
  if (!m) return null;
  const y = Number(m[1]);
  const mo = m[2] ? Number(m[2]) : 1;
  const d = m[3] ? Number(m[3]) : 1;
  if (mo < 1 || mo > 12 || d < 1 || d > 31) return null;
  const guess = new Date(0).setUTCFullYear(y, mo - 1, d);
  if (!zone || zone === 'UTC') return guess;
  try {
    const t = guess - zoneOffset(guess, zone);
    return guess - zoneOffset(t, zone);
  } catch (e) {
    return guess;
  }
}
