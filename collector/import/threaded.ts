import { stat, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { availableParallelism, loadavg } from 'node:os';
import { Worker } from 'node:worker_threads';
import { SourceError, type ReadOptions, type SourceEvent } from '../sources/types.js';
import { unpackEvents, type PackedEvents } from './event-columns.js';

/**
 * Runs a source adapter on a worker thread: the file is read and parsed there while this thread
 * writes the events it already has into SQLite, the two halves of an import on the machine's two
 * cores. Events cross in batches (a structured clone per batch, not per event; bounded in events
 * and in media bytes; messages as columns of fields, event-columns.ts), and the worker stops
 * reading while BATCHES_AHEAD batches wait here, so memory stays bounded whatever the file's size. Errors cross as data and are rethrown here as what they were (a SourceError keeps
 * its file and position, so the CLI still names them and exits 1).
 */
export interface ThreadedRead {
  format: string;
  file: string;
  /** ReadOptions without its function: `wantChat` is rebuilt in the worker from `wanted`. */
  options: Omit<ReadOptions, 'wantChat'>;
  /** Chats to read (native ids or slugs, chatFilter's list); null: all. */
  wanted: string[] | null;
  /** Render each wanted message's body too (render-body.ts): when its messages are likely new. */
  renderAhead: boolean;
  /** threadTuning.prepareWhenAhead when the read began. */
  prepareWhenAhead: number;
  /** Shared with the worker: [batches posted and not yet consumed]. */
  ahead: SharedArrayBuffer;
}

export type WorkerReport =
  | { type: 'events'; batch: PackedEvents }
  | { type: 'done' }
  | { type: 'error'; error: { name: string; message: string; file?: string; position?: string | null; stack?: string } };

/** Events per batch: large enough that cloning is per batch, small enough to start writing at once. */
export const EVENTS_PER_BATCH = 1000;
/** Batches the worker may run ahead of the writer. */
export const BATCHES_AHEAD = 4;
/**
 * Media bytes at which a batch is sent before it has EVENTS_PER_BATCH events: attachments can be
 * up to --max-media-size each, so counting events alone would not bound what is in flight.
 */
export const BATCH_MEDIA_BYTES = 16 << 20;

/**
 * The events the worker collects for its next post. In flight at once: BATCHES_AHEAD batches and
 * the one being filled, each at most EVENTS_PER_BATCH events and BATCH_MEDIA_BYTES of media (plus
 * the one file that crossed it).
 */
export class EventBatch {
  private events: SourceEvent[] = [];
  private bytes = 0;

  /** Adds an event; true when the batch is full and should be sent. */
  add(event: SourceEvent): boolean {
    this.events.push(event);
    if (event.type === 'media') this.bytes += event.media.bytes.byteLength;
    return this.events.length >= EVENTS_PER_BATCH || this.bytes >= BATCH_MEDIA_BYTES;
  }

  /** The events collected so far; the batch starts again empty. */
  take(): SourceEvent[] {
    const events = this.events;
    this.events = [];
    this.bytes = 0;
    return events;
  }
}

/**
 * The reading thread's young generation (V8's new space), in MB: V8's default on 64-bit (three
 * 16 MB semi-spaces), set here so that it stays so. It was 96 while the Skype reader parsed 4096
 * messages per block and kept them until the block was handed on: a scavenge then copied most of a
 * block, and a larger nursery meant fewer of them. Now a message is garbage once handed on
 * (kit/batches.ts) and little survives a scavenge, so more of them cost little and the nursery's
 * memory is saved. Measured at 1M Skype messages, 3 alternating pairs under a load of 15-23
 * (CPU-seconds of the process, mean; of the reading thread): 96 MB 23.3 (11.0-15.2), peak RSS
 * 354-374 MB; 48 MB 22.2 (10.5-13.1), peak RSS 329-335 MB (docs/scale.md's bound: 400).
 */
export const READER_YOUNG_GENERATION_MB = 48;

/**
 * Which thread computes a message's identity and body. Both are pure functions of the record
 * (store/prepare.ts, render-body.ts), which the writer computes itself for a message that arrives
 * without them, so either thread may: the reading thread does for each message while at least
 * `prepareWhenAhead` batches wait for the writer (0: for every message), and leaves it to the
 * writer otherwise. The two threads then share the work as each has time for it: with every
 * message prepared ahead (session 11) the reading thread was the critical path of a first import
 * (1M Skype messages, 2 cores: ~20 CPU-s on it against ~13 on the writer's, idle 41% of the run).
 * Measured at 1M on 2 cores under a load of 2-3, alternating: 12.5-13.3 s wall -> 11.4-11.9 (the
 * floor 5.5-5.8), CPU alike (18.8-20.0 s either way). The queue is a coarse signal: a Skype export
 * is read a conversation at a time (scanned with no output, then its messages sent), so the writer
 * idles and then has several batches waiting; at 1 still ~76% of messages were prepared ahead
 * (never: the writer's thread takes ~5.4 CPU-s more, and the import is slower, 14.2 s). Values 2-4
 * measured alike within the noise. Tests set it to 0 (always) or above BATCHES_AHEAD (never).
 */
export const threadTuning = { prepareWhenAhead: 1 };

/** Inputs at least this large are read on a worker thread; smaller ones are not worth starting one. */
export const THREADED_MIN_BYTES = 8 * 1024 * 1024;

/**
 * The same without a spare core (spareCore). On 2 cores under a load of 10, one thread was clearly
 * cheaper at 40 MB (100k messages: 3.4–3.7 CPU-seconds against 4.6–5.6 on two, 6–9 s wall against
 * 9–11), while at 400 MB (1M) the two measured alike within the noise (one: 24–31 CPU-s, 48–73 s;
 * two: 29–31 CPU-s, 56–57 s): large inputs keep the thread, which also gains as soon as a core
 * frees up. The crossover was not measured; this lies between.
 */
export const BUSY_THREADED_MIN_BYTES = 128 * 1024 * 1024;

/**
 * Whether a second thread would find a core: more than one, and a load average (processes wanting
 * a core over the last minute) below the cores less half a core. On two cores that allows one
 * other busy process (our two threads still get more CPU than one would), or the trace of one that
 * just ended (a benchmark's previous step). On a busier machine the two halves take turns on the
 * same cores, and handing batches over and copying them between threads costs more than it
 * saves: measured at 100k messages on 2 cores under a load of 11, 3.4–4.0 CPU-seconds on one
 * thread against 4.9–6.0 on two, and longer wall times.
 */
export function spareCore(cores = availableParallelism(), load = loadavg()[0]): boolean {
  return cores > 1 && load < cores - 0.5;
}

/** Whether `path` (a file, or a folder counted until it reaches `minBytes`) is worth a worker. */
export async function worthAThread(path: string, minBytes = THREADED_MIN_BYTES): Promise<boolean> {
  let total = 0;
  let entries = 0;
  const visit = async (p: string): Promise<boolean> => {
    const info = await stat(p);
    if (info.isFile()) return (total += info.size) >= minBytes;
    if (!info.isDirectory()) return false;
    for (const name of await readdir(p)) {
      if (++entries > 10_000) return false;
      if (await visit(join(p, name))) return true;
    }
    return false;
  };
  try {
    return await visit(path);
  } catch {
    return false; // the adapter reports unreadable paths with its own words
  }
}

/** `file`'s events read on a worker thread, in the batches they crossed in (import/index.ts writes a batch in one turn). */
export async function* batchesOnThread(
  format: string, file: string, options: ReadOptions, wanted: string[] | null, renderAhead: boolean,
): AsyncGenerator<SourceEvent[]> {
  const { wantChat: _omitted, ...plain } = options;
  const ahead = new SharedArrayBuffer(4);
  const counter = new Int32Array(ahead);
  const job: ThreadedRead = { format, file, options: plain, wanted, renderAhead, ahead, prepareWhenAhead: threadTuning.prepareWhenAhead };
  const worker = new Worker(new URL('./thread-worker.js', import.meta.url), {
    workerData: job,
    resourceLimits: { maxYoungGenerationSizeMb: READER_YOUNG_GENERATION_MB },
  });

  const queue: WorkerReport[] = [];
  let wake: (() => void) | null = null;
  let failure: Error | null = null;
  /** The worker sent its last report (done or error). */
  let finished = false;
  worker.on('message', (report: WorkerReport) => {
    if (report.type !== 'events') finished = true;
    queue.push(report);
    wake?.();
  });
  worker.on('error', (error) => {
    failure = error;
    wake?.();
  });
  worker.on('exit', (code) => {
    if (!finished && !failure) failure = new Error(`${file}: the reading thread stopped (exit code ${code})`);
    wake?.();
  });

  try {
    for (;;) {
      while (!queue.length) {
        if (failure) throw failure;
        await new Promise<void>((resolve) => (wake = resolve));
        wake = null;
      }
      // One turn of the event loop per batch. Node delivers up to 1000 port messages in one go,
      // and this loop, woken from each, would write them all (a million events, most of a
      // minute) before the loop turns again: meanwhile no timer, signal or progress update runs,
      // nor the tasks V8 posts to advance and finish a garbage collection.
      await new Promise<void>((resolve) => setImmediate(resolve));
      const report = queue.shift()!;
      if (report.type === 'done') return;
      if (report.type === 'error') throw revive(report.error);
      Atomics.sub(counter, 0, 1);
      Atomics.notify(counter, 0);
      const events = unpackEvents(report.batch);
      for (const event of events) if (event.type === 'media') event.media.bytes = asBuffer(event.media.bytes);
      yield events;
    }
  } finally {
    // Done, failed, or the consumer stopped early (its return): the thread goes either way.
    await worker.terminate();
  }
}

/** A Buffer arrives as a plain Uint8Array after the structured clone. */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

function revive(error: Extract<WorkerReport, { type: 'error' }>['error']): Error {
  const revived =
    error.name === 'SourceError' && error.file !== undefined
      ? new SourceError(error.file, error.position ?? null, sourceMessage(error.message, error.file, error.position ?? null))
      : Object.assign(new Error(error.message), { name: error.name });
  if (error.stack) revived.stack = error.stack;
  return revived;
}

/** SourceError's message is `file: position: message`; its constructor adds the prefix again. */
function sourceMessage(full: string, file: string, position: string | null): string {
  const prefix = position ? `${file}: ${position}: ` : `${file}: `;
  return full.startsWith(prefix) ? full.slice(prefix.length) : full;
}
