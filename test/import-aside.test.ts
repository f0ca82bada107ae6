import { before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readdirSync, statSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { writeSkypeExport } from '../bench/corpus.js';
import { createStoreAside, openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { cli, cliAsync, contentDigest, integrityProblems, messageCount } from './helpers/db-state.js';
import { random } from './helpers/fixture-db.js';
import { scratchDir, tempDir } from './helpers/temp.js';

/**
 * A first import (no database at the path yet) writes the new database aside, in a private folder
 * beside it, and publishes it whole (collector/store/open.ts createStoreAside): a killed one leaves
 * no database, and the folder it leaves is removed by the next import; a database another process
 * created meanwhile is never replaced.
 */

let dir: string;
let big: string;
let cleanDb: string;

/** The folders of databases being written aside in `folder` (`.<name>.new-<pid>-XXXXXX`). */
const asideFolders = (folder: string) => readdirSync(folder).filter((n) => /\.new-\d+-/.test(n));

before(async () => {
  dir = scratchDir('cc-aside-');
  big = join(dir, 'big.json');
  await writeSkypeExport(big, { messages: 20_000, chats: 10, seed: 21 });
  cleanDb = join(dir, 'clean.sqlite');
  const r = cli(['import', big, '--db', cleanDb], dir);
  assert.equal(r.code, 0, r.err);
});

describe('a first import', () => {
  test('publishes a sound WAL database and leaves no folder behind', () => {
    assert.deepEqual(integrityProblems(cleanDb), []);
    const db = openStore(cleanDb, { readonly: true });
    assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
    db.close();
    assert.deepEqual(asideFolders(dir), []);
    assert.ok(messageCount(cleanDb) >= 19_800);
  });

  test('killed with SIGKILL leaves no database; the next import removes its folder and completes', async () => {
    const rnd = random(7);
    for (let k = 0; k < 3; k++) {
      const folder = tempDir('cc-aside-kill-');
      const db = join(folder, 'killed.sqlite');
      const run = cliAsync(['import', big, '--db', db], folder);
      // Killed once its folder exists, at a random moment of the import.
      while (asideFolders(folder).length === 0) await sleep(5);
      await sleep(Math.round(rnd() * 300));
      run.kill('SIGKILL');
      const result = await run.done;
      if (result.signal === 'SIGKILL') {
        assert.equal(existsSync(db), false, `kill ${k}: no database at the path`);
        assert.deepEqual(readdirSync(folder).filter((n) => !n.startsWith('.')), [], `kill ${k}: nothing else beside it`);
      } else {
        assert.equal(result.code, 0, result.err); // finished before the kill
      }
      const again = cli(['import', big, '--db', db], folder);
      assert.equal(again.code, 0, again.err);
      assert.deepEqual(asideFolders(folder), [], `kill ${k}: the killed import's folder is removed`);
      assert.equal(contentDigest(db, CONTENT), contentDigest(cleanDb, CONTENT), `kill ${k}: the same database as a clean import`);
    }
  });

  test('never replaces a database another process created meanwhile', async () => {
    const folder = tempDir();
    const file = join(folder, 'raced.sqlite');
    const aside = createStoreAside(file);
    await importPaths(aside.db, [big]);
    const other = openStore(file); // another process's database, created while the import ran
    const otherId = other.prepare(`SELECT value FROM meta WHERE key = 'database_id'`).pluck().get();
    other.close();
    assert.equal(aside.publish(), false);
    assert.deepEqual(asideFolders(folder), [], 'the copy is removed');
    const kept = openStore(file, { readonly: true });
    assert.equal(kept.prepare(`SELECT value FROM meta WHERE key = 'database_id'`).pluck().get(), otherId, 'the other database stays');
    assert.equal(kept.prepare(`SELECT count(*) FROM message_rows`).pluck().get(), 0);
    kept.close();
  });

  test('a failed first import leaves nothing behind', () => {
    const folder = tempDir();
    const db = join(folder, 'failed.sqlite');
    const r = cli(['import', join(folder, 'missing.json'), '--db', db], folder);
    assert.equal(r.code, 1, r.err);
    assert.deepEqual(readdirSync(folder), []);
  });

  test('at a --db that is a symbolic link to nothing imports once, in place through the link', { skip: process.platform === 'win32' }, () => {
    const folder = tempDir();
    const db = join(folder, 'link.sqlite');
    symlinkSync('target.sqlite', db);
    const r = cli(['import', big, '--db', db], folder);
    assert.equal(r.code, 0, r.err);
    // Aside, link(2) would refuse the name the link takes: the import ran a second time, in place.
    assert.doesNotMatch(r.err, /another process|cannot publish/);
    assert.ok(lstatSync(db).isSymbolicLink(), 'the link stays a link');
    assert.equal(contentDigest(join(folder, 'target.sqlite'), CONTENT), contentDigest(cleanDb, CONTENT));
    assert.deepEqual(asideFolders(folder), []);
  });

  test('creates the file with the mode a database opened in place gets (umask applies)', { skip: process.platform === 'win32' }, () => {
    const folder = tempDir();
    const previous = process.umask(0o027);
    try {
      const aside = createStoreAside(join(folder, 'aside.sqlite'));
      assert.equal(aside.publish(), true);
      openStore(join(folder, 'direct.sqlite')).close();
    } finally {
      process.umask(previous);
    }
    const mode = (f: string) => statSync(join(folder, f)).mode & 0o777;
    assert.equal(mode('aside.sqlite'), mode('direct.sqlite'));
    assert.equal(mode('aside.sqlite') & 0o027, 0);
  });
});

// Every table but `sources` (it records when each file was imported).
const CONTENT = ['chats', 'chat_aliases', 'people', 'chat_members', 'message_rows', 'message_aliases', 'periods', 'media', 'changes', 'meta', 'anchor_aliases'];
