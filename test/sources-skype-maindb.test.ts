import { namedRefs } from '../collector/store/person-refs.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { skypeMainDb } from '../collector/sources/skype-maindb/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import {
  canonicalSkypeChatId,
  decodeP2pThreadId,
  encodeP2pThreadId,
  skypePersonId,
} from '../collector/identity/skype-ids.js';
import { openStore, type Db } from '../collector/store/open.js';
import { importPaths, type ImportSummary } from '../collector/import/index.js';
import { byChat as groupByChat, readEvents } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { needsFile } from './helpers/requires.js';

const FIXTURES = resolve(process.cwd(), '../shared/fixtures/skype');
const PLASO = join(FIXTURES, 'maindb-plaso/skype_main.db');
const ACC1 = join(FIXTURES, 'maindb-temptin/test.acc2001.db');
const ACC2 = join(FIXTURES, 'maindb-temptin/test.acc2002.db');
const SCHEMAS = resolve(process.cwd(), 'test/fixtures/skype-maindb');
const NO_TEMPTIN = needsFile(ACC1) || needsFile(ACC2);

// ---------------------------------------------------------------------------------------------
// Helpers

const readAll = (path: string): Promise<SourceEvent[]> => readEvents(skypeMainDb, path);
const byChat = (events: SourceEvent[]) => groupByChat(events, { once: true });

function newStore(): Db {
  return openStore(join(tempDir(), 'store.sqlite'));
}

async function importOne(db: Db, path: string): Promise<ImportSummary> {
  return importPaths(db, [path], { format: 'skype-maindb' });
}

interface StoredMessage {
  chat: string;
  author: string;
  text: string;
  time: number;
  kind: string;
  body: string;
  editedAt: number | null;
  deleted: number;
  flags: number;
  nativeId: string | null;
}

function stored(db: Db): StoredMessage[] {
  const names = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
  const rows = db
    .prepare(
      `SELECT c.native_id AS chat, p.native_id AS author, m.text, m.time, m.kind, m.body, m.edited_at AS editedAt,
              m.deleted, m.flags, m.native_id AS nativeId
       FROM messages m JOIN chats c ON c.id = m.chat_id JOIN people p ON p.id = m.author_id
       ORDER BY c.native_id, m.time, m.id`,
    )
    .all() as StoredMessage[];
  // People in event lines are references: named as a site with authors shown names them.
  for (const row of rows) if (row.text) row.text = namedRefs(row.text, (id) => names.get(id) as string | null);
  return rows;
}

function countsByChat(db: Db): Map<string, number> {
  const rows = db
    .prepare(`SELECT c.native_id, count(m.id) FROM chats c LEFT JOIN messages m ON m.chat_id = c.id GROUP BY c.id`)
    .raw()
    .all() as [string, number][];
  return new Map(rows);
}

function multiset(messages: StoredMessage[]): string[] {
  return messages.map((m) => `${m.chat}\u0000${m.author}\u0000${m.text}`).sort();
}

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

/**
 * Messages per chat of a main.db, by plain SQL written independently of the adapter: a
 * conversation of type 1 is the dialog `8:<owner>|8:<partner>` (sorted), of type 2 its identity
 * (alt_identity while the identity is a temporary `$*T` name); a message without a known
 * conversation goes by its Chats row (type 2: dialog with dialog_partner) or its chatname.
 */
function expectedCounts(path: string): Map<string, number> {
  const db = new Database(path, { readonly: true, fileMustExist: true });
  try {
    const owner = db.prepare(`SELECT skypename FROM Accounts ORDER BY id LIMIT 1`).pluck().get() as string;
    const rows = db
      .prepare(
        `SELECT c.type AS ctype, c.identity, c.alt_identity AS alt, ch.type AS chtype, ch.dialog_partner AS partner,
                m.chatname, count(*) AS n
         FROM Messages m
         LEFT JOIN Conversations c ON c.id = m.convo_id
         LEFT JOIN Chats ch ON ch.name = m.chatname AND c.id IS NULL
         GROUP BY c.id, CASE WHEN c.id IS NULL THEN m.chatname END`,
      )
      .all() as { ctype: number | null; identity: string | null; alt: string | null; chtype: number | null; partner: string | null; chatname: string; n: number }[];
    const pair = (a: string, b: string): string => [`8:${a}`, `8:${b}`].sort().join('|');
    const out = new Map<string, number>();
    for (const r of rows) {
      let id: string;
      if (r.ctype === 1) id = pair(owner, r.identity!);
      else if (r.ctype === 2) id = r.identity!.includes('/$*T;') ? r.alt! : r.identity!;
      else if (r.chtype === 2) id = pair(owner, r.partner!);
      else id = r.chatname;
      out.set(id, (out.get(id) ?? 0) + r.n);
    }
    return out;
  } finally {
    db.close();
  }
}

// --- building small main.db files ---------------------------------------------------------

type Row = Record<string, string | number | Buffer | null | undefined>;

interface MainDbSpec {
  variant: 'old' | 'new';
  Accounts?: Row[];
  Contacts?: Row[];
  Conversations?: Row[];
  Participants?: Row[];
  Chats?: Row[];
  ChatMembers?: Row[];
  Messages: Row[];
  Transfers?: Row[];
  Calls?: Row[];
  CallMembers?: Row[];
  SMSes?: Row[];
}

/** Writes a main.db with the old or new schema; keys a table lacks are dropped (as Skype's would). */
function buildMainDb(file: string, spec: MainDbSpec): void {
  const db = new Database(file);
  try {
    db.exec(readFileSync(join(SCHEMAS, `schema-${spec.variant}.sql`), 'utf8'));
    for (const [table, rows] of Object.entries(spec)) {
      if (table === 'variant' || !Array.isArray(rows)) continue;
      const columns = new Set((db.prepare(`PRAGMA table_info(${table})`).all() as { name: string }[]).map((c) => c.name));
      assert.ok(columns.size, `fixture table ${table} is not in schema-${spec.variant}.sql`);
      for (const row of rows as Row[]) {
        const keys = Object.keys(row).filter((k) => columns.has(k) && row[k] !== undefined);
        db.prepare(`INSERT INTO ${table} (${keys.join(', ')}) VALUES (${keys.map(() => '?').join(', ')})`).run(...keys.map((k) => row[k]));
      }
    }
  } finally {
    db.close();
  }
}

function guid(label: string): Buffer {
  return createHash('sha256').update(label).digest();
}

