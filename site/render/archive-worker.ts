import { parentPort, workerData } from 'node:worker_threads';
import { BuildSession } from '../data/session.js';
import { sameSnapshot } from '../data/snapshot.js';
import { writeArchivePages } from './archive-page.js';
import { workerShare, type ArchiveJob, type ArchiveWorkerMessage } from './archive-threads.js';

/**
 * Worker thread entry: writes the archive pages of the chats it is given, or of its share of a
 * full build (archive-threads.ts), and nothing from another snapshot than the main thread's.
 */
const job = workerData as ArchiveJob;
const post = (message: ArchiveWorkerMessage): void => parentPort?.postMessage(message);
const session = new BuildSession(job.options, null, null, true);
try {
  const chatIds = !sameSnapshot(session.reader.snapshot.mark, job.mark) ? [] : (job.chatIds ?? [...workerShare(session.catalog.render.pages, job.minMessages)]);
  post({ kind: 'share', chatIds });
  if (chatIds.length) {
    const wanted = new Set(chatIds);
    await writeArchivePages(session, job.output, session.catalog.render.pages.filter((p) => wanted.has(p.chatId)));
    post({ kind: 'done', pagesWritten: session.pagesWritten, filesWritten: session.filesWritten, files: [...session.written], pruned: [...session.pruned], media: [...session.media.keys()] });
  }
} finally {
  session.close();
}
