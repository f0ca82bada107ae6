import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { ResolvedOptions } from '../options.js';
import { writeFileAtomic } from '../output/atomic.js';
import { outputPath } from '../output/manifest.js';
import { permalinkOf, sitePaths } from '../render/links.js';
import { TimeFormatter } from '../render/time.js';
import { AnchorMapCollector } from '../templates/anchors.js';
import { ActivityStore, type ChatActivity } from './activity.js';
import { anchorsByPage } from './anchors-by-page.js';
import type { Author } from './authors.js';
import { buildCatalog, type Catalog } from './catalog.js';
import { LocalCalendar } from './local-calendar.js';
import { publishableWithoutMetadata, withoutMetadata } from './media-metadata.js';
import { publicMediaName, publishedMediaType } from './media-name.js';
import { ArchiveReader, type LatestRows, type MediaRow, type Participant } from './reader.js';
import { Thumbnails } from './thumbnails.js';

/**
 * What an incremental build may take from the previous build of the same plugin instance for the
 * chats the change log does not name (PluginState keeps it): their catalog entries, their newest
 * rows (the site feed asks for every chat's), and their archive pages' anchors (anchor maps).
 */
export interface PreviousBuild {
  catalog: Catalog;
  latest: ReadonlyMap<number, LatestRows>;
  /** chat id → page path → anchors without the `m` (chats an incremental build wrote maps of). */
  anchors: ReadonlyMap<number, ReadonlyMap<string, string[]>>;
  /** Chats' activity (data/activity.ts), as far as it was computed. */
  activity?: ReadonlyMap<number, ChatActivity>;
  /** The largest message id of its snapshot (SnapshotMark): rows added since have larger ones. */
  lastMessage?: number;
  /** Chats' participants per UTC slot (ArchiveReader.participants), as far as they were read. */
  participants?: ReadonlyMap<number, ReadonlyMap<number, Participant[]>>;
}

/**
 * A stored file as the site publishes it: under `safeName`, `publishedSize` bytes whose SHA-256 is
 * `publishedHash` (`stripped`: its metadata removed, with authors not shown:
 * data/media-metadata.ts) — or not at all, when `withheld`:
 * 'metadata' for a kind whose metadata is not removed there (documents, archives…), 'unreadable'
 * for a file whose structure could not be followed. Pages then list it by name and size only.
 */
export type SiteMedia = MediaRow & { safeName: string; withheld: Withheld | null; stripped: boolean; publishedSize: number; publishedHash: string };
export type Withheld = 'metadata' | 'unreadable';

const sha256 = (data: Buffer): string => createHash('sha256').update(data).digest('hex');

/**
 * Everything one build shares: the read-only database snapshot, the catalog, formatters, and the
 * media files that pages referenced (written once, at the end of the build, to /media/<hash>/).
 * Opened by the plugin's global data for each build, closed when Eleventy finishes writing.
 */
export class BuildSession {
  readonly reader: ArchiveReader;
  readonly catalog: Catalog;
  readonly time: TimeFormatter;
  /** hash → media that published messages reference. */
  readonly media = new Map<string, SiteMedia>();
  /** Pages and other files this session wrote itself (archive pages and anchor maps). */
  pagesWritten = 0;
  filesWritten = 0;
  /** Of those files: chat landing pages and chat feeds (templates/chat.ts, main thread only), not in pagesWritten. */
  landingPagesWritten = 0;
  feedsWritten = 0;
  /** haltWhen's check, asked before each page written. */
  private halt: (() => Error | null) | null = null;
  /** Output-relative paths of every file this session wrote or kept (pages, anchor maps, media): the manifest's. */
  readonly written = new Set<string>();
  /** Output-relative paths this session removed (anchor maps of another width): gone from the manifest. */
  readonly pruned = new Set<string>();
  /** Anchor maps, collected from archive pages as they render (templates/anchors.ts). */
  readonly anchorMaps: AnchorMapCollector;
  /** Photo thumbnails, made before the pages that show them render (data/thumbnails.ts). */
  readonly thumbnails: Thumbnails;
  /** Messages per local day and month, per chat (landing pages, the home page). */
  readonly activity: ActivityStore;
  private readonly madeDirs = new Set<string>();
  private readonly closers: (() => void | Promise<void>)[] = [];
  private readonly authors = new Map<number | null, Map<string | null, Author>>();
  /** False when Eleventy renders without writing (JSON/NDJSON output): then neither do we. */
  writing = true;