const T0 = Date.UTC(2014, 2, 1, 12, 0, 0) / 1000;
const LEGACY = '#alice/$bob;897aefba432c';

// ---------------------------------------------------------------------------------------------
// Canonical ids

test('canonicalSkypeChatId: legacy p2p ids decode from the export form, cloud ids stay', () => {
  // base64 of "#alice/$bob;897aefba432c" and "#alice/$;8f3ab2", computed independently of our encoder.
  assert.equal(canonicalSkypeChatId('19:I2FsaWNlLyRib2I7ODk3YWVmYmE0MzJj@p2p.thread.skype', '8:alice'), LEGACY);
  assert.equal(canonicalSkypeChatId('19:I2FsaWNlLyQ7OGYzYWIy@p2p.thread.skype', 'bob'), '#alice/$;8f3ab2');
  assert.equal(canonicalSkypeChatId(LEGACY, 'alice'), LEGACY);
  assert.equal(canonicalSkypeChatId(encodeP2pThreadId(LEGACY)), LEGACY);
  assert.equal(decodeP2pThreadId(encodeP2pThreadId('#bob/$alice;1')), '#bob/$alice;1');
  // Unpadded and URL-safe base64 forms decode too (bytes chosen to need '-' and '_').
  const odd = '#a??>/$b;1';
  const b64 = Buffer.from(odd).toString('base64');
  assert.ok(/[+/]/.test(b64) && b64.endsWith('='));
  const urlSafe = b64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
  assert.equal(canonicalSkypeChatId(`19:${urlSafe}@p2p.thread.skype`), odd);
  assert.equal(canonicalSkypeChatId('19:c761bec420d34f1eaa66b67b92cecaaa@thread.skype', 'x'), '19:c761bec420d34f1eaa66b67b92cecaaa@thread.skype');
  assert.equal(canonicalSkypeChatId('48:notes', 'alice'), '48:notes');
});

test('canonicalSkypeChatId: a dialog is the sorted pair, the same from both accounts', () => {
  assert.equal(canonicalSkypeChatId('8:bob', 'alice'), '8:alice|8:bob');
  assert.equal(canonicalSkypeChatId('alice', '8:bob'), '8:alice|8:bob');
  assert.equal(canonicalSkypeChatId('bob', 'alice'), canonicalSkypeChatId('8:alice', '8:bob'));
  assert.equal(canonicalSkypeChatId('live:carol', 'alice'), '8:alice|8:live:carol');
  assert.equal(canonicalSkypeChatId('28:concierge', 'alice'), '28:concierge|8:alice');
  assert.equal(canonicalSkypeChatId('+34123456789', 'alice'), '4:+34123456789|8:alice');
  assert.equal(canonicalSkypeChatId('8:bob|8:alice'), '8:alice|8:bob');
  assert.equal(canonicalSkypeChatId('8:alice|8:bob', 'carol'), '8:alice|8:bob');
  assert.equal(canonicalSkypeChatId('8:bob'), '8:bob', 'no owner: the partner alone');
  assert.equal(skypePersonId('bob'), '8:bob');
  assert.equal(skypePersonId(' 8:bob '), '8:bob');
  assert.equal(skypePersonId('https://x/v1/users/ME/contacts/8:bob'), '8:bob');
  assert.equal(skypePersonId(''), null);
  assert.equal(skypePersonId(42), null);
});

test('canonicalSkypeChatId: odd input never throws and the result is stable', () => {
  const odd: unknown[] = [
    '', '   ', '|', 'a|b|c', '8:', '19:', '19:@p2p.thread.skype', '19:!!!@p2p.thread.skype',
    `19:${Buffer.from('hello').toString('base64')}@p2p.thread.skype`, // decodes, but not a chat name
    `19:${Buffer.from([0xff, 0xfe, 0x23]).toString('base64')}@p2p.thread.skype`, // not UTF-8
    '#', '#/$;', null, undefined, 42, {}, '\u0000', 'a b',
  ];
  for (const id of odd) {
    for (const owner of [undefined, null, '', 'alice', '19:x@thread.skype', 7]) {
      const once = canonicalSkypeChatId(id as string, owner as string);
      assert.equal(typeof once, 'string');
      assert.equal(canonicalSkypeChatId(once, owner as string), once, `not idempotent for ${String(id)}`);
    }
  }
  assert.equal(canonicalSkypeChatId(`19:${Buffer.from('hello').toString('base64')}@p2p.thread.skype`), `19:aGVsbG8=@p2p.thread.skype`);
  fc.assert(
    fc.property(fc.string({ unit: 'binary', maxLength: 40 }), fc.option(fc.string({ maxLength: 12 })), (id, owner) => {
      const once = canonicalSkypeChatId(id, owner);
      return typeof once === 'string' && canonicalSkypeChatId(once, owner) === once;
    }),
  );
  fc.assert(
    fc.property(fc.stringMatching(/^[a-z][a-z0-9.:_-]{0,15}$/), fc.stringMatching(/^[a-z][a-z0-9._-]{0,15}$/), (a, b) => {
      // Symmetry of dialogs, and every legacy name survives its export encoding.
      assert.equal(canonicalSkypeChatId(a, b), canonicalSkypeChatId(b, a));
      const legacy = `#${a}/$${b};${a.length}f`;
      assert.equal(canonicalSkypeChatId(encodeP2pThreadId(legacy), a), legacy);
    }),
  );
});

// ---------------------------------------------------------------------------------------------
// Real main.db files

