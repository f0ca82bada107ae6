import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { clientModules } from './bundle.js';
import { payloadOf } from './bytes.js';

export { payloadOf };
import { isStopWord, stem, type SearchPipeline } from './pipeline.js';

/**
 * The browser engine (site/client/search/engine.js and its modules), run in Node over a built
 * `search/data/` folder: for tests, and for checking a build from the command line. It is the
 * very code the browser runs (bundle.ts clientModules), fed by reading the data scripts from disk
 * instead of inserting <script> tags.
 */
export interface SearchRecord {
  doc: number;
  chat: { slug: string; title: string; index: number };
  author: string | null;
  time: number;
  text: string;
  anchor: string;
  /** Site-root-relative: `chats/<slug>/<page>/#<anchor>`. */
  path: string;
}

export interface SearchResult {
  count: number;
  mode: 'all' | 'any';
  sort: 'best' | 'newest' | 'oldest';
  reason: string;
  notes: string[];
  terms: string[];
  missing: string[];
  candidates?: Int32Array;
  score?: Float64Array;
  take(from: number, size: number): Promise<number[]>;
  /** A document of the index this result was computed on (base + the delta of that moment). */
  document(doc: number): Promise<SearchRecord>;
}

export interface SearchFilters {
  chat?: string;
  author?: string;
  after?: string;
  before?: string;
}

export interface SearchEngine {
  search(input: string, filters?: SearchFilters, options?: { sort?: string; timeZone?: string; mode?: 'all' | 'any'; prefetchDocs?: number }): Promise<SearchResult>;
  document(doc: number): Promise<SearchRecord>;
  snippet(text: string, terms: string[], size?: number): { text: string; mark: boolean }[];
  /**
   * Starts loading what a query for `text` needs (`postings`: the query that runs next: its part files
   * too; `page`: that search's filters and options: a single word's first page too).
   */
  prefetch(text: string, postings?: boolean, page?: { filters: SearchFilters; options: { sort?: string; prefetchDocs?: number } }): void;
  termsOf(text: string): string[];
}

export interface ParsedQuery {
  words: string[];
  excluded: string[];
  authors: string[];
  chats: string[];
  after: string | null;
  before: string | null;
  /** Index in words of the word still being typed (prefix-matched), or -1. */
  open: number;
}

interface EngineModule {
  Engine: new (options: {
    load: (key: string, fresh: boolean) => Promise<string>;
    info?: { buckets: number; docChunk?: number } | null;
    stem: (w: string) => string;
    isStopWord: (w: string) => boolean;
  }) => SearchEngine;
  parseQuery(input: string): ParsedQuery;
  /** The matching rule of a query (query.js planQuery): the CLI's search uses it too. */
  planQuery(
    pipeline: SearchPipeline,
    q: ParsedQuery,
  ): { order: string[]; boosts: Map<string, number>; prefix: string | null; excluded: string[]; authorTerms: string[][]; truncated: boolean };
  parseDate(text: string, zone: string): number | null;
}

let engineModule: EngineModule | null = null;

export function engineModuleOf(): EngineModule {
  if (!engineModule) {
    const m = clientModules();
    engineModule = { Engine: m.engine.Engine, parseQuery: m.query.parseQuery, planQuery: m.query.planQuery, parseDate: m.dates.parseDate } as EngineModule;
  }
  return engineModule;
}

/** The browser's periods and page paths (site/client/search/periods.js). */
export interface PeriodsModule {
  /** First instant of year 1, and of year 10000 (UTC ms). */
  DATED_MIN: number;
  DATED_END: number;
  /** [start, end) of a slot: 'YYYY-MM', 'early' or 'late'. */
  slotRange(label: string): [number, number];
  /** Sort order of slot labels. */
  slotOrder(a: string, b: string): number;
  /** A message's page in its chat folder, from its slot, its month's day split and its time. */
  pagePath(slotLabel: string, byDay: boolean | number, time: number): string;
}

/**
 * The browser's best-first pick (site/client/search/order.js pickBest): the first `k` candidate
 * indexes by score, then the later document. The index builder ranks a frequent word's first
 * page with it (shards.ts), so the page it names is the one the client shows.
 */
export function pickBestOf(): (candidates: Int32Array, scores: Float64Array, k: number) => number[] {
  return clientModules().order.pickBest as (candidates: Int32Array, scores: Float64Array, k: number) => number[];
}

export function periodsModuleOf(): PeriodsModule {
  return clientModules().periods as unknown as PeriodsModule;
}

/**
 * An engine over `<dataDir>` (the built `search/data/` folder); `onLoad` sees every file read.
 * `info`: what search.js tells the browser's engine about the base (its bucket count).
 */
export function openSearchEngine(dataDir: string, onLoad?: (key: string, bytes: number) => void, info?: { buckets: number; docChunk?: number }): SearchEngine {
  const { Engine } = engineModuleOf();
  return new Engine({
    info: info ?? null,
    load: async (key) => {
      const script = await readFile(join(dataDir, `${key}.js`), 'utf8');
      onLoad?.(key, script.length);
      return payloadOf(script, key);
    },
    stem,
    isStopWord,
  });
}
