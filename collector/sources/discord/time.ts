/** DiscordChatExporter's timestamps. */

/** Whether the last timestamp parseTimestamp() read carried a UTC offset (or Z). */
let lastHadOffset = true;

/** Whether the timestamp parseTimestamp() read last had a UTC offset (else it was read as UTC). */
export function lastTimestampHadOffset(): boolean {
  return lastHadOffset;
}

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d)(?:[.,](\d{1,9}))?)?(?:(Z)|([+-])(\d\d):?(\d\d))?$/i;
const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/**
 * `2023-01-06T16:03:03.853+02:00` → UTC ms (1673013783853): DiscordChatExporter writes local time
 * with its offset (or UTC with `--utc`), with 0–7 fraction digits. NaN if not such a time; a time
 * without offset is read as UTC.
 */
export function parseTimestamp(value: string): number {
  const m = TIMESTAMP.exec(value.trim());
  if (!m) return NaN;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  const hour = Number(m[4]);
  const minute = Number(m[5]);
  const second = m[6] ? Number(m[6]) : 0;
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  if (month < 1 || month > 12 || day < 1 || day > DAYS_IN_MONTH[month - 1] || hour > 23 || minute > 59 || second > 60) return NaN;
  if (month === 2 && day === 29 && !(year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0))) return NaN;
  let time = Date.UTC(year, month - 1, day, hour, minute, second, ms);
  if (year < 100) time = new Date(time).setUTCFullYear(year);
  lastHadOffset = m[8] !== undefined || m[9] !== undefined;
  if (m[9]) {
    const offset = (Number(m[10]) * 60 + Number(m[11])) * 60_000;
    if (Number(m[10]) > 23 || Number(m[11]) > 59) return NaN;
    time += m[9] === '-' ? offset : -offset;
  }
  return time;
}
