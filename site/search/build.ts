import { createHash, createHmac } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { writeFileAtomic } from '../output/atomic.js';
import { join, resolve } from 'node:path';
import type { AuthorMode } from '../options.js';
import { clientScript } from './bundle.js';
import { sealBaseFacts } from './built-index.js';
import { secretDigest } from '../output/seal.js';
import { writeIndex } from './index-writer.js';
import { renderSearchPage, type SearchPageOptions } from './page.js';
import { CLIENT_FILE, DATA_DIR, dataKeys, PAGE_FILE, SEARCH_DIR } from './paths.js';
import { createSink } from './file-writer.js';
import {
  DEFAULT_SIZES,
  encodeManifest,
  FORMAT_VERSION,
  ownWeighting,
  writeDeltaPointer,
  type ShardSizes,
} from './shards.js';
import type { ReadSnapshot } from '../data/snapshot.js';
import { SearchSource, type SearchChat } from './source.js';

export interface SearchIndexOptions {
  /** The chatchannels database (read-only). */
  db: string;
  /** The site's output folder: files go to `<outDir>/search/`. */
  outDir: string;
  /** Eleventy's pathPrefix. Search links are relative, so it only documents intent. */
  pathPrefix?: string;
  /** Chats to index, by database id (default: all); `include` filters further. */
  chatIds?: readonly number[] | null;
  include?: (chatId: number) => boolean;
  authors?: AuthorMode;
  pseudonymSalt?: string;
  /** The plugin's `excludeAuthors` and `redact` options (site/options.ts). */
  excludeAuthors?: readonly string[];
  redact?: readonly string[];
  /** Display time zone and language of results (the site's). */
  timeZone?: string;
  lang?: string;
  /** Site title, for the standalone search page. */
  title?: string;
  /** Also write `search/index.html` (standalone page; Eleventy builds render their own). */
  page?: boolean;
  /** Also write `search/search.js`, the client. Default true. */
  client?: boolean;
  /** Cache-busting version (computed from the database when not given). */
  version?: string;
  sizes?: Partial<ShardSizes>;
  /** 2 (default): index half of the texts and write the files in worker threads; 1: all on this thread. */
  threads?: number;
  /** Documents per text batch (tests make it small to exercise the worker). */
  textBatch?: number;
  /** Called with progress lines (quiet by default). */
  log?: (line: string) => void;
  /** The read snapshot to index (borrowed; opened with the same `excludeAuthors`). Default: one of its own. */
  snapshot?: ReadSnapshot;
}

export interface SearchIndexResult {
  /** Data files written (manifest, term buckets and parts, doc-store chunks, time files). */
  shards: number;
  /** Bytes of every file written (data, client, page). */
  bytes: number;
  ms: number;
  docs: number;
  terms: number;
  buckets: number;
  parts: number;
  docChunks: number;
  version: string;
}

/**
 * A version string for cache busting (`?v=` on every data request), stable for the same database
 * and options: the same database gives a byte-identical site. Published, and made of the privacy
 * options and the whole database's counts, so keyed with the database's id (output/seal.ts), as
 * the base manifest's facts are sealed: it confirms no guess of them.
 */
export function searchVersion(
  source: Pick<SearchSource, 'stateFingerprint' | 'databaseId'>,
  options: Pick<SearchIndexOptions, 'authors' | 'pseudonymSalt' | 'excludeAuthors' | 'redact'>,
  chats: readonly SearchChat[],
): string {
  const fingerprint = source.stateFingerprint();
  return createHmac('sha256', secretDigest('search version', source.databaseId() ?? ''))
    .update(`${FORMAT_VERSION}\u0000${fingerprint}\u0000${options.authors ?? 'show'}\u0000${options.pseudonymSalt ?? ''}\u0000${privacyKey(options)}\u0000`)
    .update(chats.map((c) => `${c.id}:${c.title}`).join('\u0001'))
    .digest('hex')
    .slice(0, 12);
}

/**
 * The options that change every document (author names), hashed: a delta is only built on a base
 * made with the same.
 */
/** What of the privacy options changes the index (empty when unused, so existing versions stay). */
function privacyKey(options: Pick<SearchIndexOptions, 'excludeAuthors' | 'redact'>): string {
  const parts = [...(options.excludeAuthors ?? [])].sort().join('\u0001') + '\u0002' + [...(options.redact ?? [])].sort().join('\u0001');
  return parts === '\u0002' ? '' : parts;
}

export function searchSettings(options: Pick<SearchIndexOptions, 'authors' | 'pseudonymSalt' | 'excludeAuthors' | 'redact'>): string {
  // Keyed anchors (site/data/public-anchor.ts): a base index of hide or pseudonymize written
  // before them holds stored anchors, so it is no base for a delta.
  const anchors = (options.authors ?? 'show') === 'show' ? '' : '\u0000keyed anchors';
  return createHash('sha256')
    .update(`${FORMAT_VERSION}\u0000${options.authors ?? 'show'}\u0000${options.pseudonymSalt ?? ''}${privacyKey(options) ? `\u0000${privacyKey(options)}` : ''}${anchors}`)
    .digest('hex')
    .slice(0, 12);
}

