import { DAY_MS, dayOf } from '../../collector/store/contract.js';
import type { TimeFormatter } from '../render/time.js';

/**
 * Local days and months in the site's time zone, the way archive pages' day separators count
 * them (TimeFormatter.dayKey), turned into UTC instants that SQL can range over: the zone's
 * stretches of constant offset (so one query per stretch can group its rows by local day) and the
 * first instant of a local day or month.
 */

/** A stretch of time [start, end) in which the zone's UTC offset is `offset` ms. */
export interface ZoneSpan {
  start: number;
  end: number;
  offset: number;
}

/** Offsets are sampled this far apart; a change between samples is then found exactly. */
const SAMPLE_MS = 7 * DAY_MS;

export class LocalCalendar {
  constructor(private readonly time: TimeFormatter) {}

  /** The zone's offset at `t` (ms to add to UTC for wall-clock time). */
  offset(t: number): number {
    return this.time.local(t) - t;
  }

  /** The local day key of an instant (TimeFormatter.dayKey: what day separators use). */
  dayKey(t: number): number {
    return this.time.dayKey(t);
  }

  /** `2021-09-14` for a day key (the local date). */
  dateOf(dayKey: number): string {
    return dayOf(dayKey * DAY_MS);
  }

  /** `2021-09` for a day key. */
  monthOf(dayKey: number): string {
    return dayOf(dayKey * DAY_MS).slice(0, -3);
  }

  /** The day key of the first of a local month (`2021-09`). */
  monthFirstDay(month: string): number {
    const cut = month.lastIndexOf('-');
    return Math.floor(new Date(0).setUTCFullYear(Number(month.slice(0, cut)), Number(month.slice(cut + 1)) - 1, 1) / DAY_MS);
  }

  /** The month after `2021-09`. */
  nextMonth(month: string): string {
    return this.monthOf(this.monthFirstDay(month) + 31);
  }

  /**
   * The first instant whose local day is `dayKey` or later: a binary search, since offsets move
   * midnight (and a spring-forward at midnight removes it).
   */
  dayStart(dayKey: number): number {
    let lo = dayKey * DAY_MS - DAY_MS; // no zone is a day ahead of UTC…
    let hi = dayKey * DAY_MS + DAY_MS; // …or behind it
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.dayKey(mid) >= dayKey) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The stretches of constant offset that cover [from, to), in order. */
  spans(from: number, to: number): ZoneSpan[] {
    const spans: ZoneSpan[] = [];
    let start = from;
    let offset = this.offset(from);
    for (let t = from; t < to; ) {
      const next = Math.min(t + SAMPLE_MS, to - 1);
      const nextOffset = this.offset(next);
      if (nextOffset !== offset) {
        // The change is in (t, next]: its first instant, to the millisecond.
        let lo = t;
        let hi = next;
        while (hi - lo > 1) {
          const mid = lo + Math.floor((hi - lo) / 2);
          if (this.offset(mid) === offset) lo = mid;
          else hi = mid;
        }
        spans.push({ start, end: hi, offset });
        start = hi;
        offset = this.offset(hi);
        t = hi;
        continue;
      }
      if (next <= t) break;
      t = next;
    }
    if (start < to) spans.push({ start, end: to, offset });
    return spans;
  }
}
