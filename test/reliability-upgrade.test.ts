import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, SCHEMA_VERSION } from '../collector/store/schema.js';
import { cli, contentDigest, integrityProblems, messageCount } from './helpers/db-state.js';
import { ordinaryChats, FORMAT_SAMPLES } from './helpers/format-samples.js';
import { tempDir } from './helpers/temp.js';

/**
 * Schema versions through the real CLI. A database written at any older version (built by
 * running that version's migrations and inserting rows with plain SQL, as that version's
 * collector would have) opens, migrates and keeps its rows; a newer one is refused with a
 * message naming the file and is left byte for byte as it was, as is a SQLite file that is not
 * ours. (test/store-open.test.ts covers openStore itself.)
 */

function fileDigest(file: string): string {
  return createHash('sha256').update(readFileSync(file)).digest('hex');
}

/** A database at `version`: migrations 1..version run by hand, then one chat and message as v1 wrote them. */
function writeAtVersion(file: string, version: number, journal: 'wal' | 'delete' = 'delete'): void {
  const db = new Database(file);
  try {
    db.pragma(`journal_mode = ${journal}`);
    for (const m of MIGRATIONS.filter((m) => m.version <= version)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    if (version >= 1) {
      // Column lists of migration 1; later migrations must keep these columns readable.
      db.prepare(`INSERT INTO chats (id, native_id, slug, format, title, kind) VALUES (1, '19:old@thread.skype', 'old-chat-aaaaaaa', 'skype-export', 'Old chat', 'group')`).run();
      db.prepare(`INSERT INTO people (id, native_id, display_name) VALUES (1, '8:veteran', 'Veteran')`).run();
      db.prepare(`INSERT INTO chat_members (chat_id, person_id) VALUES (1, 1)`).run();
      db.prepare(
        `INSERT INTO message_rows (chat_id, key, anchor, native_id, author_id, author_name, time, kind, markup, body, html, text, deleted, flags, rev)
         VALUES (1, '0123456789abcdef0123456789abcdef', 'm0123456789', '1', 1, 'Veteran', ?, 'text', 'plain', 'written by an older chatchannels', NULL, NULL, 0, 0, 1)`,
      ).run(Date.UTC(2019, 6, 1, 12));
      db.prepare(`INSERT INTO periods (chat_id, month, by_day) VALUES (1, '2019-07', 0)`).run();
    }
  } finally {
    db.close();
  }
}

test('a database from every older schema version opens, migrates and keeps its rows', () => {
  const dir = tempDir();
  const sample = FORMAT_SAMPLES[0];
  const input = sample.write(dir, ordinaryChats());
  const versions = [...new Set([0, ...MIGRATIONS.map((m) => m.version)])].filter((v) => v < SCHEMA_VERSION);
  // The newest version too: written by hand rather than by the current code.
  for (const version of [...versions, SCHEMA_VERSION]) {
    const file = join(dir, `v${version}.sqlite`);
    writeAtVersion(file, version);
    const imported = cli(['import', input, '--db', file, '--format', sample.format], dir);
    assert.equal(imported.code, 0, `v${version}: ${imported.err}`);
    const db = new Database(file, { readonly: true });
    assert.equal(db.pragma('user_version', { simple: true }), SCHEMA_VERSION, `v${version} migrated`);
    db.close();
    assert.deepEqual(integrityProblems(file), []);
    const listed = cli(['chats', '--db', file], dir);
    assert.equal(listed.code, 0, listed.err);
    assert.match(listed.out, /Ordinary chat/);
    if (version >= 1) {
      assert.match(listed.out, /Old chat/, `v${version}: the old chat is still there`);
      assert.equal(messageCount(file), 1 + ordinaryChats()[0].messages.length);
      const out = join(dir, `site-v${version}`);
      const built = cli(['build', '--db', file, '--out', out], dir);
      assert.equal(built.code, 0, built.err);
      const pages = readdirSync(join(out, 'chats'));
      const old = pages.find((p) => p === 'old-chat-aaaaaaa');
      assert.ok(old, `the old chat keeps its slug: ${pages.join(', ')}`);
      assert.match(readFileSync(join(out, 'chats', old, '2019', '07', 'index.html'), 'utf8'), /written by an older chatchannels[\s\S]*id="m0123456789"|id="m0123456789"[\s\S]*written by an older chatchannels/);
    }
  }
});

test('an empty file and a database at version 0 become chatchannels databases on first import', () => {
  const dir = tempDir();
  const sample = FORMAT_SAMPLES[0];
  const input = sample.write(dir, ordinaryChats());
  const empty = join(dir, 'empty.sqlite');
  writeFileSync(empty, '');
  const r = cli(['import', input, '--db', empty, '--format', sample.format], dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(messageCount(empty), ordinaryChats()[0].messages.length);
});

test('a database at an older version is read by no read-only command until migrated, and the message says how', () => {
  const dir = tempDir();
  const file = join(dir, 'v0.sqlite');
  writeAtVersion(file, 0);
  const before = fileDigest(file);
  for (const args of [['chats'], ['build', '--out', join(dir, 'out')]]) {
    const r = cli([...args, '--db', file], dir);
    assert.equal(r.code, 1, `${args[0]}: ${r.out}`);
    assert.ok(r.err.includes(file), `${args[0]} names the file: ${r.err}`);
    assert.match(r.err, /older/);
    // Following the advice must work.
    const advice = /run (.*?) once to migrate/.exec(r.err)?.[1] ?? '';
    assert.doesNotMatch(advice, /chatchannels chats/, `"chats" is read-only and cannot migrate: ${r.err}`);
  }
  assert.equal(fileDigest(file), before, 'left as it was');
});

test('a database from a newer chatchannels is refused by every command, naming the file, and left untouched', () => {
  const dir = tempDir();
  const sample = FORMAT_SAMPLES[0];
  const input = sample.write(dir, ordinaryChats());
  for (const journal of ['delete', 'wal'] as const) {
    const file = join(dir, `newer-${journal}.sqlite`);
    writeAtVersion(file, SCHEMA_VERSION, journal);
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    const before = fileDigest(file);
    const sidecars = () => ['-wal', '-shm', '-journal'].filter((s) => existsSync(file + s));
    const sidecarsBefore = sidecars();
    for (const args of [['import', input, '--format', sample.format], ['chats'], ['build', '--out', join(dir, 'out')], ['search', 'hello']]) {
      const r = cli([...args, '--db', file], dir);
      assert.equal(r.code, 1, `${journal} ${args[0]}: exit ${r.code} ${r.out} ${r.err}`);
      assert.ok(r.err.includes(file), `${args[0]} names the file: ${r.err}`);
      assert.match(r.err, new RegExp(`version ${SCHEMA_VERSION + 1} is newer than this chatchannels understands`), r.err);
      assert.equal(fileDigest(file), before, `${journal} ${args[0]}: the file is byte for byte as it was`);
      // A WAL database gets its -wal/-shm from any reader (SQLite's own doing); a rollback one none.
      if (journal === 'delete') assert.deepEqual(sidecars(), sidecarsBefore, `${journal} ${args[0]}: no -wal/-shm files created`);
    }
    assert.equal(existsSync(join(dir, 'out')), false, 'no site was built');
  }
});

test("someone else's SQLite database is refused by the CLI and left untouched", () => {
  const dir = tempDir();
  const sample = FORMAT_SAMPLES[0];
  const input = sample.write(dir, ordinaryChats());
  const file = join(dir, 'notes.sqlite');
  const raw = new Database(file);
  raw.exec(`CREATE TABLE notes (body TEXT); INSERT INTO notes VALUES ('mine')`);
  raw.close();
  const before = contentDigest(file);
  const bytes = fileDigest(file);
  const r = cli(['import', input, '--db', file, '--format', sample.format], dir);
  assert.equal(r.code, 1);
  assert.ok(r.err.includes(file), r.err);
  assert.match(r.err, /not a chatchannels one/);
  assert.equal(contentDigest(file), before);
  assert.equal(fileDigest(file), bytes);
});

test("a v1 database whose CLI full-text index was filled by FTS5's own words is re-indexed by the site search's rule", () => {
  const dir = tempDir();
  const file = join(dir, 'v1.sqlite');
  writeAtVersion(file, 1);
  const raw = new Database(file);
  raw.prepare(`UPDATE message_rows SET body = 'stories from Kraków'`).run();
  // As a v1 `chatchannels search` left it: every message indexed, FTS5 unicode61 words.
  raw.prepare(`INSERT INTO messages_fts (rowid, text) SELECT id, text FROM messages`).run();
  raw.prepare(`INSERT INTO meta (key, value) VALUES ('fts_rowid', (SELECT max(id) FROM message_rows))`).run();
  raw.close();
  for (const [query, note] of [
    ['krakow', 'folded'],
    ['story', 'stemmed like the site'],
    ['stories kra', 'the last word as a prefix'],
  ]) {
    const r = cli(['search', query, '--db', file, '--json'], dir);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out.trim().split('\n').filter(Boolean).length, 1, `"${query}" (${note}): ${r.out}`);
  }
  assert.deepEqual(integrityProblems(file), []);
});
