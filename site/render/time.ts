import { DAY_MS as DAY } from '../../collector/store/contract.js';

/**
 * Times for display in the configured zone. A million messages cannot each pay for an
 * Intl.DateTimeFormat call, so the zone's UTC offset is computed once per UTC day (and exactly, per
 * message, only on the rare days whose offset changes), and clock times are plain arithmetic on the
 * shifted instant. Labels that repeat (days, months) are formatted once and cached.
 */
/** JavaScript Dates cover ±8.64e15 ms; SQLite integers go further. Clamp before formatting. */
const MAX_TIME = 8_640_000_000_000_000;
const YEAR_ONE = Date.UTC(1, 0, 1) - DAY * 366 * 2;

export function clampTime(time: number): number {
  return time > MAX_TIME ? MAX_TIME : time < -MAX_TIME ? -MAX_TIME : time;
}

const YEAR_10000 = 253_402_300_800_000;
let isoDay = NaN;
let isoDayPrefix = '';

/**
 * The UTC instant as `<time datetime>` wants it (`Date#toISOString`), without a Date per call:
 * the date part is cached per day (pages are in time order), the clock is arithmetic.
 */
export function isoTime(time: number): string {
  if (!(time >= 0 && time < YEAR_10000) || !Number.isInteger(time)) return new Date(clampTime(time)).toISOString();
  const day = Math.floor(time / DAY);
  if (day !== isoDay) {
    isoDay = day;
    isoDayPrefix = new Date(day * DAY).toISOString().slice(0, 11);
  }
  let ms = time - day * DAY;
  const h = Math.floor(ms / 3_600_000);
  ms -= h * 3_600_000;
  const m = Math.floor(ms / 60_000);
  ms -= m * 60_000;
  const s = Math.floor(ms / 1000);
  ms -= s * 1000;
  return `${isoDayPrefix}${pad2(h)}:${pad2(m)}:${pad2(s)}.${ms < 10 ? '00' : ms < 100 ? '0' : ''}${ms}Z`;
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

export class TimeFormatter {
  readonly timeZone: string;
  private readonly utc: boolean;
  private readonly partsFormat: Intl.DateTimeFormat | null;
  private readonly dayOffsets = new Map<number, number | null>();
  private readonly dayLabels = new Map<number, string>();
  private readonly monthLabels = new Map<string, string>();
  private readonly dateLabels = new Map<number, string>();
  private readonly offsetLabels = new Map<number, string>();
  private readonly zoneTitles = new Map<string, string>();
  private readonly dayLabelFormat: Intl.DateTimeFormat;
  private readonly dateFormat: Intl.DateTimeFormat;
  private readonly monthFormat: Intl.DateTimeFormat;
  private readonly shortMonthFormat: Intl.DateTimeFormat;
  private readonly shortDayFormat: Intl.DateTimeFormat;
  /** Short zone name shown next to full times, e.g. "UTC" or "Europe/Berlin". */
  readonly zoneLabel: string;

  constructor(timeZone: string, lang: string) {
    this.timeZone = timeZone;
    this.utc = /^(utc|etc\/utc|gmt|etc\/gmt|z)$/i.test(timeZone);
    this.partsFormat = this.utc
      ? null
      : new Intl.DateTimeFormat('en-US', {
          timeZone,
          hourCycle: 'h23',
          year: 'numeric',
          month: 'numeric',
          day: 'numeric',
          hour: 'numeric',
          minute: 'numeric',
          second: 'numeric',
        });
    // Every label below formats an instant already shifted into the zone, hence timeZone UTC.
    this.dayLabelFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
    this.dateFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' });
    this.monthFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'long', year: 'numeric' });
    this.shortMonthFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', month: 'short' });
    this.shortDayFormat = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'short', day: 'numeric', month: 'long', year: 'numeric' });
    this.zoneLabel = this.utc ? 'UTC' : timeZone;
  }

  /** The instant shifted so that its UTC fields read as wall-clock time in the zone. */
  local(time: number): number {
    time = clampTime(time);
    if (this.utc) return time;
    const day = Math.floor(time / DAY);
    let offset = this.dayOffsets.get(day);
    if (offset === undefined) {
      const start = this.offsetAt(day * DAY);
      offset = start === this.offsetAt(day * DAY + DAY - 1) ? start : null;
      this.dayOffsets.set(day, offset);
    }
    return clampTime(time + (offset ?? this.offsetAt(time)));
  }

  private offsetAt(time: number): number {
    if (time < YEAR_ONE || time > MAX_TIME - DAY) return 0;
    const parts = this.partsFormat!.formatToParts(time);
    let y = 0, mo = 0, d = 0, h = 0, mi = 0, s = 0;
    for (const part of parts) {
      switch (part.type) {
        case 'year': y = Number(part.value); break;
        case 'month': mo = Number(part.value); break;
        case 'day': d = Number(part.value); break;
        case 'hour': h = Number(part.value); break;
        case 'minute': mi = Number(part.value); break;
        case 'second': s = Number(part.value); break;
      }
    }
    const wall = new Date(0);
    wall.setUTCFullYear(y, mo - 1, d);
    wall.setUTCHours(h, mi, s, 0);
    return wall.getTime() - (time - (((time % 1000) + 1000) % 1000));
  }

  /** `UTC+2`, `UTC+5:30`, `UTC-3`: the zone's offset at this instant. */
  offsetLabel(time: number): string {
    const minutes = Math.round((this.local(time) - clampTime(time)) / 60_000);
    let label = this.offsetLabels.get(minutes);
    if (label === undefined) {
      const abs = Math.abs(minutes);
      label = `UTC${minutes < 0 ? '-' : '+'}${Math.floor(abs / 60)}${abs % 60 ? `:${pad2(abs % 60)}` : ''}`;
      this.offsetLabels.set(minutes, label);
    }
    return label;
  }

  /** What a time is in, for its title: `Europe/Berlin (UTC+2)`, or `UTC`. */
  zoneTitle(time: number): string {
    if (this.utc) return 'UTC';
    const offset = this.offsetLabel(time);
    let title = this.zoneTitles.get(offset);
    if (title === undefined) this.zoneTitles.set(offset, (title = `${this.zoneLabel} (${offset})`));
    return title;
  }

  /** `Times in Europe/Berlin (UTC+1/UTC+2)` for times at these offsets (in order of appearance). */
  zoneNote(offsets: Iterable<string>): string {
    const list = [...new Set(offsets)];
    return this.utc || list.length === 0 ? `Times in ${this.zoneLabel}` : `Times in ${this.zoneLabel} (${list.join('/')})`;
  }

  /** `14:05` */
  clock(time: number): string {
    const local = this.local(time);
    const ms = ((local % DAY) + DAY) % DAY;
    const minutes = Math.floor(ms / 60_000);
    return `${pad2(Math.floor(minutes / 60))}:${pad2(minutes % 60)}`;
  }

  /** A number that changes exactly when the local calendar day does (for day separators). */
  dayKey(time: number): number {
    return Math.floor(this.local(time) / DAY);
  }

  /** `Tuesday, 14 September 2021` for a dayKey. */
  dayLabel(dayKey: number): string {
    let label = this.dayLabels.get(dayKey);
    if (label === undefined) {
      label = this.dayLabelFormat.format(clampTime(dayKey * DAY));
      this.dayLabels.set(dayKey, label);
    }
    return label;
  }

  /** `14 Sep 2021` */
  date(time: number): string {
    const day = Math.floor(this.local(time) / DAY);
    let label = this.dateLabels.get(day);
    if (label === undefined) {
      label = this.dateFormat.format(clampTime(day * DAY));
      this.dateLabels.set(day, label);
    }
    return label;
  }

  /** `14 Sep 2021, 14:05` */
  dateTime(time: number): string {
    return `${this.date(time)}, ${this.clock(time)}`;
  }

  /** `September 2021` for a UTC month `2021-09` (archive pages are UTC months). */
  monthLabel(month: string): string {
    let label = this.monthLabels.get(month);
    if (label === undefined) {
      const [y, m] = month.split('-').map(Number);
      const d = new Date(0);
      d.setUTCFullYear(y, m - 1, 1);
      label = this.monthFormat.format(d);
      this.monthLabels.set(month, label);
    }
    return label;
  }

  /** `Sep` for a UTC month `2021-09` (the month list on archive pages). */
  shortMonthLabel(month: string): string {
    const key = `short:${month}`;
    let label = this.monthLabels.get(key);
    if (label === undefined) {
      const [y, m] = month.split('-').map(Number);
      const d = new Date(0);
      d.setUTCFullYear(y, m - 1, 1);
      label = this.shortMonthFormat.format(d);
      this.monthLabels.set(key, label);
    }
    return label;
  }

  /** `Tue, 14 September 2021` for the UTC day starting at `dayStart` (day pages). */
  utcDayLabel(dayStart: number): string {
    return this.shortDayFormat.format(clampTime(dayStart));
  }
}