test('plaso main.db: chats and messages match the source, the year-2404 SMS is kept and flagged', { skip: needsFile(PLASO) }, async () => {
  const before = sha256(PLASO);
  assert.equal(await skypeMainDb.detect(PLASO), true);
  assert.equal((await detectAdapter(PLASO)).format, 'skype-maindb');

  const db = newStore();
  const summary = await importPaths(db, [PLASO]);
  const expected = expectedCounts(PLASO);
  assert.deepEqual(countsByChat(db), expected);
  assert.equal(summary.newMessages, [...expected.values()].reduce((a, b) => a + b, 0));
  assert.equal(summary.chats, expected.size);
  assert.deepEqual([...expected.keys()].sort(), ['#european.bbq.competitor/$gen.beringer;b1a38279a3452341', '8:european.bbq.competitor|8:gen.beringer']);

  const messages = stored(db);
  const sms = messages.find((m) => m.kind === 'sms');
  assert.ok(sms, 'the SMS is imported');
  assert.equal(new Date(sms.time).getUTCFullYear(), 2404);
  assert.equal(sms.flags & 1, 1, 'implausible time flagged');
  assert.match(sms.text, /SMS to \+34123456789/);
  assert.ok(messages.filter((m) => m !== sms).every((m) => (m.flags & 1) === 0));
  const shared = messages.find((m) => m.kind === 'event');
  assert.equal(shared?.text, 'European Competitor has shared contact details with Gen Beringer.');
  assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = '8:gen.beringer'`), 'Gen Beringer');
  assert.equal(sha256(PLASO), before, 'the source file is unchanged');
});

test('Temptin main.db files: chats and messages per conversation match the source', { skip: NO_TEMPTIN }, async () => {
  for (const path of [ACC1, ACC2]) {
    const before = sha256(path);
    const db = newStore();
    const summary = await importOne(db, path);
    const expected = expectedCounts(path);
    assert.deepEqual(countsByChat(db), expected, path);
    assert.equal(summary.newMessages, [...expected.values()].reduce((a, b) => a + b, 0));
    assert.equal(summary.warningCount, 0);
    assert.equal(sha256(path), before);
  }
  // --chat: only the chats asked for.
  const filtered = newStore();
  const only = await importPaths(filtered, [ACC1], { chats: ['8:test.acc2001|8:test.acc2003'] });
  assert.deepEqual([only.chats, only.newMessages], [1, 4]);
  // The group acc2001 created is still named "#test.acc2001/$*T;189" in its main.db; its real id
  // (the one acc2002 sees) is in alt_identity.
  const events = byChat(await readAll(ACC1));
  assert.ok(events.has('19:2f69b8812ce34f448ed4bb7754af0193@thread.skype'));
  assert.ok(![...events.keys()].some((id) => id.includes('$*T')));
  const dialog = events.get('8:test.acc2001|8:test.acc2002');
  assert.equal(dialog?.chat.kind, 'direct');
  assert.deepEqual(dialog?.chat.members?.map((m) => m.nativeId).sort(), ['8:test.acc2001', '8:test.acc2002']);
});

test('Temptin: guids match across the two accounts for p2p messages, not for cloud-thread ones', { skip: NO_TEMPTIN }, async () => {
  const a = byChat(await readAll(ACC1));
  const b = byChat(await readAll(ACC2));
  const ids = (m: Map<string, { messages: MessageRecord[] }>, chat: string) => new Set(m.get(chat)!.messages.map((x) => x.nativeId));
  const dialog = '8:test.acc2001|8:test.acc2002';
  const sharedDialog = [...ids(a, dialog)].filter((id) => ids(b, dialog).has(id));
  assert.equal(sharedDialog.length, 10, 'p2p dialog messages carry the same guid in both accounts');
  const thread = '19:38431509f6344fb7bdd95a416aa1f5c5@thread.skype';
  assert.equal([...ids(a, thread)].filter((id) => ids(b, thread).has(id)).length, 0, 'cloud thread guids differ');
});

test('Temptin: two accounts of one session give each shared message once, in either order; re-imports change nothing', { skip: NO_TEMPTIN }, async () => {
  const results: StoredMessage[][] = [];
  for (const order of [[ACC1, ACC2], [ACC2, ACC1]]) {
    const db = newStore();
    for (const path of order) await importOne(db, path);
    for (const path of [...order, ...order]) {
      const again = await importOne(db, path);
      assert.equal(again.newMessages, 0, `re-import of ${path}`);
      assert.equal(again.updatedMessages, 0);
      assert.equal(again.mergedMessages, 0);
    }
    const messages = stored(db);
    results.push(messages);

    // No loss: every message of both sources is in the store (same chat, author, text, ±120 s).
    for (const path of order) {
      for (const [chat, { messages: source }] of byChat(await readAll(path))) {
        for (const m of source) {
          const raw = db.prepare(`SELECT text FROM messages WHERE native_id = ?`).pluck().get(m.nativeId) as string | null | undefined;
          const text = raw == null ? undefined : namedRefs(raw, (id) => db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck().get(id) as string | null);
          assert.ok(
            messages.some((s) => s.chat === chat && s.author === m.authorId && Math.abs(s.time - m.time) <= 120_000 && (text === undefined || s.text === text)),
            `${path}: ${chat} ${m.nativeId} lost`,
          );
        }
      }
    }
    // No duplicate: no two stored messages of a chat by one author with one text within 120 s.
    for (let i = 0; i < messages.length; i++) {
      for (let j = i + 1; j < messages.length; j++) {
        const [x, y] = [messages[i], messages[j]];
        assert.ok(
          !(x.chat === y.chat && x.author === y.author && x.text === y.text && Math.abs(x.time - y.time) <= 120_000),
          `duplicate in ${x.chat}: ${x.text}`,
        );
      }
    }
    // 36 + 31 messages, 25 of them seen by both accounts (10 with the same guid and second, 15 a
    // second apart or with another guid, merged by the store): 42, in 8 chats.
    assert.equal(messages.length, 42);
    assert.equal(scalar(db, `SELECT count(*) FROM chats`), 8);
  }
  assert.deepEqual(multiset(results[0]), multiset(results[1]));
  assert.equal(results[0].length, results[1].length);
});

test('Temptin: both accounts in ONE importPaths call, either order', { skip: NO_TEMPTIN }, async () => {
  for (const order of [[ACC1, ACC2], [ACC2, ACC1]]) {
    const db = newStore();
    await importPaths(db, order, { format: 'skype-maindb' });
    assert.equal(stored(db).length, 42);
    // Each account titles an untitled group by the members other than itself: one run retitles
    // it and back, which changes nothing and must not log the chat as changed (a rebuild of it).
    const logged = scalar(db, `SELECT count(*) FROM changes`);
    await importPaths(db, order, { format: 'skype-maindb' });
    assert.equal(scalar(db, `SELECT count(*) FROM changes`), logged, 'the same two files again: nothing logged');
  }
});

test('a main.db is read in place without creating or changing any file, beside another reader', { skip: NO_TEMPTIN }, async () => {
  const dir = tempDir();
  const copy = join(dir, 'main.db');
  copyFileSync(ACC1, copy);
  const stamp = statSync(copy).mtimeMs;
  const hash = sha256(copy);
  const listing = readdirSync(dir).sort();
  const db = newStore();
  await importOne(db, copy);
  assert.deepEqual(readdirSync(dir).sort(), listing);
  assert.equal(sha256(copy), hash);
  assert.equal(statSync(copy).mtimeMs, stamp);
  // Re-reading while another reader holds it open works (shared locks only).
  const other = new Database(copy, { readonly: true });
  try {
    other.prepare(`SELECT count(*) FROM Messages`).get();
    const again = await importOne(db, copy);
    assert.equal(again.newMessages, 0);
  } finally {
    other.close();
  }
  assert.deepEqual(readdirSync(dir).sort(), listing);
});

test('WAL-mode main.db, and one with an unfinished write-ahead log: read from a private copy', async () => {
  const dir = tempDir();
  const file = join(dir, 'main.db');
  buildMainDb(file, {
    variant: 'new',
    Accounts: [{ skypename: 'alice', fullname: 'Alice' }],
    Conversations: [{ id: 1, identity: 'bob', type: 1 }],
    Messages: [{ convo_id: 1, author: 'alice', guid: guid('w1'), timestamp: T0, type: 61, body_xml: 'in the main file' }],
  });
  const conn = new Database(file);
  conn.pragma('journal_mode = WAL');
  conn.close();
  const walHash = sha256(file);
  const listing = readdirSync(dir).sort();
  assert.deepEqual(listing, ['main.db']);
  let db = newStore();
  let summary = await importOne(db, file);
  assert.equal(summary.newMessages, 1);
  assert.deepEqual(readdirSync(dir).sort(), listing, 'no -wal/-shm created');
  assert.equal(sha256(file), walHash);
  assert.match(summary.files[0].warnings[0]?.message ?? '', /private copy.*WAL/);

  // A write-ahead log that was never checkpointed (Skype killed): its messages are read too.
  const crashed = join(tempDir(), 'main.db');
  const writer = new Database(file);
  writer.pragma('wal_autocheckpoint = 0');
  writer
    .prepare(`INSERT INTO Messages (convo_id, author, guid, timestamp, type, body_xml) VALUES (1, 'bob', ?, ?, 61, 'only in the WAL')`)
    .run(guid('w2'), T0 + 60);
  copyFileSync(file, crashed);
  copyFileSync(`${file}-wal`, `${crashed}-wal`);
  writer.close();
  const crashedListing = readdirSync(join(crashed, '..')).sort();
  const crashedHashes = crashedListing.map((f) => sha256(join(crashed, '..', f)));
  db = newStore();
  summary = await importOne(db, crashed);
  assert.equal(summary.newMessages, 2);
  assert.deepEqual(stored(db).map((m) => m.text), ['in the main file', 'only in the WAL']);
  assert.deepEqual(readdirSync(join(crashed, '..')).sort(), crashedListing);
  assert.deepEqual(crashedListing.map((f) => sha256(join(crashed, '..', f))), crashedHashes);
});

test('a hot journal left by a crash: the committed state is read from a private copy, the journal kept', async () => {
  const dir = tempDir();
  const file = join(dir, 'main.db');
  buildMainDb(file, {
    variant: 'new',
    Accounts: [{ skypename: 'alice' }],
    Conversations: [{ id: 1, identity: 'bob', type: 1 }],
    Messages: [{ convo_id: 1, author: 'alice', guid: guid('j1'), timestamp: T0, type: 61, body_xml: 'committed' }],
  });
  // A transaction big enough to spill into the file, copied with its journal while still open.
  const crashedDir = tempDir();
  const crashed = join(crashedDir, 'main.db');
  const writer = new Database(file);
  writer.pragma('cache_size = 1');
  writer.exec('BEGIN');
  const insert = writer.prepare(`INSERT INTO Messages (convo_id, author, timestamp, type, body_xml) VALUES (1, 'bob', ?, 61, ?)`);
  for (let i = 0; i < 2000; i++) insert.run(T0 + 1 + i, `never committed ${'x'.repeat(200)} ${i}`);
  copyFileSync(file, crashed);
  copyFileSync(`${file}-journal`, `${crashed}-journal`);
  writer.exec('ROLLBACK');
  writer.close();
  const listing = readdirSync(crashedDir).sort();
  assert.deepEqual(listing, ['main.db', 'main.db-journal']);
  const hashes = listing.map((f) => sha256(join(crashedDir, f)));
  const db = newStore();
  const summary = await importOne(db, crashed);
  assert.deepEqual(stored(db).map((m) => m.text), ['committed']);
  assert.match(summary.files[0].warnings[0]?.message ?? '', /private copy.*journal/);
  assert.deepEqual(readdirSync(crashedDir).sort(), listing);
  assert.deepEqual(listing.map((f) => sha256(join(crashedDir, f))), hashes);
});

test('detect: main.db files only', async () => {
  const dir = tempDir();
  const other = join(dir, 'other.db');
  const d = new Database(other);
  d.exec(`CREATE TABLE Messages (id INTEGER PRIMARY KEY, text TEXT); INSERT INTO Messages (text) VALUES ('x')`);
  d.close();
  const text = join(dir, 'notes.txt');
  writeFileSync(text, 'SQLite format 3 — not really'.repeat(40));
  const storeFile = join(dir, 'store.sqlite');
  openStore(storeFile).close();
  for (const path of [other, text, storeFile, dir, join(dir, 'missing.db')]) {
    assert.equal(await skypeMainDb.detect(path), false, path);
  }
  const tiny = join(dir, 'tiny.db');
  buildMainDb(tiny, { variant: 'old', Messages: [] });
  assert.equal(await skypeMainDb.detect(tiny), true);
  await assert.rejects(readAll(other), (err: unknown) => err instanceof SourceError && /no Messages table|lacks/.test(err.message));
  await assert.rejects(readAll(text), (err: unknown) => err instanceof SourceError && /not an SQLite database/.test(err.message));
});

// ---------------------------------------------------------------------------------------------
// Schema variants and message types

test('old schema (no Conversations, no convo_id/guid/remote_id): chats from chatname and Chats', async () => {
  const file = join(tempDir(), 'main.db');
  buildMainDb(file, {
    variant: 'old',
    Accounts: [{ skypename: 'alice', fullname: 'Alice A.' }],
    Contacts: [{ skypename: 'bob', fullname: 'Bob B.' }, { skypename: 'carol', fullname: 'Carol C.' }],
    Chats: [
      { name: '#alice/$bob;0001', type: 2, dialog_partner: 'bob', participants: 'alice bob' },
      { name: LEGACY, type: 4, participants: 'alice bob carol', topic: 'Barbecue' },
    ],
    Messages: [
      { chatname: 'bob', author: 'bob', from_dispname: 'Bob', timestamp: T0, type: 50, body_xml: 'Hi Alice, please add me', identities: 'alice' },
      { chatname: '#alice/$bob;0001', author: 'alice', from_dispname: 'Alice', timestamp: T0 + 10, type: 61, body_xml: 'hi <ss type="smile">:)</ss>' },
      { chatname: '#alice/$bob;0001', author: 'bob', from_dispname: 'Bob', timestamp: T0 + 20, type: 60, body_xml: 'waves' },
      { chatname: LEGACY, author: 'alice', from_dispname: 'Alice', timestamp: T0 + 30, type: 10, identities: 'carol' },
      { chatname: LEGACY, author: 'carol', from_dispname: 'Carol', timestamp: T0 + 40, type: 61, body_xml: 'thanks &amp; hello' },
      { chatname: LEGACY, author: 'carol', from_dispname: 'Carol', timestamp: T0 + 50, type: 13 },
    ],
  });
  const chats = byChat(await readAll(file));
  assert.deepEqual([...chats.keys()].sort(), [LEGACY, '8:alice|8:bob']);
  assert.equal(chats.get('8:alice|8:bob')?.messages.length, 3, 'the bare-name contact request joins the dialog');
  assert.equal(chats.get(LEGACY)?.chat.title, 'Barbecue');
  assert.deepEqual(chats.get(LEGACY)?.chat.members?.map((m) => m.nativeId), ['8:alice', '8:bob', '8:carol']);
  assert.ok([...chats.values()].every((c) => c.messages.every((m) => /^local:\d+$/.test(m.nativeId ?? ''))));

  const db = newStore();
  const summary = await importOne(db, file);
  assert.equal(summary.newMessages, 6);
  const texts = stored(db).map((m) => [m.chat, m.kind, m.text]);
  assert.deepEqual(texts, [
    [LEGACY, 'event', 'Alice added Carol'],
    [LEGACY, 'text', 'thanks & hello'],
    [LEGACY, 'event', 'Carol left'],
    ['8:alice|8:bob', 'contact', 'Hi Alice, please add me'],
    ['8:alice|8:bob', 'text', 'hi 🙂'],
    ['8:alice|8:bob', 'emote', 'waves'],
  ]);
});

test('new schema: every message type, files, calls, SMS, temporary group names, unknown types', async () => {
  const file = join(tempDir(), 'main.db');
  const fileGuid = guid('file');
  buildMainDb(file, {
    variant: 'new',
    Accounts: [{ skypename: 'alice', fullname: 'Alice' }],
    Contacts: [
      { skypename: 'bob', fullname: 'Bob', displayname: 'Bobby' },
      { skypename: 'carol', displayname: 'Carol' },
    ],
    Conversations: [
      { id: 1, identity: 'bob', type: 1, displayname: 'Bob' },
      { id: 2, identity: '#alice/$*T;2', type: 2, alt_identity: '19:0123abcd@thread.skype', displayname: 'Bob, Carol' },
      { id: 3, identity: LEGACY, type: 2, meta_topic: 'Planning' },
    ],
    Participants: [
      { convo_id: 2, identity: 'alice' }, { convo_id: 2, identity: 'bob' }, { convo_id: 2, identity: 'carol' },
      { convo_id: 3, identity: 'alice' }, { convo_id: 3, identity: 'bob' },
    ],
    Chats: [{ name: '#alice/$bob;77', type: 2, dialog_partner: 'bob', conv_dbid: 1 }],
    Messages: [
      { id: 1, convo_id: 1, chatname: '#alice/$bob;77', author: 'alice', from_dispname: 'Alice', guid: guid('m1'), timestamp: T0, type: 61, body_xml: 'plain', remote_id: 11 },
      { id: 2, convo_id: 1, author: 'bob', from_dispname: 'Bob', guid: fileGuid, timestamp: T0 + 1, type: 68, body_xml: '' },
      { id: 3, convo_id: 1, author: 'alice', guid: guid('m3'), timestamp: T0 + 2, type: 30, identities: 'bob', call_guid: 'alice-bob-1' },
      { id: 4, convo_id: 1, author: 'alice', guid: guid('m4'), timestamp: T0 + 70, type: 39, identities: 'bob', call_guid: 'alice-bob-1' },
      { id: 5, convo_id: 1, author: 'alice', guid: guid('m5'), timestamp: T0 + 80, type: 64, body_xml: null, dialog_partner: '+15550100' },
      { id: 6, convo_id: 1, author: 'bob', guid: guid('m6'), timestamp: T0 + 90, type: 63, body_xml: '<contacts><c t="s" s="carol" f="Carol"/></contacts>' },
      { id: 7, convo_id: 1, author: 'bob', guid: guid('m7'), timestamp: T0 + 100, type: 51, identities: 'alice' },
      { id: 8, convo_id: 1, author: 'alice', guid: guid('m8'), timestamp: T0 + 110, type: 4, identities: 'carol', chatname: '#alice/$*T;2' },
      { id: 9, convo_id: 2, author: 'alice', guid: guid('m9'), timestamp: T0 + 111, type: 10, identities: 'bob carol' },
      { id: 10, convo_id: 2, author: 'alice', guid: guid('m10'), timestamp: T0 + 120, type: 2, body_xml: 'Road &amp; trip' },
      { id: 11, convo_id: 2, author: 'alice', guid: guid('m11'), timestamp: T0 + 130, type: 12, identities: 'carol' },
      { id: 12, convo_id: 2, author: 'bob', guid: guid('m12'), timestamp: T0 + 140, type: 70, body_xml: null },
      { id: 13, convo_id: 2, author: 'bob', guid: guid('m13'), timestamp: T0 + 150, type: 999, body_xml: null },
      { id: 14, convo_id: 2, author: 'bob', guid: guid('m14'), timestamp: T0 + 160, type: 999, body_xml: 'strange' },
      { id: 15, convo_id: 3, author: 'bob', guid: guid('m15'), timestamp: T0 + 170, type: 61, body_xml: 'in the legacy group' },
      { id: 16, convo_id: 3, author: 'alice', guid: null, remote_id: 4242, timestamp: T0 + 180, type: 201, body_xml: '<URIObject type="Picture.1" uri="https://x/y"><OriginalName v="cat.jpg"/></URIObject>' },
      { id: 17, convo_id: 99, chatname: null, author: 'bob', timestamp: T0 + 190, type: 61, body_xml: 'nowhere' },
      { id: 18, convo_id: 1, author: 'bob', timestamp: null, type: 61, body_xml: 'no time' },
    ],
    Transfers: [
      // An outgoing transfer to a group has one row per recipient: still one file.
      { filename: 'report.pdf', filesize: '2048', chatmsg_guid: fileGuid, chatmsg_index: 0, partner_handle: 'alice' },
      { filename: 'report.pdf', filesize: '2048', chatmsg_guid: fileGuid, chatmsg_index: 0, partner_handle: 'carol' },
      { filename: 'notes.txt', filesize: '10', chatmsg_guid: fileGuid, chatmsg_index: 1, partner_handle: 'alice' },
    ],
    Calls: [{ id: 5, begin_timestamp: T0, duration: 65, name: '1-100', conv_dbid: 1 }],
    CallMembers: [{ identity: 'bob', dispname: 'Bob', call_duration: 65, guid: 'alice-bob-1', call_name: '1-100', call_db_id: 5 }],
    SMSes: [{ chatmsg_id: 5, body: 'are you there?', target_numbers: '+15550100' }],
  });
  const events = await readAll(file);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()].sort(), [LEGACY, '19:0123abcd@thread.skype', '8:alice|8:bob']);
  assert.equal(chats.get(LEGACY)?.chat.title, 'Planning');
  const warnings = events.filter((e) => e.type === 'warning').map((e) => (e as { warning: { message: string } }).warning.message);
  assert.ok(warnings.some((w) => /2 messages of unknown type 999/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /1 messages without a timestamp/.test(w)));
  assert.ok(warnings.some((w) => /1 messages without a conversation/.test(w)));
  const fileMessage = chats.get('8:alice|8:bob')!.messages.find((m) => m.kind === 'file');
  assert.deepEqual(fileMessage?.attachments, [{ name: 'report.pdf', size: 2048 }, { name: 'notes.txt', size: 10 }]);
  assert.equal(fileMessage?.nativeId, fileGuid.toString('hex'));
  const picture = chats.get(LEGACY)!.messages.find((m) => m.kind === 'media');
  assert.equal(picture?.nativeId, 'remote:4242');

  const db = newStore();
  await importOne(db, file);
  const rows = stored(db).map((m) => [m.chat, m.kind, m.text]);
  assert.deepEqual(rows, [
    ['#alice/$bob;897aefba432c', 'text', 'in the legacy group'],
    ['#alice/$bob;897aefba432c', 'media', '📎 cat.jpg'],
    ['19:0123abcd@thread.skype', 'event', 'Alice added Bob and Carol'],
    ['19:0123abcd@thread.skype', 'event', 'Alice changed the topic to “Road & trip”'],
    ['19:0123abcd@thread.skype', 'event', 'Alice removed Carol'],
    ['19:0123abcd@thread.skype', 'media', 'Video message'],
    ['19:0123abcd@thread.skype', 'event', 'Bob: Skype event (type 999)'],
    ['19:0123abcd@thread.skype', 'event', 'strange'],
    ['8:alice|8:bob', 'text', 'plain'],
    ['8:alice|8:bob', 'file', '📎 report.pdf (2 KB)\n📎 notes.txt (10 B)'],
    ['8:alice|8:bob', 'call', '📞 Call started'],
    ['8:alice|8:bob', 'call', '📞 Call ended · 1 min 5 s · Alice, Bob'],
    ['8:alice|8:bob', 'sms', '📱 SMS to +15550100\nare you there?'],
    ['8:alice|8:bob', 'contact', '👤 Carol'],
    ['8:alice|8:bob', 'event', 'Bob has shared contact details with Alice.'],
    ['8:alice|8:bob', 'event', 'Alice created a group conversation with Carol.'],
  ]);
});

test('chat titles: a group without a topic is named by Conversations.displayname, as Skype lists it; member changes name people by their contact names', async () => {
  const file = join(tempDir(), 'main.db');
  buildMainDb(file, {
    variant: 'new',
    Accounts: [{ skypename: 'alice', fullname: 'Alice Archer' }],
    // Full names only in Contacts: the messages carry no from_dispname.
    Contacts: [{ skypename: 'bob', fullname: 'Bob Baker', displayname: 'bob' }, { skypename: 'carol', fullname: 'Carol Cole' }],
    Conversations: [
      { id: 1, identity: '19:aaaa@thread.skype', type: 2, displayname: 'Bob Baker, Carol Cole' },
      { id: 2, identity: '19:bbbb@thread.skype', type: 2, displayname: 'Ski trip' },
      { id: 3, identity: '19:cccc@thread.skype', type: 2, displayname: 'Bob Baker, Carol Cole', meta_topic: 'Planning' },
      { id: 4, identity: 'bob', type: 1, displayname: 'Bob Baker' },
    ],
    Participants: [{ convo_id: 1, identity: 'alice' }, { convo_id: 1, identity: 'bob' }, { convo_id: 1, identity: 'carol' }],
    Messages: [
      { id: 1, convo_id: 1, author: 'bob', guid: guid('t1'), timestamp: T0, type: 10, identities: 'alice carol' },
      { id: 2, convo_id: 1, author: 'carol', guid: guid('t2'), timestamp: T0 + 1, type: 12, identities: 'bob' },
      { id: 3, convo_id: 2, author: 'alice', guid: guid('t3'), timestamp: T0 + 2, type: 61, body_xml: 'hi' },
      { id: 4, convo_id: 3, author: 'alice', guid: guid('t4'), timestamp: T0 + 3, type: 61, body_xml: 'hi' },
      { id: 5, convo_id: 4, author: 'alice', guid: guid('t5'), timestamp: T0 + 4, type: 61, body_xml: 'hi' },
    ],
  });
  const chats = byChat(await readAll(file));
  assert.equal(chats.get('19:aaaa@thread.skype')?.chat.title, 'Bob Baker, Carol Cole');
  assert.equal(chats.get('19:bbbb@thread.skype')?.chat.title, 'Ski trip');
  assert.equal(chats.get('19:cccc@thread.skype')?.chat.title, 'Planning', 'a topic comes first');
  assert.equal(chats.get('8:alice|8:bob')?.chat.title, null, 'a dialog is named by its members, the same from both sides');
  const db = newStore();
  await importOne(db, file);
  assert.deepEqual(stored(db).filter((m) => m.kind === 'event').map((m) => m.text), ['Bob Baker added Alice Archer and Carol Cole', 'Carol Cole removed Bob Baker']);
});

test('Temptin: group chats are titled as Skype lists them (Conversations.displayname)', { skip: NO_TEMPTIN }, async () => {
  const source = new Database(ACC1, { readonly: true, fileMustExist: true });
  const listed = new Map(source.prepare(`SELECT coalesce(alt_identity, identity), displayname FROM Conversations WHERE type = 2`).raw().all() as [string, string][]);
  source.close();
  const chats = byChat(await readAll(ACC1));
  const groups = [...chats.values()].filter((c) => c.chat.kind === 'group');
  assert.equal(groups.length, 3);
  for (const { chat } of groups) assert.equal(chat.title, listed.get(chat.nativeId), chat.nativeId);
});

// ---------------------------------------------------------------------------------------------
// Across sources: jitter, legacy ids, edits, removals

function dialogDb(file: string, owner: string, partner: string, variant: 'old' | 'new', messages: Row[]): void {
  const names: Record<string, string> = { alice: 'Alice', bob: 'Bob' };
  buildMainDb(file, {
    variant,
    Accounts: [{ skypename: owner, fullname: names[owner] }],
    Contacts: [{ skypename: partner, fullname: names[partner] }],
    Conversations: variant === 'new' ? [{ id: 7, identity: partner, type: 1 }] : undefined,
    Chats: [{ name: `#${owner}/$${partner};abc`, type: 2, dialog_partner: partner, conv_dbid: 7 }],
    Messages: messages.map((m) => ({ convo_id: 7, chatname: `#${owner}/$${partner};abc`, ...m })),
  });
}

