import { readAt } from '../kit/files.js';
import type { ExportInput } from './input.js';
import { localMs } from './time.js';

/**
 * The exporting computer's UTC offsets, learnt from the file itself: a message with both `date`
 * (its local wall time, no zone) and `date_unixtime` shows the offset at its time. Messages with
 * only `date` in the same file take the offset known nearest in time — per period, so that a
 * zone's summer and winter time each get theirs. Telegram writes the two fields next to each
 * other; the file is read once for them, only when a message without `date_unixtime` turns up.
 */

/** A stretch of time (UTC ms) in which every message with both times showed one offset. */
interface Run {
  from: number;
  to: number;
  offset: number;
}

const PAIR = /"date"\s*:\s*"(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)"\s*,\s*"date_unixtime"\s*:\s*"(\d{1,12})"/g;
const CHUNK = 4 << 20;
/** Bytes kept from the end of a chunk: a pair cut in two is found whole in the next read. */
const OVERLAP = 200;

export class LocalOffsets {
  private runs: Run[] | null = null;

  get loaded(): boolean {
    return this.runs !== null;
  }

  /** Reads the pairs of times in the file (once). */
  async load(input: ExportInput): Promise<void> {
    if (this.runs) return;
    const pairs: [number, number][] = [];
    const buf = Buffer.allocUnsafe(CHUNK);
    let carry = '';
    for (let position = 0; position < input.size; position += CHUNK) {
      const bytes = buf.subarray(0, Math.min(CHUNK, input.size - position));
      await readAt(input.fh, bytes, position);
      const text = carry + bytes.toString('latin1');
      for (const m of text.matchAll(PAIR)) {
        const local = localMs(m[1]);
        const utc = Number(m[2]) * 1000;
        if (local !== null && utc > 0) pairs.push([utc, local - utc]);
      }
      carry = text.slice(-OVERLAP);
    }
    pairs.sort((a, b) => a[0] - b[0]);
    const runs: Run[] = [];
    for (const [utc, offset] of pairs) {
      const last = runs[runs.length - 1];
      if (last && last.offset === offset) last.to = utc;
      else runs.push({ from: utc, to: utc, offset });
    }
    this.runs = runs;
  }

  /** A local wall time read as if UTC (`localMs`) → UTC ms by the nearest known offset; null if none is known. */
  toUtc(local: number): number | null {
    let best: Run | null = null;
    let distance = Infinity;
    for (const run of this.runs ?? []) {
      const utc = local - run.offset;
      const d = utc < run.from ? run.from - utc : utc > run.to ? utc - run.to : 0;
      if (d < distance) [best, distance] = [run, d];
    }
    return best ? local - best.offset : null;
  }

  /** The offsets known, for a warning: `UTC+1, UTC+2`. */
  describe(): string {
    const seen = [...new Set((this.runs ?? []).map((r) => r.offset))].sort((a, b) => a - b);
    return seen.map(offsetLabel).join(', ');
  }
}

function offsetLabel(ms: number): string {
  const minutes = Math.round(ms / 60_000);
  const sign = minutes < 0 ? '-' : '+';
  const h = Math.floor(Math.abs(minutes) / 60);
  const m = Math.abs(minutes) % 60;
  return `UTC${minutes === 0 ? '' : `${sign}${h}${m ? `:${String(m).padStart(2, '0')}` : ''}`}`;
}
