import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { openStore, type Db } from '../collector/store/open.js';
import { StoreWriter } from '../collector/store/writer.js';
import { anchorFor, messageKey } from '../collector/identity/key.js';
import { MessageFlags, type MessageRecord } from '../collector/model.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { ftsTerms, syncFts } from '../collector/search/fts.js';
import { storeWriter } from '../collector/import/store-writer.js';

const CHAT = { nativeId: '19:test@thread.skype', title: 'Test chat', members: [{ nativeId: '8:alice', displayName: 'Alice' }] };

function msg(over: Partial<MessageRecord> = {}): MessageRecord {
  return { nativeId: '1', authorId: '8:alice', authorName: 'Alice', time: Date.UTC(2021, 8, 1, 12), kind: 'text', body: 'hello', markup: 'plain', ...over };
}

function write(db: Db, messages: MessageRecord[], source = 'a.json') {
  const writer = storeWriter(db);
  db.exec('BEGIN');
  writer.beginSource(sourceId(db, source));
  writer.beginChat(CHAT, 'test');
  const results = messages.map((m) => writer.message(m));
  const counts = writer.finish();
  db.exec('COMMIT');
  return { results, counts };
}

function sourceId(db: Db, path: string): number {
  return scalar(db, `INSERT INTO sources (path, format) VALUES (?, 'test') ON CONFLICT(path) DO UPDATE SET format = 'test' RETURNING id`, path) as number;
}

function freshDb(): Db {
  return openStore(join(tempDir(), 'store.sqlite'));
}

