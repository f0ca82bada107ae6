/**
 * `npm run bench [-- --size 100k,1M] [--runs N] …`: every docs/design.md performance figure beside its
 * reference, measured in one invocation, per corpus size. Prints one table per size and writes the
 * full results to bench/results/<date>-<size>.json. See bench/README.md.
 */
import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DEFAULT_SEED, parseSize } from './corpus.js';
import { measureBuild, PEAK_RSS as BUILD_RSS, WALL as BUILD_WALL, WITH_SEARCH_RSS, WITH_SEARCH_WALL } from './figures/build.js';
import { cliPath, type SizeContext } from './figures/context.js';
import { ensureCorpus } from './figures/corpus-file.js';
import { FIGURE_KEYS, unavailable, type Figure, type FigureSpec, type Figures } from './figures/figure.js';
import { mb, msText, sizeLabel } from './figures/format.js';
import { measureImport, peakRssSpec, THROUGHPUT } from './figures/import.js';
import { FEEDS_WRITE, measureLibraries, TAR_LIST } from './figures/libraries.js';
import { loadNow, machineInfo, type MachineInfo } from './figures/machine.js';
import { findSearchModule } from './figures/product.js';
import { BUILD_TIME as SEARCH_TIME, measureSearchIndex, PEAK_RSS as SEARCH_RSS, SIZE as SEARCH_SIZE } from './figures/search-index.js';
import { measureQueries, QUERY_SPECS } from './figures/search-query.js';
import { ReferenceBudget, renderScale, type SizeFigures } from './figures/scale.js';
import { renderNotes, renderTable } from './figures/table.js';
import { emptyTrash } from './figures/trash.js';
import { DB as WATCH_DB, measureWatch, PAGES as WATCH_PAGES, SEARCH as WATCH_SEARCH } from './figures/watch.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const STANDARD_SIZES = ['10k', '100k', '1M', '5M'];
const MIN_MESSAGES = 1000;
/** Runs per figure when --runs is not given: the median of 3 up to 100k messages, 1 run above. */
const defaultRuns = (messages: number) => (messages <= 100_000 ? 3 : 1);

const USAGE = `usage: npm run bench -- [options]
  --size LIST          corpus sizes, comma-separated: ${STANDARD_SIZES.join(', ')} or any size ≥ 1k such as 2k (default 100k)
  --runs N             runs per figure (default 3 for ≤ 100k messages, 1 for larger)
  --seed N             corpus seed (default ${DEFAULT_SEED})
  --work DIR           scratch folder: corpora, databases, sites (default bench/work)
  --results DIR        where the JSON results go (default bench/results)
  --skip-browser       no Chromium query measurements (figures reported as n/a)
  --skip-watch         no watch-mode measurement (figures reported as n/a)
  --result-selector S  CSS selector of one rendered result on our search page
                       (default .cc-search-result:not(.cc-search-pending))`;

interface Args {
  sizes: number[];
  runs: number | null;
  seed: number;
  work: string;
  results: string;
  skipBrowser: boolean;
  skipWatch: boolean;
  resultSelector: string | undefined;
}

function parse(argv: string[]): Args | string {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        size: { type: 'string', default: '100k' },
        runs: { type: 'string' },
        seed: { type: 'string' },
        work: { type: 'string' },
        results: { type: 'string' },
        'skip-browser': { type: 'boolean', default: false },
        'skip-watch': { type: 'boolean', default: false },
        'result-selector': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return (error as Error).message;
  }
  if (values.help) return '';
  const sizes: number[] = [];
  for (const s of values.size.split(',').map((x) => x.trim()).filter(Boolean)) {
    let n: number;
    try {
      n = parseSize(s);
    } catch (error) {
      return (error as Error).message;
    }
    if (n < MIN_MESSAGES) return `size ${s} is too small (at least ${MIN_MESSAGES} messages)`;
    sizes.push(n);
  }
  const int = (v: string | undefined, name: string, min: number): number | null | string => {
    if (v === undefined) return null;
    const n = Number(v);
    return Number.isInteger(n) && n >= min ? n : `--${name} must be an integer ≥ ${min}`;
  };
  const runs = int(values.runs, 'runs', 1);
  const seed = int(values.seed, 'seed', 0);
  if (typeof runs === 'string') return runs;
  if (typeof seed === 'string') return seed;
  return {
    sizes,
    runs,
    seed: seed ?? DEFAULT_SEED,
    work: resolve(values.work ?? join(ROOT, 'bench', 'work')),
    results: resolve(values.results ?? join(ROOT, 'bench', 'results')),
    skipBrowser: values['skip-browser'],
    skipWatch: values['skip-watch'],
    resultSelector: values['result-selector'],
  };
}

