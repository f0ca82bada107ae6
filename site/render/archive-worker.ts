import { parentPort, workerData } from 'node:worker_threads';
import { BuildSession } from '../data/session.js';
import { writeArchivePages } from './archive-page.js';
import type { ArchiveJob, ArchiveJobResult } from './archive-threads.js';

/** Worker thread entry: writes the archive pages of the chats it is given (archive-threads.ts). */
const job = workerData as ArchiveJob;
const session = new BuildSession(job.options);
let result: ArchiveJobResult;
try {
  if (session.catalog.changeSeq !== job.changeSeq) {
    result = { stale: true };
  } else {
    const wanted = new Set(job.chatIds);
    await writeArchivePages(session, job.output, session.catalog.render.pages.filter((p) => wanted.has(p.chatId)));
    result = { stale: false, pagesWritten: session.pagesWritten, filesWritten: session.filesWritten, files: [...session.written], pruned: [...session.pruned], media: [...session.media.keys()] };
  }
} finally {
  session.close();
}
parentPort?.postMessage(result);
