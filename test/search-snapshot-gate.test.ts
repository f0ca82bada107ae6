import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Worker } from 'node:worker_threads';
import { agreeWithWorker, createSnapshotGate } from '../site/search/snapshot-gate.js';

const gateModule = new URL('../site/search/snapshot-gate.js', import.meta.url).href;

/** A worker thread that offers the marks in turn until one is agreed to; posts how many it offered. */
function offering(gate: SharedArrayBuffer, marks: number[][]): { worker: Worker; done: Promise<number> } {
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.gateModule).then(({ workerAgreement }) => {
      const agree = workerAgreement(workerData.gate);
      let offered = 0;
      while (!agree(workerData.marks[Math.min(offered, workerData.marks.length - 1)])) offered++;
      parentPort.postMessage(offered + 1);
    });`;
  const worker = new Worker(code, { eval: true, workerData: { gate, marks, gateModule } });
  const done = new Promise<number>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, done };
}

test('snapshot gate: the worker takes new snapshots until it meets the main thread’s', async () => {
  const gate = createSnapshotGate();
  // The database moves on twice while they try: the worker's first two marks are behind.
  const { worker, done } = offering(gate, [
    [1, 10, 2, 2],
    [2, 11, 2, 2],
    [3, 12, 2, 3],
  ]);
  let pins = 0;
  const outcome = await agreeWithWorker(gate, () => (++pins, [3, 12, 2, 3]), done);
  assert.equal(outcome, 'same');
  assert.equal(await done, 3, 'the worker offered three snapshots');
  assert.equal(pins, 3, 'the main thread took a snapshot each round');
  await worker.terminate();
});

test('snapshot gate: a worker that never asks (it failed) does not hold the build', async () => {
  const gate = createSnapshotGate();
  const worker = new Worker('throw new Error("index worker failed")', { eval: true });
  const stopped = new Promise((resolve) => worker.once('error', resolve));
  assert.equal(await agreeWithWorker(gate, () => [0, 0, 0, 0], stopped), 'stopped');
});

test('snapshot gate: a database that never holds still gives up after bounded rounds, and the worker goes on', async () => {
  const gate = createSnapshotGate();
  const { done } = offering(gate, [[1, 1, 1, 1]]);
  let seq = 100;
  const outcome = await agreeWithWorker(gate, () => [seq++, 0, 0, 0], done);
  assert.equal(outcome, 'apart');
  assert.ok((await done) > 1, 'the worker was asked again before the main thread gave up');
});
