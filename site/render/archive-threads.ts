import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ArchivePage } from '../data/catalog.js';
import type { ArchiveReader } from '../data/reader.js';
import type { BuildSession, SiteMedia } from '../data/session.js';
import type { SnapshotMark } from '../data/snapshot.js';
import { imageTools } from '../data/thumbnails.js';
import type { ResolvedOptions } from '../options.js';
import { writeArchivePages } from './archive-page.js';

/** What the archive worker (archive-worker.ts) is given. */
export interface ArchiveJob {
  options: ResolvedOptions;
  output: string;
  /** The chats to write, in the order both threads take them; null: every chat of a full build, in archiveOrder. */
  chatIds: number[] | null;
  /**
   * Shared by both threads (an Int32Array over it, SHARED_CELLS): [0] the index of the next chat
   * of that order to take, [1] how many the worker has taken, [2] 1 once the worker failed.
   */
  next: SharedArrayBuffer;
  /** The main thread's snapshot: the worker writes nothing from another one. Null: told later ('go', prestartArchiveWorker). */
  mark: SnapshotMark | null;
  /** The main thread's archiveThreading.minMessages (a worker has its own copy of the module). */
  minMessages: number;
}

/** Int32 cells of ArchiveJob.next; WORKER_FAILED: the third. */
const SHARED_CELLS = 3;
const WORKER_FAILED = 2;

/** What a worker started before the build's snapshot existed is told once it does (prestartArchiveWorker). */
export interface ArchiveGo {
  kind: 'go';
  mark: SnapshotMark;
}

/** What the worker answers once it takes no more chats: what it wrote (nothing when its snapshot is not the main thread's). */
export type ArchiveWorkerMessage = { kind: 'done'; pagesWritten: number; filesWritten: number; files: string[]; pruned: string[]; media: SiteMedia[] };

/**
 * Below `minMessages` a second thread costs more (its own catalog) than it saves. Mutable for
 * tests, which compare threaded and single-threaded output.
 */
export const archiveThreading = { minMessages: 20_000 };

/**
 * A build's archive worker: the chats both threads take from (null: every chat of a full build,
 * in archiveOrder of this thread's catalog), the index of the next one to take, its result.
 */
interface ArchiveWorker {
  order: number[] | null;
  next: Int32Array;
  done: Promise<ArchiveWorkerMessage>;
  /** Ends the thread; resolves once it has, so that none of its writes lands after. */
  stop(): Promise<void>;
}

const started = new WeakMap<BuildSession, ArchiveWorker>();

/**
 * Opens a build's session (`open`, given the build's read snapshot) with its archive worker
 * started as early as it can be, so that the worker's start-up and pages overlap this thread's
 * other work — its catalog, the templates Eleventy renders before the archive template
 * (registered last: plugin.ts), and the landing pages and feeds that template writes first — instead of waiting for the archive template. A full build's worker
 * starts before this thread's catalog and orders the chats by its own (the same snapshot gives
 * the same catalog); an incremental build's is given its chats once this thread's catalog exists
 * (its catalog reuses the previous build's, which the worker does not have). `output`: null when
 * the build writes nothing. writeArchive takes the worker's result; closing the session stops a
 * worker whose build failed before that.
 */
export function openWithArchiveWorker(reader: ArchiveReader, options: ResolvedOptions, output: string | null, open: () => BuildSession, prestarted: PrestartedWorker | null = null): BuildSession {
  const threads = output !== null && options.layout === null && availableParallelism() > 1;
  // The largest message id bounds the count: a worker whose order proves empty only stops early.
  const early = threads && options.since === null && reader.snapshot.mark[1] >= archiveThreading.minMessages;
  const adopt = early && prestarted !== null && prestarted.fits(options, output);
  if (prestarted && !adopt) void prestarted.worker.stop(); // told no snapshot: it has written nothing
  const worker = !early ? null : adopt ? prestarted.go(reader) : spawn(reader, options, output, null, reader.chats().map((c) => c.id));
  let session: BuildSession;
  try {
    session = open();
  } catch (err) {
    void worker?.stop();
    throw err;
  }
  const mine = worker ?? (threads && !early ? startFor(session, output) : null);
  if (mine) {
    session.onClose(mine.stop);
    started.set(session, mine);
  }
  return session;
}

/** A worker for a session whose catalog exists: the chats to share decided here. */
function startFor(session: BuildSession, output: string): ArchiveWorker | null {
  const order = archiveOrder(session.catalog.render.pages);
  return order.length ? spawn(session.reader, session.options, output, order, order) : null;
}

