import { existsSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runMeasured, type Measured } from '../measure.js';
import { buildPlainEleventyProject, preparePlainEleventyProject } from '../reference/plain-eleventy.js';
import { heapMbFor, type SizeContext } from './context.js';
import { PLAIN_ELEVENTY_PRIOR } from './scale.js';
import { figure, ratioAtMost, unavailable, type Figure, type FigureSpec } from './figure.js';
import { mb, msText } from './format.js';
import { commandHelp, hasOption } from './product.js';
import { discard } from './trash.js';

/**
 * Site build: `chatchannels build --db <db> --out <dir>` measured from outside, beside docs/design.md's
 * plain Eleventy site built from the same messages. Targets (pages + feeds): wall ≤ 1.0× the
 * reference, peak RSS ≤ 0.5×. When the build also writes the search index, pages + feeds are
 * measured separately with search off (a `--no-search` flag if the CLI has one, else
 * buildSite({ search: false }) in build-runner.ts) and the whole build is reported beside it.
 */
export const WALL: FigureSpec = {
  key: 'build.wall',
  label: 'build pages+feeds: wall',
  unit: 'ms',
  referenceName: 'plain Eleventy',
  target: '≤ 1.0× plain Eleventy',
  passes: ratioAtMost(1.0),
};
export const PEAK_RSS: FigureSpec = {
  key: 'build.peakRss',
  label: 'build pages+feeds: peak RSS',
  unit: 'bytes',
  referenceName: 'plain Eleventy',
  target: '≤ 0.5× plain Eleventy',
  passes: ratioAtMost(0.5),
};
export const WITH_SEARCH_WALL: FigureSpec = { key: 'build.withSearch.wall', label: 'build incl. search index: wall', unit: 'ms' };
export const WITH_SEARCH_RSS: FigureSpec = { key: 'build.withSearch.peakRss', label: 'build incl. search index: peak RSS', unit: 'bytes' };

const RUNNER = fileURLToPath(new URL('./build-runner.js', import.meta.url));

export interface BuildFigures {
  figures: Figure[];
  /** Our site from the last full build (`chatchannels build`): search and Pagefind use it. */
  siteDir: string;
  details: Record<string, unknown>;
}

