import { existsSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { CHROMIUM_PATH, withBrowser } from '../browser.js';
import { createCorpus, queryTerms, type QueryTerms } from '../corpus.js';
import { measurePagefindQueries, type PagefindQueryCost } from '../reference/pagefind.js';
import { serveStatic } from '../static-server.js';
import type { SizeContext } from './context.js';
import { figure, ratioAtMost, unavailable, type Figure, type FigureSpec } from './figure.js';
import { bytesText, msText } from './format.js';

/**
 * Query costs in headless Chromium, for the corpus's rare and common term: our search page
 * `/search/?q=<term>` served as static files (bytes of every response the query needs — search
 * script, shards, snippets — and the time until the first result element is in the DOM) beside
 * Pagefind's JS API on the same site. Targets: bytes ≤ 1.0× Pagefind for a rare term, ≤ 2.0× for a
 * common one; first results ≤ 300 ms.
 *
 * Our time runs from the moment the search page's HTML has arrived (navigation responseEnd), so it
 * includes loading the search script and shards; Pagefind's from the load event of a blank page
 * that then imports pagefind.js. Our bytes leave out the HTML document and stylesheets (Pagefind's
 * count only its /pagefind/ bundle).
 */
type Kind = 'rare' | 'common';

const spec = (kind: Kind, what: 'bytes' | 'firstResult'): FigureSpec =>
  what === 'bytes'
    ? {
        key: `query.${kind}.bytes`,
        label: `query (${kind} term): bytes`,
        unit: 'bytes',
        referenceName: 'Pagefind',
        target: kind === 'rare' ? '≤ 1.0× Pagefind' : '≤ 2.0× Pagefind',
        passes: ratioAtMost(kind === 'rare' ? 1.0 : 2.0),
      }
    : {
        key: `query.${kind}.firstResult`,
        label: `query (${kind} term): first result`,
        unit: 'ms',
        referenceName: 'Pagefind',
        target: '≤ 300 ms',
        passes: (ours) => ours <= FIRST_RESULT_TARGET_MS,
      };

export const FIRST_RESULT_TARGET_MS = 300;

export const QUERY_SPECS: readonly FigureSpec[] = (['rare', 'common'] as const).flatMap((k) => [spec(k, 'bytes'), spec(k, 'firstResult')]);

/**
 * One rendered search result on our page (site/client/search/ui.js adds each item as a "Loading…"
 * placeholder with `cc-search-pending`, then fills it in when its snippet data arrives: only a
 * filled item counts). `--result-selector` replaces it if the client's markup changes.
 */
export const RESULT_SELECTOR = '.cc-search-result:not(.cc-search-pending)';

export interface OurQueryCost {
  term: string;
  /** Bytes the query cost (everything but the document and stylesheets). */
  bytes: number;
  /** Every successful response, document included. */
  totalBytes: number;
  requests: number;
  files: { path: string; bytes: number }[];
  /** From the HTML's arrival to the first result element. */
  msToFirstResult: number;
  /** For reference: the load event's end, from the HTML's arrival. */
  msToLoad: number;
  resultsShown: number;
  selector: string;
}

export interface QueryOptions {
  /** Our index is in the site and the site has a search page. */
  ours: { ok: true } | { ok: false; reason: string };
  pagefind: { ok: true } | { ok: false; reason: string };
  resultSelector?: string;
}

export interface QueryFigures {
  figures: Figure[];
  details: Record<string, unknown>;
  chromium: string | null;
}

export async function measureQueries(ctx: SizeContext, siteDir: string, options: QueryOptions): Promise<QueryFigures> {
  const terms = queryTerms(createCorpus(ctx.corpus));
  const kinds: Kind[] = ['rare', 'common'];
  const skip = (reason: string): QueryFigures => ({ figures: QUERY_SPECS.map((s) => unavailable(s, reason)), details: { terms, skipped: reason }, chromium: null });
  if (ctx.skipBrowser) return skip('--skip-browser');
  if (!existsSync(CHROMIUM_PATH)) return skip(`no Chromium at ${CHROMIUM_PATH} (set CHROMIUM_PATH)`);
  if (!options.ours.ok && !options.pagefind.ok) return skip(`${options.ours.reason}; Pagefind: ${options.pagefind.reason}`);

  const selectors = [options.resultSelector ?? RESULT_SELECTOR];
  const ours: Record<Kind, OurQueryCost[]> = { rare: [], common: [] };
  const pagefind: Record<Kind, PagefindQueryCost[]> = { rare: [], common: [] };
  const oursProblem: Record<Kind, string | null> = { rare: options.ours.ok ? null : options.ours.reason, common: options.ours.ok ? null : options.ours.reason };
  let pagefindProblem: string | null = options.pagefind.ok ? null : `Pagefind: ${options.pagefind.reason}`;
  let chromium: string | null = null;

  await withBrowser(async (browser) => {
    chromium = browser.version();
    for (let run = 1; run <= ctx.runs; run++) {
      for (const kind of kinds) {
        const term = terms[kind];
        if (!oursProblem[kind]) {
          try {
            const cost = await measureOurQuery(browser, siteDir, term, selectors);
            ours[kind].push(cost);
            ctx.log(`query run ${run}/${ctx.runs} "${term}" (${kind}): ours ${bytesText(cost.bytes)} in ${cost.requests} requests, first result ${msText(cost.msToFirstResult)}, ${cost.resultsShown} shown`);
          } catch (error) {
            oursProblem[kind] = (error as Error).message.split('\n')[0]!;
            ctx.log(`query "${term}" (${kind}): ours failed: ${oursProblem[kind]}`);
          }
        }
        if (!pagefindProblem) {
          try {
            const [cost] = await measurePagefindQueries(siteDir, [term], { browser });
            pagefind[kind].push(cost!);
            ctx.log(`query run ${run}/${ctx.runs} "${term}" (${kind}): Pagefind ${bytesText(cost!.bytes)} in ${cost!.requests} requests, first result ${msText(cost!.msToFirstResult)}, ${cost!.results} pages`);
          } catch (error) {
            pagefindProblem = `Pagefind query failed: ${(error as Error).message.split('\n')[0]}`;
          }
        }
      }
    }
  });

  const figures: Figure[] = [];
  for (const kind of kinds) {
    const o = ours[kind];
    const p = pagefind[kind];
    const reason = oursProblem[kind] ?? (p.length ? undefined : (pagefindProblem ?? undefined));
    const extra = (notes: string[]) => ({ ...(reason ? { reason } : {}), notes });
    const perMessage = o[0] ? `ours: ${o[0].resultsShown} results shown (per message), selector ${o[0].selector}` : null;
    const perPage = p[0] ? `Pagefind: ${p[0].results} pages match` : null;
    figures.push(figure(spec(kind, 'bytes'), oursProblem[kind] ? [] : o.map((c) => c.bytes), p.map((c) => c.bytes),
      extra([`term "${terms[kind]}"`, ...(perMessage ? [perMessage] : []), ...(perPage ? [perPage] : [])])));
    figures.push(figure(spec(kind, 'firstResult'), oursProblem[kind] ? [] : o.map((c) => c.msToFirstResult), p.map((c) => c.msToFirstResult),
      extra(['ours: from the search page\'s HTML arrival; Pagefind: from a blank page\'s load event'])));
  }
  return { figures, details: { terms, ours, pagefind, oursProblem, pagefindProblem, selectors }, chromium };
}

interface PageProbe {
  first: number | null;
  selector: string | null;
  count: number;
}

/** One cold query: a fresh browser context (empty cache) loads /search/?q=term. */
async function measureOurQuery(browser: Browser, siteDir: string, term: string, selectors: string[]): Promise<OurQueryCost> {
  const server = await serveStatic(siteDir);
  const context = await browser.newContext();
  try {
    const bodies: Promise<{ path: string; bytes: number; kind: 'document' | 'css' | 'search' }>[] = [];
    context.on('response', (response) => {
      if (response.status() < 200 || response.status() >= 300) return;
      const path = new URL(response.url()).pathname;
      const type = response.request().resourceType();
      const kind = type === 'document' ? 'document' : type === 'stylesheet' || path.endsWith('.css') ? 'css' : 'search';
      bodies.push(response.body().then((b) => ({ path, bytes: b.length, kind }), () => ({ path, bytes: 0, kind })));
    });
    await context.addInitScript(PROBE_SCRIPT.replace('__SELECTORS__', JSON.stringify(selectors)));
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.origin}/search/?q=${encodeURIComponent(term)}`, { waitUntil: 'load', timeout: 60_000 });
    try {
      await page.waitForFunction(() => (window as unknown as { __bench: PageProbe }).__bench.first !== null, undefined, { timeout: 20_000, polling: 50 });
    } catch {
      throw new Error(`no search result appeared for "${term}" within 20 s (looked for ${selectors.join(', ')})${errors.length ? `; page errors: ${errors.join(' | ')}` : ''}`);
    }
    // Let what the results page still loads (snippets…) arrive, so it is counted too.
    await page.waitForLoadState('networkidle', { timeout: 10_000 }).catch(() => undefined);
    const probe = await page.evaluate(() => {
      const w = window as unknown as { __bench: PageProbe };
      const nav = performance.getEntriesByType('navigation')[0] as PerformanceNavigationTiming;
      return {
        first: w.__bench.first!,
        selector: w.__bench.selector!,
        count: document.querySelectorAll(w.__bench.selector!).length,
        responseEnd: nav.responseEnd,
        loadEnd: nav.loadEventEnd,
      };
    });
    const files = await Promise.all(bodies);
    const search = files.filter((f) => f.kind === 'search');
    return {
      term,
      bytes: search.reduce((t, f) => t + f.bytes, 0),
      totalBytes: files.reduce((t, f) => t + f.bytes, 0),
      requests: search.length,
      files: search.map(({ path, bytes }) => ({ path, bytes })),
      msToFirstResult: probe.first - probe.responseEnd,
      msToLoad: probe.loadEnd - probe.responseEnd,
      resultsShown: probe.count,
      selector: probe.selector,
    };
  } finally {
    await context.close();
    await server.close();
  }
}

/** Runs before the page's own scripts: notes when the first result element enters the DOM. */
const PROBE_SCRIPT = `(() => {
  const selectors = __SELECTORS__;
  const state = { first: null, selector: null, count: 0 };
  window.__bench = state;
  const observer = new MutationObserver(() => {
    if (state.first !== null) return;
    for (const selector of selectors) {
      const found = document.querySelectorAll(selector);
      if (found.length > 0) {
        state.first = performance.now();
        state.selector = selector;
        state.count = found.length;
        observer.disconnect();
        return;
      }
    }
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['class'] });
})();`;

export type { QueryTerms };
