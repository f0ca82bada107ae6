import { parentPort, workerData } from 'node:worker_threads';
import { ReadSnapshot } from '../data/snapshot.js';
import { runSearchJob, type SearchJob, type WorkerPlan } from './register.js';
import { workerAgreement } from './snapshot-gate.js';

/**
 * Worker thread entry: builds the search index, or its delta (registerSearch runs this during
 * page rendering). With a gate, it first takes a snapshot the main thread agrees is the pages'
 * (snapshot-gate.ts), and indexes that snapshot by the plan the main thread made from it.
 */
const job = workerData as SearchJob;
let snapshot: ReadSnapshot | undefined;
let run = job;
if (job.gate) {
  snapshot = new ReadSnapshot(job.options.db, { excludeAuthors: job.options.excludeAuthors, cacheKiB: 32768 });
  const agree = workerAgreement<WorkerPlan>(job.gate);
  for (let answer = agree(snapshot.mark); ; answer = agree(snapshot.renew())) {
    if (!answer.agreed) continue;
    const plan = answer.plan;
    run = { delta: plan?.delta ?? job.delta, options: { ...job.options, ...(plan ? { chatIds: plan.chatIds, version: plan.version } : {}), snapshot } };
    break;
  }
}
try {
  parentPort?.postMessage(await runSearchJob(run));
} finally {
  snapshot?.close();
}