  constructor(
    readonly options: ResolvedOptions,
    /** The previous build's reusable parts (incremental builds of one plugin instance). */
    private readonly previous: PreviousBuild | null = null,
    /** A read snapshot opened earlier for this build (PluginState.pin); default: one opened now. */
    reader: ArchiveReader | null = null,
    /** The archive worker's session: its catalog holds what archive pages read (buildCatalog). */
    archiveOnly = false,
  ) {
    this.reader = reader ?? new ArchiveReader(options.db, options);
    this.thumbnails = new Thumbnails((hash) => this.reader.mediaData(hash), this.written);
    try {
      this.time = new TimeFormatter(options.timeZone, options.lang);
      const changedDays = previous && options.since !== null ? this.reader.changesSince(options.since).days : null;
      // Before the catalog asks for its changed chats' members: only their changed months are counted again.
      if (previous?.participants && changedDays) this.reader.adoptParticipants(previous.participants, changedDays);
      this.catalog = buildCatalog(this.reader, options, this.time, previous?.catalog ?? null, archiveOnly);
      if (this.catalog.render.incremental && previous) {
        const changed = new Set(this.catalog.render.chats.map((c) => c.id));
        this.reader.adoptLatest([...previous.latest].filter(([chatId]) => !changed.has(chatId)));
      }
      this.anchorMaps = this.catalog.render.incremental ? this.incrementalAnchorMaps() : new AnchorMapCollector();
      const changed = new Set(this.catalog.render.chats.map((c) => c.id));
      this.activity = new ActivityStore(this.reader, new LocalCalendar(this.time), this.catalog.render.incremental ? (previous?.activity ?? null) : null, changed, changedDays);
    } catch (err) {
      this.reader.close();
      throw err;
    }
  }

  /** An incremental build renders some pages of a chat: the others' anchors come from the database. */
  private incrementalAnchorMaps(): AnchorMapCollector {
    const rendered = new Map<number, Set<string>>();
    for (const page of this.catalog.render.pages) {
      let paths = rendered.get(page.chatId);
      if (!paths) rendered.set(page.chatId, (paths = new Set()));
      paths.add(page.path);
    }
    const reader = this.reader;
    const pages = this.catalog.archivePages;
    const known = this.previous?.anchors;
    const previousCatalog = this.previous?.catalog;
    const lastMessage = this.previous?.lastMessage;
    return new AnchorMapCollector(
      (chat) => rendered.get(chat.id)?.size ?? 0,
      function* (chat, prefixes) {
        const mine = rendered.get(chat.id);
        const others = pages.filter((page) => page.chatId === chat.id && !mine?.has(page.path));
        // Only some map files change: their anchors alone, a file's worth each, not the chat's.
        if (prefixes) return yield* anchorsByPage(others, reader.anchorsWithPrefixes(chat.id, prefixes));
        // Pages not rendered have not changed since the previous build: its lists still hold.
        const before = known?.get(chat.id);
        for (const page of others) yield [page.path, before?.get(page.path) ?? reader.pageAnchors(chat.id, page.start, page.end).map((a) => a.slice(1))];
      },
      (chat) => {
        const pagesBefore = known?.get(chat.id);
        const width = previousCatalog?.chatsById.get(chat.id)?.anchorWidth;
        if (width === undefined) return undefined;
        if (pagesBefore) return { pages: pagesBefore, width };
        // After a full build, or a rebuild that read some map files' anchors only (neither keeps lists): the anchors added since.
        return lastMessage !== undefined ? { added: reader.anchorsAddedAfter(chat.id, lastMessage).map((a) => a.slice(1)), width } : undefined;
      },
    );
  }

  /** Media rows for these hashes (only those the database holds), remembered for writing. */
  lookupMedia(hashes: string[]): Map<string, SiteMedia> {
    const found = new Map<string, SiteMedia>();
    const missing: string[] = [];
    for (const hash of hashes) {
      const known = this.media.get(hash);
      if (known) found.set(hash, known);
      else missing.push(hash);
    }
    for (const [hash, row] of this.reader.media(missing)) {
      const entry = this.published(row);
      this.media.set(hash, entry);
      found.set(hash, entry);
    }
    return found;
  }

