import { Worker } from 'node:worker_threads';
import type { AuthorMode } from '../options.js';
import { buildSearchIndex, searchVersion, selectChatIds, type SearchIndexOptions, type SearchIndexResult } from './build.js';
import { planSearchUpdate, updateSearchIndex } from './delta.js';
import { searchPageParts, renderSearchPage, type SearchPageParts } from './page.js';
import type { ShardSizes } from './shards.js';
import { SearchSource, type SearchChat } from './source.js';
import { agreeWithWorker, createSnapshotGate } from './snapshot-gate.js';
import { sameSnapshot, snapshotMark, type SnapshotMark } from '../data/snapshot-mark.js';

/** Wraps the search page's parts in the site's chrome; gets the page's path and root too. */
export type SearchLayout = (page: SearchPageParts & { root: string; path: string }) => string;

export interface RegisterSearchOptions {
  /** The chatchannels database. */
  db: string;
  /** Eleventy's pathPrefix (search links are relative; accepted for symmetry). */
  pathPrefix?: string;
  /** Which chats are published (called once per build, at `eleventy.before`). Default: all. */
  include?: (chatId: number) => boolean;
  authors: AuthorMode;
  pseudonymSalt?: string;
  /** The plugin's `excludeAuthors` and `redact` options (site/options.ts). */
  excludeAuthors?: readonly string[];
  redact?: readonly string[];
  timeZone?: string;
  lang?: string;
  /** Site title (standalone page only). */
  title?: string;
  /** The site's page chrome; default: a minimal standalone page linking assets/chatchannels.css. */
  layout?: SearchLayout;
  /**
   * Build the index in a worker thread while Eleventy renders pages (default), or in
   * `eleventy.after` on the main thread (`false`).
   */
  worker?: boolean;
  sizes?: Partial<ShardSizes>;
  /**
   * Asked at `eleventy.before`: true when this build is an incremental one (a watch rebuild). If
   * the output folder holds a base index built with the same options, only a delta over it is
   * built (delta.ts: seconds at a million messages, where a full build takes a minute or more).
   */
  incremental?: () => boolean;
  /**
   * (Re)opens the read snapshot the pages of this build will render from and names it. Given,
   * the index worker reads that same snapshot (snapshot-gate.ts); else its own, which a
   * collector committing meanwhile makes differ from the pages'.
   */
  snapshot?: () => SnapshotMark;
  /** Called before each plan of a build (the `include` predicate's own cache starts afresh). */
  beforePlan?: () => void;
  /** Told when the index could not be made to read the pages' snapshot. Default: console.warn. */
  warn?: (message: string) => void;
  /** Receives the build's numbers when the index is written (`delta`: a delta build). */
  onBuilt?: (result: SearchIndexResult & { delta: boolean }) => void;
}

interface EleventyConfigLike {
  addTemplate(virtualPath: string, content: unknown, data?: Record<string, unknown>): void;
  on(event: string, callback: (arg: { directories?: { output?: string }; outputMode?: string }) => unknown): void;
}

interface BuildPlan {
  /** The snapshot the plan was made from. */
  mark: SnapshotMark;
  chatIds: number[];
  chats: SearchChat[];
  /** The base's version: what the page names (a delta build keeps the base's). */
  version: string;
  delta: boolean;
}

/** What the index worker (worker.ts) is asked to do. */
export interface SearchJob {
  delta: boolean;
  options: SearchIndexOptions;
  /** Meets the pages' snapshot (snapshot-gate.ts). */
  gate?: SharedArrayBuffer;
}

/** The database snapshot's chats and version, computed before the pages render. */
function plan(options: RegisterSearchOptions): BuildPlan {
  options.beforePlan?.();
  const source = new SearchSource({
    db: options.db, authors: options.authors, pseudonymSalt: options.pseudonymSalt, excludeAuthors: options.excludeAuthors, redact: options.redact,
  });
  try {
    const chatIds = selectChatIds(
      source.chats.map((c) => c.id),
      { include: options.include },
    );
    const wanted = new Set(chatIds);
    const chats = source.chats.filter((c) => wanted.has(c.id));
    return { mark: snapshotMark(source.db), chatIds, chats, version: searchVersion(source.stateFingerprint(), options, chats), delta: false };
  } finally {
    source.close();
  }
}

/**
 * A full build, or a delta over the base (forced: the plan was made when the page rendered; should
 * the base have gone meanwhile, the full build it falls back to gets a version of its own).
 */
