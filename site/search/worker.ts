import { parentPort, workerData } from 'node:worker_threads';
import { buildSearchIndex, type SearchIndexOptions } from './build.js';

/** Worker thread entry: builds the search index (registerSearch runs this during page rendering). */
parentPort?.postMessage(await buildSearchIndex(workerData as SearchIndexOptions));
