import { Worker } from 'node:worker_threads';
import { selectChats } from '../data/catalog.js';
import { ArchiveReader } from '../data/reader.js';
import { BUILD_FAILED_EVENT, type EleventyConfig } from '../eleventy-config.js';
import { resolveOptions, type ChatChannelsOptions, type ResolvedOptions } from '../options.js';
import { buildSearchIndex, searchVersion, type SearchIndexOptions, type SearchIndexResult } from './build.js';
import { planSearchUpdate, updateSearchIndex } from './delta.js';
import { searchPageParts, renderSearchPage, type SearchPageParts } from './page.js';
import type { ShardSizes } from './shards.js';
import { SearchSource, type SearchChat } from './source.js';
import { agreeWithWorker, createSnapshotGate, type WorkerGate } from './snapshot-gate.js';

/** Wraps the search page's parts in the site's chrome; gets the page's path and root too. */
export type SearchLayout = (page: SearchPageParts & { root: string; path: string }) => string;

/**
 * How search is added to a build, beyond the plugin's options (site/options.ts: which chats, how
 * authors are named, time zone, language, title — search reads the same resolved options).
 */
export interface SearchHooks {
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
   * (Re)opens the read snapshot the pages of this build will render from (the plugin's
   * PluginState.pin). Given, search is planned from that very snapshot (which chats, the page's
   * version) and the index worker reads it too (snapshot-gate.ts); else search reads snapshots of
   * its own, which a collector committing meanwhile makes differ from the pages'.
   */
  pin?: () => ArchiveReader;
  /** Told when the index could not be made to read the pages' snapshot. Default: console.warn. */
  warn?: (message: string) => void;
  /** Receives the build's numbers when the index is written (`delta`: a delta build). */
  onBuilt?: (result: SearchIndexResult & { delta: boolean }) => void;
}

/** What a build indexes, decided from one snapshot before the pages render. */
interface BuildPlan {
  chatIds: number[];
  chats: SearchChat[];
  /** What the page names: the index's version (a delta build keeps the base's). */
  version: string;
  delta: boolean;
}

/** The part of a plan the index worker is handed once it reads the plan's snapshot. */
export interface WorkerPlan {
  chatIds: number[];
  version: string;
  delta: boolean;
}

/** What the index worker (worker.ts) is asked to do. */
export interface SearchJob {
  delta: boolean;
  options: SearchIndexOptions;
  /** Meets the pages' snapshot, and is handed the plan made from it (snapshot-gate.ts). */
  gate?: WorkerGate;
}

/** What the index files are built with (everything but the snapshot, which a worker opens itself). */
function indexOptions(options: ResolvedOptions, outDir: string, p: Pick<BuildPlan, 'chatIds' | 'version'>, sizes: Partial<ShardSizes> | undefined): SearchIndexOptions {
  return {
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
    sizes,
    page: false,
  };
}

/**
 * The plan of a build, read from `reader`'s snapshot: the published chats (the pages' rule,
 * data/catalog.ts selectChats), the version, and (`deltaIn`: the output folder of a watch
 * rebuild) whether a delta over the base index will do.
 */
