import { sameSnapshot, type SnapshotMark } from '../data/snapshot-mark.js';

/**
 * Makes the search index worker read the same database snapshot as the pages. Each has its own
 * connection, and a collector may commit between their openings (watch mode, an import beside a
 * build): search would then find messages the pages lack, or miss ones they show. So the worker
 * opens its snapshot, publishes its mark and blocks; the main thread (re)opens the pages' snapshot
 * and compares. The same: both go on. Else the worker opens anew and they compare again; a round
 * takes well under a millisecond, so they meet between two commits of even a busy collector.
 *
 * The gate is a SharedArrayBuffer (it crosses into the worker with workerData): one Int32 of
 * state (0 until the worker first publishes), then the worker's mark as four Float64s.
 */
const PUBLISHED = 1;
const GO = 2;
const AGAIN = 3;
/** The worker proceeds on its own after this long without an answer (the build has failed). */
const WORKER_PATIENCE_MS = 60_000;
const ROUNDS = 200;

export function createSnapshotGate(): SharedArrayBuffer {
  return new SharedArrayBuffer(8 + 4 * 8);
}

/**
 * The worker's side, for SearchSource's `agree` option: true when the main thread took the same
 * snapshot (or gave up trying), false when the worker must take a new one. Used once: a source
 * opened later in the same job is past agreeing, and goes on.
 */
export function workerAgreement(gate: SharedArrayBuffer): (mark: SnapshotMark) => boolean {
  const state = new Int32Array(gate, 0, 1);
  const marks = new Float64Array(gate, 8, 4);
  let settled = false;
  return (mark) => {
    if (settled) return true;
    marks.set(mark);
    Atomics.store(state, 0, PUBLISHED);
    Atomics.notify(state, 0);
    Atomics.wait(state, 0, PUBLISHED, WORKER_PATIENCE_MS);
    if (Atomics.load(state, 0) === AGAIN) return false;
    settled = true;
    return true;
  };
}

/**
 * The main thread's side: `pin` (re)opens the pages' snapshot and names it. Resolves `same` once
 * both read the same snapshot; `stopped` if the worker ended without asking (it failed: its error
 * is reported with its result); `apart` if they did not meet in ROUNDS tries (the worker then goes
 * on with its own).
 */
export async function agreeWithWorker(
  gate: SharedArrayBuffer,
  pin: () => SnapshotMark,
  stopped: Promise<unknown>,
): Promise<'same' | 'stopped' | 'apart'> {
  const state = new Int32Array(gate, 0, 1);
  const marks = new Float64Array(gate, 8, 4);
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
    const agreed = sameSnapshot(pin(), Array.from(marks) as SnapshotMark);
    Atomics.store(state, 0, agreed || round === ROUNDS ? GO : AGAIN);
    Atomics.notify(state, 0);
    if (agreed) return 'same';
  }
  return 'apart';
}
