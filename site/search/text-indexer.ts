import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { createSearchPipeline, type SearchPipeline } from './pipeline.js';

/**
 * Cutting message texts into terms is most of an index build's work, and it parallelizes: a batch
 * of consecutive documents becomes (term, doc, tf) triples and field lengths independently of
 * every other batch. A BatchIndexer does that with a dictionary of its own (local term ids, new
 * terms reported with each batch); TextIndexers runs one on this thread and one in a worker,
 * alternating batches, and hands the results back strictly in document order, so the postings of
 * every term stay sorted by document without any sort.
 */
export interface BatchResult {
  docStart: number;
  /** Text field length of each document of the batch. */
  lengths: Uint32Array;
  /** Triples, local term ids. */
  terms: Uint32Array;
  docs: Uint32Array;
  tfs: Uint32Array;
  /** Terms first seen in this batch; their local ids follow on from firstNewTerm. */
  newTerms: string[];
  firstNewTerm: number;
}

export class BatchIndexer {
  private readonly words = new Map<string, number>();
  private readonly termIds = new Map<string, number>();
  private termCount = 0;
  private lastDoc = new Int32Array(1 << 16).fill(-1);
  private tf = new Uint32Array(1 << 16);

  constructor(private readonly pipeline: SearchPipeline) {}

  index(docStart: number, texts: readonly string[]): BatchResult {
    const firstNewTerm = this.termCount;
    const newTerms: string[] = [];
    const lengths = new Uint32Array(texts.length);
    let capacity = 1024;
    let terms: Uint32Array<ArrayBuffer> = new Uint32Array(capacity);
    let docs = new Uint32Array(capacity);
    let tfs = new Uint32Array(capacity);
    let n = 0;
    const distinct: number[] = [];
    for (let i = 0; i < texts.length; i++) {
      const doc = docStart + i;
      const words = this.pipeline.tokenize(texts[i]);
      distinct.length = 0;
      let length = 0;
      for (let w = 0; w < words.length; w++) {
        const word = words[w];
        let id = this.words.get(word);
        if (id === undefined) {
          const term = this.pipeline.term(word);
          if (term === '') {
            id = -1;
          } else {
            id = this.termIds.get(term);
            if (id === undefined) {
              id = this.termCount++;
              this.termIds.set(term, id);
              newTerms.push(term);
              if (id >= this.lastDoc.length) this.grow();
            }
          }
          // Bounded: a corpus of random strings must not grow this without limit.
          if (this.words.size >= 2_000_000) this.words.clear();
          this.words.set(word, id);
        }
        if (id < 0) continue;
        length++;
        if (this.lastDoc[id] !== doc) {
          this.lastDoc[id] = doc;
          this.tf[id] = 1;
          distinct.push(id);
        } else {
          this.tf[id]++;
        }
      }
      lengths[i] = length;
      if (n + distinct.length > capacity) {
        while (n + distinct.length > capacity) capacity *= 2;
        terms = grown(terms, capacity);
        docs = grown(docs, capacity);
        tfs = grown(tfs, capacity);
      }
      for (let k = 0; k < distinct.length; k++) {
        terms[n] = distinct[k];
        docs[n] = doc;
        tfs[n] = this.tf[distinct[k]];
        n++;
      }
    }
    return { docStart, lengths, terms: terms.slice(0, n), docs: docs.slice(0, n), tfs: tfs.slice(0, n), newTerms, firstNewTerm };
  }

  private grow(): void {
    const lastDoc = new Int32Array(this.lastDoc.length * 2).fill(-1);
    lastDoc.set(this.lastDoc);
    this.lastDoc = lastDoc;
    const tf = new Uint32Array(this.tf.length * 2);
    tf.set(this.tf);
    this.tf = tf;
  }
}

function grown(a: Uint32Array, size: number): Uint32Array<ArrayBuffer> {
  const b = new Uint32Array(size);
  b.set(a);
  return b;
}

/** Receives batch results in document order, with the indexer they came from (for its term ids). */
export type BatchSink = (result: BatchResult, source: number) => void;

const WORKER_MARK = 'chatchannels-text-indexer';

/**
 * Runs batches on this thread and, with `threads` > 1, in a worker too (every other batch).
 * Results reach `sink` in submission order; at most a few batches are in flight.
 */
export class TextIndexers {
  private readonly local: BatchIndexer;
  private readonly worker: Worker | null;
  private readonly queue: { source: number; result: Promise<BatchResult> | BatchResult }[] = [];
  private readonly waiting = new Map<number, (r: BatchResult) => void>();
  private batches = 0;
  private failure: Error | null = null;

  constructor(
    pipeline: SearchPipeline,
    threads: number,
    private readonly sink: BatchSink,
  ) {
    this.local = new BatchIndexer(pipeline);
    this.worker = threads > 1 ? new Worker(new URL(import.meta.url), { workerData: { mark: WORKER_MARK } }) : null;
    this.worker?.on('message', (m: { id: number; result: BatchResult }) => {
      this.waiting.get(m.id)?.(m.result);
      this.waiting.delete(m.id);
    });
    this.worker?.on('error', (e) => {
      this.failure = e;
      for (const resolve of this.waiting.values()) resolve(null as unknown as BatchResult);
    });
  }

  /** Indexes texts of documents docStart, docStart + 1, … (call with consecutive ranges). */
  async submit(docStart: number, texts: string[]): Promise<void> {
    const id = this.batches++;
    if (this.worker && id % 2 === 1) {
      const result = new Promise<BatchResult>((resolve) => this.waiting.set(id, resolve));
      this.worker.postMessage({ id, docStart, texts });
      this.queue.push({ source: 1, result });
    } else {
      this.queue.push({ source: 0, result: this.local.index(docStart, texts) });
    }
    // Keep at most two batches waiting: bounded memory, and the worker always has one to do.
    while (this.queue.length > 2) await this.deliver();
  }

  private async deliver(): Promise<void> {
    const head = this.queue.shift()!;
    const result = await head.result;
    if (this.failure) throw this.failure;
    this.sink(result, head.source);
  }

  /** Stops the worker without delivering what is still queued (after a failure). */
  async abort(): Promise<void> {
    this.queue.length = 0;
    await this.worker?.terminate();
  }

  async finish(): Promise<void> {
    try {
      while (this.queue.length > 0) await this.deliver();
    } finally {
      await this.worker?.terminate();
    }
  }
}

// The worker side.
if (!isMainThread && parentPort && (workerData as { mark?: string } | undefined)?.mark === WORKER_MARK) {
  const indexer = new BatchIndexer(createSearchPipeline());
  const port = parentPort;
  port.on('message', (m: { id: number; docStart: number; texts: string[] }) => {
    const result = indexer.index(m.docStart, m.texts);
    port.postMessage({ id: m.id, result }, [result.lengths.buffer, result.terms.buffer, result.docs.buffer, result.tfs.buffer] as ArrayBuffer[]);
  });
}