test('jitter: the same message 5 s apart in two accounts’ main.db files is stored once', async () => {
  const dir = tempDir();
  const aliceDb = join(dir, 'alice.db');
  const bobDb = join(dir, 'bob.db');
  dialogDb(aliceDb, 'alice', 'bob', 'new', [
    { author: 'alice', from_dispname: 'Alice', guid: guid('a1'), timestamp: T0, type: 61, body_xml: 'see you at 5' },
    { author: 'bob', from_dispname: 'Bob', guid: guid('a2'), timestamp: T0 + 30, type: 61, body_xml: 'ok' },
  ]);
  // Bob's older Skype: no guids, clock 5 s ahead; one message Alice never got.
  dialogDb(bobDb, 'bob', 'alice', 'old', [
    { author: 'alice', from_dispname: 'Alice', timestamp: T0 + 5, type: 61, body_xml: 'see you at 5' },
    { author: 'bob', from_dispname: 'Bob', timestamp: T0 + 35, type: 61, body_xml: 'ok' },
    { author: 'bob', from_dispname: 'Bob', timestamp: T0 + 40, type: 61, body_xml: 'ok' },
  ]);
  const db = newStore();
  await importOne(db, aliceDb);
  const second = await importOne(db, bobDb);
  assert.equal(second.mergedMessages, 2);
  assert.equal(second.newMessages, 1, 'the second "ok" is a message of its own');
  assert.deepEqual(stored(db).map((m) => [m.chat, m.author, m.text, m.time / 1000 - T0]), [
    ['8:alice|8:bob', '8:alice', 'see you at 5', 0],
    ['8:alice|8:bob', '8:bob', 'ok', 30],
    ['8:alice|8:bob', '8:bob', 'ok', 40],
  ]);
  assert.equal((await importOne(db, bobDb)).newMessages + (await importOne(db, aliceDb)).newMessages, 0);
});