function spawn(reader: ArchiveReader, options: ResolvedOptions, output: string, chatIds: number[] | null, mayWrite: number[]): ArchiveWorker {
  const started = start({ options, output, chatIds, next: new SharedArrayBuffer(SHARED_CELLS * 4), mark: reader.snapshot.mark, minMessages: archiveThreading.minMessages });
  // Before the worker can load sharp for thumbnails (data/thumbnails.ts says why); only when its
  // chats have attachments at all: sharp and eleventy-img cost ~15 MB and ~0.2 s to load.
  // Otherwise at once: this thread goes on to build its catalog without yielding.
  if (reader.anyAttachments(mayWrite)) imageTools().then(started.run).catch(started.fail);
  else started.run();
  return started.worker;
}

/**
 * A full build's archive worker started before the build's snapshot exists (site/build.ts starts
 * it before loading Eleventy): it loads its modules, opens its own snapshot and builds its
 * catalog meanwhile, and takes chats only once told the build's snapshot (go), or stops.
 */
export interface PrestartedWorker {
  worker: ArchiveWorker;
  /** Whether it was started for this build: the same options (a full build) and output folder. */
  fits(options: ResolvedOptions, output: string): boolean;
  /** Tells it the build's snapshot: it writes only if that is its own. */
  go(reader: ArchiveReader): ArchiveWorker;
}

/**
 * Starts a full build's archive worker early (PrestartedWorker), or returns null when the build
 * would not use one (one core, a custom layout, an incremental build). Sharp is never loaded
 * here: a worker that may make thumbnails is told to go only once this thread has it.
 */
export function prestartArchiveWorker(options: ResolvedOptions, output: string): PrestartedWorker | null {
  if (options.layout !== null || options.since !== null || availableParallelism() < 2) return null;
  // Too small a database to hold minMessages messages (~350 bytes each, docs/scale.md): no worker
  // is started, rather than one that would be stopped. A guess either way costs only time.
  if (databaseBytes(options.db) < archiveThreading.minMessages * 100) return null;
  const started = start({ options, output, chatIds: null, next: new SharedArrayBuffer(SHARED_CELLS * 4), mark: null, minMessages: archiveThreading.minMessages });
  started.run();
  const sent = JSON.stringify(options);
  return {
    worker: started.worker,
    fits: (o, out) => resolve(out) === resolve(output) && JSON.stringify(o) === sent && archiveThreading.minMessages === started.job.minMessages,
    go: (reader) => {
      const go = (): void => started.send({ kind: 'go', mark: reader.snapshot.mark });
      if (reader.anyAttachments(reader.chats().map((c) => c.id))) imageTools().then(go).catch(started.fail);
      else go();
      return started.worker;
    },
  };
}

/** The bytes of a database file and its write-ahead log (0 if it cannot be read: the build reports that). */
function databaseBytes(db: string): number {
  let bytes = 0;
  for (const file of [db, `${db}-wal`]) {
    try {
      bytes += statSync(file).size;
    } catch {
      // none
    }
  }
  return bytes;
}

/**
 * The archive worker's young generation (MB). V8 sizes it for the whole process's memory (~48 MB
 * committed at 100k messages while the worker keeps ~9 MB alive); rendering pages allocates
 * strings that die young, so a smaller one costs a few more scavenges and no measurable CPU time,
 * and lowers a 100k build's peak RSS by ~20 MB (docs/scale.md).
 */
const WORKER_YOUNG_GENERATION_MB = 8;

/** A worker thread for `job`, started by run(). */
function start(job: ArchiveJob): { job: ArchiveJob; worker: ArchiveWorker; run: () => void; send: (go: ArchiveGo) => void; fail: (error: unknown) => void } {
  let worker: Worker | null = null;
  let stopped = false;
  const done = settleable<ArchiveWorkerMessage>();
  const run = (): void => {
    if (stopped) throw new Error('chatchannels: archive worker stopped');
    const thread = (worker = new Worker(new URL('./archive-worker.js', import.meta.url), { workerData: job, resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB } }));
    thread.on('message', (message: ArchiveWorkerMessage) => done.resolve(message));
    thread.once('error', (error) => done.reject(error));
    // No effect once it answered.
    thread.once('exit', (code) => done.reject(new Error(`chatchannels: archive worker exited with code ${code}`)));
  };
  // Awaited by writeArchive; never an unhandled rejection meanwhile.
  done.promise.catch(() => {});
  return {
    job,
    run,
    send: (go) => {
      if (!stopped) worker?.postMessage(go);
    },
    fail: done.reject,
    worker: {
      order: job.chatIds,
      next: new Int32Array(job.next),
      done: done.promise,
      stop: async () => {
        stopped = true;
        await worker?.terminate();
      },
    },
  };
}

