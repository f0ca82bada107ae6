import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured } from '../measure.js';
import { runPagefind, type PagefindIndexResult } from '../reference/pagefind.js';
import type { SizeContext } from './context.js';
import { figure, ratioAtMost, unavailable, type Figure, type FigureSpec } from './figure.js';
import { bytesText, mb, msText } from './format.js';
import type { BuildSearchIndexResult, SearchModule } from './product.js';
import { PAGEFIND_PRIOR } from './scale.js';

/**
 * Search index build: our buildSearchIndex in a measured child process (search-index-runner.ts)
 * beside Pagefind run over the same built site. Targets: time ≤ 0.5× Pagefind's, peak RSS ≤ 0.25×.
 * The index size is reported beside Pagefind's whole bundle (informational).
 */
export const BUILD_TIME: FigureSpec = {
  key: 'search.buildTime',
  label: 'search index: build time',
  unit: 'ms',
  referenceName: 'Pagefind',
  target: '≤ 0.5× Pagefind',
  passes: ratioAtMost(0.5),
};
export const PEAK_RSS: FigureSpec = {
  key: 'search.peakRss',
  label: 'search index: peak RSS',
  unit: 'bytes',
  referenceName: 'Pagefind',
  target: '≤ 0.25× Pagefind',
  passes: ratioAtMost(0.25),
};
export const SIZE: FigureSpec = { key: 'search.size', label: 'search index: total size', unit: 'bytes', referenceName: 'Pagefind' };

const RUNNER = fileURLToPath(new URL('./search-index-runner.js', import.meta.url));

export interface SearchIndexFigures {
  figures: Figure[];
  /** Whether our index was written into the site (queries can run). */
  oursBuilt: boolean;
  pagefindBuilt: boolean;
  /** Why Pagefind has no index at this size (not run, or failed). */
  pagefindProblem: string | null;
  details: Record<string, unknown>;
}

export async function measureSearchIndex(ctx: SizeContext, dbFile: string, siteDir: string, search: SearchModule): Promise<SearchIndexFigures> {
  const ours: { wallMs: number; peakRssBytes: number | null; result: BuildSearchIndexResult }[] = [];
  const pagefind: PagefindIndexResult[] = [];
  const moduleFile = search.available ? search.file : null;
  let oursProblem: string | null = search.available ? null : search.reason;
  let pagefindProblem: string | null = ctx.references.refusal('Pagefind', ctx.corpus.messages, PAGEFIND_PRIOR);
  if (pagefindProblem) ctx.log(`search: ${pagefindProblem}`);
  // Until the Eleventy build renders /search/, ask the builder for its standalone page.
  const standalonePage = !existsSync(join(siteDir, 'search', 'index.html'));
  for (let run = 1; run <= ctx.runs; run++) {
    if (!oursProblem && moduleFile) {
      const m = await runMeasured(process.execPath, [RUNNER, moduleFile, dbFile, siteDir, '/', ...(standalonePage ? ['--page'] : [])], { timeoutMs: ctx.timeoutMs });
      if (m.code !== 0) oursProblem = `buildSearchIndex failed (${m.signal ?? `exit ${m.code}`}): ${m.stderr.trim().split('\n').slice(-3).join(' | ')}`;
      else {
        const result = JSON.parse(m.stdout.trim().split('\n').pop()!) as BuildSearchIndexResult;
        ours.push({ wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, result });
        ctx.log(`search run ${run}/${ctx.runs}: ours ${msText(m.wallMs)}, peak ${m.peakRssBytes === null ? 'n/a' : mb(m.peakRssBytes)}, ${bytesText(result.bytes)} in ${result.shards} shards`);
      }
    }
    if (!pagefindProblem) {
      try {
        const p = await runPagefind(siteDir, { timeoutMs: ctx.timeoutMs });
        pagefind.push(p);
        ctx.references.record('Pagefind', { label: ctx.label, messages: ctx.corpus.messages, wallMs: p.wallMs, peakRssBytes: p.peakRssBytes });
        ctx.log(`search run ${run}/${ctx.runs}: Pagefind ${msText(p.wallMs)}, peak ${p.peakRssBytes === null ? 'n/a' : mb(p.peakRssBytes)}, ${bytesText(p.totalBytes)} (index ${bytesText(p.indexBytes)} in ${p.indexChunks} chunks)`);
      } catch (error) {
        pagefindProblem = (error as Error).message.split('\n')[0]!;
      }
    }
  }
  const pfWall = pagefind.map((p) => p.wallMs);
  const pfRss = pagefind.flatMap((p) => (p.peakRssBytes === null ? [] : [p.peakRssBytes]));
  const pfBytes = pagefind.map((p) => p.totalBytes);
  const pfNote = pagefind[0]
    ? `Pagefind: ${pagefind[0].pagesIndexed ?? '?'} pages, bundle ${bytesText(pagefind[0].totalBytes)} in ${pagefind[0].totalFiles} files (index ${bytesText(pagefind[0].indexBytes)} in ${pagefind[0].indexChunks} chunks, fragments ${bytesText(pagefind[0].fragmentBytes)})`
    : `Pagefind: ${pagefindProblem ?? 'not run'}`;
  const figures: Figure[] = [];
  if (oursProblem) {
    figures.push(unavailable(BUILD_TIME, oursProblem), unavailable(PEAK_RSS, oursProblem), unavailable(SIZE, oursProblem, [pfNote]));
    // Keep Pagefind's numbers visible beside the missing ones.
    figures[0]!.reference = figure(BUILD_TIME, [], pfWall).reference;
    figures[1]!.reference = figure(PEAK_RSS, [], pfRss).reference;
    figures[2]!.reference = figure(SIZE, [], pfBytes).reference;
  } else {
    const last = ours[ours.length - 1]!.result;
    figures.push(figure(BUILD_TIME, ours.map((o) => o.wallMs), pfWall, { notes: ['whole processes, both sides'] }));
    figures.push(figure(PEAK_RSS, ours.flatMap((o) => (o.peakRssBytes === null ? [] : [o.peakRssBytes])), pfRss));
    const pageNote = standalonePage ? ['the built site had no /search/ page: buildSearchIndex({ page: true }) wrote its standalone one'] : [];
    figures.push(figure(SIZE, ours.map((o) => o.result.bytes), pfBytes, { notes: [`ours: ${last.shards} shards`, pfNote, ...pageNote] }));
  }
  if (!pagefind.length && pagefindProblem) for (const f of figures) if (!f.reference && f.ours) f.reason = pagefindProblem;
  return {
    figures,
    oursBuilt: ours.length > 0,
    pagefindBuilt: pagefind.length > 0,
    pagefindProblem,
    details: {
      module: moduleFile,
      standalonePage,
      ours: ours.length ? ours : oursProblem,
      pagefind: pagefind.length
        ? pagefind.map((p) => ({ wallMs: p.wallMs, peakRssBytes: p.peakRssBytes, pagesIndexed: p.pagesIndexed, wordsIndexed: p.wordsIndexed, totalBytes: p.totalBytes, totalFiles: p.totalFiles, indexBytes: p.indexBytes, indexChunks: p.indexChunks, fragmentBytes: p.fragmentBytes }))
        : pagefindProblem,
    },
  };
}
