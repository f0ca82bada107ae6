import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { tempDir } from './helpers/temp.js';

/**
 * The temporary folders a build (its empty Eleventy input) and a main.db import (a private copy)
 * make do not outlive their process: removed on exit and on SIGINT/SIGTERM, and after a kill -9 by
 * the next run, which leaves a live process's folder alone. Each test has its own TMPDIR.
 */
const CLI = resolve('dist/collector/cli.js');
const PREFIX = 'chatchannels-input-';

function setUp(): { dir: string; tmp: string; env: NodeJS.ProcessEnv } {
  const dir = tempDir();
  const tmp = join(dir, 'tmp');
  mkdirSync(tmp);
  const env = { ...process.env, CI: '1', TMPDIR: tmp };
  const r = spawnSync(process.execPath, [CLI, 'import', resolve('test/fixtures/skype/tiny')], { cwd: dir, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  return { dir, tmp, env };
}

function build(dir: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, [CLI, 'build', '--out', join(dir, 'site')], { cwd: dir, env, stdio: 'ignore' });
}

/** Waits (polling the folder, no time limit but the test's) until the child's temp folder exists. */
async function folderOf(child: ChildProcess, tmp: string): Promise<string> {
  for (;;) {
    const name = readdirSync(tmp).find((n) => n.startsWith(`${PREFIX}${child.pid}-`));
    if (name) return join(tmp, name);
    if (child.exitCode !== null) throw new Error('the build ended before its temp folder was seen');
    await sleep(5);
  }
}

const exited = (child: ChildProcess) => new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

test("a build killed with -9 leaves its temp folder; the next build removes it and keeps a live process's", { timeout: 120_000 }, async () => {
  const { dir, tmp, env } = setUp();
  const killed = build(dir, env);
  const stale = await folderOf(killed, tmp);
  const gone = exited(killed);
  killed.kill('SIGKILL');
  await gone;
  assert.ok(existsSync(stale), 'kill -9 leaves the folder (nothing can run on SIGKILL)');

  // A concurrent run's folder: its process is alive.
  const live = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
  const liveDir = join(tmp, `${PREFIX}${live.pid}-abcdef`);
  mkdirSync(liveDir);
  const older = join(tmp, `${PREFIX}nopid`); // from a version without pids in names: cannot tell
  mkdirSync(older);
  try {
    const next = build(dir, env);
    assert.equal(await exited(next), 0);
    assert.ok(!existsSync(stale), 'the stale folder of the killed build is gone');
    assert.ok(existsSync(liveDir), "a live process's folder is kept");
    assert.ok(existsSync(older), 'a folder whose owner cannot be told is kept');
    assert.deepEqual(readdirSync(tmp).sort(), [older, liveDir].map((p) => p.slice(tmp.length + 1)).sort(), "the build removed its own");
  } finally {
    live.kill();
  }
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  test(`a build stopped with ${signal} removes its temp folder`, { timeout: 120_000 }, async () => {
    const { dir, tmp, env } = setUp();
    const child = build(dir, env);
    const folder = await folderOf(child, tmp);
    const done = exited(child);
    child.kill(signal);
    await done;
    assert.ok(!existsSync(folder), `${signal}: the folder is gone`);
    assert.equal(child.signalCode, signal, 'and the process still ends by the signal');
  });
}
