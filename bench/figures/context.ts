import { join } from 'node:path';
import type { ResolvedCorpusOptions } from '../corpus.js';
import type { ReferenceBudget } from './scale.js';

/**
 * What every figure module gets for one corpus size: where things live, how many runs, the corpus
 * and the product's entry points. Figures only read it (and write under `sizeDir`).
 */
export interface SizeContext {
  /** e.g. "100k". */
  label: string;
  corpus: ResolvedCorpusOptions;
  /** The Skype export and its size. */
  corpusFile: string;
  corpusBytes: number;
  /** bench/work/<size>/ (or --work DIR/<size>/): scratch space of this size. */
  sizeDir: string;
  /** Runs per figure; medians and spreads are over these. */
  runs: number;
  skipBrowser: boolean;
  skipWatch: boolean;
  /** The repository root (where package.json is). */
  root: string;
  /** dist/collector/cli.js */
  cli: string;
  /** Which references this machine can run at this size, from what smaller sizes measured. */
  references: ReferenceBudget;
  /** Bound for any single child process. */
  timeoutMs: number;
  log(line: string): void;
}

export function cliPath(root: string): string {
  return join(root, 'dist', 'collector', 'cli.js');
}

/**
 * Node heap for children that hold a large corpus (the plain Eleventy reference at ≥ 1M): 8 GB,
 * and 2 GB per million messages above 4M (it peaked at 1.7 GB at 1M).
 */
export function heapMbFor(messages: number): number | undefined {
  return messages >= 1_000_000 ? Math.max(8192, Math.ceil(messages / 1e6) * 2048) : undefined;
}