test('new, unchanged and updated messages are told apart', () => {
  const db = freshDb();
  assert.deepEqual(write(db, [msg(), msg({ nativeId: '2', body: 'two' })]).results, ['new', 'new']);
  assert.deepEqual(write(db, [msg(), msg({ nativeId: '2', body: 'two' })]).results, ['unchanged', 'unchanged']);
  assert.equal(syncFts(db), 2, 'the full-text index is filled lazily, on demand');
  const edited = write(db, [msg({ body: 'hello, edited', editedAt: Date.UTC(2021, 8, 1, 13) })]);
  assert.deepEqual(edited.results, ['updated']);
  const rows = db.prepare('SELECT body, edited_at, text FROM messages ORDER BY id').all() as { body: string; edited_at: number; text: string }[];
  assert.equal(rows.length, 2, 'an edit updates the message, never adds one');
  assert.equal(rows[0].body, 'hello, edited');
  assert.equal(rows[0].edited_at, Date.UTC(2021, 8, 1, 13));
  // The index holds the search pipeline's terms: "edited" is stored as its stem.
  const edit = ftsTerms('edited');
  const hits = db.prepare(`SELECT rowid FROM messages_fts WHERE messages_fts MATCH ?`).all(`"${edit}"`);
  assert.equal(hits.length, 1, 'full-text index follows the edit of an indexed message');
  assert.equal(syncFts(db), 0);
  assert.equal(scalar(db, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?`, `"hello" NOT "${edit}"`), 0);
});

test('a deletion updates the stored message and keeps its anchor', () => {
  const db = freshDb();
  write(db, [msg()]);
  const before = db.prepare('SELECT anchor FROM messages').get() as { anchor: string };
  assert.deepEqual(write(db, [msg({ deleted: true })]).results, ['updated']);
  const after = db.prepare('SELECT anchor, deleted FROM messages').all() as { anchor: string; deleted: number }[];
  assert.equal(after.length, 1);
  assert.equal(after[0].anchor, before.anchor);
  assert.equal(after[0].deleted, 1);
});

test('identical messages (same author, time and body) all survive, and re-import keeps them N', () => {
  const db = freshDb();
  const bot = msg({ nativeId: undefined, authorId: '28:bot', body: 'build passed' });
  assert.deepEqual(write(db, [bot, bot, bot]).counts.newMessages, 3);
  assert.deepEqual(write(db, [bot, bot, bot]).results, ['unchanged', 'unchanged', 'unchanged']);
  // An overlapping export that has one more of them adds exactly one.
  assert.equal(write(db, [bot, bot, bot, bot]).counts.newMessages, 1);
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 4);
});

test('an anchor collision lengthens only the newcomer', () => {
  const db = freshDb();
  write(db, [msg({ nativeId: 'first' })]);
  const chatId = scalar(db, 'SELECT id FROM chats') as number;
  const next = msg({ nativeId: 'second' });
  const nextKey = messageKey({ chat: CHAT.nativeId, author: next.authorId, time: next.time, identity: 'second' });
  // Squat the anchor the next message would get, as if another message had published it.
  db.prepare(
    `INSERT INTO message_rows (chat_id, key, anchor, time, kind, markup, body, rev) VALUES (?, 'squatter', ?, 0, 'text', 'plain', '', 0)`,
  ).run(chatId, anchorFor(nextKey));
  write(db, [next]);
  const row = db.prepare('SELECT anchor FROM messages WHERE key = ?').get(nextKey) as { anchor: string };
  assert.equal(row.anchor, anchorFor(nextKey, 12));
  assert.equal(scalar(db, `SELECT anchor FROM messages WHERE key = 'squatter'`), anchorFor(nextKey));
});

test('a month gets one page, or a page per day when it is large when first imported, and keeps it', () => {
  const db = freshDb();
  const day = (d: number, i: number) => msg({ nativeId: `m${d}-${i}`, time: Date.UTC(2022, 0, d, 10, 0, i) });
  write(db, [day(1, 0), day(2, 0)]);
  const big = Array.from({ length: 1001 }, (_, i) => msg({ nativeId: `big${i}`, time: Date.UTC(2022, 1, 1 + (i % 28), 9, 0, i % 60) }));
  write(db, big);
  const periods = db.prepare('SELECT month, by_day FROM periods ORDER BY month').all();
  assert.deepEqual(periods, [{ month: '2022-01', by_day: 0 }, { month: '2022-02', by_day: 1 }]);
  // January grows past the threshold later: its URL layout must not change.
  write(db, Array.from({ length: 1200 }, (_, i) => msg({ nativeId: `late${i}`, time: Date.UTC(2022, 0, 3, 0, 0, i) })));
  assert.deepEqual(db.prepare(`SELECT by_day FROM periods WHERE month = '2022-01'`).get(), { by_day: 0 });
});

test('implausible timestamps are kept and flagged', () => {
  const db = freshDb();
  write(db, [msg({ time: Date.UTC(2404, 0, 1) }), msg({ nativeId: '2', time: Date.UTC(2020, 0, 1) })]);
  const rows = db.prepare('SELECT flags FROM messages ORDER BY time').all() as { flags: number }[];
  assert.deepEqual(rows.map((r) => r.flags), [0, 1]);
  assert.ok(db.prepare(`SELECT 1 FROM periods WHERE month = '2404-01'`).get());
});

test('people are stored once and learn their display name', () => {
  const db = freshDb();
  write(db, [msg({ authorName: null }), msg({ nativeId: '2', authorId: '8:bob', authorName: 'Bob' })]);
  const people = db.prepare('SELECT native_id, display_name FROM people ORDER BY native_id').all();
  assert.deepEqual(people, [{ native_id: '8:alice', display_name: 'Alice' }, { native_id: '8:bob', display_name: 'Bob' }]);
});

test('plain messages are stored once; the messages view rebuilds their html and text', () => {
  const db = freshDb();
  write(db, [msg({ body: 'a < b & "c" \'d\'\nnext line' }), msg({ nativeId: '2', body: 'see https://example.org/x' })]);
  const raw = db.prepare('SELECT html, text FROM message_rows ORDER BY id').all();
  assert.deepEqual(raw[0], { html: null, text: null });
  assert.notEqual((raw[1] as { html: string | null }).html, null, 'a linkified body keeps its own html');
  const view = db.prepare('SELECT html, text FROM messages ORDER BY id').all();
  assert.deepEqual(view[0], { html: 'a &lt; b &amp; &quot;c&quot; &#39;d&#39;<br>next line', text: 'a < b & "c" \'d\'\nnext line' });
  assert.match((view[1] as { html: string }).html, /<a href="https:\/\/example.org\/x"/);
});

test('the same message from a second source, seconds apart, is merged; identical lines in one source stay apart', () => {
  const db = freshDb();
  const fromA = (over: Partial<MessageRecord>) => msg({ nativeId: undefined, ...over });
  const t = Date.UTC(2015, 5, 1, 10);
  // Account A's database: two identical "ok" lines in the same second, and a reply.
  write(db, [fromA({ body: 'ok', time: t }), fromA({ body: 'ok', time: t }), fromA({ body: 'see you', time: t + 60_000 })]);
  // Account B saw the same three, its clock 4 s ahead, plus one A never saw.
  const b = [
    fromA({ body: 'ok', time: t + 4000 }),
    fromA({ body: 'ok', time: t + 4000 }),
    fromA({ body: 'see you', time: t + 64_000 }),
    fromA({ body: 'new here', time: t + 120_000 }),
  ];
  const first = write(db, b, 'b.json');
  // New keys in a chat another source wrote: decided once the run's exact matches are known.
  assert.deepEqual(first.results, ['deferred', 'deferred', 'deferred', 'deferred']);
  assert.deepEqual([first.counts.mergedMessages, first.counts.newMessages], [3, 1]);
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 4);
  // Re-importing B changes nothing, and merges nothing twice.
  assert.deepEqual(write(db, b, 'b.json').results, ['unchanged', 'unchanged', 'unchanged', 'unchanged']);
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 4);
  // Beyond the tolerance it is another message.
  assert.equal(write(db, [fromA({ body: 'see you', time: t + 60_000 + 121_000 })], 'c.json').counts.newMessages, 1);
});

test('merging can be turned off', () => {
  const db = freshDb();
  const t = Date.UTC(2015, 5, 1, 10);
  write(db, [msg({ nativeId: undefined, body: 'ok', time: t })]);
  const writer = storeWriter(db, { mergeToleranceMs: 0 });
  db.exec('BEGIN');
  writer.beginSource(sourceId(db, 'b.json'));
  writer.beginChat(CHAT, 'test');
  assert.equal(writer.message(msg({ nativeId: undefined, body: 'ok', time: t + 1000 })), 'new');
  writer.finish();
  db.exec('COMMIT');
});

test('a first import that returns to a chat it left keeps every key and ends with the indexes in place', () => {
  const db = freshDb();
  const writer = storeWriter(db);
  const other = { nativeId: '19:other@thread.skype', title: 'Other' };
  db.exec('BEGIN');
  writer.beginChat(CHAT, 'test');
  writer.message(msg({ nativeId: '1' }));
  writer.beginChat(other, 'test');
  writer.message(msg({ nativeId: '1' }));
  writer.beginChat(CHAT, 'test');
  assert.equal(writer.message(msg({ nativeId: '1' })), 'unchanged');
  assert.equal(writer.message(msg({ nativeId: '2' })), 'new');
  writer.finish();
  db.exec('COMMIT');
  const indexes = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'message_rows' ORDER BY name`).pluck().all();
  assert.deepEqual(indexes, ['messages_chat_anchor', 'messages_chat_media', 'messages_chat_time', 'messages_thread']);
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 3);
});

