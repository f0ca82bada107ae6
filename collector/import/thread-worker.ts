import { parentPort, workerData } from 'node:worker_threads';
import { wantedChats } from './chat-filter.js';
import { prepareIdentity } from '../store/prepare.js';
import { prepareBody } from './render-body.js';
import type { IncomingMessage } from '../store/writer.js';
import { loadAdapter } from '../sources/modules.js';
import { BATCHES_AHEAD, EventBatch, type ThreadedRead, type WorkerReport } from './threaded.js';
import { SourceError, type SourceEvent } from '../sources/types.js';
import { packEvents } from './event-columns.js';

/**
 * Worker thread entry of threaded.ts: reads one source, computes wanted messages' identity ahead
 * of the writer (store/prepare.ts) and, into a database that held no messages, their rendered
 * body (render-body.ts, the writer's own render call), and posts the events in batches. Ahead only
 * while the writer has batches waiting (threadTuning.prepareWhenAhead): the writer computes what
 * a message arrives without, so the two halves share that work and overlap on two cores. Into a
 * database that already holds messages most are met again unchanged and never rendered, so the
 * writer renders what it stores.
 */
const job = workerData as ThreadedRead;
const ahead = new Int32Array(job.ahead);
const post = (report: WorkerReport): void => parentPort!.postMessage(report);

function send(events: SourceEvent[]): void {
  const batch = packEvents(events); // before waiting: packing overlaps the writer's work
  // Block while the writer has enough batches in hand (bounded memory for any file size). A
  // blocking wait, not waitAsync: a pending waitAsync does not keep a thread alive, so the worker
  // would exit as idle; nothing else needs this thread meanwhile.
  for (let n = Atomics.load(ahead, 0); n >= BATCHES_AHEAD; n = Atomics.load(ahead, 0)) Atomics.wait(ahead, 0, n);
  Atomics.add(ahead, 0, 1);
  post({ type: 'events', batch });
}

try {
  // Only this format's adapter: the thread's start-up is time the writer spends waiting.
  const adapter = await loadAdapter(job.format);
  if (!adapter) throw new Error(`unknown format "${job.format}"`);
  const wantChat = wantedChats(job.wanted);
  let chat: string | null = null;
  let wanted = false;
  const batch = new EventBatch();
  for await (const event of adapter.read(job.file, { ...job.options, wantChat })) {
    if (event.type === 'chat') {
      chat = event.chat.nativeId;
      wanted = wantChat(chat);
    } else if (event.type === 'message' && wanted && chat !== null && Atomics.load(ahead, 0) >= job.prepareWhenAhead) {
      const prepared = prepareIdentity(chat, event.message);
      if (job.renderAhead) prepared.body = prepareBody(chat, event.message);
      (event.message as IncomingMessage).prepared = prepared;
    }
    if (batch.add(event)) send(batch.take());
  }
  const last = batch.take();
  if (last.length) send(last);
  post({ type: 'done' });
} catch (err) {
  const e = err as Error;
  post({
    type: 'error',
    error: {
      name: e?.name ?? 'Error',
      message: e?.message ?? String(err),
      stack: e?.stack,
      ...(err instanceof SourceError ? { file: err.file, position: err.position } : {}),
    },
  });
}
