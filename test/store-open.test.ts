import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { existsSync, writeFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { openStore } from '../collector/store/open.js';
import { SCHEMA_VERSION } from '../collector/store/schema.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';

test('a new database is created in WAL mode at the current schema version', () => {
  const file = join(tempDir(), 'new.sqlite');
  const db = openStore(file);
  assert.equal(db.pragma('journal_mode', { simple: true }), 'wal');
  assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION);
  db.close();
  const again = openStore(file, { readonly: true });
  assert.equal(scalar(again, 'SELECT count(*) FROM chats'), 0);
  again.close();
});

test('a database from a newer chatchannels is refused with a clear message', () => {
  const file = join(tempDir(), 'newer.sqlite');
  openStore(file).close();
  const raw = new Database(file);
  raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
  raw.close();
  assert.throws(() => openStore(file), /newer than this chatchannels understands/);
  assert.throws(() => openStore(file, { readonly: true }), /newer than this chatchannels understands/);
});

test("someone else's SQLite file and a non-database file are refused, untouched", () => {
  const dir = tempDir();
  const other = join(dir, 'other.sqlite');
  const raw = new Database(other);
  raw.exec('CREATE TABLE notes (x)');
  raw.close();
  assert.throws(() => openStore(other), /not a chatchannels one/);
  const garbage = join(dir, 'garbage.sqlite');
  writeFileSync(garbage, 'this is not a database, just text that is long enough to look like a header...'.repeat(20));
  assert.throws(() => openStore(garbage), /garbage\.sqlite/);
});

test('a missing database opened read-only, or where it must exist, is a clear error and is not created', () => {
  const file = join(tempDir(), 'missing.sqlite');
  for (const options of [{ readonly: true }, { mustExist: true }]) {
    assert.throws(() => openStore(file, options), /no database at \S*missing\.sqlite \(run chatchannels import first\)/);
    assert.ok(!existsSync(file));
  }
});

test('a database whose write lock another import holds past the busy timeout, while it is created, is refused as busy, not "database is locked"', () => {
  // Two first imports into one new database: the first holds the write lock (creating the schema,
  // then importing) for longer than the second waits for it, under load. The second used to fail
  // with SQLite's bare "database is locked"; an import already under way is refused by name.
  const file = join(tempDir(), 'new.sqlite');
  const first = new Database(file);
  try {
    first.pragma('journal_mode = WAL');
    first.exec('BEGIN IMMEDIATE');
    assert.throws(() => openStore(file, { busyTimeout: 50 }), (err: Error) => {
      assert.equal(err.name, 'StoreError');
      assert.match(err.message, new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: another import is writing to this database; try again when it has finished$`));
      return true;
    });
  } finally {
    first.close();
  }
  openStore(file).close();
});
