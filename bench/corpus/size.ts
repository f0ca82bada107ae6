const SUFFIXES: Record<string, number> = { '': 1, k: 1e3, m: 1e6, g: 1e9 };

/** Parses a corpus size such as "10k", "100k", "1M", "5M", "1.5M" or "200" into a message count. */
export function parseSize(size: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([kmg]?)\s*$/i.exec(size);
  if (!match) throw new RangeError(`Invalid size "${size}": expected a number with an optional k, M or G suffix`);
  const count = Math.round(Number(match[1]) * SUFFIXES[match[2]!.toLowerCase()]!);
  if (!Number.isSafeInteger(count)) throw new RangeError(`Size "${size}" is too large`);
  return count;
}
