import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { ArchivePage } from '../data/catalog.js';
import type { BuildSession } from '../data/session.js';
import { imageTools } from '../data/thumbnails.js';
import type { ResolvedOptions } from '../options.js';
import { writeArchivePages } from './archive-page.js';

/** What the archive worker (archive-worker.ts) is given and answers. */
export interface ArchiveJob {
  options: ResolvedOptions;
  output: string;
  chatIds: number[];
  /** The change-log point of the main thread's snapshot: the worker's must be the same. */
  changeSeq: number;
}

export type ArchiveJobResult =
  | { stale: true }
  | { stale: false; pagesWritten: number; filesWritten: number; files: string[]; pruned: string[]; media: string[] };

/**
 * Below `minMessages` a second thread costs more (its own catalog) than it saves. Mutable for
 * tests, which compare threaded and single-threaded output.
 */
export const archiveThreading = { minMessages: 20_000 };

/** A worker started for a build as soon as its catalog exists (startArchiveWorker). */
interface StartedWorker {
  theirs: Set<number>;
  result: Promise<ArchiveJobResult>;
}

const started = new WeakMap<BuildSession, StartedWorker>();

/**
 * Starts the archive worker of a build with its share of the pages, as soon as the build's
 * catalog exists: its start-up (modules, its own catalog) and its pages then overlap this
 * thread's other work — the index, landing pages and feeds Eleventy renders before and after the
 * archive template — instead of waiting for the archive template. writeArchive takes its result.
 * Closing the session stops a worker whose build failed before that.
 */
export function startArchiveWorker(session: BuildSession, output: string): void {
  const theirs = workerChats(session);
  if (theirs.size === 0) return;
  let worker: Worker | null = null;
  const result = (async () => {
    // Before the worker can load sharp for thumbnails (data/thumbnails.ts says why); only when its
    // chats have attachments at all: sharp and eleventy-img cost ~15 MB and ~0.2 s to load.
    if (session.reader.anyAttachments(theirs)) await imageTools();
    const job: ArchiveJob = { options: session.options, output, chatIds: [...theirs], changeSeq: session.catalog.changeSeq };
    worker = new Worker(new URL('./archive-worker.js', import.meta.url), { workerData: job });
    return workerResult(worker);
  })();
  result.catch(() => {}); // awaited by writeArchive; never an unhandled rejection meanwhile
  session.onClose(() => void worker?.terminate());
  started.set(session, { theirs, result });
}

/**
 * Writes the build's archive pages, about half of them (whole chats, balanced by messages) in a
 * worker thread with its own read-only connection, so that rendering uses both cores. A worker
 * cannot share this thread's database snapshot, so it checks that its snapshot ends at the same
 * change-log point; if an import landed in between, this thread writes those pages too. A custom
 * `layout` (a function) cannot cross to a worker: then every page is written here.
 */
export async function writeArchive(session: BuildSession, output: string): Promise<void> {
  const pages = session.catalog.render.pages;
  if (!started.has(session)) startArchiveWorker(session, output);
  const worker = started.get(session);
  started.delete(session);
  if (!worker) {
    await writeArchivePages(session, output, pages);
    return;
  }
  const { theirs } = worker;
  await writeArchivePages(session, output, pages.filter((p) => !theirs.has(p.chatId)));
  const result = await worker.result;
  if (result.stale) {
    await writeArchivePages(session, output, pages.filter((p) => theirs.has(p.chatId)));
    return;
  }
  session.countWritten(result.pagesWritten, result.filesWritten, result.files, result.pruned);
  session.lookupMedia(result.media);
}

/** The worker's chats: none below `minMessages`, with a custom layout, on one core, or when nothing is written (JSON output). */
function workerChats(session: BuildSession): Set<number> {
  if (!session.writing || session.options.layout !== null || availableParallelism() < 2) return new Set();
  return workerShare(session.catalog.render.pages);
}

/** Chats for the worker: greedy halves by message count, biggest chats first. */
function workerShare(pages: readonly ArchivePage[]): Set<number> {
  const counts = new Map<number, number>();
  let total = 0;
  for (const page of pages) {
    counts.set(page.chatId, (counts.get(page.chatId) ?? 0) + page.count);
    total += page.count;
  }
  const theirs = new Set<number>();
  if (total < archiveThreading.minMessages || counts.size < 2) return theirs;
  let mine = 0;
  let worker = 0;
  const order = [...counts].sort((a, b) => b[1] - a[1] || a[0] - b[0]);
  for (const [chatId, count] of order) {
    // This thread also renders Eleventy's own pages (index, landing pages, feeds): a head start.
    if (worker < mine + total * 0.05) {
      theirs.add(chatId);
      worker += count;
    } else {
      mine += count;
    }
  }
  return theirs;
}

function workerResult(worker: Worker): Promise<ArchiveJobResult> {
  return new Promise((resolve, reject) => {
    let settled = false;
    worker.once('message', (result: ArchiveJobResult) => {
      settled = true;
      resolve(result);
    });
    worker.once('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.once('exit', (code) => {
      if (!settled) reject(new Error(`chatchannels: archive worker exited with code ${code}`));
    });
  });
}
