import { FIGURE_KEYS, type Figure, type FigureKey, type Figures } from './figure.js';
import { bytesText, mb, msText, rate } from './format.js';

/**
 * Scale across the sizes of one invocation: which references this machine can still run at a
 * size (ReferenceBudget), and how each figure grows from one size to the next (renderScale).
 */

/** A reference's peak memory per message when no smaller size of this invocation measured it. */
export interface ReferencePrior {
  /** Peak RSS per message (from an earlier measured run; see bench/README.md). */
  bytesPerMessage: number;
  /** Where it came from, for the reason line. */
  source: string;
  /** A limit below the machine's memory (e.g. the child's Node heap), in bytes. */
  limitBytes?: number;
  limitName?: string;
}

/** Pagefind 1.6: 7,973 MB peak at 1M messages (bench/README.md, 2026-11-24). */
export const PAGEFIND_PRIOR: ReferencePrior = { bytesPerMessage: 7973 * 2 ** 20 / 1e6, source: '7,973 MB at 1M in an earlier run' };

/** The plain Eleventy site: 1,670 MB peak at 1M messages (bench/README.md, 2026-11-24). */
export const PLAIN_ELEVENTY_PRIOR: ReferencePrior = { bytesPerMessage: 1670 * 2 ** 20 / 1e6, source: '1,670 MB at 1M in an earlier run' };

/** A measured reference run: what a later, larger size reports instead when it cannot run. */
interface ReferenceRun {
  label: string;
  messages: number;
  wallMs: number;
  peakRssBytes: number | null;
}

/** Room left for everything else (the browser, our own processes, the OS). */
const MEMORY_SHARE = 0.8;

/**
 * The references' peak memory grows about linearly with the corpus (Pagefind holds every page's
 * words; the plain Eleventy site every message as global data): a size whose extrapolated peak is
 * over what this machine (or the reference's own heap) can give is not started — it would swap or be
 * killed after minutes — and its figures are n/a with that reason and the largest size measured.
 */
export class ReferenceBudget {
  private readonly runs = new Map<string, ReferenceRun[]>();

  constructor(private readonly memoryBytes: number) {}

  record(name: string, run: ReferenceRun): void {
    const list = this.runs.get(name) ?? [];
    list.push(run);
    this.runs.set(name, list);
  }

  /** Why `name` is not run at `messages` (null: run it). */
  refusal(name: string, messages: number, prior: ReferencePrior): string | null {
    const measured = (this.runs.get(name) ?? []).filter((r) => r.peakRssBytes !== null && r.messages < messages);
    const largest = measured.sort((a, b) => b.messages - a.messages)[0];
    const expected = largest ? (largest.peakRssBytes! * messages) / largest.messages : prior.bytesPerMessage * messages;
    const basis = largest ? `${mb(largest.peakRssBytes!)} at ${largest.label} in this run` : prior.source;
    const machine = this.memoryBytes * MEMORY_SHARE;
    const limit = prior.limitBytes !== undefined && prior.limitBytes < machine ? { bytes: prior.limitBytes, what: prior.limitName ?? 'its heap limit' } : { bytes: machine, what: `${Math.round(MEMORY_SHARE * 100)}% of this machine's ${gb(this.memoryBytes)}` };
    if (expected <= limit.bytes) return null;
    const at = largest ? `; at ${largest.label} in this run: ${msText(largest.wallMs)}, peak ${mb(largest.peakRssBytes!)}` : '';
    return `${name} not run: ~${gb(expected)} peak expected (linear from ${basis}), over ${limit.what}${at}`;
  }
}

function gb(bytes: number): string {
  return `${(bytes / 2 ** 30).toFixed(1)} GB`;
}

/** Figures whose time is the whole corpus's: their growth is read per message. */
const WHOLE_CORPUS_TIME = new Set<FigureKey>(['build.wall', 'build.withSearch.wall', 'feeds.write', 'search.buildTime', 'tar.list']);

export interface SizeFigures {
  label: string;
  messages: number;
  figures: Figures;
}

/**
 * One table over the invocation's sizes: per figure (and its reference), the median at each size —
 * whole-corpus times also per message, rates also as time per message — and how it grew from the
 * smallest to the largest size measured.
 */
export function renderScale(sizes: SizeFigures[]): string {
  const sorted = [...sizes].sort((a, b) => a.messages - b.messages);
  const header = ['figure', ...sorted.map((s) => s.label), 'growth (smallest → largest measured)'];
  const rows: string[][] = [];
  for (const key of FIGURE_KEYS) {
    const first = sorted[0]!.figures[key];
    rows.push(scaleRow(first.label, key, sorted, (f) => f.ours?.median ?? null, (f) => f.reason));
    if (first.referenceName) rows.push(scaleRow(`  ${first.referenceName}`, key, sorted, (f) => f.reference?.median ?? null, (f) => (f.reference ? undefined : f.reason)));
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function scaleRow(label: string, key: FigureKey, sizes: SizeFigures[], pick: (f: Figure) => number | null, why: (f: Figure) => string | undefined): string[] {
  const cells: string[] = [];
  const measured: { messages: number; value: number }[] = [];
  for (const s of sizes) {
    const f = s.figures[key];
    const v = pick(f);
    if (v === null) {
      cells.push(`n/a${why(f) ? `: ${shortReason(why(f)!)}` : ''}`);
      continue;
    }
    measured.push({ messages: s.messages, value: v });
    cells.push(cellText(f, v, s.messages));
  }
  return [label, ...cells, growth(sizes[0]!.figures[key], measured)];
}

function cellText(f: Figure, v: number, messages: number): string {
  if (f.unit === 'msg/s') return `${rate(v)} (${perMessage(1000 / v)})`;
  if (f.unit === 'bytes') return bytesText(v);
  return WHOLE_CORPUS_TIME.has(f.key) ? `${msText(v)} (${perMessage(v / messages)})` : msText(v);
}

/** Milliseconds per message as µs/msg. */
function perMessage(ms: number): string {
  const us = ms * 1000;
  return `${us < 10 ? us.toFixed(2) : us.toFixed(1)} µs/msg`;
}

function growth(f: Figure, measured: { messages: number; value: number }[]): string {
  if (measured.length < 2) return '';
  const a = measured[0]!;
  const b = measured[measured.length - 1]!;
  const sizes = `×${fmt(b.messages / a.messages)} messages`;
  if (f.unit === 'msg/s') return `time per message ×${fmt(a.value / b.value)} for ${sizes}`;
  if (f.unit === 'ms' && WHOLE_CORPUS_TIME.has(f.key)) return `time per message ×${fmt(b.value / b.messages / (a.value / a.messages))} for ${sizes}`;
  return `×${fmt(b.value / a.value)} for ${sizes}`;
}

function fmt(n: number): string {
  return n >= 10 ? n.toFixed(0) : n.toFixed(2);
}

function shortReason(text: string): string {
  return text.length <= 30 ? text : `${text.slice(0, 29)}…`;
}
