import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AuthorMode } from '../options.js';
import { clientBundle } from './bundle.js';
import { InvertedIndex } from './inverted-index.js';
import { TextIndexers } from './text-indexer.js';
import { renderSearchPage, type SearchPageOptions } from './page.js';
import { CLIENT_FILE, DATA_DIR, PAGE_FILE } from './paths.js';
import { createSearchPipeline } from './pipeline.js';
import { createSink } from './file-writer.js';
import { DEFAULT_SIZES, encodeManifest, FORMAT_VERSION, TimesWriter, writeTermShards, type ShardSizes } from './shards.js';
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
 * and options: the same database gives a byte-identical site.
 */
export function searchVersion(fingerprint: string, options: Pick<SearchIndexOptions, 'authors' | 'pseudonymSalt'>, chats: readonly SearchChat[]): string {
  return createHash('sha256')
    .update(`${FORMAT_VERSION}\u0000${fingerprint}\u0000${options.authors ?? 'show'}\u0000${options.pseudonymSalt ?? ''}\u0000`)
    .update(chats.map((c) => `${c.id}:${c.title}`).join('\u0001'))
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

/** Builds the whole search bundle under `<outDir>/search/` without Eleventy. */
export async function buildSearchIndex(options: SearchIndexOptions): Promise<SearchIndexResult> {
  const started = performance.now();
  const log = options.log ?? (() => {});
  const sizes: ShardSizes = { ...DEFAULT_SIZES, ...options.sizes };
  const authors = options.authors ?? 'show';
  const outDir = resolve(options.outDir);

  let chatIds: number[] | null = null;
  if (options.chatIds || options.include) {
    const probe = new SearchSource({ db: options.db, authors });
    try {
      chatIds = selectChatIds(
        probe.chats.map((c) => c.id),
        options,
      );
    } finally {
      probe.close();
    }
  }
  const source = new SearchSource({ db: options.db, chatIds, authors, pseudonymSalt: options.pseudonymSalt });
  try {
    const version = options.version ?? searchVersion(source.stateFingerprint(), options, source.chats);
    const pipeline = createSearchPipeline();
    const index = new InvertedIndex(pipeline, { authorField: authors !== 'hide' });
    for (const chat of source.chats) index.addChat(chat.title);
    const threads = options.threads ?? 2;
    const textBatch = options.textBatch ?? TEXT_BATCH;
    const files = createSink(join(outDir, DATA_DIR), sizes, threads > 1);
    const times = new TimesWriter(files);

    const texts = new TextIndexers(pipeline, threads, (result, from) => index.appendTexts(result, from));
    let batch: string[] = [];
    let batchStart = 0;
    let count = 0;
    let slot = -1;
    for (const doc of source.documents()) {
      if (doc.group.slot !== slot) {
        if (slot >= 0) times.flush(slot);
        slot = doc.group.slot;
      }
      index.beginDocument(doc.id, doc.chat.index, doc.author);
      batch.push(doc.text);
      if (batch.length === textBatch) {
        await texts.submit(batchStart, batch);
        batchStart += batch.length;
        batch = [];
      }
      files.doc(doc.anchor, doc.author, doc.time, doc.text);
      times.add(doc.time);
      count++;
      if (count % 100_000 === 0) log(`search: ${count} messages read (${Math.round(performance.now() - started)} ms)`);
    }
    if (slot >= 0) times.flush(slot);
    if (batch.length > 0) await texts.submit(batchStart, batch);
    await texts.finish();
    log(`search: ${count} messages read; writing term shards (${Math.round(performance.now() - started)} ms)`);

    const finished = index.finish();
    const shards = writeTermShards(finished, files, sizes);
    const fields = ['text', ...(finished.author ? ['author'] : []), 'chat'];
    files.file(
      'manifest',
      encodeManifest({
        version,
        docs: count,
        docChunk: sizes.docChunk,
        buckets: shards.buckets,
        fields,
        authors,
        chats: source.chats,
        slots: source.slots,
        groups: source.groups,
      }),
    );

    const written = await files.finish();
    let bytes = written.bytes;
    mkdirSync(join(outDir, 'search'), { recursive: true });
    if (options.client !== false) {
      const client = clientBundle();
      writeFileSync(join(outDir, CLIENT_FILE), client);
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
      writeFileSync(join(outDir, PAGE_FILE), html);
      bytes += Buffer.byteLength(html);
    }
    return {
      shards: written.files,
      bytes,
      ms: Math.round(performance.now() - started),
      docs: count,
      terms: shards.terms,
      buckets: shards.buckets,
      parts: shards.parts,
      docChunks: Math.ceil(count / sizes.docChunk),
      version,
    };
  } finally {
    source.close();
  }
}