test('two identical id-less messages of one chat stay two when the source visits another chat between them', () => {
  const other = { nativeId: '19:other@thread.skype', title: 'Other' };
  const ok = (): MessageRecord => ({ authorId: 'nick', authorName: 'nick', time: Date.UTC(2021, 8, 1, 12, 0), kind: 'text', body: 'ok', markup: 'plain' });
  const interleaved = (db: Db): string[] => {
    const writer = storeWriter(db);
    db.exec('BEGIN');
    writer.beginSource(sourceId(db, 'interleaved.log'));
    const results: string[] = [];
    writer.beginChat(CHAT, 'test');
    results.push(writer.message(ok()));
    writer.beginChat(other, 'test');
    results.push(writer.message(ok()));
    writer.beginChat(CHAT, 'test');
    results.push(writer.message(ok()));
    writer.finish();
    db.exec('COMMIT');
    return results;
  };
  // A first import (bulk mode, no indexes yet) and one into a database that already holds messages.
  for (const populated of [false, true]) {
    const db = freshDb();
    if (populated) {
      // Messages of a third chat: the writer starts with its indexes in place.
      const writer = storeWriter(db);
      db.exec('BEGIN');
      writer.beginSource(sourceId(db, 'earlier.json'));
      writer.beginChat({ nativeId: '19:earlier@thread.skype', title: 'Earlier' }, 'test');
      writer.message(msg({ body: 'an earlier message' }));
      writer.finish();
      db.exec('COMMIT');
    }
    const before = populated ? 1 : 0;
    assert.deepEqual(interleaved(db), ['new', 'new', 'new'], `populated: ${populated}`);
    const inChat = () => scalar(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ? AND m.body = 'ok'`, CHAT.nativeId);
    assert.equal(inChat(), 2, `populated: ${populated}`);
    // Importing the same source again finds the same three, no more.
    assert.deepEqual(interleaved(db), ['unchanged', 'unchanged', 'unchanged'], `populated: ${populated}`);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), before + 3);
  }
});

test('a resumed source (appended log) counts occurrences on from the lines its adapter reads again, not from other sources\' keys', () => {
  const line = (body: string) => ({ authorId: 'nick', authorName: 'nick', time: Date.UTC(2021, 8, 1, 12, 0), kind: 'text' as const, body, markup: 'plain' });
  const resumed = (db: Db, replayed: MessageRecord[], appended: MessageRecord[], mergeToleranceMs?: number) => {
    const writer = storeWriter(db, { mergeToleranceMs });
    db.exec('BEGIN');
    writer.beginSource(sourceId(db, 'chan.log'));
    writer.resumeSource();
    writer.beginChat(CHAT, 'test');
    const results = [...replayed, ...appended].map((m) => writer.message(m));
    const counts = writer.finish();
    db.exec('COMMIT');
    return { results, counts };
  };
  for (const mergeToleranceMs of [undefined, 0]) {
    // First run reads the whole log: two identical "ok" lines in one minute. The log grows by a
    // third; the adapter reads the two again (its replay), then the appended one.
    const db = freshDb();
    assert.deepEqual(write(db, [line('ok'), line('ok')], 'chan.log').results, ['new', 'new']);
    const grown = resumed(db, [line('ok'), line('ok')], [line('ok')], mergeToleranceMs);
    assert.deepEqual(grown.results.slice(0, 2), ['unchanged', 'unchanged']);
    assert.deepEqual([grown.counts.newMessages, grown.counts.mergedMessages], [1, 0]);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 3);
    // Re-reading the whole file later finds exactly those three, no more.
    assert.deepEqual(write(db, [line('ok'), line('ok'), line('ok')], 'chan.log').results, ['unchanged', 'unchanged', 'unchanged']);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 3);

    // Another logger stored two "ok"; this one held one, and its appended "ok" is the other's
    // second, as a whole read of it says: not a third (merging on or off).
    const two = freshDb();
    write(two, [line('ok'), line('ok')], 'other.log');
    write(two, [line('ok')], 'chan.log');
    const more = resumed(two, [line('ok')], [line('ok')], mergeToleranceMs);
    assert.deepEqual(more.results, ['unchanged', 'unchanged']);
    assert.equal(scalar(two, 'SELECT count(*) FROM messages'), 2, `tolerance ${mergeToleranceMs}`);
  }
});

test('a longer re-export under another name adds its one more identical line instead of merging it', () => {
  const db = freshDb();
  const t = Date.UTC(2020, 2, 1, 9, 0);
  const ok = () => msg({ nativeId: undefined, body: 'ok', time: t });
  assert.deepEqual(write(db, [ok(), ok()], 'WhatsApp Chat with Bob.txt').results, ['new', 'new']);
  // The same chat exported again later, saved under another name, with a third "ok" in that minute.
  const again = write(db, [ok(), ok(), ok()], 'WhatsApp Chat with Bob (1).txt');
  assert.deepEqual(again.results, ['unchanged', 'unchanged', 'deferred']);
  assert.deepEqual([again.counts.newMessages, again.counts.mergedMessages], [1, 0]);
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 3);
});

test('a chat answers key lookups by query at first and from memory after many: the same results either way', async () => {
  const { LOAD_AFTER } = await import('../collector/store/known-keys.js');
  const count = LOAD_AFTER + 500;
  const many = (edit: (i: number) => Partial<MessageRecord> = () => ({})) =>
    Array.from({ length: count }, (_, i) => msg({ nativeId: String(i), time: Date.UTC(2021, 8, 1) + i * 1000, body: `m${i}`, ...edit(i) }));
  const db = freshDb();
  write(db, [msg({ nativeId: 'seed' })]); // not empty: no bulk mode, lookups by query from the start
  assert.equal(write(db, many()).counts.newMessages, count);
  // Re-imported with one edit before the switch to memory and one after, and one newcomer each side.
  const again = many((i) => (i === 10 || i === LOAD_AFTER + 100 ? { body: `m${i}, edited` } : {}));
  again.splice(5, 0, msg({ nativeId: 'early', time: Date.UTC(2021, 8, 1) + 5500 }));
  again.push(msg({ nativeId: 'late', time: Date.UTC(2021, 9, 1) }));
  const { counts, results } = write(db, again);
  assert.equal(counts.updatedMessages, 2);
  assert.equal(counts.newMessages, 2);
  assert.equal(counts.unchangedMessages, count - 2);
  assert.equal(results[5], 'deferred');
  assert.equal(scalar(db, 'SELECT count(*) FROM messages'), count + 3);
  assert.equal(scalar(db, 'SELECT count(DISTINCT anchor) FROM messages'), count + 3, 'anchors stay unique');
});

test('a re-import lacking what is stored (reply link, author name, a file) erases nothing; what really changed still updates', () => {
  const db = freshDb();
  const png = { name: 'photo_1.png', type: 'image/png', size: 3, hash: 'a'.repeat(64) };
  const full = msg({ replyToKey: 'root-key', flags: MessageFlags.threadReply, attachments: [png] });
  write(db, [full]);
  const row = () =>
    db.prepare('SELECT author_name, reply_to_key, attachments, flags, body FROM messages').get() as {
      author_name: string | null; reply_to_key: string | null; attachments: string | null; flags: number; body: string;
    };
  const stored = row();
  // An overlapping export without the reply's root, the author's name or the file (a placeholder name).
  const lacking = msg({ authorName: null, attachments: [{ name: 'Photo', type: 'image/jpeg' }] });
  assert.deepEqual(write(db, [lacking]).results, ['unchanged'], 'nothing new: nothing to update');
  assert.deepEqual(row(), stored);
  assert.deepEqual(write(db, [msg({ authorName: '', attachments: [{ name: 'photo_1.png' }] })]).results, ['unchanged']);
  assert.deepEqual(row(), stored);
  assert.deepEqual(write(db, [full]).results, ['unchanged'], 'the full export again');
  // An edit seen in a lacking export: the text changes, the rest stays.
  assert.deepEqual(write(db, [{ ...lacking, body: 'hello again', editedAt: Date.UTC(2021, 8, 1, 13) }]).results, ['updated']);
  assert.deepEqual(row(), { ...stored, body: 'hello again' });
  // A renamed author, another reply target, another file: real changes, taken.
  const jpg = { name: 'photo_2.jpg', type: 'image/jpeg', size: 4, hash: 'b'.repeat(64) };
  write(db, [msg({ authorName: 'Alice B.', replyToKey: 'other-root', body: 'hello again', editedAt: Date.UTC(2021, 8, 1, 13), attachments: [jpg] })]);
  assert.deepEqual(row(), { author_name: 'Alice B.', reply_to_key: 'other-root', attachments: JSON.stringify([jpg]), flags: 0, body: 'hello again' });
  // A file removed from the message (not merely left out of the export's folder) is gone.
  write(db, [msg({ authorName: 'Alice B.', replyToKey: 'other-root', body: 'hello again', editedAt: Date.UTC(2021, 8, 1, 13) })]);
  assert.equal(row().attachments, null);
});
