import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ArchivePage } from '../data/catalog.js';
import type { ArchiveReader } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import type { SnapshotMark } from '../data/snapshot.js';
import { imageTools } from '../data/thumbnails.js';
import type { ResolvedOptions } from '../options.js';
import { writeArchivePages } from './archive-page.js';

/** What the archive worker (archive-worker.ts) is given. */
export interface ArchiveJob {
  options: ResolvedOptions;
  output: string;
  /** The chats to write; null: the worker takes its share of a full build itself (workerShare). */
  chatIds: number[] | null;
  /** The main thread's snapshot: the worker writes nothing from another one. */
  mark: SnapshotMark;
  /** The main thread's archiveThreading.minMessages (a worker has its own copy of the module). */
  minMessages: number;
}

/**
 * What the worker answers: first the chats it writes (none when its snapshot is not the main
 * thread's, or its share is empty), then, when it writes any, what it wrote.
 */
export type ArchiveWorkerMessage =
  | { kind: 'share'; chatIds: number[] }
  | { kind: 'done'; pagesWritten: number; filesWritten: number; files: string[]; pruned: string[]; media: string[] };
type Done = Extract<ArchiveWorkerMessage, { kind: 'done' }>;

/**
 * Below `minMessages` a second thread costs more (its own catalog) than it saves. Mutable for
 * tests, which compare threaded and single-threaded output.
 */
export const archiveThreading = { minMessages: 20_000 };

/** A build's archive worker: the chats it writes (known once its catalog is built), then its result. */
interface ArchiveWorker {
  share: Promise<Set<number>>;
  done: Promise<Done>;
  stop(): void;
}

const started = new WeakMap<BuildSession, ArchiveWorker>();

/**
 * Opens a build's session (`open`, given the build's read snapshot) with its archive worker
 * started as early as it can be, so that the worker's start-up and pages overlap this thread's
 * other work — its catalog, and the index, landing pages and feeds Eleventy renders before the
 * archive template (registered last: plugin.ts) — instead of waiting for the archive template. A full build's worker
 * starts before this thread's catalog and takes its share from its own (the same snapshot gives
 * the same catalog); an incremental build's is given its chats once this thread's catalog exists
 * (its catalog reuses the previous build's, which the worker does not have). `output`: null when
 * the build writes nothing. writeArchive takes the worker's result; closing the session stops a
 * worker whose build failed before that.
 */
export function openWithArchiveWorker(reader: ArchiveReader, options: ResolvedOptions, output: string | null, open: () => BuildSession): BuildSession {
  const threads = output !== null && options.layout === null && availableParallelism() > 1;
  // The largest message id bounds the count: a worker whose share proves empty only stops early.
  const early = threads && options.since === null && reader.snapshot.mark[1] >= archiveThreading.minMessages;
  const worker = early ? spawn(reader, options, output, null, reader.chats().map((c) => c.id)) : null;
  let session: BuildSession;
  try {
    session = open();
  } catch (err) {
    worker?.stop();
    throw err;
  }
  const mine = worker ?? (threads && !early ? startFor(session, output) : null);
  if (mine) {
    session.onClose(mine.stop);
    started.set(session, mine);
  }
  return session;
}

/** A worker for a session whose catalog exists: its share decided here. */
function startFor(session: BuildSession, output: string): ArchiveWorker | null {
  const theirs = workerShare(session.catalog.render.pages);
  return theirs.size ? spawn(session.reader, session.options, output, [...theirs], [...theirs]) : null;
}

function spawn(reader: ArchiveReader, options: ResolvedOptions, output: string, chatIds: number[] | null, mayWrite: number[]): ArchiveWorker {
  let worker: Worker | null = null;
  let stopped = false;
  const share = settleable<Set<number>>();
  const done = settleable<Done>();
  const job: ArchiveJob = { options, output, chatIds, mark: reader.snapshot.mark, minMessages: archiveThreading.minMessages };
  const run = (): void => {
    if (stopped) throw new Error('chatchannels: archive worker stopped');
    const thread = (worker = new Worker(new URL('./archive-worker.js', import.meta.url), { workerData: job }));
    let shared = false;
    thread.on('message', (message: ArchiveWorkerMessage) => {
      if (message.kind === 'share') {
        shared = true;
        share.resolve(new Set(message.chatIds));
      } else done.resolve(message);
    });
    thread.once('error', (error) => {
      share.reject(error);
      done.reject(error);
    });
    thread.once('exit', (code) => {
      const error = new Error(`chatchannels: archive worker exited with code ${code}`);
      if (!shared) share.reject(error);
      done.reject(error); // no effect once it answered
    });
  };
  const failed = (error: unknown): void => {
    share.reject(error);
    done.reject(error);
  };
  // Before the worker can load sharp for thumbnails (data/thumbnails.ts says why); only when its
  // chats have attachments at all: sharp and eleventy-img cost ~15 MB and ~0.2 s to load.
  // Otherwise at once: this thread goes on to build its catalog without yielding.
  if (reader.anyAttachments(mayWrite)) imageTools().then(run).catch(failed);
  else run();
  // Awaited by writeArchive; never an unhandled rejection meanwhile.
  share.promise.catch(() => {});
  done.promise.catch(() => {});
  return {
    share: share.promise,
    done: done.promise,
    stop: () => {
      stopped = true;
      void worker?.terminate();
    },
  };
}

/**
 * Writes the build's archive pages, about half of them (whole chats, balanced by messages) in a
 * worker thread with its own read-only connection, so that rendering uses both cores. A worker
 * cannot share this thread's database snapshot, so it checks that its snapshot is the same; if an
 * import landed in between, it writes nothing and this thread writes every page. A custom
 * `layout` (a function) cannot cross to a worker: then every page is written here.
 */
export async function writeArchive(session: BuildSession, output: string): Promise<void> {
  const pages = session.catalog.render.pages;
  const worker = started.get(session);
  started.delete(session);
  const theirs = worker ? await worker.share : new Set<number>();
  await writeArchivePages(session, output, theirs.size ? pages.filter((p) => !theirs.has(p.chatId)) : pages);
  if (!worker || theirs.size === 0) return;
  const result = await worker.done;
  session.countWritten(result.pagesWritten, result.filesWritten, result.files, result.pruned);
  session.lookupMedia(result.media);
}

/** Chats for the worker: about 60% of the messages, biggest chats first. */
export function workerShare(pages: readonly ArchivePage[], minMessages = archiveThreading.minMessages): Set<number> {
  const counts = new Map<number, number>();
  let total = 0;
  for (const page of pages) {
    counts.set(page.chatId, (counts.get(page.chatId) ?? 0) + page.count);
    total += page.count;
  }
  const theirs = new Set<number>();
  if (total < minMessages || counts.size < 2) return theirs;
  let mine = 0;
  let worker = 0;
  const order = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [chatId, count] of order) {
    // This thread also builds its catalog and renders Eleventy's own pages (index, landing pages,
    // feeds) while the worker writes: a head start (at 100k messages both threads then end together).
    if (worker < mine + total * 0.2) {
      theirs.add(chatId);
      worker += count;
    } else {
      mine += count;
    }
  }
  return theirs;
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
