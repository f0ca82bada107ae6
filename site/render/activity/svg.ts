/** Numbers in SVG attributes: at most two decimals, the same string on every build. */
export function num(value: number): string {
  return String(Math.round(value * 100) / 100);
}

/** Heat levels 1–4 for counts, by the quartiles of the chart's non-zero counts (0: none). */
export function heatLevels(counts: readonly number[]): (count: number) => number {
  const sorted = counts.filter((n) => n > 0).sort((a, b) => a - b);
  if (sorted.length === 0) return () => 0;
  const q = (p: number): number => sorted[Math.floor(p * (sorted.length - 1))];
  const [t1, t2, t3] = [q(0.25), q(0.5), q(0.75)];
  return (count) => (count <= 0 ? 0 : 1 + Number(count > t1) + Number(count > t2) + Number(count > t3));
}
