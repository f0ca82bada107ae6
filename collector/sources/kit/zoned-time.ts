/**
 * Local wall-clock times → UTC, in an IANA time zone, correct across daylight-saving changes.
 * For sources that write the device's local time with no offset (WhatsApp exports, IRC logs).
 *
 * A wall time is given as the ms a UTC clock would show for it (`Date.UTC(y, m - 1, d, h, mi, s)`),
 * so no Date object in the machine's own zone is ever involved. Around a change a wall time may
 * name two instants (the repeated hour in autumn) or none (the skipped hour in spring):
 * wallTimeCandidates() gives every instant it names; ZonedClock picks one and caches offsets by
 * day, so converting a million lines costs a Map lookup each rather than an Intl call.
 */

const DAY = 86_400_000;

/** The machine's zone, as Node resolves it (TZ, then the system's); `UTC` when it cannot tell. */
export function machineTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

/**
 * The canonical name of a zone (`europe/berlin` → `Europe/Berlin`, `UTC`, `Etc/GMT+5`…); throws a
 * RangeError naming it when it is no zone this Node knows.
 */
export function checkTimeZone(zone: string): string {
  try {
    return new Intl.DateTimeFormat('en-US', { timeZone: zone }).resolvedOptions().timeZone;
  } catch {
    throw new RangeError(`unknown time zone "${zone}": give an IANA name such as Europe/Berlin, America/New_York or UTC`);
  }
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(zone: string): Intl.DateTimeFormat {
  let f = formatters.get(zone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      era: 'short', // years before 1 AD would otherwise lose their sign
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(zone, f);
  }
  return f;
}

/** The zone's offset from UTC at an instant, in ms (wall time − UTC; +3,600,000 for CET). */
export function zoneOffset(utc: number, zone: string): number {
  const whole = Math.floor(utc / 1000) * 1000; // Intl shows whole seconds
  const p: Record<string, string> = {};
  for (const part of formatterFor(zone).formatToParts(whole)) p[part.type] = part.value;
  let year = Number(p.year);
  if (p.era === 'BC' || p.era === 'B') year = 1 - year;
  return civilUtc(year, Number(p.month), Number(p.day), Number(p.hour), Number(p.minute), Number(p.second)) - whole;
}

/** Date.UTC without its mapping of years 0–99 to 1900–1999. */
export function civilUtc(year: number, month: number, day: number, hour = 0, minute = 0, second = 0): number {
  const t = Date.UTC(year, month - 1, day, hour, minute, second);
  return year >= 0 && year < 100 ? new Date(t).setUTCFullYear(year) : t;
}

/**
 * Every UTC instant the wall time names in the zone, earliest first: one as a rule, two in a
 * repeated hour, none in a skipped one. Assumes at most one offset change within a day of it.
 */
export function wallTimeCandidates(wall: number, zone: string): number[] {
  const before = zoneOffset(wall - DAY, zone);
  const after = zoneOffset(wall + DAY, zone);
  const out: number[] = [];
  for (const offset of before === after ? [before] : [before, after]) {
    const utc = wall - offset;
    if (zoneOffset(utc, zone) === offset && !out.includes(utc)) out.push(utc);
  }
  return out.sort((a, b) => a - b);
}

/**
 * One instant for a wall time. In a repeated hour: the earliest instant not before `notBefore`
 * (the previous line's time: a log runs forward, so 01:10 after 01:50 is the second 01:10), else
 * the earliest. In a skipped hour: the offset before the change, as clocks read it a moment
 * before (02:30 on a spring-forward night in Berlin is 01:30 UTC, i.e. 03:30 summer time).
 */
export function wallTimeToUtc(wall: number, zone: string, notBefore = -Infinity): number {
  const candidates = wallTimeCandidates(wall, zone);
  if (candidates.length === 0) return wall - zoneOffset(wall - DAY, zone);
  return candidates.find((t) => t >= notBefore) ?? candidates[0];
}

/**
 * wallTimeToUtc() for many times in one zone: a day whose offset is the same at both ends (all
 * but two days a year, where there is daylight saving) is converted with one cached offset.
 */
export class ZonedClock {
  readonly zone: string;
  /** Wall day number → the day's single offset, or null when it changes that day. */
  private readonly days = new Map<number, number | null>();

  constructor(zone: string) {
    this.zone = checkTimeZone(zone);
  }

  toUtc(wall: number, notBefore = -Infinity): number {
    const day = Math.floor(wall / DAY);
    let offset = this.days.get(day);
    if (offset === undefined) {
      offset = this.steadyOffset(day);
      if (this.days.size > 100_000) this.days.clear();
      this.days.set(day, offset);
    }
    return offset === null ? wallTimeToUtc(wall, this.zone, notBefore) : wall - offset;
  }

  /** The offset that holds over the whole wall day, or null if it changes within it. */
  private steadyOffset(day: number): number | null {
    const start = day * DAY;
    const end = start + DAY;
    // The same offset at instants before and after every wall time of the day (offsets are within
    // ±18 h): no change in between, as zones never change twice within three days.
    const a = zoneOffset(start - 18 * 3_600_000, this.zone);
    const b = zoneOffset(end + 18 * 3_600_000, this.zone);
    return a === b ? a : null;
  }
}