export async function runSearchJob(job: SearchJob): Promise<SearchIndexResult & { delta: boolean }> {
  if (job.delta) return updateSearchIndex({ ...job.options, version: undefined, forceDelta: true });
  return { ...(await buildSearchIndex(job.options)), delta: false };
}

/**
 * Adds search to an Eleventy build: the page `search/index.html` (a virtual 11ty.js template)
 * and, written straight into the output folder, `search/search.js` and `search/data/**` — a
 * virtual template per data file would cost Eleventy time and memory for thousands of files.
 * The index is built in a worker thread that starts at `eleventy.before`, so it runs on the
 * second core while Eleventy renders the pages; `eleventy.after` waits for it. With
 * `incremental()` true, only a delta over the existing index is built (delta.ts).
 */
export function registerSearch(eleventyConfig: EleventyConfigLike, options: RegisterSearchOptions): void {
  let current: BuildPlan | null = null;
  let building: Promise<SearchIndexResult & { delta: boolean }> | null = null;

  const indexOptions = (outDir: string, p: BuildPlan): SearchIndexOptions => ({
    db: options.db,
    outDir,
    chatIds: p.chatIds,
    authors: options.authors,
    pseudonymSalt: options.pseudonymSalt,
    excludeAuthors: options.excludeAuthors,
    redact: options.redact,
    timeZone: options.timeZone,
    lang: options.lang,
    version: p.version,
    sizes: options.sizes,
    page: false,
  });

  eleventyConfig.on('eleventy.before', async ({ directories, outputMode }) => {
    current = plan(options);
    // Which chats to index is decided from the plan's snapshot, the messages from the pages'
    // (the gate below): an import committing in between would leave the chats it created out of
    // search while the pages show them. Plan again until the pages' snapshot is the plan's.
    for (let i = 0; options.snapshot && i < 5 && !sameSnapshot(current.mark, options.snapshot()); i++) current = plan(options);
    building = null;
    const outDir = directories?.output;
    if (!outDir || (outputMode !== undefined && outputMode !== 'fs')) return;
    if (options.incremental?.()) {
      // Decided now, before the page renders: the page names the base's version.
      const update = planSearchUpdate(indexOptions(outDir, current));
      if (update.kind === 'delta') current = { ...current, version: update.base.version, delta: true };
    }
    if (options.worker === false) return;
    const gate = options.snapshot ? createSnapshotGate() : undefined;
    const job: SearchJob = { delta: current.delta, options: indexOptions(outDir, current), gate };
    building = new Promise<SearchIndexResult & { delta: boolean }>((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: job });
      let settled = false;
      worker.once('message', (result: SearchIndexResult & { delta: boolean }) => {
        settled = true;
        resolve(result);
      });
      worker.once('error', (error) => {
        settled = true;
        reject(error);
      });
      worker.once('exit', (code) => {
        if (!settled) reject(new Error(`chatchannels search: index worker exited with code ${code}`));
      });
    });
    // Reported in eleventy.after; never an unhandled rejection meanwhile.
    const stopped = building.catch(() => {});
    if (gate && options.snapshot && (await agreeWithWorker(gate, options.snapshot, stopped)) === 'apart') {
      (options.warn ?? console.warn)(
        'chatchannels search: the database kept changing while this build started; the search index may differ from the pages by the latest messages until the next build',
      );
    }
  });

  eleventyConfig.on('eleventy.after', async ({ directories, outputMode }) => {
    const outDir = directories?.output;
    if (!outDir || (outputMode !== undefined && outputMode !== 'fs') || !current) return;
    const result = building ? await building : await runSearchJob({ delta: current.delta, options: indexOptions(outDir, current) });
    building = null;
    options.onBuilt?.(result);
  });

  eleventyConfig.addTemplate(
    'chatchannels-virtual/search-page.11ty.js',
    {
      data: { permalink: '/search/index.html', eleventyExcludeFromCollections: true, layout: false },
      render: () => {
        const p = current ?? plan(options);
        const pageOptions = {
          version: p.version,
          chats: p.chats,
          authors: options.authors,
          timeZone: options.timeZone ?? 'UTC',
          lang: options.lang ?? 'en',
          title: options.title ?? 'Chat archive',
        };
        if (!options.layout) return renderSearchPage(pageOptions);
        return options.layout({ ...searchPageParts(pageOptions), root: '../', path: 'search/' });
      },
    },
  );
}