function planFrom(options: ResolvedOptions, reader: ArchiveReader, deltaIn: string | null, sizes: Partial<ShardSizes> | undefined): BuildPlan {
  const published = new Set(selectChats(reader, options, false).map((c) => c.id));
  const source = new SearchSource({
    db: options.db, authors: options.authors, pseudonymSalt: options.pseudonymSalt,
    excludeAuthors: options.excludeAuthors, redact: options.redact, snapshot: reader.snapshot,
  });
  try {
    const chats = source.chats.filter((c) => published.has(c.id));
    const plan: BuildPlan = { chatIds: chats.map((c) => c.id), chats, version: searchVersion(source, options, chats), delta: false };
    if (deltaIn !== null) {
      // Decided now, before the page renders: the page names the base's version.
      const update = planSearchUpdate({ ...indexOptions(options, deltaIn, plan, sizes), snapshot: reader.snapshot });
      if (update.kind === 'delta') return { ...plan, version: update.base.version, delta: true };
    }
    return plan;
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
 * `incremental()` true, only a delta over the existing index is built (delta.ts). `options`: the
 * plugin's (site/options.ts), resolved here as the plugin resolves them.
 */
export function registerSearch(eleventyConfig: EleventyConfig, pluginOptions: ChatChannelsOptions, hooks: SearchHooks = {}): void {
  const options = resolveOptions(pluginOptions);
  let current: BuildPlan | null = null;
  let building: Promise<SearchIndexResult & { delta: boolean }> | null = null;
  /** The index worker of the build in progress, until it has posted its result. */
  let worker: Worker | null = null;
  /**
   * Stops the worker of a build that failed (its pages, say: Eleventy emits no eleventy.after),
   * and waits for its thread to end: none of its writes lands after. What it leaves half-written
   * is in places the build claimed (output/journal.ts), which the next full build clears.
   */
  const stopWorker = async (): Promise<void> => {
    const running = worker;
    worker = null;
    building = null;
    if (running) await running.terminate();
  };
  eleventyConfig.on(BUILD_FAILED_EVENT, stopWorker);

  /** The pages' reader of the build starting (hooks.pin), while eleventy.before runs. */
  let pinned: ArchiveReader | null = null;
  /** Plans from the pages' pinned snapshot, or (none pinned) from a snapshot of its own. */
  const plan = (deltaIn: string | null): BuildPlan => {
    if (pinned) return planFrom(options, pinned, deltaIn, hooks.sizes);
    const reader = new ArchiveReader(options.db, options);
    try {
      return planFrom(options, reader, deltaIn, hooks.sizes);
    } finally {
      reader.close();
    }
  };

  eleventyConfig.on('eleventy.before', async ({ directories, outputMode }) => {
    // One a failed build left running (a project's watch rebuild, which nothing told it failed).
    await stopWorker();
    const outDir = directories?.output;
    const writing = !!outDir && (outputMode === undefined || outputMode === 'fs');
    const deltaIn = writing && hooks.incremental?.() ? outDir! : null;
    pinned = hooks.pin ? hooks.pin() : null;
    try {
      current = plan(deltaIn);
      if (!writing || hooks.worker === false) return;
      const gate = pinned ? createSnapshotGate() : undefined;
      const job: SearchJob = { delta: current.delta, options: indexOptions(options, outDir!, current, hooks.sizes), gate: gate?.worker };
      building = new Promise<SearchIndexResult & { delta: boolean }>((resolve, reject) => {
        const thread = new Worker(new URL('./worker.js', import.meta.url), { workerData: job, transferList: gate ? [gate.worker.port] : [] });
        worker = thread;
        let settled = false;
        thread.once('message', (result: SearchIndexResult & { delta: boolean }) => {
          settled = true;
          if (worker === thread) worker = null;
          resolve(result);
        });
        thread.once('error', (error) => {
          settled = true;
          if (worker === thread) worker = null;
          reject(error);
        });
        thread.once('exit', (code) => {
          if (!settled) reject(new Error(`chatchannels search: index worker exited with code ${code}`));
        });
      });
      // Reported in eleventy.after; never an unhandled rejection meanwhile.
      const stopped = building.catch(() => {});
      if (!gate) return;
      const outcome = await agreeWithWorker<WorkerPlan>(
        gate.main,
        {
          mark: () => pinned!.snapshot.mark,
          // The worker saw a newer database than the pages' snapshot: the pages move on to it,
          // and search is planned again from it.
          repin: () => {
            pinned = hooks.pin!();
            current = plan(deltaIn);
          },
          plan: () => ({ chatIds: current!.chatIds, version: current!.version, delta: current!.delta }),
        },
        stopped,
      );
      if (outcome === 'apart') {
        (hooks.warn ?? console.warn)(
          'chatchannels search: the database kept changing while this build started; the search index may differ from the pages by the latest messages until the next build',
        );
      }
    } finally {
      pinned = null;
    }
  });

  eleventyConfig.on('eleventy.after', async ({ directories, outputMode }) => {
    const outDir = directories?.output;
    if (!outDir || (outputMode !== undefined && outputMode !== 'fs') || !current) return;
    const result = building ? await building : await runSearchJob({ delta: current.delta, options: indexOptions(options, outDir, current, hooks.sizes) });
    building = null;
    hooks.onBuilt?.(result);
  });

  eleventyConfig.addTemplate(
    'chatchannels-virtual/search-page.11ty.js',
    {
      data: { permalink: '/search/index.html', eleventyExcludeFromCollections: true, layout: false },
      render: () => {
        const p = current ?? plan(null);
        const pageOptions = { version: p.version, chats: p.chats, authors: options.authors, timeZone: options.timeZone, lang: options.lang, title: options.title };
        if (!hooks.layout) return renderSearchPage(pageOptions);
        return hooks.layout({ ...searchPageParts(pageOptions), root: '../', path: 'search/' });
      },
    },
  );
}