test('legacy ids: a main.db legacy chat and the 19:<base64>@p2p.thread.skype form are one chat', async () => {
  const p2p = '19:I2FsaWNlLyRib2I7ODk3YWVmYmE0MzJj@p2p.thread.skype';
  assert.equal(canonicalSkypeChatId(p2p, 'bob'), LEGACY);
  const dir = tempDir();
  const aliceDb = join(dir, 'alice.db');
  const bobDb = join(dir, 'bob.db');
  // Alice's old client names the chat by its legacy name; Bob's later one by the p2p thread id.
  buildMainDb(aliceDb, {
    variant: 'old',
    Accounts: [{ skypename: 'alice' }],
    Chats: [{ name: LEGACY, type: 4, participants: 'alice bob' }],
    Messages: [{ chatname: LEGACY, author: 'bob', timestamp: T0, type: 61, body_xml: 'from the p2p days' }],
  });
  buildMainDb(bobDb, {
    variant: 'new',
    Accounts: [{ skypename: 'bob' }],
    Conversations: [{ id: 3, identity: p2p, type: 2 }],
    Messages: [
      { convo_id: 3, author: 'bob', guid: guid('p1'), timestamp: T0 + 3, type: 61, body_xml: 'from the p2p days' },
      { convo_id: 3, author: 'alice', guid: guid('p2'), timestamp: T0 + 60, type: 61, body_xml: 'still here' },
    ],
  });
  const db = newStore();
  await importOne(db, aliceDb);
  await importOne(db, bobDb);
  assert.equal(scalar(db, `SELECT count(*) FROM chats`), 1);
  assert.equal(scalar(db, `SELECT native_id FROM chats`), LEGACY);
  assert.deepEqual(stored(db).map((m) => m.text), ['from the p2p days', 'still here']);
});

