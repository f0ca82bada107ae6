/**
 * Slack's `ts`: seconds since the epoch with six decimals (`1458980525.000012`), a message's time
 * and its identity at once.
 */

const TS = /^(\d{1,11})(?:\.(\d{1,6}))?$/;

/** The ts as written (a string; a number is accepted from hand-made files). */
export function tsText(value: unknown): string | null {
  if (typeof value === 'string') return TS.test(value) ? value : null;
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return value.toFixed(6);
  return null;
}

/** `1458980525.000012` → 1458980525000012 (exact: below 2^53 until the year 2255). */
export function tsMicros(ts: string): number {
  const m = TS.exec(ts);
  if (!m) return NaN;
  return Number(m[1]) * 1_000_000 + Number((m[2] ?? '').padEnd(6, '0'));
}

/** ts → ms since the epoch, rounded down. */
export function tsMillis(ts: string): number {
  return Math.floor(tsMicros(ts) / 1000);
}

export function timeOf(value: unknown): number | null {
  const ts = tsText(value);
  if (ts === null) return null;
  const ms = tsMillis(ts);
  return ms > 0 ? ms : null;
}
