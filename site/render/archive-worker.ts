import { once } from 'node:events';
import { parentPort, workerData } from 'node:worker_threads';
import { BuildSession } from '../data/session.js';
import { sameSnapshot } from '../data/snapshot.js';
import { archiveOrder, failWorker, writeTakenChats, type ArchiveGo, type ArchiveJob, type ArchiveWorkerMessage } from './archive-threads.js';

/**
 * Worker thread entry: writes the archive pages of the chats it takes (archive-threads.ts: from
 * those it is given, or every chat of a full build), and nothing from another snapshot than the
 * main thread's.
 */
const job = workerData as ArchiveJob;
const post = (message: ArchiveWorkerMessage): void => parentPort?.postMessage(message);
const session = new BuildSession(job.options, null, null, true);
try {
  // Started before the build's snapshot existed (prestartArchiveWorker): told it once it does.
  const mark = job.mark ?? ((await once(parentPort!, 'message')) as [ArchiveGo])[0].mark;
  if (sameSnapshot(session.reader.snapshot.mark, mark)) {
    const order = job.chatIds ?? archiveOrder(session.catalog.render.pages, job.minMessages);
    const shared = new Int32Array(job.next);
    try {
      await writeTakenChats(session, job.output, order, shared, true);
    } catch (err) {
      // Tells the main thread at once (failWorker): it takes no further chat and stops writing.
      failWorker(shared, order.length);
      throw err;
    }
  }
  post({ kind: 'done', pagesWritten: session.pagesWritten, filesWritten: session.filesWritten, files: [...session.written], pruned: [...session.pruned], media: [...session.media.values()] });
} finally {
  session.close();
}
