import { readdir, rm, stat } from 'node:fs/promises';
import { join, relative } from 'node:path';
import type { Browser } from 'playwright-core';
import { withBrowser } from '../browser.js';
import { runMeasured, type Measured } from '../measure.js';
import { pagefindBinary } from '../package-paths.js';
import { serveStatic } from '../static-server.js';

/**
 * The Pagefind reference: index a built site with Pagefind's own executable (measured from outside),
 * and measure what a cold browser downloads, and how long it waits, to get a query's first results.
 */
export interface PagefindIndexResult {
  siteDir: string;
  bundleDir: string;
  wallMs: number;
  peakRssBytes: number | null;
  pagesIndexed: number | null;
  wordsIndexed: number | null;
  /** Every file of the bundle (scripts, wasm, metadata, index chunks, fragments). */
  totalBytes: number;
  totalFiles: number;
  /** The word index proper: `index/*.pf_index` chunks. */
  indexBytes: number;
  indexChunks: number;
  /** Per-page result data: `fragment/*.pf_fragment`. */
  fragmentBytes: number;
  fragmentFiles: number;
  measured: Measured;
}

export const PAGEFIND_BUNDLE = 'pagefind';

/** Runs Pagefind over `siteDir` (replacing an earlier bundle) and sizes the bundle it wrote. */
export async function runPagefind(siteDir: string, options: { timeoutMs?: number } = {}): Promise<PagefindIndexResult> {
  const bundleDir = join(siteDir, PAGEFIND_BUNDLE);
  await rm(bundleDir, { recursive: true, force: true }); // stale chunks would inflate the sizes
  const measured = await runMeasured(pagefindBinary(), ['--site', siteDir, '--output-subdir', PAGEFIND_BUNDLE], {
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  if (measured.code !== 0) throw new Error(`Pagefind failed (${measured.signal ?? `exit ${measured.code}`}):\n${(measured.stderr || measured.stdout).slice(-2000)}`);
  const files = await listFiles(bundleDir);
  const sum = (dir: string): { bytes: number; files: number } => {
    const inDir = files.filter((f) => f.path.startsWith(`${dir}/`));
    return { bytes: inDir.reduce((total, f) => total + f.bytes, 0), files: inDir.length };
  };
  const index = sum('index');
  const fragments = sum('fragment');
  return {
    siteDir,
    bundleDir,
    wallMs: measured.wallMs,
    peakRssBytes: measured.peakRssBytes,
    pagesIndexed: countAfter(measured.stdout, /Indexed (\d+) pages?/),
    wordsIndexed: countAfter(measured.stdout, /Indexed (\d+) words?/),
    totalBytes: files.reduce((total, f) => total + f.bytes, 0),
    totalFiles: files.length,
    indexBytes: index.bytes,
    indexChunks: index.files,
    fragmentBytes: fragments.bytes,
    fragmentFiles: fragments.files,
    measured,
  };
}

function countAfter(output: string, pattern: RegExp): number | null {
  const match = pattern.exec(output);
  return match ? Number(match[1]) : null;
}

async function listFiles(dir: string): Promise<{ path: string; bytes: number }[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return Promise.all(entries.filter((e) => e.isFile()).map(async (e) => {
    const file = join(e.parentPath, e.name);
    return { path: relative(dir, file).split('\\').join('/'), bytes: (await stat(file)).size };
  }));
}

export type PagefindFileKind = 'script' | 'wasm' | 'entry' | 'meta' | 'index' | 'fragment' | 'filter' | 'other';

export interface PagefindQueryCost {
  term: string;
  /** Pages matching (Pagefind's results are per page). */
  results: number;
  /** Result data objects loaded (the first page of results). */
  resultsLoaded: number;
  /** Bytes of all `/pagefind/` responses as the browser received them. */
  bytes: number;
  requests: number;
  bytesByKind: Record<PagefindFileKind, number>;
  /** The same total counted by the server, as a cross-check. */
  serverBytes: number;
  /** From the page's load event to the first result's data. */
  msToFirstResult: number;
  /** From the page's load event to all loaded results' data. */
  msToResultsPage: number;
  firstResultUrls: string[];
}

export interface PagefindQueryOptions {
  /** How many results' data to load, like a results page (default 5). */
  resultsToLoad?: number;
  /** Reuse a browser; by default one is launched and closed. */
  browser?: Browser;
}

/**
 * Runs each query in a fresh browser context (empty cache, so every download counts) on a page served
 * next to the site, which loads Pagefind's JS API after the load event, searches and loads the first
 * results' data.
 */
export async function measurePagefindQueries(siteDir: string, terms: readonly string[], options: PagefindQueryOptions = {}): Promise<PagefindQueryCost[]> {
  const resultsToLoad = options.resultsToLoad ?? 5;
  let serverBytes = 0;
  const server = await serveStatic(siteDir, {
    extraRoutes: { [MEASURE_PAGE_PATH]: { contentType: 'text/html; charset=utf-8', body: MEASURE_PAGE } },
    onFileServed: (path, bytes) => {
      if (path.startsWith(`/${PAGEFIND_BUNDLE}/`)) serverBytes += bytes;
    },
  });
  const measureAll = async (browser: Browser): Promise<PagefindQueryCost[]> => {
    const costs: PagefindQueryCost[] = [];
    for (const term of terms) {
      serverBytes = 0;
      const cost = await measureOneQuery(browser, server.origin, term, resultsToLoad);
      costs.push({ ...cost, serverBytes });
    }
    return costs;
  };
  try {
    return options.browser ? await measureAll(options.browser) : await withBrowser(measureAll);
  } finally {
    await server.close();
  }
}

export async function measurePagefindQuery(siteDir: string, term: string, options: PagefindQueryOptions = {}): Promise<PagefindQueryCost> {
  return (await measurePagefindQueries(siteDir, [term], options))[0]!;
}

interface PageReport {
  results: number;
  resultsLoaded: number;
  msToFirstResult: number;
  msToResultsPage: number;
  firstResultUrls: string[];
  error?: string;
}

async function measureOneQuery(browser: Browser, origin: string, term: string, resultsToLoad: number): Promise<Omit<PagefindQueryCost, 'serverBytes'>> {
  const context = await browser.newContext();
  try {
    const bodies: Promise<{ kind: PagefindFileKind; bytes: number }>[] = [];
    // On the context, not the page: Pagefind 1.6 may fetch from a web worker.
    context.on('response', (response) => {
      const path = new URL(response.url()).pathname;
      if (!path.startsWith(`/${PAGEFIND_BUNDLE}/`)) return;
      bodies.push(response.body().then((body) => ({ kind: fileKind(path), bytes: body.length }), () => ({ kind: fileKind(path), bytes: 0 })));
    });
    const page = await context.newPage();
    const url = `${origin}${MEASURE_PAGE_PATH}?q=${encodeURIComponent(term)}&n=${resultsToLoad}`;
    await page.goto(url, { waitUntil: 'load' });
    const report = await page.evaluate(() => (window as unknown as { benchResult: Promise<PageReport> }).benchResult);
    if (report.error) throw new Error(`Pagefind search for "${term}" failed in the browser: ${report.error}`);
    const downloads = await Promise.all(bodies);
    const bytesByKind: Record<PagefindFileKind, number> = { script: 0, wasm: 0, entry: 0, meta: 0, index: 0, fragment: 0, filter: 0, other: 0 };
    for (const d of downloads) bytesByKind[d.kind] += d.bytes;
    return {
      term,
      results: report.results,
      resultsLoaded: report.resultsLoaded,
      bytes: downloads.reduce((total, d) => total + d.bytes, 0),
      requests: downloads.length,
      bytesByKind,
      msToFirstResult: report.msToFirstResult,
      msToResultsPage: report.msToResultsPage,
      firstResultUrls: report.firstResultUrls,
    };
  } finally {
    await context.close();
  }
}

function fileKind(path: string): PagefindFileKind {
  if (path.endsWith('.js')) return 'script';
  if (/\/wasm\.[^/]*\.pagefind$/.test(path)) return 'wasm';
  if (path.endsWith('pagefind-entry.json')) return 'entry';
  if (path.endsWith('.pf_meta')) return 'meta';
  if (path.endsWith('.pf_index')) return 'index';
  if (path.endsWith('.pf_fragment')) return 'fragment';
  if (path.endsWith('.pf_filter')) return 'filter';
  return 'other';
}

const MEASURE_PAGE_PATH = '/__bench/pagefind-query.html';

/** Waits for the load event, then imports Pagefind, searches and loads the first results' data. */
const MEASURE_PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Pagefind query</title></head>
<body>
<script type="module">
window.benchResult = (async () => {
  try {
    if (document.readyState !== 'complete') await new Promise((resolve) => addEventListener('load', resolve, { once: true }));
    const loadedAt = performance.now();
    const params = new URLSearchParams(location.search);
    const pagefind = await import('/${PAGEFIND_BUNDLE}/pagefind.js');
    const search = await pagefind.search(params.get('q'));
    const shown = search.results.slice(0, Number(params.get('n')));
    const data = shown.map((result) => result.data());
    const first = data.length > 0 ? await data[0] : null;
    const firstAt = performance.now();
    const all = await Promise.all(data);
    const doneAt = performance.now();
    return {
      results: search.results.length,
      resultsLoaded: all.length,
      msToFirstResult: (first ? firstAt : doneAt) - loadedAt,
      msToResultsPage: doneAt - loadedAt,
      firstResultUrls: all.map((d) => d.url),
    };
  } catch (error) {
    return { error: String(error && error.stack || error) };
  }
})();
</script>
</body></html>
`;
