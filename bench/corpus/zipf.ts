import type { Random } from './prng.js';

/**
 * Draws ranks 0..n-1 with probability proportional to 1 / (rank + 1)^exponent: the shape of word
 * frequencies, chat sizes and who talks most in a chat. A cumulative table plus binary search keeps
 * each draw O(log n) with n floats of memory.
 */
export interface ZipfSampler {
  readonly size: number;
  sample(random: Random): number;
  /** Probability of one rank, to predict how often a term occurs. */
  probability(rank: number): number;
}

export function createZipf(size: number, exponent = 1): ZipfSampler {
  if (size < 1) throw new RangeError('Zipf size must be at least 1');
  const cumulative = new Float64Array(size);
  let total = 0;
  for (let rank = 0; rank < size; rank++) {
    total += 1 / Math.pow(rank + 1, exponent);
    cumulative[rank] = total;
  }
  return {
    size,
    sample(random) {
      const target = random() * total;
      let low = 0;
      let high = size - 1;
      while (low < high) {
        const mid = (low + high) >>> 1;
        if (cumulative[mid]! <= target) low = mid + 1;
        else high = mid;
      }
      return low;
    },
    probability(rank) {
      return 1 / Math.pow(rank + 1, exponent) / total;
    },
  };
}

/**
 * Splits `total` into `parts` integer shares following Zipf weights (largest remainder), every share
 * at least `minimum`, summing exactly to `total`.
 */
export function zipfShares(total: number, parts: number, exponent: number, minimum = 1): number[] {
  const floor = Math.min(minimum, Math.floor(total / parts));
  const spread = total - floor * parts;
  const weights = Array.from({ length: parts }, (_, rank) => 1 / Math.pow(rank + 1, exponent));
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const exact = weights.map((w) => (w / weightSum) * spread);
  const shares = exact.map((x) => Math.floor(x));
  let missing = spread - shares.reduce((sum, s) => sum + s, 0);
  const byRemainder = exact
    .map((x, i) => ({ i, remainder: x - Math.floor(x) }))
    .sort((p, q) => q.remainder - p.remainder || p.i - q.i);
  for (let k = 0; missing > 0; k = (k + 1) % parts, missing--) shares[byRemainder[k]!.i]!++;
  return shares.map((s) => s + floor);
}
