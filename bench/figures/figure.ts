/**
 * One benchmark figure as printed and written to JSON: our median (with its spread over runs)
 * beside the reference's, their ratio, and the docs/design.md target with PASS/MISS. A figure that could
 * not be measured keeps its key with `ours: null` and a `reason`, never a made-up number.
 */
export const FIGURE_KEYS = [
  'import.throughput',
  'import.peakRss',
  'tar.list',
  'build.wall',
  'build.peakRss',
  'build.withSearch.wall',
  'build.withSearch.peakRss',
  'feeds.write',
  'search.buildTime',
  'search.peakRss',
  'search.size',
  'query.rare.bytes',
  'query.common.bytes',
  'query.rare.firstResult',
  'query.common.firstResult',
  'query.rare.wholePath',
  'query.common.wholePath',
  'watch.db',
  'watch.pagesAndFeed',
  'watch.search',
] as const;

export type FigureKey = (typeof FIGURE_KEYS)[number];

export type Unit = 'msg/s' | 'bytes' | 'ms';

/** Median and spread of one side's runs. */
export interface Sample {
  median: number;
  min: number;
  max: number;
  values: number[];
}

export interface Figure {
  key: FigureKey;
  label: string;
  unit: Unit;
  ours: Sample | null;
  reference: Sample | null;
  /** What the reference column is, e.g. "plain Eleventy". */
  referenceName: string | null;
  /** ours.median / reference.median. */
  ratio: number | null;
  /** The docs/design.md target in words; '' when the figure is informational. */
  target: string;
  /** null: no target, or not measured. */
  pass: boolean | null;
  /** Why `ours` (or the reference) is null. */
  reason?: string;
  notes?: string[];
}

export type Figures = Record<FigureKey, Figure>;

export function sample(values: readonly number[]): Sample | null {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return null;
  const sorted = [...finite].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]!, values: [...finite] };
}

export interface FigureSpec {
  key: FigureKey;
  label: string;
  unit: Unit;
  referenceName?: string | null;
  target?: string;
  /** Decides PASS/MISS from the medians; null when it cannot tell (a ratio target without a reference). */
  passes?: (ours: number, ratio: number | null) => boolean | null;
}

/** A target on ours ÷ reference. */
export function ratioAtMost(limit: number): (ours: number, ratio: number | null) => boolean | null {
  return (_ours, ratio) => (ratio === null ? null : ratio <= limit);
}

/** Builds a figure from raw run values; empty `ours` needs a reason. */
export function figure(spec: FigureSpec, ours: readonly number[], reference: readonly number[] = [], extra: { reason?: string; notes?: string[] } = {}): Figure {
  const o = sample(ours);
  const r = sample(reference);
  const ratio = o && r && r.median !== 0 ? o.median / r.median : null;
  let pass: boolean | null = null;
  if (o && spec.passes) pass = spec.passes(o.median, ratio);
  const result: Figure = {
    key: spec.key,
    label: spec.label,
    unit: spec.unit,
    ours: o,
    reference: r,
    referenceName: spec.referenceName ?? null,
    ratio,
    target: spec.target ?? '',
    pass,
  };
  const reason = extra.reason ?? (o ? (spec.referenceName && !r ? `no ${spec.referenceName} figure` : undefined) : 'not measured');
  if (reason) result.reason = reason;
  if (extra.notes?.length) result.notes = extra.notes;
  return result;
}

/** A figure that could not be measured at all. */
export function unavailable(spec: FigureSpec, reason: string, notes?: string[]): Figure {
  return figure(spec, [], [], { reason, ...(notes ? { notes } : {}) });
}