async function main(argv: string[]): Promise<number> {
  const args = parse(argv);
  if (typeof args === 'string') {
    (args ? console.error : console.log)(`${args ? `${args}\n` : ''}${USAGE}`);
    return args ? 2 : 0;
  }
  const machine = machineInfo();
  console.log(`chatchannels benchmark — ${machine.date}`);
  console.log(machineLine(machine));
  const search = await findSearchModule(ROOT);
  console.log(search.available ? `search: buildSearchIndex from ${relative(ROOT, search.file)}` : `search: ${search.reason}; its figures are reported as n/a`);
  const outputs: string[] = [];
  const measured: SizeFigures[] = [];
  // Shared by the sizes, smallest first: a reference too large for this machine at a size is not started.
  const references = new ReferenceBudget(machine.totalMemoryBytes);
  for (const messages of [...args.sizes].sort((a, b) => a - b)) {
    const done = await runSize(args, messages, machine, search, references);
    outputs.push(done.text);
    measured.push(done.figures);
  }
  // Last: a size's clean-up right before the next size's build could still be within ext4's ~30 s (figures/trash.ts).
  for (const messages of args.sizes) await emptyTrash(join(args.work, sizeLabel(messages)));
  machine.loadAverageAtEnd = loadNow();
  console.log(`\n${outputs.join('\n\n')}`);
  if (measured.length > 1) console.log(`\n== how each figure grows with the corpus (medians; whole-corpus times also per message) ==\n${renderScale(measured)}`);
  console.log(`\nload average at start ${machine.loadAverageAtStart.join(' ')}, at end ${machine.loadAverageAtEnd.join(' ')}`);
  return 0;
}