test('legacy ids through the export adapter: messages.json names the main.db chat 19:<base64>@p2p.thread.skype', async (t) => {
  const dir = tempDir();
  const mainDb = join(dir, 'main.db');
  buildMainDb(mainDb, {
    variant: 'old',
    Accounts: [{ skypename: 'alice' }],
    Chats: [{ name: LEGACY, type: 4, participants: 'alice bob' }],
    Messages: [
      { chatname: LEGACY, author: 'bob', from_dispname: 'Bob', timestamp: T0, type: 61, body_xml: 'from the p2p days' },
    ],
  });
  const exportDir = join(dir, 'export');
  mkdirSync(exportDir);
  const p2p = encodeP2pThreadId(LEGACY);
  writeFileSync(
    join(exportDir, 'messages.json'),
    JSON.stringify({
      userId: '8:alice',
      exportDate: '2020-01-01T00:00',
      conversations: [
        {
          id: p2p,
          displayName: null,
          threadProperties: { members: '["8:alice","8:bob"]' },
          MessageList: [
            { id: '1577', displayName: 'Bob', originalarrivaltime: new Date((T0 + 2) * 1000).toISOString(), messagetype: 'RichText', content: 'from the p2p days', from: '8:bob' },
          ],
        },
      ],
    }),
  );
  const db = newStore();
  await importOne(db, mainDb);
  const summary = await importPaths(db, [exportDir]);
  const chatIds = db.prepare(`SELECT native_id FROM chats`).pluck().all();
  if (chatIds.length !== 1) {
    // Until collector/sources/skype-export/ calls canonicalSkypeChatId(conversationId, userId).
    t.todo('skype-export does not canonicalize conversation ids yet');
  }
  assert.deepEqual(chatIds, [LEGACY], 'skype-export must canonicalize conversation ids with canonicalSkypeChatId');
  assert.equal(summary.mergedMessages, 1);
  assert.equal(stored(db).length, 1);
});

