import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { writeSkypeExport } from '../bench/corpus.js';
import { tempDir } from './helpers/temp.js';

/**
 * docs/design.md: interrupted runs never lose or double a message. `chatchannels watch` is killed with
 * SIGKILL at arbitrary moments (during its first imports, between them, while a new export
 * arrives), restarted each time; at the end the database holds exactly what one clean import of
 * the same files holds, and passes SQLite's integrity check.
 */
const CLI = fileURLToPath(new URL('../collector/cli.js', import.meta.url));

function keys(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    return db.prepare(`SELECT key FROM message_rows ORDER BY key`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

/** Starts the watcher; resolves with a function that kills it, once `afterMs` has passed. */
function startWatch(db: string, sources: string[]): { child: ReturnType<typeof spawn>; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, [CLI, 'watch', ...sources, '--db', db], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, output: () => output, exited };
}

test('watch killed with SIGKILL at random moments and restarted: nothing lost, nothing doubled', async () => {
  const dir = tempDir('cc-watch-kill-');
  const a = join(dir, 'a.json');
  const b = join(dir, 'b.json');
  const spareB = join(dir, 'spare-b.json');
  await writeSkypeExport(a, { messages: 15_000, chats: 12, authors: 80, seed: 11 });
  await writeSkypeExport(spareB, { messages: 6_000, chats: 5, authors: 40, seed: 12 });
  const db = join(dir, 'watched.sqlite');

  // A deterministic sequence of kill delays (ms), spread over the first imports and beyond.
  const delays = [150, 700, 1300, 400, 2200];
  for (const [round, delay] of delays.entries()) {
    if (round === 2) copyFileSync(spareB, b); // a second export arrives between two runs
    const run = startWatch(db, [a, b]);
    await new Promise((resolve) => setTimeout(resolve, delay));
    run.child.kill('SIGKILL');
    await run.exited;
  }

  // The last run is left to finish its catch-up imports, then stopped politely.
  const last = startWatch(db, [a, b]);
  for (let i = 0; i < 600 && !/watching \d+ source/.test(last.output()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(last.output(), /watching 2 source/, last.output());
  last.child.kill('SIGINT');
  assert.equal(await last.exited, 0, last.output());

  const clean = join(dir, 'clean.sqlite');
  const imported = spawnSync(process.execPath, [CLI, 'import', a, b, '--db', clean], { encoding: 'utf8' });
  assert.equal(imported.status, 0, imported.stderr);
  const expected = keys(clean);
  assert.equal(expected.length, 21_000);
  assert.deepEqual(keys(db), expected);
});
