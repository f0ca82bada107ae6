/**
 * Seeded pseudo-random numbers for the synthetic corpus. Everything the generator draws comes from
 * here so that the same seed always yields the same bytes (Math.random is never used).
 */

/** A source of uniform floats in [0, 1). */
export type Random = () => number;

/** splitmix32: spreads a small integer seed over all 32 bits so nearby seeds give unrelated streams. */
function splitmix32(state: number): () => number {
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/** sfc32, a small fast generator with a 128-bit state, seeded through splitmix32. */
export function createRandom(seed: number): Random {
  const next = splitmix32(seed >>> 0);
  let a = next();
  let b = next();
  let c = next();
  let d = next();
  const random = (): number => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) random(); // discard the warm-up outputs
  return random;
}

/** Derives an independent seed from a parent seed and a label, e.g. one stream per chat. */
export function deriveSeed(seed: number, ...labels: number[]): number {
  let h = seed >>> 0;
  for (const label of labels) {
    h = Math.imul(h ^ (label >>> 0), 0x9e3779b1) >>> 0;
    h = splitmix32(h)();
  }
  return h;
}

/** Integer in [min, max] inclusive. */
export function randomInt(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)]!;
}

/** Exponentially distributed sample with the given mean. */
export function exponential(random: Random, mean: number): number {
  return -Math.log(1 - random()) * mean;
}

/** Fisher–Yates shuffle in place. */
export function shuffle<T>(random: Random, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}
