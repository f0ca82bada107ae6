import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import type { SnapshotMark } from '../site/data/snapshot.js';
import { agreeWithWorker, createSnapshotGate, type WorkerGate } from '../site/search/snapshot-gate.js';

const gateModule = new URL('../site/search/snapshot-gate.js', import.meta.url).href;

/**
 * A worker thread that offers the marks in turn until one is agreed to; posts how many it offered
 * and the plan it was handed.
 */
function offering(gate: WorkerGate, marks: number[][]): { worker: Worker; done: Promise<{ offered: number; plan: unknown }> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.gateModule).then(({ workerAgreement }) => {
      const agree = workerAgreement(workerData.gate);
      let offered = 0;
      for (;;) {
        const answer = agree(workerData.marks[Math.min(offered, workerData.marks.length - 1)]);
        offered++;
        if (answer.agreed) return parentPort.postMessage({ offered, plan: answer.plan });
      }
    });`;
  const worker = new Worker(code, { eval: true, workerData: { gate, marks, gateModule }, transferList: [gate.port] });
  const done = new Promise<{ offered: number; plan: unknown }>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, done };
}

/** The pages' side: pinned to `pins[0]`, moving to the next on each repin; the plan names the pin. */
function pinnedTo(pins: SnapshotMark[]) {
  let at = 0;
  return {
    repins: () => at,
    side: { mark: () => pins[Math.min(at, pins.length - 1)], repin: () => void at++, plan: () => `plan of pin ${at}` },
  };
}

test('snapshot gate: the pages re-pin and re-plan until the worker meets them; the worker gets the plan of the snapshot it reads', async () => {
  const gate = createSnapshotGate();
  // The database moves on while they try: each side's snapshot is behind the other's in turn.
  const { worker, done } = offering(gate.worker, [
    [1, 10, 2, 2],
    [2, 11, 2, 2],
    [3, 12, 2, 3],
  ]);
  const pages = pinnedTo([
    [0, 9, 2, 2],
    [2, 11, 2, 2],
  ]);
  const outcome = await agreeWithWorker(gate.main, pages.side, done);
  assert.equal(outcome, 'same');
  assert.deepEqual(await done, { offered: 2, plan: 'plan of pin 1' }, 'the worker read the second pin and was handed its plan');
  assert.equal(pages.repins(), 1, 'the pages re-pinned once');
  await worker.terminate();
});

test('snapshot gate: the same snapshot at once needs no re-pin', async () => {
  const gate = createSnapshotGate();
  const { worker, done } = offering(gate.worker, [[5, 50, 1, 1]]);
  const pages = pinnedTo([[5, 50, 1, 1]]);
  assert.equal(await agreeWithWorker(gate.main, pages.side, done), 'same');
  assert.deepEqual(await done, { offered: 1, plan: 'plan of pin 0' });
  assert.equal(pages.repins(), 0);
  await worker.terminate();
});

test('snapshot gate: a worker that never asks (it failed) does not hold the build', async () => {
  const gate = createSnapshotGate();
  const worker = new Worker('throw new Error("index worker failed")', { eval: true });
  const stopped = new Promise((resolve) => worker.once('error', resolve));
  assert.equal(await agreeWithWorker(gate.main, pinnedTo([[0, 0, 0, 0]]).side, stopped), 'stopped');
});

test('snapshot gate: a database that never holds still gives up after bounded rounds, and the worker goes on with the pages\' plan', async () => {
  const gate = createSnapshotGate();
  const { done } = offering(gate.worker, [[1, 1, 1, 1]]);
  let seq = 100;
  const outcome = await agreeWithWorker(gate.main, { mark: () => [seq, 0, 0, 0], repin: () => void seq++, plan: () => `plan ${seq}` }, done);
  assert.equal(outcome, 'apart');
  const { offered, plan } = await done;
  assert.ok(offered > 1, 'the worker was asked again before the main thread gave up');
  assert.equal(plan, `plan ${seq}`);
});
