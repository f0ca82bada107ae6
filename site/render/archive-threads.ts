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

/**
 * Writes the build's archive pages, about half of them (whole chats, balanced by messages) in a
 * worker thread with its own read-only connection, so that rendering uses both cores. A worker
 * cannot share this thread's database snapshot, so it checks that its snapshot ends at the same
 * change-log point; if an import landed in between, this thread writes those pages too. A custom
 * `layout` (a function) cannot cross to a worker: then every page is written here.
 */
export async function writeArchive(session: BuildSession, output: string): Promise<void> {
  const pages = session.catalog.render.pages;
  const theirs = session.options.layout === null && availableParallelism() > 1 ? workerShare(pages) : new Set<number>();
  if (theirs.size === 0) {
    await writeArchivePages(session, output, pages);
    return;
  }
  // Before the worker can load sharp for thumbnails (data/thumbnails.ts says why); only when its
  // chats have attachments at all: sharp and eleventy-img cost ~15 MB and ~0.2 s to load.
  if (session.reader.anyAttachments(theirs)) await imageTools();
  const job: ArchiveJob = { options: session.options, output, chatIds: [...theirs], changeSeq: session.catalog.changeSeq };
  const worker = runWorker(job);
  worker.catch(() => {}); // awaited below; never an unhandled rejection meanwhile
  await writeArchivePages(session, output, pages.filter((p) => !theirs.has(p.chatId)));
  const result = await worker;
  if (result.stale) {
    await writeArchivePages(session, output, pages.filter((p) => theirs.has(p.chatId)));
    return;
  }
  session.countWritten(result.pagesWritten, result.filesWritten, result.files, result.pruned);
  session.lookupMedia(result.media);
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

function runWorker(job: ArchiveJob): Promise<ArchiveJobResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL('./archive-worker.js', import.meta.url), { workerData: job });
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
