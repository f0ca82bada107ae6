import { MessageChannel, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { sameSnapshot, type SnapshotMark } from '../data/snapshot.js';

/**
 * Makes the search index worker read the same database snapshot as the pages. Each has its own
 * connection, and a collector may commit between their openings (watch mode, an import beside a
 * build): search would then find messages the pages lack, or miss ones they show. So the worker
 * opens its snapshot, publishes its mark and blocks; the main thread compares it with the
 * snapshot the pages are pinned to. The same: the main thread hands the worker the plan it made
 * from that very snapshot (which chats, which version) and both go on. Else the worker's is the
 * newer one: the main thread pins anew (and plans anew from it), the worker opens anew, and they
 * compare again; a round takes well under a millisecond, so they meet between two commits of
 * even a busy collector. What is indexed is thus planned from the snapshot it is read from.
 *
 * The gate's state crosses into the worker as a SharedArrayBuffer (one Int32 of state, 0 until
 * the worker first publishes, then the worker's mark as four Float64s), the plan on a
 * MessagePort the worker reads synchronously once woken.
 */
const PUBLISHED = 1;
const GO = 2;
const AGAIN = 3;
/** The worker proceeds on its own after this long without an answer (the build has failed). */
const WORKER_PATIENCE_MS = 60_000;
const ROUNDS = 200;

/** The worker's end: passed in workerData, with `port` in the transfer list. */
export interface WorkerGate {
  shared: SharedArrayBuffer;
  port: MessagePort;
}

/** The main thread's end. */
export interface MainGate {
  shared: SharedArrayBuffer;
  port: MessagePort;
}

export function createSnapshotGate(): { main: MainGate; worker: WorkerGate } {
  const shared = new SharedArrayBuffer(8 + 4 * 8);
  const { port1, port2 } = new MessageChannel();
  return { main: { shared, port: port1 }, worker: { shared, port: port2 } };
}

/** What the worker is told once it may go on: the plan made from its snapshot (undefined: its own). */
export type Agreement<Plan> = { agreed: false } | { agreed: true; plan: Plan | undefined };

/**
 * The worker's side: offer the mark of the snapshot just taken. Not agreed: take a new snapshot
 * and offer again. Agreed: the plan the main thread made from the same snapshot (undefined when
 * the main thread gave up or went away: the worker goes on with what it was given).
 */
export function workerAgreement<Plan>(gate: WorkerGate): (mark: SnapshotMark) => Agreement<Plan> {
  const state = new Int32Array(gate.shared, 0, 1);
  const marks = new Float64Array(gate.shared, 8, 4);
  return (mark) => {
    marks.set(mark);
    Atomics.store(state, 0, PUBLISHED);
    Atomics.notify(state, 0);
    Atomics.wait(state, 0, PUBLISHED, WORKER_PATIENCE_MS);
    if (Atomics.load(state, 0) === AGAIN) return { agreed: false };
    const plan = receiveMessageOnPort(gate.port)?.message as Plan | undefined;
    gate.port.close();
    return { agreed: true, plan };
  };
}

/** The main thread's view of the pages' snapshot. */
export interface PinnedSide<Plan> {
  /** The mark of the snapshot the pages are pinned to. */
  mark(): SnapshotMark;
  /** Pins the database as it is now (the worker has seen a newer state than the pages). */
  repin(): void;
  /** The plan made from the pinned snapshot, handed to the worker. */
  plan(): Plan;
}

/**
 * The main thread's side. Resolves `same` once both read the same snapshot; `stopped` if the
 * worker ended without asking (it failed: its error is reported with its result); `apart` if
 * they did not meet in ROUNDS tries (the worker then goes on with its own).
 */
export async function agreeWithWorker<Plan>(gate: MainGate, pinned: PinnedSide<Plan>, stopped: Promise<unknown>): Promise<'same' | 'stopped' | 'apart'> {
  const state = new Int32Array(gate.shared, 0, 1);
  const marks = new Float64Array(gate.shared, 8, 4);
  let ended = false;
  void stopped.finally(() => {
    ended = true;
    // Wakes the wait below.
    Atomics.notify(state, 0);
  });
  for (let round = 1; round <= ROUNDS; round++) {
    for (;;) {
      const now = Atomics.load(state, 0);
      if (now === PUBLISHED) break;
      if (ended) return 'stopped';
      const wait = Atomics.waitAsync(state, 0, now);
      if (wait.async) await wait.value;
    }
    const agreed = sameSnapshot(pinned.mark(), Array.from(marks) as SnapshotMark);
    if (agreed || round === ROUNDS) {
      // Posted before GO: the worker reads it as soon as it wakes.
      gate.port.postMessage(pinned.plan());
      Atomics.store(state, 0, GO);
      Atomics.notify(state, 0);
      return agreed ? 'same' : 'apart';
    }
    pinned.repin();
    Atomics.store(state, 0, AGAIN);
    Atomics.notify(state, 0);
  }
  return 'apart';
}