async function runSize(
  args: Args,
  messages: number,
  machine: MachineInfo,
  search: Awaited<ReturnType<typeof findSearchModule>>,
  references: ReferenceBudget,
): Promise<{ text: string; figures: SizeFigures }> {
  const label = sizeLabel(messages);
  const runs = args.runs ?? defaultRuns(messages);
  const started = performance.now();
  const loadStart = loadNow();
  const log = (line: string) => console.log(`[${label}] ${line}`);
  const sizeDir = join(args.work, label);
  log(`runs per figure: ${runs}${args.runs === null ? ' (default: 3 for ≤ 100k messages, 1 for larger)' : ''}${STANDARD_SIZES.includes(label) ? '' : ' — not a docs/design.md size'}`);

  await emptyTrash(sizeDir); // a killed run's
  const corpus = await ensureCorpus(sizeDir, { messages, seed: args.seed });
  log(`corpus ${corpus.file}: ${messages.toLocaleString('en')} messages, ${corpus.options.chats} chats, ${mb(corpus.bytes)} (${corpus.reused ? 'reused' : `generated in ${msText(corpus.generateMs)}`})`);
  const ctx: SizeContext = {
    label,
    corpus: corpus.options,
    corpusFile: corpus.file,
    corpusBytes: corpus.bytes,
    sizeDir,
    runs,
    skipBrowser: args.skipBrowser,
    skipWatch: args.skipWatch,
    references,
    root: ROOT,
    cli: cliPath(ROOT),
    timeoutMs: Math.max(10 * 60_000, messages * 2),
    log,
  };

  const figures: Partial<Figures> = {};
  const details: Record<string, unknown> = {};
  const errors: string[] = [];
  const add = (list: Figure[]) => list.forEach((f) => (figures[f.key] = f));
  const step = async <T>(name: string, work: () => Promise<T>): Promise<T | null> => {
    try {
      return await work();
    } catch (error) {
      const message = `${name} failed: ${(error as Error).message.split('\n').slice(0, 4).join(' | ')}`;
      errors.push(message);
      log(message);
      return null;
    }
  };

  const imported = await step('import', () => measureImport(ctx));
  if (imported) add(imported.figures), (details['import'] = imported.details);
  const built = imported && (await step('build', () => measureBuild(ctx, imported.dbFile)));
  if (built) add(built.figures), (details['build'] = built.details);
  const libraries = imported && (await step('libraries', () => measureLibraries(ctx, imported.dbFile)));
  if (libraries) add(libraries.figures), (details['libraries'] = libraries.details);
  const indexed = imported && built && (await step('search index', () => measureSearchIndex(ctx, imported.dbFile, built.siteDir, search)));
  if (indexed) add(indexed.figures), (details['searchIndex'] = indexed.details);
  if (built && indexed) {
    const ours = !search.available ? { ok: false as const, reason: search.reason }
      : !existsSync(join(built.siteDir, 'search', 'index.html')) ? { ok: false as const, reason: 'the built site has no search page at /search/' }
        : !indexed.oursBuilt ? { ok: false as const, reason: 'our search index could not be built' }
          : { ok: true as const };
    const pagefind = indexed.pagefindBuilt ? { ok: true as const } : { ok: false as const, reason: indexed.pagefindProblem ?? 'Pagefind could not index the site' };
    const queried = await step('queries', () => measureQueries(ctx, built.siteDir, { ours, pagefind, ...(args.resultSelector ? { resultSelector: args.resultSelector } : {}) }));
    if (queried) {
      add(queried.figures);
      details['queries'] = queried.details;
      if (queried.chromium) machine.versions['chromium'] = queried.chromium;
    }
  }
  const watched = imported && (await step('watch', () => measureWatch(ctx, imported.dbFile)));
  if (watched) add(watched.figures), (details['watch'] = watched.details);

  // Figures a failed step left out keep their label and target, with the failure (or the skip flag) as reason.
  const missingReason = errors.length ? `not measured: ${errors.join('; ')}` : 'not measured';
  for (const spec of allSpecs(corpus.bytes)) {
    const skipped = spec.key.startsWith('query.') && args.skipBrowser ? '--skip-browser' : spec.key.startsWith('watch.') && args.skipWatch ? '--skip-watch' : null;
    figures[spec.key] ??= unavailable(spec, skipped ?? missingReason);
  }
  for (const key of FIGURE_KEYS) if (!figures[key]) throw new Error(`figure ${key} has no spec`);
  const complete = figures as Figures;
  const loadEnd = loadNow();
  const durationMs = performance.now() - started;

  const stamp = new Date().toISOString().replace(/:\d\d\.\d+Z$/, '').replace(':', '');
  const resultFile = join(args.results, `${stamp}-${label}.json`);
  await mkdir(args.results, { recursive: true });
  await writeFile(resultFile, `${JSON.stringify({
    size: label,
    messages,
    corpus: { ...corpus.options, file: corpus.file, bytes: corpus.bytes, reused: corpus.reused },
    runs,
    runsDefaulted: args.runs === null,
    flags: { skipBrowser: args.skipBrowser, skipWatch: args.skipWatch, resultSelector: args.resultSelector ?? null },
    machine: { ...machine, loadAverageAtStart: loadStart, loadAverageAtEnd: loadEnd },
    durationMs,
    searchModule: search,
    figures: complete,
    details,
    errors,
  }, null, 2)}\n`);

  const text = [
    `== ${label} messages (${corpus.options.chats} chats, export ${mb(corpus.bytes)}), ${runs} run${runs > 1 ? 's' : ''} per figure, medians with min–max; load ${loadStart.join(' ')} → ${loadEnd.join(' ')}; ${msText(durationMs)} ==`,
    renderTable(complete),
    'notes:',
    renderNotes(complete),
    ...(errors.length ? ['errors:', ...errors.map((e) => `  ${e}`)] : []),
    `results: ${resultFile}`,
  ].join('\n');
  return { text, figures: { label, messages, figures: complete } };
}

function allSpecs(exportBytes: number): FigureSpec[] {
  return [
    THROUGHPUT, peakRssSpec(exportBytes), TAR_LIST,
    BUILD_WALL, BUILD_RSS, WITH_SEARCH_WALL, WITH_SEARCH_RSS, FEEDS_WRITE,
    SEARCH_TIME, SEARCH_RSS, SEARCH_SIZE,
    ...QUERY_SPECS,
    WATCH_DB, WATCH_PAGES, WATCH_SEARCH,
  ];
}

function machineLine(m: MachineInfo): string {
  return `machine: ${m.cpus} CPUs (${m.cpuModel}), ${mb(m.totalMemoryBytes)} RAM, ${m.platform}, node ${m.node}; load average ${m.loadAverageAtStart.join(' ')} (shared machine: numbers are noisy)`;
}

main(process.argv.slice(2)).then(
  (code) => (process.exitCode = code),
  (error: Error) => {
    console.error(error.stack ?? error.message);
    process.exitCode = 1;
  },
);