export async function measureBuild(ctx: SizeContext, dbFile: string): Promise<BuildFigures> {
  const siteDir = join(ctx.sizeDir, 'site');
  const pagesOnlyDir = join(ctx.sizeDir, 'site-pages-only');
  const help = await commandHelp(ctx.cli, 'build');
  const skipFlag = hasOption(help, '--no-search') ? '--no-search' : null;
  const project = await preparePlainEleventyProject(ctx.corpus, join(ctx.sizeDir, 'plain-eleventy'));
  const heap = heapMbFor(ctx.corpus.messages);

  const full: Measured[] = [];
  const pagesOnly: Measured[] = [];
  const reference: { wallMs: number; peakRssBytes: number | null; pages: number }[] = [];
  let includesSearch = false;
  let pagesOnlyProblem: string | null = null;
  let referenceProblem = ctx.references.refusal('plain Eleventy', ctx.corpus.messages, PLAIN_ELEVENTY_PRIOR);
  for (let run = 1; run <= ctx.runs; run++) {
    await discard(ctx.sizeDir, siteDir);
    const ours = await runMeasured(process.execPath, [ctx.cli, 'build', '--db', dbFile, '--out', siteDir], { timeoutMs: ctx.timeoutMs });
    if (ours.code !== 0) throw new Error(`chatchannels build failed (${ours.signal ?? `exit ${ours.code}`}):\n${ours.stderr.slice(-2000)}`);
    full.push(ours);
    includesSearch = await hasSearchIndex(siteDir);
    ctx.log(`build run ${run}/${ctx.runs}: ours ${msText(ours.wallMs)}, peak ${mbOrNa(ours.peakRssBytes)}${includesSearch ? ' (with search index)' : ''}`);

    if (includesSearch && pagesOnlyProblem === null) {
      await discard(ctx.sizeDir, pagesOnlyDir);
      const args = skipFlag ? [ctx.cli, 'build', '--db', dbFile, '--out', pagesOnlyDir, skipFlag] : [RUNNER, dbFile, pagesOnlyDir];
      const m = await runMeasured(process.execPath, args, { timeoutMs: ctx.timeoutMs });
      if (m.code !== 0) pagesOnlyProblem = `the build with search off failed: ${lastLine(m.stderr)}`;
      else if (await hasSearchIndex(pagesOnlyDir)) pagesOnlyProblem = `${skipFlag ? `build ${skipFlag}` : 'buildSite({ search: false })'} still writes a search index: pages + feeds cannot be measured apart`;
      else {
        pagesOnly.push(m);
        ctx.log(`build run ${run}/${ctx.runs}: ours pages+feeds only ${msText(m.wallMs)}, peak ${mbOrNa(m.peakRssBytes)}`);
      }
    }

    if (referenceProblem) continue;
    await discard(ctx.sizeDir, project.outputDir);
    try {
      const ref = await buildPlainEleventyProject(project, { timeoutMs: ctx.timeoutMs, ...(heap ? { maxOldSpaceMb: heap } : {}) });
      reference.push({ wallMs: ref.wallMs, peakRssBytes: ref.peakRssBytes, pages: ref.pages });
      ctx.references.record('plain Eleventy', { label: ctx.label, messages: ctx.corpus.messages, wallMs: ref.wallMs, peakRssBytes: ref.peakRssBytes });
      ctx.log(`build run ${run}/${ctx.runs}: plain Eleventy ${msText(ref.wallMs)}, peak ${mbOrNa(ref.peakRssBytes)}`);
    } catch (error) {
      // Our figures stand without it; the reference's column says why it is empty.
      referenceProblem = `plain Eleventy failed: ${(error as Error).message.split('\n')[0]}`;
      ctx.log(`build run ${run}/${ctx.runs}: ${referenceProblem}`);
    }
  }
  if (referenceProblem && !reference.length) ctx.log(`build: ${referenceProblem}`);
  await discard(ctx.sizeDir, pagesOnlyDir);

  const refWall = reference.map((r) => r.wallMs);
  const refRss = numbers(reference.map((r) => r.peakRssBytes));
  const refReason = referenceProblem && !reference.length ? { reason: referenceProblem } : {};
  const figures: Figure[] = [];
  if (!includesSearch) {
    const note = '`chatchannels build` writes no search index (yet): the whole build is pages + feeds';
    figures.push(figure(WALL, full.map((m) => m.wallMs), refWall, { ...refReason, notes: [note] }));
    figures.push(figure(PEAK_RSS, numbers(full.map((m) => m.peakRssBytes)), refRss, refReason));
    figures.push(unavailable(WITH_SEARCH_WALL, note), unavailable(WITH_SEARCH_RSS, note));
  } else {
    const how = skipFlag ? `chatchannels build ${skipFlag}` : 'buildSite({ search: false }) (the CLI has no flag to skip search)';
    if (pagesOnlyProblem) figures.push(unavailable(WALL, pagesOnlyProblem), unavailable(PEAK_RSS, pagesOnlyProblem));
    else {
      figures.push(figure(WALL, pagesOnly.map((m) => m.wallMs), refWall, { ...refReason, notes: [`measured with ${how}`] }));
      figures.push(figure(PEAK_RSS, numbers(pagesOnly.map((m) => m.peakRssBytes)), refRss, refReason));
    }
    figures.push(figure(WITH_SEARCH_WALL, full.map((m) => m.wallMs), [], { notes: ['`chatchannels build` as is (pages, feeds and search index)'] }));
    figures.push(figure(WITH_SEARCH_RSS, numbers(full.map((m) => m.peakRssBytes))));
  }
  return {
    figures,
    siteDir,
    details: {
      buildHasSearchPage: existsSync(join(siteDir, 'search', 'index.html')),
      buildIncludesSearchIndex: includesSearch,
      skipSearchFlag: skipFlag,
      ours: full.map((m) => ({ wallMs: m.wallMs, peakRssBytes: m.peakRssBytes, output: m.stdout.trim() })),
      oursPagesOnly: pagesOnly.map((m) => ({ wallMs: m.wallMs, peakRssBytes: m.peakRssBytes })),
      plainEleventy: { dataBytes: project.dataBytes, runs: reference },
    },
  };
}

/** A search index in a built site: anything in search/ besides the page itself. */
export async function hasSearchIndex(siteDir: string): Promise<boolean> {
  const entries = await readdir(join(siteDir, 'search'), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.some((e) => e.isFile() && !(e.name === 'index.html' && e.parentPath === join(siteDir, 'search')));
}

function numbers(values: (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null);
}

function mbOrNa(bytes: number | null): string {
  return bytes === null ? 'n/a' : mb(bytes);
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop() ?? '';
}
