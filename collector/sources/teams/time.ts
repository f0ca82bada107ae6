/** Times and durations as Graph and Microsoft's export tool write them. */

const ISO = /^(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?(?:(Z)|([+-])(\d\d):?(\d\d))$/i;

/** `2023-11-14T22:13:20.179Z` or `…+00:00` → UTC ms; NaN for anything else (a time needs its offset). */
export function parseTime(value: unknown): number {
  const m = typeof value === 'string' ? ISO.exec(value.trim()) : null;
  if (!m) return NaN;
  const [year, month, day, hour, minute, second] = [1, 2, 3, 4, 5, 6].map((i) => Number(m[i] ?? 0));
  if (month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 60 || Number(m[10] ?? 0) > 23 || Number(m[11] ?? 0) > 59) return NaN;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0);
  if (new Date(time).getUTCDate() !== day) return NaN; // 31 February
  if (year < 100) time = new Date(time).setUTCFullYear(year);
  if (m[9]) time += (m[9] === '-' ? 1 : -1) * (Number(m[10]) * 60 + Number(m[11])) * 60_000;
  return time;
}

const ISO_DURATION = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:(\d+(?:\.\d+)?)S)?)?$/i;
const TIMESPAN = /^(?:(\d+)\.)?(\d+):(\d\d):(\d\d)(?:\.\d+)?$/;

/** A call's duration in seconds: ISO 8601 (`PT1H2M3S`, Graph) or a .NET TimeSpan (`01:02:03`); null if neither. */
export function parseDuration(value: unknown): number | null {
  if (typeof value !== 'string') return null;
  const iso = ISO_DURATION.exec(value.trim());
  if (iso && value.trim() !== 'P' && value.trim() !== 'PT') {
    return Number(iso[1] ?? 0) * 86400 + Number(iso[2] ?? 0) * 3600 + Number(iso[3] ?? 0) * 60 + Math.round(Number(iso[4] ?? 0));
  }
  const span = TIMESPAN.exec(value.trim());
  if (span) return Number(span[1] ?? 0) * 86400 + Number(span[2]) * 3600 + Number(span[3]) * 60 + Number(span[4]);
  return null;
}
