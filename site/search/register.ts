import { Worker } from 'node:worker_threads';
import type { AuthorMode } from '../options.js';
import { buildSearchIndex, searchVersion, selectChatIds, type SearchIndexOptions, type SearchIndexResult } from './build.js';
import { searchPageParts, renderSearchPage, type SearchPageParts } from './page.js';
import type { ShardSizes } from './shards.js';
import { SearchSource, type SearchChat } from './source.js';

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
  /** Receives the build's numbers when the index is written. */
  onBuilt?: (result: SearchIndexResult) => void;
}

interface EleventyConfigLike {
  addTemplate(virtualPath: string, content: unknown, data?: Record<string, unknown>): void;
  on(event: string, callback: (arg: { directories?: { output?: string }; outputMode?: string }) => unknown): void;
}

interface BuildPlan {
  chatIds: number[];
  chats: SearchChat[];
  version: string;
}

/** The database snapshot's chats and version, computed before the pages render. */
function plan(options: RegisterSearchOptions): BuildPlan {
  const source = new SearchSource({ db: options.db, authors: options.authors, pseudonymSalt: options.pseudonymSalt });
  try {
    const chatIds = selectChatIds(
      source.chats.map((c) => c.id),
      { include: options.include },
    );
    const wanted = new Set(chatIds);
    const chats = source.chats.filter((c) => wanted.has(c.id));
    return { chatIds, chats, version: searchVersion(source.stateFingerprint(), options, chats) };
  } finally {
    source.close();
  }
}

/**
 * Adds search to an Eleventy build: the page `search/index.html` (a virtual 11ty.js template)
 * and, written straight into the output folder, `search/search.js` and `search/data/**` — a
 * virtual template per data file would cost Eleventy time and memory for thousands of files.
 * The index is built in a worker thread that starts at `eleventy.before`, so it runs on the
 * second core while Eleventy renders the pages; `eleventy.after` waits for it.
 */
export function registerSearch(eleventyConfig: EleventyConfigLike, options: RegisterSearchOptions): void {
  let current: BuildPlan | null = null;
  let building: Promise<SearchIndexResult> | null = null;

  const indexOptions = (outDir: string, p: BuildPlan): SearchIndexOptions => ({
    db: options.db,
    outDir,
    chatIds: p.chatIds,
    authors: options.authors,
    pseudonymSalt: options.pseudonymSalt,
    timeZone: options.timeZone,
    lang: options.lang,
    version: p.version,
    sizes: options.sizes,
    page: false,
  });

  eleventyConfig.on('eleventy.before', ({ directories, outputMode }) => {
    current = plan(options);
    building = null;
    const outDir = directories?.output;
    if (!outDir || (outputMode !== undefined && outputMode !== 'fs')) return;
    if (options.worker === false) return;
    const p = current;
    building = new Promise<SearchIndexResult>((resolve, reject) => {
      const worker = new Worker(new URL('./worker.js', import.meta.url), { workerData: indexOptions(outDir, p) });
      let settled = false;
      worker.once('message', (result: SearchIndexResult) => {
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
    building.catch(() => {});
  });

  eleventyConfig.on('eleventy.after', async ({ directories, outputMode }) => {
    const outDir = directories?.output;
    if (!outDir || (outputMode !== undefined && outputMode !== 'fs') || !current) return;
    const result = building ? await building : await buildSearchIndex(indexOptions(outDir, current));
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
