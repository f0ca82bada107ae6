import { InvertedIndex, type FinishedIndex } from './inverted-index.js';
import type { DocumentSink } from './file-writer.js';
import { createSearchPipeline } from './pipeline.js';
import { TimesWriter, writeTermShards, type ShardSizes, type TermShardResult, type Weighting } from './shards.js';
import { TextIndexers } from './text-indexer.js';
import type { SearchChat, SearchSource, SourcePlan } from './source.js';

/**
 * One index over the documents a plan selects, into data files: doc-store chunks and time files
 * as the documents stream by, then the term buckets and parts. A full build (build.ts) indexes
 * every message; a delta build (delta.ts) only the chat-days that changed since its base.
 */
export interface IndexWriteOptions {
  /** The chats of the plan, in chat index order (a chat's index is its position here). */
  chats: readonly SearchChat[];
  authorField: boolean;
  sizes: ShardSizes;
  /** Texts are cut into terms on this thread and, with 2, in a worker too. */
  threads: number;
  textBatch: number;
  /** The statistics postings are weighed with (default: the index's own). */
  weighting?: (index: FinishedIndex) => Weighting;
  log: (line: string) => void;
  started: number;
}

export interface WrittenIndex extends TermShardResult {
  docs: number;
  finished: FinishedIndex;
  weighting: Weighting | undefined;
}

export async function writeIndex(source: SearchSource, plan: SourcePlan, files: DocumentSink, options: IndexWriteOptions): Promise<WrittenIndex> {
  const { log, started } = options;
  const pipeline = createSearchPipeline();
  const index = new InvertedIndex(pipeline, { authorField: options.authorField });
  const times = new TimesWriter(files);
  const texts = new TextIndexers(pipeline, options.threads, (result, from) => index.appendTexts(result, from));
  let batch: string[] = [];
  let batchStart = 0;
  let count = 0;
  let slot = -1;
  try {
    for (const doc of source.documents(plan)) {
      if (doc.group.slot !== slot) {
        if (slot >= 0) times.flush(slot);
        slot = doc.group.slot;
      }
      index.beginDocument(doc.id, doc.author);
      batch.push(doc.text);
      if (batch.length === options.textBatch) {
        await texts.submit(batchStart, batch);
        batchStart += batch.length;
        batch = [];
      }
      files.doc(doc.anchor, doc.author, doc.time, doc.text);
      times.add(doc.time);
      count++;
      if (count % 100_000 === 0) log(`search: ${count} messages read (${Math.round(performance.now() - started)} ms)`);
    }
    if (slot >= 0) times.flush(slot);
    if (batch.length > 0) await texts.submit(batchStart, batch);
    await texts.finish();
  } catch (error) {
    await texts.abort();
    throw error;
  }
  log(`search: ${count} messages read; writing term shards (${Math.round(performance.now() - started)} ms)`);
  const finished = index.finish();
  const weighting = options.weighting?.(finished);
  const shards = writeTermShards(finished, files, options.sizes, weighting);
  return { ...shards, docs: count, finished, weighting };
}