  /**
   * How a stored file is published. With authors not shown, decided here, before any page names
   * it, so that pages never link a file the build then does not write: its bytes are read and
   * stripped once for the verdict and the size (writeMedia reads them again only to write).
   */
  private published(row: MediaRow): SiteMedia {
    const safeName = publicMediaName(row.name, row.type, this.options.authors);
    const asItCame: SiteMedia = { ...row, safeName, withheld: null, stripped: false, publishedSize: row.size, publishedHash: row.hash };
    if (this.options.authors === 'show') return asItCame;
    // publishUncleanedMedia: what cannot be cleaned is published as it came; the rest is cleaned all the same.
    const uncleaned = (why: Withheld): SiteMedia => (this.options.publishUncleanedMedia ? asItCame : { ...asItCame, withheld: why });
    const type = publishedMediaType(safeName);
    if (!publishableWithoutMetadata(type)) return uncleaned('metadata');
    const stored = this.reader.mediaData(row.hash);
    if (!stored) return asItCame; // nothing to publish: writeMedia finds no bytes either
    const published = withoutMetadata(stored, type);
    if (published.kind === 'unreadable') return uncleaned('unreadable');
    return { ...asItCame, stripped: true, publishedSize: published.data.length, publishedHash: sha256(published.data) };
  }

  /** Files another thread looked up for this build (render/archive-threads.ts), with its verdicts. */
  adoptMedia(entries: readonly SiteMedia[]): void {
    for (const entry of entries) if (!this.media.has(entry.hash)) this.media.set(entry.hash, entry);
  }

