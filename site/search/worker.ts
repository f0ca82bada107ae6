import { parentPort, workerData } from 'node:worker_threads';
import { runSearchJob, type SearchJob } from './register.js';
import { workerAgreement } from './snapshot-gate.js';

/** Worker thread entry: builds the search index, or its delta (registerSearch runs this during page rendering). */
const job = workerData as SearchJob;
const agree = job.gate ? workerAgreement(job.gate) : undefined;
parentPort?.postMessage(await runSearchJob({ ...job, options: { ...job.options, agree } }));