test('a cloud thread in main.db and in a later export: messages and membership events meet', async () => {
  const dir = tempDir();
  const mainDb = join(dir, 'main.db');
  const thread = '19:5e1f0c0ffee@thread.skype';
  buildMainDb(mainDb, {
    variant: 'new',
    Accounts: [{ skypename: 'alice', fullname: 'Alice' }],
    Contacts: [{ skypename: 'bob', fullname: 'Bob' }],
    Conversations: [{ id: 4, identity: thread, type: 2 }],
    Messages: [
      { convo_id: 4, author: 'alice', from_dispname: 'Alice', guid: guid('c1'), timestamp: T0, type: 10, identities: 'bob' },
      { convo_id: 4, author: 'bob', from_dispname: 'Bob', guid: guid('c2'), timestamp: T0 + 20, type: 61, body_xml: 'hi &amp; <b>bye</b>' },
    ],
  });
  const exportDir = join(dir, 'export');
  mkdirSync(exportDir);
  const iso = (seconds: number): string => new Date(seconds * 1000).toISOString();
  writeFileSync(
    join(exportDir, 'messages.json'),
    JSON.stringify({
      userId: '8:bob',
      exportDate: '2020-01-01T00:00',
      conversations: [
        {
          id: thread,
          displayName: null,
          threadProperties: { members: '["8:alice","8:bob"]' },
          MessageList: [
            { id: '2', displayName: 'Bob', originalarrivaltime: iso(T0 + 21), messagetype: 'RichText', content: 'hi &amp; <b>bye</b>', from: '8:bob' },
            {
              id: '1', displayName: null, originalarrivaltime: iso(T0 + 1), messagetype: 'ThreadActivity/AddMember', from: thread,
              content: `<addmember><eventtime>${(T0 + 1) * 1000}</eventtime><initiator>8:alice</initiator><target>8:bob</target></addmember>`,
            },
          ],
        },
      ],
    }),
  );
  const db = newStore();
  await importOne(db, mainDb);
  const summary = await importPaths(db, [exportDir]);
  assert.equal(summary.mergedMessages, 2);
  assert.equal(summary.newMessages, 0);
  assert.deepEqual(stored(db).map((m) => [m.chat, m.author, m.text]), [
    [thread, '8:alice', 'Alice added Bob'],
    [thread, '8:bob', 'hi & bye'],
  ]);
});