/** Documents per text batch (text-indexer.ts). */
const TEXT_BATCH = 4096;

/** Chat ids to index: `chatIds` (default all), narrowed by `include`. */
export function selectChatIds(all: readonly number[], options: Pick<SearchIndexOptions, 'chatIds' | 'include'>): number[] {
  const wanted = options.chatIds ? new Set(options.chatIds) : null;
  return all.filter((id) => (!wanted || wanted.has(id)) && (!options.include || options.include(id)));
}

/** Replaces folder `to` with `from` (two renames: `to` is missing for an instant only). */
function swapIn(from: string, to: string): void {
  const old = `${to.replace(/[\\/]+$/, '')}.old`;
  rmSync(old, { recursive: true, force: true });
  if (existsSync(to)) renameSync(to, old);
  renameSync(from, to);
  rmSync(old, { recursive: true, force: true });
}

/** A snapshot of the database for indexing the chats the options select. */
export function openSearchSource(
  options: Pick<SearchIndexOptions, 'db' | 'chatIds' | 'include' | 'authors' | 'pseudonymSalt' | 'excludeAuthors' | 'redact' | 'snapshot'>,
): SearchSource {
  const authors = options.authors ?? 'show';
  let chatIds: number[] | null = null;
  if (options.chatIds || options.include) {
    const probe = new SearchSource({ db: options.db, authors, excludeAuthors: options.excludeAuthors, snapshot: options.snapshot });
    try {
      chatIds = selectChatIds(
        probe.chats.map((c) => c.id),
        options,
      );
    } finally {
      probe.close();
    }
  }
  return new SearchSource({
    db: options.db, chatIds, authors, pseudonymSalt: options.pseudonymSalt,
    excludeAuthors: options.excludeAuthors, redact: options.redact, snapshot: options.snapshot,
  });
}

/** Builds the whole search bundle under `<outDir>/search/` without Eleventy. */
export async function buildSearchIndex(options: SearchIndexOptions): Promise<SearchIndexResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const sizes: ShardSizes = { ...DEFAULT_SIZES, ...options.sizes };
  const authors = options.authors ?? 'show';
  const outDir = resolve(options.outDir);

  const source = openSearchSource(options);
  try {
    const version = options.version ?? searchVersion(source, options, source.chats);
    const changeSeq = source.changeSeq();
    const threads = options.threads ?? 2;
    // Written beside the live data and swapped in at the end: a site being served keeps a
    // working search while its index is rebuilt (a minute at a million messages).
    const dataDir = join(outDir, DATA_DIR);
    const building = join(outDir, SEARCH_DIR, '.data-building');
    const files = createSink(building, sizes, threads > 1);
    const plan = source.plan();
    const written = await writeIndex(source, plan, files, {
      chats: source.chats,
      authorField: authors !== 'hide',
      sizes,
      threads,
      textBatch: options.textBatch ?? TEXT_BATCH,
      log,
      started,
    });
    const { finished } = written;
    const weighting = ownWeighting(finished);
    const fields = ['text', ...(finished.author ? ['author'] : [])];
    files.file(
      dataKeys.manifest,
      encodeManifest({
        // What a delta build on this base needs (delta.ts); the client ignores them.
        extra: { sealed: sealBaseFacts(source.databaseId(), { settings: searchSettings(options), changeSeq, averages: weighting.averages }) },
        version,
        docs: written.docs,
        docChunk: sizes.docChunk,
        buckets: written.buckets,
        fields,
        authors,
        chats: source.chats,
        slots: source.slots,
        groups: source.groups,
      }),
    );

    const stored = await files.finish();
    // No delta on a fresh base (older deltas go with the old data folder).
    let bytes = stored.bytes + writeDeltaPointer(building, null, sizes.level);
    swapIn(building, dataDir);
    mkdirSync(join(outDir, 'search'), { recursive: true });
    if (options.client !== false) {
      const client = clientScript({ version, buckets: written.buckets, docChunk: sizes.docChunk });
      writeFileAtomic(join(outDir, CLIENT_FILE), client);
      bytes += client.length;
    }
    if (options.page) {
      const pageOptions: SearchPageOptions = {
        version,
        chats: source.chats,
        authors,
        timeZone: options.timeZone ?? 'UTC',
        lang: options.lang ?? 'en',
        title: options.title ?? 'Chat archive',
      };
      const html = renderSearchPage(pageOptions);
      writeFileAtomic(join(outDir, PAGE_FILE), html);
      bytes += Buffer.byteLength(html);
    }
    return {
      shards: stored.files,
      bytes,
      ms: Math.round(performance.now() - started),
      docs: written.docs,
      terms: written.terms,
      buckets: written.buckets,
      parts: written.parts,
      docChunks: Math.ceil(written.docs / sizes.docChunk),
      version,
    };
  } finally {
    source.close();
  }
}
