import { mkdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { selectChats, type Catalog } from './data/catalog.js';
import { publicSlug } from './data/public-chat.js';
import { ArchiveReader } from './data/reader.js';
import { BuildSession, type PreviousBuild } from './data/session.js';
import type { ResolvedOptions } from './options.js';
import { chatClaim, JOURNAL_FILE, MEDIA_CLAIM, readJournal, removeJournal, removeUnpublished, writeJournal } from './output/journal.js';
import { readManifest, removeFromOutput, writeManifest } from './output/manifest.js';
import { builtFrom, codeVersion, databaseFacts, manifestHash, optionsFingerprint, readStamp, removeStamp, stampProblem, storedStamp, writeStamp, type BuildStamp, type DatabaseFacts, type StoredStamp } from './output/stamp.js';
import { openWithArchiveWorker, type PrestartedWorker } from './render/archive-threads.js';

/** What a build published; sent with the `chatchannels.after` event (buildSite reports it). */
export interface BuildStats {
  chats: number;
  messages: number;
  /** Archive pages written (the plugin writes those itself). */
  archivePages: number;
  /** Anchor map files written the same way. */
  otherFiles: number;
  /** Chat landing pages and chat feeds written the same way (templates/chat.ts). */
  landingPages: number;
  chatFeeds: number;
  /** Media files written (new or changed ones only). */
  mediaFiles: number;
  /** Whether only what changed was written (options `since`, `incremental`). */
  incremental: boolean;
  /** The last change-log point the build included. */
  changeSeq: number;
  /** Files an earlier build wrote that this one no longer publishes, removed from the output. */
  removedFiles: number;
}

/**
 * The product's own site (site/build.ts, site/serve.ts: the plugin's pages alone, no project
 * templates), whose builds are stamped (output/stamp.ts); `resume`: its first build may resume
 * from the output's stamp (serve).
 */
export interface OwnSite {
  /** Eleventy's pathPrefix (feeds' links): part of the options fingerprint. */
  pathPrefix: string | undefined;
  resume: boolean;
  /** A stale lock was taken over: a build of another version may have stopped halfway. */
  interrupted?: boolean;
  /** Told how the first build starts: resumed, or in full and why. */
  onStart?: (start: BuildStart) => void;
  /** An archive worker started for the first build before Eleventy loaded (site/build.ts); used if it fits, else stopped. */
  archiveWorker?: PrestartedWorker | null;
}

export type BuildStart = { resumed: true; since: number; changedChats: number } | { resumed: false; reason: string };

/**
 * The plugin's per-Eleventy-instance state: the session of the build in progress. Eleventy asks
 * for global data once per build (also on every rebuild in watch mode), which opens a fresh
 * session on the database as it is now; `eleventy.after` writes media and closes it.
 */
export class PluginState {
  private current: BuildSession | null = null;
  /** The snapshot the next build renders from, opened before it started (pin). */
  private pinned: ArchiveReader | null = null;
  /** The change-log point the last successful build saw (option `incremental`). */
  private builtUpTo: number | null = null;
  /** What the next incremental build may reuse of the last successful one. */
  private previous: PreviousBuild | null = null;
  /** The output manifest this instance last wrote (or found unchanged), its folder, and the chat folders it lists. */
  private manifest: { dir: string; files: ReadonlySet<string>; chats: ReadonlySet<string> } | null = null;
  /** Eleventy's output mode of the build in progress: `fs`, or `json`/`ndjson` (nothing is written). */
  outputMode = 'fs';
  /** The output folder of the build in progress (Eleventy's `directories.output`), once known. */
  outputDir: string | null = null;

  /** The stamp the output held when this build started (removed from it since), and whether it was checked sound. */
  private base: { stamp: StoredStamp; checked: boolean } | null = null;
  /** The stamp this instance wrote last: a rebuild finding it again need not check the output's files. */
  private lastStamp: string | null = null;
  /** The stamp the build in progress will write once it is complete (its code and manifest hashes added then). */
  private pending: Omit<BuildStamp, 'manifest' | 'code'> | null = null;
  /** Which parts of the writing build in progress are complete: the stamp and the journal wait for both. */
  private done = { pages: false, search: false };
  private readonly fingerprint: string | null;
  /**
   * The journal of the build in progress (output/journal.ts): what it claimed so far (on disk),
   * what a build that stopped before it had claimed (null: none did). A build that inherits
   * claims builds in full (nextSince), which settles them.
   */
  private journal: { dir: string; inherited: ReadonlySet<string> | null; claims: Set<string> } | null = null;

  constructor(
    readonly options: ResolvedOptions,
    private readonly own: OwnSite | null = null,
  ) {
    this.fingerprint = own ? optionsFingerprint(options, own.pathPrefix) : null;
  }

  /**
   * Called when a build starts (eleventy.before), before anything writes: takes the output's
   * stamp away (a build that stops halfway must leave none), and, for the first build of a serve,
   * resumes from it when it is sound (output/stamp.ts).
   */
  beginBuild(outputDir: string | null, writing: boolean): void {
    this.pending = null;
    this.base = null;
    this.journal = null;
    this.done = { pages: false, search: !this.options.search };
    if (outputDir === null || !writing) return;
    const stamp = this.own ? readStamp(outputDir) : null;
    removeStamp(outputDir);
    // Claims are written once the database opened (claim): a build that fails before leaves nothing.
    const inherited = readJournal(outputDir);
    this.journal = { dir: outputDir, inherited, claims: new Set(inherited) };
    if (!this.own) return;
    const first = this.builtUpTo === null && this.options.since === null;
    if (!first && stamp) {
      // A rebuild: the stamp this instance wrote is still sound; anything else gets checked.
      const checked = JSON.stringify(stamp) === this.lastStamp || stampProblem(outputDir, stamp, this.fingerprint) === null;
      this.base = { stamp, checked };
    }
    if (!first || !this.own.resume || this.options.incremental !== true) return;
    const start = this.resumeFrom(outputDir, stamp);
    if (start.resumed) {
      this.builtUpTo = start.since;
      this.base = { stamp: stamp!, checked: true };
    }
    this.own.onStart?.(start);
  }

  private resumeFrom(outputDir: string, stamp: StoredStamp | null): BuildStart {
    // Our own builds remove the stamp before writing; a stale lock may be an older chatchannels' build that stopped halfway.
    if (this.own?.interrupted) return { resumed: false, reason: 'the last process writing the output folder was killed (its lock was left): it may have stopped mid-build' };
    const problem = stampProblem(outputDir, stamp, this.fingerprint);
    if (problem) return { resumed: false, reason: problem };
    // Stamped, yet a build stopped since: only a full build removes what it left.
    if (existsSync(join(outputDir, JOURNAL_FILE))) return { resumed: false, reason: 'a build stopped before it completed since the last complete build' };
    let reader: ArchiveReader;
    try {
      reader = new ArchiveReader(this.options.db, this.options);
    } catch (err) {
      return { resumed: false, reason: (err as Error).message };
    }
    try {
      const db = reader.snapshot.db;
      const now = databaseFacts(db);
      const from = builtFrom(stamp!.db, now, db, this.fingerprint!);
      if ('problem' in from) return { resumed: false, reason: from.problem };
      const changedChats = db.prepare(`SELECT count(DISTINCT chat_id) FROM main.changes WHERE seq > ?`).pluck().get(from.changeSeq) as number;
      return { resumed: true, since: from.changeSeq, changedChats };
    } finally {
      reader.close();
    }
  }

  /**
   * The stamp a build from `session`'s snapshot may write when it completes, or null: a full
   * build always may; an incremental one only over a sound stamp of exactly the point it
   * builds from, of the same database, with nothing changed since that the change log misses.
   */
  private stampFor(session: BuildSession, since: number | null): Omit<BuildStamp, 'manifest' | 'code'> | null {
    if (!this.own || this.fingerprint === null) return null;
    const db = session.reader.snapshot.db;
    const facts: DatabaseFacts = databaseFacts(db);
    if (facts.id === null) return null;
    if (since !== null) {
      const base = this.base;
      if (!base?.checked) return null;
      const from = builtFrom(base.stamp.db, facts, db, this.fingerprint);
      if ('problem' in from || from.changeSeq !== since) return null;
    }
    return { version: 2, options: this.fingerprint, db: facts };
  }

  /** The search index of the build in progress is written (site/search/register.ts onBuilt). */
  searchDone(): void {
    this.done.search = true;
  }

  /**
   * Journals (output/journal.ts), before the build writes anything, where it will write: each
   * chat's folder it publishes from `reader`'s snapshot, the media folder, robots.txt, the search
   * files. Written only when that adds a claim: once per build (the journal goes when one
   * completes), never twice for one snapshot.
   */
  private claim(reader: ArchiveReader): void {
    const journal = this.journal;
    if (!journal) return;
    const claims = [MEDIA_CLAIM, ...(this.options.noindex ? ['robots.txt'] : []), ...(this.options.search ? SEARCH_CLAIMS : [])];
    for (const chat of selectChats(reader, this.options, false)) claims.push(chatClaim(publicSlug(chat, this.options.authors, this.options.pseudonymSalt)));
    if (claims.every((c) => journal.claims.has(c))) return;
    for (const c of claims) journal.claims.add(c);
    mkdirSync(journal.dir, { recursive: true });
    writeJournal(journal.dir, journal.claims);
  }

  /** Once the build completed (pages, media, manifest, search index), its journal goes. */
  private settleJournal(): void {
    const journal = this.journal;
    if (!journal || !this.done.pages || !this.done.search) return;
    this.journal = null;
    removeJournal(journal.dir);
  }

  /** Writes the stamp once every part of the build is complete, then settles its journal. */
  completeBuild(outputDir: string | null): void {
    const pending = this.pending;
    if (pending && this.done.pages && this.done.search && outputDir !== null) {
      this.pending = null;
      const manifest = manifestHash(outputDir);
      if (manifest !== null) {
        const stamp = storedStamp({ ...pending, code: codeVersion(), manifest });
        if (stamp) {
          writeStamp(outputDir, stamp);
          this.lastStamp = JSON.stringify(stamp);
        }
      }
    }
    // After the stamp: stopped in between, the output has both, and serve does not resume over a journal.
    this.settleJournal();
  }

  /** Starts a build: a new snapshot of the database. Returns the global data. */
  open(): Catalog {
    this.current?.close();
    this.current = null;
    const since = this.nextSince();
    const options = since === this.options.since ? this.options : { ...this.options, since };
    const reader = this.pinned ?? new ArchiveReader(options.db, options);
    this.pinned = null;
    const writing = this.outputMode === 'fs';
    // Before the archive worker starts writing (already claimed when search pinned this snapshot).
    if (writing) this.claim(reader);
    // Archive pages start on the second core now, beside what this one renders (its catalog first).
    const prestarted = this.own?.archiveWorker ?? null;
    if (this.own) this.own.archiveWorker = null;
    this.current = openWithArchiveWorker(reader, options, writing ? this.outputDir : null, () => new BuildSession(options, since === null ? null : this.previous, reader), prestarted);
    this.current.writing = writing;
    let stamp: Omit<BuildStamp, 'manifest' | 'code'> | null = null;
    try {
      stamp = writing ? this.stampFor(this.current, since) : null;
    } catch {
      // A database this code cannot read the facts of (tables missing): no stamp, the build goes on.
    }
    this.pending = stamp;
    return this.current.catalog;
  }

  /**
   * Opens (again) the read snapshot the next build will render from: search is planned from it
   * and its index worker reads the same one (site/search/register.ts, snapshot-gate.ts). Called
   * at `eleventy.before`, which Eleventy runs before it asks for global data (open): a session
   * still open here is a failed build's.
   */
  pin(): ArchiveReader {
    this.close();
    this.pinned = new ArchiveReader(this.options.db, this.options);
    // Search starts writing right after this (its worker); the pages render from this snapshot.
    this.claim(this.pinned);
    return this.pinned;
  }

  /** Whether the next build writes only what changed (known before it starts, for search). */
  nextBuildIsIncremental(): boolean {
    return this.nextSince() !== null;
  }

  /**
   * The change-log point the next build writes what changed since, or null for a full build. A
   * build that inherits a stopped build's claims (output/journal.ts) builds in full, whatever
   * `since` or `incremental` say: only a full build removes all that the stopped one left (another
   * authors mode's media names, say), and until then the journal itself lists its folders' names.
   */
  private nextSince(): number | null {
    if (this.journal?.inherited) return null;
    return this.options.incremental && this.builtUpTo !== null ? this.builtUpTo : this.options.since;
  }

  get session(): BuildSession {
    if (!this.current) {
      // Global data always runs before templates render; reaching this is a bug, not a user error.
      throw new Error('chatchannels: no build in progress (global data was not computed)');
    }
    return this.current;
  }

  /**
   * Ends a build: writes media files into `outputDir` (null: nothing is written), removes what an
   * earlier build wrote and this one no longer publishes, and closes. `alsoWritten`: the other
   * files of this build (Eleventy's outputs of the plugin's templates, the search files).
   */
  finish(outputDir: string | null, alsoWritten: Iterable<string> = []): BuildStats | null {
    const session = this.current;
    if (!session) return null;
    try {
      const media = outputDir !== null && session.writing ? session.writeMedia(outputDir) : 0;
      const removedFiles = outputDir !== null && session.writing ? this.updateManifest(outputDir, session, alsoWritten) : 0;
      if (outputDir !== null && session.writing) this.done.pages = true;
      if (session.writing) {
        this.builtUpTo = session.catalog.changeSeq;
        // Anchor lists of chats this build did not finish stay valid: they did not change.
        const anchors = new Map(session.catalog.render.incremental ? this.previous?.anchors : undefined);
        for (const [chatId, pages] of session.anchorMaps.finished ?? []) anchors.set(chatId, pages);
        this.previous = { catalog: session.catalog, latest: session.reader.latestRead, anchors, activity: session.activity.computed, participants: session.reader.participantsRead, lastMessage: session.reader.snapshot.mark[1] };
      }
      return {
        chats: session.catalog.chats.length,
        messages: session.catalog.messageCount,
        archivePages: session.pagesWritten,
        otherFiles: session.filesWritten - session.pagesWritten - session.landingPagesWritten - session.feedsWritten,
        landingPages: session.landingPagesWritten,
        chatFeeds: session.feedsWritten,
        mediaFiles: media,
        incremental: session.catalog.render.incremental,
        changeSeq: session.catalog.changeSeq,
        removedFiles,
      };
    } finally {
      this.close();
    }
  }

  /**
   * The output's manifest (output/manifest.ts) after this build. A full build wrote everything it
   * publishes, so whatever the previous manifest lists beyond that goes. An incremental build
   * wrote only what changed: it adds to the manifest, and removes only the folders of chats no
   * longer published. Returns the number of files removed.
   */
  private updateManifest(outputDir: string, session: BuildSession, alsoWritten: Iterable<string>): number {
    // The list this instance wrote last, if it wrote to this folder (a rebuild need not parse it again: 3 MB at 5M messages).
    const own = this.manifest?.dir === outputDir ? this.manifest : null;
    const previous = own?.files ?? readManifest(outputDir);
    const current = new Set([...session.written, ...alsoWritten]);
    const inherited = this.journal?.dir === outputDir ? this.journal.inherited : null;
    if (!session.catalog.render.incremental) {
      let removed = previous ? removeFromOutput(outputDir, [...previous].filter((p) => !current.has(p))) : 0;
      // What a build that stopped left at paths no manifest lists (output/journal.ts).
      // Not the search index's folders, which this build's search may still be writing (it replaces them itself).
      if (inherited) removed += removeUnpublished(outputDir, this.options.search ? [...inherited].filter((c) => !SEARCH_CLAIMS.includes(c)) : inherited, current);
      writeManifest(outputDir, current);
      this.manifest = { dir: outputDir, files: current, chats: chatFolders(current) };
      return removed;
    }
    const published = new Set(session.catalog.chats.map((c) => c.slug));
    // Without a manifest, one listing only this build's files would hide the rest from later builds.
    if (!previous) return 0;
    const chats = own?.chats ?? chatFolders(previous);
    // Only the files of chats no longer published go: a rebuild that keeps every chat (nearly all) need not walk the list.
    const gone = [...chats].every((slug) => published.has(slug)) ? [] : [...previous].filter((p) => CHAT_FILE.test(p) && !current.has(p) && !published.has(p.split('/')[1]));
    const removed = removeFromOutput(outputDir, gone);
    const dropped = new Set([...gone, ...session.pruned].filter((p) => previous.has(p)));
    // A rebuild that rewrote only listed files leaves the list as it was: not written again.
    if (dropped.size === 0 && [...current].every((p) => previous.has(p))) {
      this.manifest = { dir: outputDir, files: previous, chats };
      return removed;
    }
    const files = new Set([...[...previous].filter((p) => !dropped.has(p)), ...current]);
    writeManifest(outputDir, files);
    this.manifest = { dir: outputDir, files, chats: chatFolders(files) };
    return removed;
  }

  /** Closes the build's snapshot; resolves once its archive worker has ended (a failed build: none of its pages lands after). */
  close(): Promise<void> {
    const closing = this.current?.close();
    this.current = null;
    this.pinned?.close();
    this.pinned = null;
    return closing ?? Promise.resolve();
  }
}

/** What a build with search may write (site/search/build.ts: its data is written beside and swapped in). */
const SEARCH_CLAIMS = ['search/index.html', 'search/search.js', 'search/data/', 'search/.data-building/', 'search/data.old/'];

/** A file in a chat's folder (`chats/<slug>/…`). */
const CHAT_FILE = /^chats\/[^/]+\//;

/** The slugs of the chat folders that `paths` has files in. */
function chatFolders(paths: Iterable<string>): Set<string> {
  const slugs = new Set<string>();
  for (const p of paths) if (CHAT_FILE.test(p)) slugs.add(p.split('/')[1]);
  return slugs;
}