test('edits: edited_timestamp becomes editedAt; re-importing the edited file updates, never adds', async () => {
  const file = join(tempDir(), 'main.db');
  const original = { author: 'alice', from_dispname: 'Alice', guid: guid('e1'), timestamp: T0, type: 61, body_xml: 'helo' };
  dialogDb(file, 'alice', 'bob', 'new', [original, { author: 'bob', guid: guid('e2'), timestamp: T0 + 9, type: 61, body_xml: 'hi' }]);
  const db = newStore();
  assert.equal((await importOne(db, file)).newMessages, 2);

  const source = new Database(file);
  source.prepare(`UPDATE Messages SET body_xml = 'hello', edited_by = 'alice', edited_timestamp = ? WHERE author = 'alice'`).run(T0 + 30);
  source.close();
  const edited = await importOne(db, file);
  assert.deepEqual([edited.newMessages, edited.updatedMessages, edited.unchangedMessages], [0, 1, 1]);
  const row = stored(db)[0];
  assert.equal(row.text, 'hello');
  assert.equal(row.editedAt, (T0 + 30) * 1000);
  assert.equal(row.time, T0 * 1000, 'the original time stays');
  assert.equal(row.deleted, 0);
  assert.equal((await importOne(db, file)).updatedMessages, 0);
});

test('removals: a message edited to nothing is deleted, in place', async () => {
  const file = join(tempDir(), 'main.db');
  dialogDb(file, 'alice', 'bob', 'new', [
    { author: 'alice', guid: guid('r1'), timestamp: T0, type: 61, body_xml: 'oops, wrong chat' },
    { author: 'bob', guid: guid('r2'), timestamp: T0 + 5, type: 61, body_xml: '' }, // removed before we ever saw it
  ]);
  const db = newStore();
  await importOne(db, file);
  assert.deepEqual(stored(db).map((m) => m.deleted), [0, 1]);

  const source = new Database(file);
  source.prepare(`UPDATE Messages SET body_xml = '', edited_by = 'alice', edited_timestamp = ? WHERE author = 'alice'`).run(T0 + 60);
  source.close();
  const summary = await importOne(db, file);
  assert.deepEqual([summary.newMessages, summary.updatedMessages], [0, 1]);
  const [removed] = stored(db);
  assert.equal(removed.deleted, 1);
  assert.equal(removed.text, '');
  assert.equal(removed.editedAt, (T0 + 60) * 1000);
  assert.equal(scalar(db, `SELECT count(*) FROM messages`), 2);
});

test('past 200 warnings, the rest are counted in the one wording every format uses', async () => {
  // 210 unknown types: one tally warning each, so 200 are listed and 10 counted.
  const file = join(tempDir(), 'main.db');
  buildMainDb(file, {
    variant: 'new',
    Accounts: [{ skypename: 'alice', fullname: 'Alice' }],
    Messages: Array.from({ length: 210 }, (_, i) => ({ id: i + 1, chatname: 'bob', author: 'bob', guid: guid(`w${i}`), timestamp: T0 + i, type: 5000 + i, body_xml: 'x' })),
  });
  const warnings = (await readAll(file)).filter((e) => e.type === 'warning').map((e) => (e.type === 'warning' ? e.warning : null));
  assert.equal(warnings.length, 201);
  assert.deepEqual(warnings[0], { position: 'Messages row 1', message: '1 message of unknown type 5000 imported as events' });
  assert.deepEqual(warnings[200], { position: 'file', message: '10 more warnings like the ones above were not listed' });
});
