import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import { DataFiles, DocStoreWriter, type ShardSizes } from './shards.js';

/**
 * Where data files get compressed and written. Deflating, base64 and creating thousands of files
 * cost about as much as reading and indexing the messages, so by default they run in a worker
 * thread (the second core) while the index builder keeps reading: DocumentSink has the same
 * surface either way. Memory stays bounded: the builder waits (Atomics.wait) when more than
 * MAX_PENDING bytes are queued for the worker.
 */
export interface DocumentSink {
  /** The next document's display data (doc-store chunks are cut by count). */
  doc(anchor: string, author: string | null, time: number, text: string): void;
  /** A finished payload. */
  file(key: string, payload: Uint8Array): void;
  /** Flushes everything; resolves to the files and bytes written. */
  finish(): Promise<{ files: number; bytes: number }>;
}

const MAX_PENDING = 48 * 1024 * 1024;
const DOC_BATCH = 2048;

interface WriterSetup {
  dir: string;
  keyPrefix: string;
  sizes: ShardSizes;
  pending: SharedArrayBuffer;
}

type WriterMessage =
  | { type: 'docs'; anchors: string[]; authors: (string | null)[]; times: number[]; texts: string[]; bytes: number }
  | { type: 'file'; key: string; payload: Uint8Array }
  | { type: 'end' };

/** Same thread: simple, and what tests and tiny sites use. */
export class InlineSink implements DocumentSink {
  private readonly files: DataFiles;
  private readonly docs: DocStoreWriter;

  constructor(dir: string, sizes: ShardSizes, keyPrefix = '') {
    this.files = new DataFiles(dir, sizes.level, keyPrefix);
    this.docs = new DocStoreWriter(this.files, sizes);
  }

  doc(anchor: string, author: string | null, time: number, text: string): void {
    this.docs.add(anchor, author, time, text);
  }

  file(key: string, payload: Uint8Array): void {
    this.files.file(key, payload);
  }

  async finish(): Promise<{ files: number; bytes: number }> {
    this.docs.flush();
    return { files: this.files.files, bytes: this.files.bytes };
  }
}

/** A worker thread does the writing. */
export class WorkerSink implements DocumentSink {
  private readonly worker: Worker;
  private readonly pending: Int32Array;
  private readonly done: Promise<{ files: number; bytes: number }>;
  private anchors: string[] = [];
  private authors: (string | null)[] = [];
  private times: number[] = [];
  private texts: string[] = [];
  private batchBytes = 0;

  constructor(dir: string, sizes: ShardSizes, keyPrefix = '') {
    const pending = new SharedArrayBuffer(4);
    this.pending = new Int32Array(pending);
    const setup: WriterSetup = { dir, keyPrefix, sizes, pending };
    this.worker = new Worker(new URL(import.meta.url), { workerData: setup });
    this.done = new Promise((resolve, reject) => {
      let settled = false;
      this.worker.on('message', (m: { files: number; bytes: number }) => {
        settled = true;
        resolve(m);
      });
      this.worker.on('error', (e) => {
        settled = true;
        reject(e);
      });
      this.worker.on('exit', (code) => {
        if (!settled) reject(new Error(`chatchannels search: file writer exited with code ${code}`));
      });
    });
    this.done.catch(() => {});
  }

  private send(message: WriterMessage, bytes: number, transfer: ArrayBuffer[] = []): void {
    // Back-pressure: wait for the writer when too much is queued.
    while (Atomics.load(this.pending, 0) > MAX_PENDING) {
      Atomics.wait(this.pending, 0, Atomics.load(this.pending, 0), 50);
    }
    Atomics.add(this.pending, 0, bytes);
    this.worker.postMessage(message, transfer);
  }

  doc(anchor: string, author: string | null, time: number, text: string): void {
    this.anchors.push(anchor);
    this.authors.push(author);
    this.times.push(time);
    this.texts.push(text);
    this.batchBytes += text.length + anchor.length + 16;
    if (this.anchors.length === DOC_BATCH) this.flushDocs();
  }

  private flushDocs(): void {
    if (this.anchors.length === 0) return;
    const bytes = this.batchBytes;
    this.send({ type: 'docs', anchors: this.anchors, authors: this.authors, times: this.times, texts: this.texts, bytes }, bytes);
    this.anchors = [];
    this.authors = [];
    this.times = [];
    this.texts = [];
    this.batchBytes = 0;
  }

  file(key: string, payload: Uint8Array): void {
    this.flushDocs();
    // Copy into a buffer of its own so it can be transferred, not cloned.
    const own = payload.slice();
    this.send({ type: 'file', key, payload: own }, own.length, [own.buffer as ArrayBuffer]);
  }

  async finish(): Promise<{ files: number; bytes: number }> {
    this.flushDocs();
    this.worker.postMessage({ type: 'end' } satisfies WriterMessage);
    try {
      return await this.done;
    } finally {
      await this.worker.terminate();
    }
  }
}

/** `keyPrefix`: see DataFiles. */
export function createSink(dir: string, sizes: ShardSizes, threaded: boolean, keyPrefix = ''): DocumentSink {
  return threaded ? new WorkerSink(dir, sizes, keyPrefix) : new InlineSink(dir, sizes, keyPrefix);
}

// The worker side.
if (!isMainThread && parentPort && (workerData as WriterSetup | undefined)?.pending instanceof SharedArrayBuffer) {
  const setup = workerData as WriterSetup;
  const pending = new Int32Array(setup.pending);
  const sink = new InlineSink(setup.dir, setup.sizes, setup.keyPrefix);
  const port = parentPort;
  port.on('message', (m: WriterMessage) => {
    if (m.type === 'docs') {
      for (let i = 0; i < m.anchors.length; i++) sink.doc(m.anchors[i], m.authors[i], m.times[i], m.texts[i]);
      Atomics.sub(pending, 0, m.bytes);
    } else if (m.type === 'file') {
      sink.file(m.key, m.payload);
      Atomics.sub(pending, 0, m.payload.length);
    } else {
      void sink.finish().then((result) => port.postMessage(result));
      return;
    }
    Atomics.notify(pending, 0);
  });
}
