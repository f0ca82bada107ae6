/** Discord's `<t:unix:style>` timestamps, in words. */

const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];
const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];

/** `<t:1673013783:f>` as Discord would show it, in UTC (a static page has no reader's zone). */
export function formatTimestamp(seconds: number, style: string): string | null {
  const d = new Date(seconds * 1000);
  if (Number.isNaN(d.getTime())) return null;
  const pad = (n: number) => String(n).padStart(2, '0');
  const clock = `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}`;
  const date = `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
  switch (style) {
    case 't':
      return `${clock} UTC`;
    case 'T':
      return `${clock}:${pad(d.getUTCSeconds())} UTC`;
    case 'd':
      return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())}`;
    case 'D':
      return date;
    case 'F':
      return `${WEEKDAYS[d.getUTCDay()]}, ${date} ${clock} UTC`;
    default: // f, R (relative: a static page cannot say "3 days ago")
      return `${date} ${clock} UTC`;
  }
}
