/** Telegram's two ways of writing a time: `date_unixtime` (newer exports) and `date` (local, no zone). */

/** `date_unixtime` ("1654418579", or a number) → ms; null if absent or not a time. */
export function unixMs(v: unknown): number | null {
  const s = typeof v === 'number' ? v : typeof v === 'string' && /^\d{1,12}$/.test(v.trim()) ? Number(v.trim()) : NaN;
  return Number.isFinite(s) && s > 0 ? s * 1000 : null;
}

/** A `date` as Telegram writes it: a wall time with no zone. */
export function isWallTime(v: unknown): boolean {
  return typeof v === 'string' && WALL_TIME.test(v.trim());
}

const WALL_TIME = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:\.\d+)?$/;

/** `date` ("2022-06-05T15:42:59", the exporter's local time) → ms as if it were UTC; null if not a time. */
export function localMs(v: unknown): number | null {
  if (typeof v !== 'string') return null;
  const m = WALL_TIME.exec(v.trim());
  if (!m) {
    // An explicit zone (not what Telegram writes, but unambiguous).
    const t = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:?\d\d)$/.test(v.trim()) ? Date.parse(v.trim()) : NaN;
    return Number.isFinite(t) ? t : null;
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map(Number);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return null;
  return Date.UTC(year, month - 1, day, hour, minute, second);
}