/**
 * Writes the build's archive pages, whole chats at a time, on this thread and on a worker thread
 * with its own read-only connection, so that rendering uses both cores. Both take the next chat
 * of one order (biggest first) from a shared counter until none is left, so they end together
 * however long this thread's other work (catalog, landing pages, feeds) took and however busy
 * the machine is. A worker cannot share this thread's database snapshot, so it checks that its
 * snapshot is the same; if an import landed in between, it takes no chat and this thread writes
 * every page. A custom `layout` (a function) cannot cross to a worker: then every page is written here.
 * `first`: what this thread writes before its share (the landing pages and feeds: templates/chat.ts);
 * if it fails, the worker stops as when an archive page fails.
 */
export async function writeArchive(session: BuildSession, output: string, first: () => Promise<void> = async () => {}): Promise<void> {
  const pages = session.catalog.render.pages;
  const worker = started.get(session);
  started.delete(session);
  const order = worker ? (worker.order ?? archiveOrder(pages)) : [];
  // No share for the worker (too few messages): it takes none either (the same catalog).
  if (!worker || order.length === 0) {
    await first();
    return writeArchivePages(session, output, pages);
  }
  const shared = new Set(order);
  // The worker's failure reaches this thread as a rejected promise only when it next yields, which
  // its page loops rarely do: it checks the shared cell before each page instead.
  session.haltWhen(() => (Atomics.load(worker.next, WORKER_FAILED) === 1 ? new Error('chatchannels: the archive worker failed') : null));
  try {
    await first();
    await writeArchivePages(session, output, pages.filter((p) => !shared.has(p.chatId)));
    await writeTakenChats(session, output, order, worker.next);
  } catch (err) {
    // This thread failed (a full disk, say), or stopped because the worker did: the worker takes
    // no further chat, and the failure goes on only once it has ended the one it is writing, so no
    // page of this build lands after it. The worker's own error, when it is the one that failed.
    Atomics.store(worker.next, 0, order.length);
    const failure: unknown = await worker.done.then(() => null, (e: unknown) => e);
    throw Atomics.load(worker.next, WORKER_FAILED) === 1 && failure ? failure : err;
  } finally {
    session.haltWhen(null);
  }
  let result: ArchiveWorkerMessage;
  try {
    result = await worker.done;
  } catch (err) {
    // A worker that took no chat (it could not open the database, say) wrote nothing: this thread took them all.
    if (Atomics.load(worker.next, 1) === 0) return;
    throw err;
  }
  session.countWritten(result.pagesWritten, result.filesWritten, result.files, result.pruned);
  session.adoptMedia(result.media);
}

/**
 * Takes the next chat of `order` (the shared counter `next[0]`) and writes its pages, until none is
 * left; the worker counts what it takes in `next[1]`.
 */
export async function writeTakenChats(session: BuildSession, output: string, order: readonly number[], next: Int32Array, counted = false): Promise<void> {
  const byChat = new Map<number, ArchivePage[]>();
  for (const page of session.catalog.render.pages) {
    let list = byChat.get(page.chatId);
    if (!list) byChat.set(page.chatId, (list = []));
    list.push(page);
  }
  for (let i = Atomics.add(next, 0, 1); i < order.length; i = Atomics.add(next, 0, 1)) {
    if (counted) Atomics.add(next, 1, 1);
    await writeArchivePages(session, output, byChat.get(order[i]) ?? []);
  }
}

/** The worker failed: no chat is left to take, and the main thread stops before its next page (writeArchive). */
export function failWorker(shared: Int32Array, chats: number): void {
  Atomics.store(shared, 0, chats);
  Atomics.store(shared, WORKER_FAILED, 1);
}

/**
 * The chats both threads share, in the order they take them: biggest first (the last ones taken
 * are small, so neither thread waits long for the other), none when a second thread is not worth
 * it (fewer than `minMessages` messages, or one chat).
 */
export function archiveOrder(pages: readonly ArchivePage[], minMessages = archiveThreading.minMessages): number[] {
  const counts = new Map<number, number>();
  let total = 0;
  for (const page of pages) {
    counts.set(page.chatId, (counts.get(page.chatId) ?? 0) + page.count);
    total += page.count;
  }
  if (total < minMessages || counts.size < 2) return [];
  return [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]).map(([chatId]) => chatId);
}

/** A promise and its settling functions (Promise.withResolvers, not in Node 20). */
function settleable<T>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (error: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => {
    resolve = yes;
    reject = no;
  });
  return { promise, resolve, reject };
}
