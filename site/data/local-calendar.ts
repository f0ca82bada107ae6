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

  /**
   * The local day key of an instant (TimeFormatter.dayKey: what day separators use), from the
   * spans already found when they cover it: arithmetic instead of an Intl call per new day.
   */
  dayKey(t: number): number {
    return Math.floor((t + this.offsetOf(t)) / DAY_MS);
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
    const cut = month.lastIndexOf('-');
    const m = Number(month.slice(cut + 1));
    return m === 12 ? `${String(Number(month.slice(0, cut)) + 1).padStart(4, '0')}-01` : `${month.slice(0, cut)}-${String(m + 1).padStart(2, '0')}`;
  }

  /**
   * The first instant whose local day is `dayKey` or later: a binary search, since offsets move
   * midnight (and a spring-forward at midnight removes it).
   */
  dayStart(dayKey: number): number {
    // Usually midnight at the offset midnight has.
    const wall = dayKey * DAY_MS;
    const guess = wall - this.offsetOf(wall - this.offsetOf(wall));
    if (this.dayKey(guess) === dayKey && this.dayKey(guess - 1) < dayKey) return guess;
    let lo = dayKey * DAY_MS - DAY_MS; // no zone is a day ahead of UTC…
    let hi = dayKey * DAY_MS + DAY_MS; // …or behind it
    while (hi - lo > 1) {
      const mid = lo + Math.floor((hi - lo) / 2);
      if (this.dayKey(mid) >= dayKey) hi = mid;
      else lo = mid;
    }
    return hi;
  }

  /** The offset at `t`: from the spans found so far when they cover it. */
  private offsetOf(t: number): number {
    const known = this.known;
    if (known.length > 0 && t >= known[0].start && t < known[known.length - 1].end) {
      for (let lo = 0, hi = known.length - 1; ; ) {
        if (lo >= hi) return known[lo].offset;
        const mid = (lo + hi + 1) >> 1;
        if (known[mid].start <= t) lo = mid;
        else hi = mid - 1;
      }
    }
    return this.offset(t);
  }

  /** Spans found so far, covering [known[0].start, known.at(-1).end): every chat asks for its own range. */
  private known: ZoneSpan[] = [];

  /** The stretches of constant offset that cover [from, to), in order. */
  spans(from: number, to: number): ZoneSpan[] {
    if (to <= from) return [];
    if (this.known.length === 0) this.known = this.findSpans(from, to);
    const first = this.known[0].start;
    const last = this.known[this.known.length - 1].end;
    if (from < first) this.known = joinSpans(this.findSpans(from, first), this.known);
    if (to > last) this.known = joinSpans(this.known, this.findSpans(last, to));
    const out: ZoneSpan[] = [];
    for (const span of this.known) {
      if (span.end <= from || span.start >= to) continue;
      out.push({ start: Math.max(span.start, from), end: Math.min(span.end, to), offset: span.offset });
    }
    return out;
  }

  private findSpans(from: number, to: number): ZoneSpan[] {
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

/** Two runs of spans, the second starting where the first ends: one span where the offset goes on. */
function joinSpans(a: ZoneSpan[], b: ZoneSpan[]): ZoneSpan[] {
  if (a.length === 0 || b.length === 0) return [...a, ...b];
  const last = a[a.length - 1];
  if (last.offset !== b[0].offset) return [...a, ...b];
  return [...a.slice(0, -1), { start: last.start, end: b[0].end, offset: last.offset }, ...b.slice(1)];
}