  /**
   * Writes a page straight to the output folder. Archive pages hold nearly all of a site's bytes,
   * and Eleventy keeps every page's rendered content in memory until its build ends, so these are
   * written here, as they render, and forgotten. Synchronously on purpose: content that outlives
   * the render (an async write) gets promoted to V8's old space, and peak memory nearly doubled.
   */
  /**
   * Removes a chat's anchor map files of another prefix width than its current one: a chat that
   * grew past a split point (all.js → 0.js…f.js) would otherwise keep its old files in an output
   * folder that builds only ever add to.
   */
  pruneAnchorMaps(outputDir: string, chat: { slug: string; anchorWidth: number }): void {
    if (!this.writing) return;
    const dir = resolve(outputDir, dirname(sitePaths.anchorMap(chat.slug, '')));
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const prefix = name === 'all.js' ? '' : /^([0-9a-f]+)\.js$/.exec(name)?.[1];
      if (prefix === undefined || prefix.length === chat.anchorWidth) continue;
      rmSync(join(dir, name), { force: true });
      this.pruned.add(outputPath(outputDir, join(dir, name))!);
    }
  }

  /** Before each page it writes, this session asks `check` whether to stop (render/archive-threads.ts: the archive worker failed); null: never. */
  haltWhen(check: (() => Error | null) | null): void {
    this.halt = check;
  }

  /** `kind`: what counts it goes in (a page: an archive or gallery page, else an anchor map). */
  writePage(outputDir: string, sitePath: string, content: string, kind: 'landing' | 'feed' | 'other' = 'other'): void {
    if (!this.writing) return;
    const halt = this.halt?.();
    if (halt) throw halt;
    const root = resolve(outputDir);
    const file = resolve(root, permalinkOf(sitePath).slice(1));
    const rel = relative(root, file);
    if (rel.startsWith('..') || isAbsolute(rel)) throw new Error(`chatchannels: refusing to write outside the output folder: ${sitePath}`);
    const dir = dirname(file);
    if (!this.madeDirs.has(dir)) {
      // A page's folder is usually new and its parent known: one mkdir, not a recursive walk.
      if (this.madeDirs.has(dirname(dir))) {
        try {
          mkdirSync(dir);
        } catch {
          mkdirSync(dir, { recursive: true });
        }
      } else {
        mkdirSync(dir, { recursive: true });
      }
      this.madeDirs.add(dir);
      this.madeDirs.add(dirname(dir));
    }
    writeFileAtomic(file, content);
    this.written.add(rel.split(sep).join('/'));
    this.filesWritten++;
    if (kind === 'landing') this.landingPagesWritten++;
    else if (kind === 'feed') this.feedsWritten++;
    else if (sitePath.endsWith('/')) this.pagesWritten++;
  }

  /** Counts pages and files another thread wrote for this build (render/archive-threads.ts). */
  countWritten(pages: number, files: number, paths: readonly string[], pruned: readonly string[]): void {
    this.pagesWritten += pages;
    this.filesWritten += files;
    for (const path of paths) this.written.add(path);
    for (const path of pruned) this.pruned.add(path);
  }

  /** How a message's author appears (option `authors`), cached per person and shown name. */
  author(authorId: number | null, authorName: string | null): Author {
    let byName = this.authors.get(authorId);
    if (!byName) this.authors.set(authorId, (byName = new Map()));
    let author = byName.get(authorName);
    if (!author) {
      const person = this.reader.person(authorId);
      author = this.catalog.authors.author(person?.nativeId ?? null, authorName, person?.displayName ?? null);
      byName.set(authorName, author);
    }
    return author;
  }

  /**
   * Writes the referenced media files under `outputDir`, as published() decided: stripped or as
   * they came, withheld ones not at all (counted in a warning). A file already there with the
   * bytes it is published with is kept.
   */
  writeMedia(outputDir: string): number {
    const root = resolve(outputDir);
    const withheld: Record<Withheld, string[]> = { metadata: [], unreadable: [] };
    let written = 0;
    for (const [hash, media] of [...this.media].sort(([a], [b]) => (a < b ? -1 : 1))) {
      if (media.withheld) {
        withheld[media.withheld].push(media.name || media.safeName);
        continue;
      }
      const file = resolve(root, sitePaths.mediaFile(hash, media.safeName));
      const rel = relative(root, file);
      // Belt and braces: the name is sanitized, but never write outside the output folder.
      if (rel.startsWith('..') || isAbsolute(rel)) continue;
      const path = outputPath(root, file)!;
      let existing = -1;
      try {
        existing = statSync(file).size;
      } catch {
        // not there yet
      }
      // Kept when it is what would be written. Where names are not shown, its bytes are compared:
      // stripping can keep a file's size (movies, WebM, HEIF), so an earlier build's copy with its
      // metadata, or a show build's, would pass a size check. Where they are shown, the size does
      // (the path holds the stored file's hash).
      if (existing === media.publishedSize && (this.options.authors === 'show' || sha256(readFileSync(file)) === media.publishedHash)) {
        this.written.add(path);
        continue;
      }
      const stored = this.reader.mediaData(hash);
      if (!stored) continue;
      const published = media.stripped ? withoutMetadata(stored, publishedMediaType(media.safeName)) : { kind: 'unchanged' as const, data: stored };
      if (published.kind === 'unreadable') continue; // never after published() read them: the same bytes
      this.written.add(path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileAtomic(file, published.data);
      written++;
    }
    const some = (names: string[]): string => `${names.slice(0, 3).join(', ')}${names.length > 3 ? ', …' : ''}`;
    if (withheld.unreadable.length > 0) {
      console.warn(
        `[chatchannels] ${withheld.unreadable.length} media file(s) listed but not published: their structure could not be followed, so their metadata (which can name people or places) could not be removed: ${some(withheld.unreadable)}`,
      );
    }
    if (withheld.metadata.length > 0) {
      console.warn(
        `[chatchannels] ${withheld.metadata.length} file(s) listed but not published: metadata such as a document's author is not removed from files of their kind (publishUncleanedMedia, --publish-uncleaned-media, publishes them as they came): ${some(withheld.metadata)}`,
      );
    }
    return written;
  }

  /** Runs `closer` when the session closes (a worker thread writing for it is stopped). */
  onClose(closer: () => void | Promise<void>): void {
    this.closers.push(closer);
  }

  /** Closes the session; resolves once what its closers stop (a worker thread) has ended. */
  close(): Promise<void> {
    const closing = this.closers.splice(0).map((closer) => closer());
    this.reader.close();
    return Promise.all(closing).then(() => {});
  }
}
