import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { buildSearchIndex, updateSearchIndex, planSearchUpdate } from '../site/search/index.js';
import { decodeDataScript } from '../site/search/bytes.js';
import { decodeManifest, readBaseIndex } from '../site/search/built-index.js';
import { searchSettings } from '../site/search/build.js';
import { openSearchEngine, type SearchEngine, type SearchResult } from '../site/search/node-engine.js';
import { tempDir } from './helpers/temp.js';
import { CHATS, makeCorpus, nativeIdOf, writeCorpus, writeLater, type CorpusMessage } from './helpers/search-corpus.js';

/**
 * Delta builds (site/search/delta.ts): a base index, then imports that add, edit and delete
 * messages, then a delta over the base. The engine reading base + delta must answer every query
 * exactly as an engine reading a full build of the changed database does: the same messages, the
 * same counts under filters, the same newest-first order.
 */

const dir = tempDir('cc-search-delta-');
const db = join(dir, 'db.sqlite');
const out = join(dir, 'site');
const data = join(out, 'search', 'data');
const T = Date.UTC(2020, 6, 14, 10, 0);
const messages: CorpusMessage[] = makeCorpus(500, 21);
const EDITED = messages.length;
messages.push({ chat: CHATS[0].nativeId, author: '8:live:alice', authorName: 'Alice Smith', time: T, text: 'the quokka sleeps under the bridge' });
const DELETED = messages.length;
messages.push({ chat: CHATS[0].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: T + 60_000, text: 'wombat burrow collapsed' });
const TWIN = messages.length;
messages.push({ chat: CHATS[1].nativeId, author: '8:live:carol', authorName: 'Carol Café', time: Date.UTC(2020, 2, 3, 8), text: 'platypus lays eggs near alpha' });

let base: ReturnType<typeof readBaseIndex>;

/** The database's id: the key of the base index's sealed facts. */
function databaseId(): string | null {
  const raw = new Database(db, { readonly: true });
  try {
    return (raw.prepare(`SELECT value FROM meta WHERE key = 'database_id'`).pluck().get() as string | undefined) ?? null;
  } finally {
    raw.close();
  }
}

before(async () => {
  writeCorpus(db, messages);
  const built = await buildSearchIndex({ db, outDir: out, threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  assert.ok(built.parts > 0, 'the small sizes split frequent terms into parts');
  base = readBaseIndex(data, databaseId());
});

/** An engine over a full build of the database as it is now. */
async function fullEngine(label: string): Promise<SearchEngine> {
  const other = join(dir, `full-${label}`);
  await buildSearchIndex({ db, outDir: other, threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  return openSearchEngine(join(other, 'search', 'data'));
}

async function refs(engine: SearchEngine, result: SearchResult, n = 100_000): Promise<string[]> {
  const docs = await result.take(0, n);
  return Promise.all(docs.map(async (d) => {
    const r = await result.document(d);
    return `${r.chat.slug}#${r.anchor}|${r.text}|${r.path}`;
  }));
}

const QUERIES: [string, Record<string, string>, Record<string, string>][] = [
  ['quokka', {}, {}],
  ['swims', {}, {}],
  ['sleeps', {}, {}],
  ['wombat', {}, {}],
  ['echidna', {}, {}],
  ['numbat', {}, {}],
  ['bilby', {}, {}],
  ['fresh', {}, {}],
  ['platypus', {}, {}],
  ['alpha', {}, {}],
  ['alpha bravo', {}, { mode: 'any' }],
  ['alpha -bravo', {}, {}],
  ['running deploy', {}, {}],
  ['author:alice', {}, {}],
  ['alpha', { author: 'Bob Jones' }, {}],
  ['alpha', { after: '2020-07-01', before: '2020-08-01' }, {}],
  ['quokka', { after: '2020-07-14', before: '2020-07-15' }, {}],
  ['chat:coffee alpha', {}, {}],
  ['chat:fresh', {}, {}],
  // The last word as a prefix: its terms from the base and the delta together.
  ['quok', {}, {}],
  ['alpha plat', {}, {}],
  ['deplo', {}, {}],
  ['ech -bravo', {}, {}],
];

/** Same answers as a full build: sets for best-first, sequences for newest/oldest first. */
async function assertSameAnswers(ours: SearchEngine, full: SearchEngine, label: string): Promise<void> {
  for (const [input, filters, options] of QUERIES) {
    for (const sort of ['best', 'newest', 'oldest']) {
      const a = await ours.search(input, filters, { ...options, sort });
      const b = await full.search(input, filters, { ...options, sort });
      const what = `${label}: "${input}" ${JSON.stringify(filters)} ${sort}`;
      assert.equal(a.count, b.count, `${what}: ${a.count} results, a full build finds ${b.count}`);
      const mine = await refs(ours, a);
      const theirs = await refs(full, b);
      if (sort === 'best') assert.deepEqual([...mine].sort(), [...theirs].sort(), what);
      else assert.deepEqual(mine.map((r) => r.split('|')[0]).slice(0, 40), theirs.map((r) => r.split('|')[0]).slice(0, 40), what);
    }
  }
}

function pointer(): { version: string; masked: number[]; base: string } | null {
  const bytes = decodeDataScript(readFileSync(join(data, 'delta.js'), 'utf8'), 'delta');
  if (bytes.length === 0) return null;
  return decodeManifest(bytes).json as unknown as { version: string; masked: number[]; base: string };
}

const deltaFolders = () => readdirSync(data).filter((n) => n.startsWith('delta-')).sort();

test('a fresh full build has no delta, and a base a delta can build on', async () => {
  assert.ok(!('problem' in base), JSON.stringify(base));
  assert.equal(pointer(), null);
  assert.deepEqual(deltaFolders(), []);
  assert.deepEqual(readdirSync(join(out, 'search')).sort(), ['data', 'search.js'], 'the new data folder was swapped in, nothing left beside it');
  const result = await updateSearchIndex({ db, outDir: out, threads: 1 });
  assert.equal(result.delta, true);
  assert.equal(result.deltaVersion, null, 'nothing changed: no delta');
  assert.equal(pointer(), null);
});

test('the published base manifest shows neither the change log\'s point nor the options\' hash: they are sealed under the database\'s id, and open with no other', () => {
  const { json } = decodeManifest(decodeDataScript(readFileSync(join(data, 'manifest.js'), 'utf8'), 'manifest'));
  const text = JSON.stringify(json);
  assert.ok(!('problem' in base));
  for (const key of ['settings', 'changeSeq', 'averages']) assert.ok(!(key in json), `no ${key} in the clear`);
  assert.ok(!text.includes(searchSettings({})), 'the options\' hash is not there');
  assert.equal(typeof (json as { sealed?: unknown }).sealed, 'string');
  assert.deepEqual(readBaseIndex(data, 'another database'), { problem: 'the base index was built from another database' });
  assert.deepEqual(readBaseIndex(data, null), { problem: 'the base index was built from another database' });
});

test('the published search version is keyed with the database\'s id: the same messages in another database give another version, so it confirms no guess of the counts or options', async () => {
  const other = join(dir, 'other.sqlite');
  writeCorpus(other, messages);
  const mine = await buildSearchIndex({ db, outDir: join(dir, 'same-1'), threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  const again = await buildSearchIndex({ db, outDir: join(dir, 'same-2'), threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  const theirs = await buildSearchIndex({ db: other, outDir: join(dir, 'other'), threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  assert.equal(again.version, mine.version, 'stable for one database');
  assert.notEqual(theirs.version, mine.version);
});

test('added, edited and deleted messages, a new month and a new chat: base + delta answers like a full build', async () => {
  writeLater(db, CHATS[0], [
    { nativeId: nativeIdOf(EDITED), author: '8:live:alice', authorName: 'Alice Smith', time: T, text: 'the quokka swims across the river' },
    { nativeId: nativeIdOf(DELETED), author: '8:live:bob', authorName: 'Bob Jones', time: T + 60_000, text: 'wombat burrow collapsed', deleted: true },
    { nativeId: 'new-1', author: '8:live:dan', authorName: 'دان', time: T + 120_000, text: 'an echidna appeared near alpha' },
  ]);
  writeLater(db, CHATS[2], [{ nativeId: 'new-2', author: '8:live:carol', authorName: 'Carol Café', time: Date.UTC(2022, 2, 9, 12), text: 'numbat spotted, alpha' }]);
  // The same text, author and chat as a base message: it must score the same from the delta.
  writeLater(db, CHATS[1], [{ nativeId: 'new-3', author: '8:live:carol', authorName: 'Carol Café', time: Date.UTC(2020, 2, 20, 8), text: messages[TWIN].text }]);
  writeLater(db, { nativeId: '19:fresh@thread.skype', title: 'Fresh chat' }, [
    { nativeId: 'f-1', author: '8:live:bob', authorName: 'Bob Jones', time: T + 3_600_000, text: 'bilby party tonight, alpha' },
  ]);

  const plan = planSearchUpdate({ db, outDir: out });
  assert.equal(plan.kind, 'delta');
  const result = await updateSearchIndex({ db, outDir: out, threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  assert.equal(result.delta, true, result.reason);
  assert.ok(result.deltaVersion);
  assert.ok(!('problem' in base));
  if ('problem' in base) return;
  assert.equal(result.version, base.version, 'the page keeps naming the base');
  assert.ok(result.docs > 0 && result.docs < 60, `the delta holds only the changed chat-days (${result.docs} documents)`);
  const p = pointer()!;
  assert.equal(p.base, base.version);
  assert.equal(p.version, result.deltaVersion);
  assert.ok(p.masked.length > 0);
  assert.deepEqual(deltaFolders(), [`delta-${result.deltaVersion}`]);
  // The base's files were not touched.
  assert.equal((readBaseIndex(data, databaseId()) as { version: string }).version, base.version);

  const loaded: string[] = [];
  const ours = openSearchEngine(data, (key) => loaded.push(key));
  const full = await fullEngine('1');
  await assertSameAnswers(ours, full, 'first delta');
  assert.ok(loaded.some((k) => k.startsWith(`delta-${result.deltaVersion}/t/`)), 'delta buckets were read');

  // Found once, with the new text; the deleted message is gone; the new chat is searchable by name.
  const quokka = await ours.search('quokka');
  assert.equal(quokka.count, 1);
  assert.match((await quokka.document((await quokka.take(0, 1))[0])).text, /swims/);
  assert.equal((await ours.search('sleeps')).count, 0);
  assert.equal((await ours.search('wombat collapsed')).count, 0);
  const bilby = await ours.search('bilby');
  assert.equal((await bilby.document((await bilby.take(0, 1))[0])).chat.title, 'Fresh chat');

  // A message weighs the same from the delta as from the base.
  const twins = await ours.search('platypus');
  assert.equal(twins.count, 2);
  const [x, y] = await twins.take(0, 2);
  assert.ok(x < base.docs !== y < base.docs, 'one twin in the base, one in the delta');
  assert.ok(Math.abs(twins.score![x] - twins.score![y]) < 1e-12, `${twins.score![x]} vs ${twins.score![y]}`);

  // Knowing the bucket count before the manifest (as search.js tells the browser) changes nothing.
  await assertSameAnswers(openSearchEngine(data, undefined, { buckets: base.buckets }), full, 'bucket count known early');
});

test('every base document of a changed chat-day is masked, and no other', async () => {
  assert.ok(!('problem' in base));
  if ('problem' in base) return;
  // The base alone: an engine over a copy of the base without its delta.
  const copy = join(dir, 'base-only');
  cpSync(data, copy, { recursive: true });
  cpSync(join(dir, 'full-1', 'search', 'data', 'delta.js'), join(copy, 'delta.js'));
  const engine = openSearchEngine(copy);
  const masked = new Set<number>();
  const m = pointer()!.masked;
  for (let i = 0; i < m.length; i += 2) for (let d = m[i]; d < m[i] + m[i + 1]; d++) masked.add(d);
  let dirtyDocs = 0;
  for (let doc = 0; doc < base.docs; doc++) {
    const r = await engine.document(doc);
    const day = new Date(r.time).toISOString().slice(0, 10);
    const dirty = (r.chat.title === 'Project Alpha 🎉' && day === '2020-07-14') || (r.chat.title === 'Coffee & lunch' && day === '2020-03-20');
    assert.equal(masked.has(doc), dirty, `document ${doc} (${r.chat.title}, ${day}) ${dirty ? 'should' : 'should not'} be masked`);
    if (dirty) dirtyDocs++;
  }
  assert.ok(dirtyDocs >= 2, 'the edited and the deleted message were in the base');
});

test('a later delta replaces the previous one and still covers everything since the base', async () => {
  const first = pointer()!.version;
  writeLater(db, CHATS[1], [{ nativeId: 'new-4', author: '8:live:alice', authorName: 'Alice Smith', time: Date.UTC(2020, 9, 2, 9), text: 'quokka number two, alpha' }]);
  const result = await updateSearchIndex({ db, outDir: out, threads: 1, sizes: { bucketBytes: 400, partPostings: 40, docChunk: 9 } });
  assert.equal(result.delta, true);
  assert.notEqual(result.deltaVersion, first);
  assert.deepEqual(deltaFolders(), [`delta-${first}`, `delta-${result.deltaVersion}`].sort(), 'the previous delta stays for one round (clients mid-query)');
  await assertSameAnswers(openSearchEngine(data), await fullEngine('2'), 'second delta');
  assert.equal((await openSearchEngine(data).search('quokka')).count, 2);

  writeLater(db, CHATS[2], [{ nativeId: 'new-5', author: '8:live:dan', authorName: 'دان', time: Date.UTC(2020, 9, 3, 9), text: 'third delta here' }]);
  const third = await updateSearchIndex({ db, outDir: out, threads: 1 });
  assert.deepEqual(deltaFolders(), [`delta-${result.deltaVersion}`, `delta-${third.deltaVersion}`].sort(), 'older deltas are removed');
  await assertSameAnswers(openSearchEngine(data), await fullEngine('3'), 'third delta, default sizes');
});

test('an engine keeps answering from the delta it started with while a newer one lands', async () => {
  const engine = openSearchEngine(data);
  const before = await engine.search('quokka', {}, { sort: 'newest' });
  writeLater(db, CHATS[0], [{ nativeId: 'new-6', author: '8:live:alice', authorName: 'Alice Smith', time: Date.UTC(2019, 11, 30, 9), text: 'early quokka' }]);
  await updateSearchIndex({ db, outDir: out, threads: 1 });
  const docs = await before.take(0, 10);
  const texts = await Promise.all(docs.map(async (d) => (await before.document(d)).text));
  assert.equal(texts.length, 2);
  assert.ok(texts.every((t) => /quokka/.test(t)), texts.join(' / '));
  const after = await engine.search('quokka');
  assert.equal(after.count, 3, 'the next query sees the new delta');
  // The new month comes before every other: newest and oldest first still follow time.
  await assertSameAnswers(openSearchEngine(data), await fullEngine('5'), 'a delta month before all others');
});

test('a full build is made instead when the base cannot take a delta', async () => {
  // Too many changes for the limit.
  writeLater(db, CHATS[2], [{ nativeId: 'new-7', author: '8:live:dan', authorName: 'دان', time: Date.UTC(2020, 9, 4, 9), text: 'one more' }]);
  assert.equal(planSearchUpdate({ db, outDir: out, deltaLimit: 1 }).kind, 'full');
  const limited = await updateSearchIndex({ db, outDir: out, threads: 1, deltaLimit: 1 });
  assert.equal(limited.delta, false);
  assert.match(limited.reason, /changed messages/);
  assert.equal(pointer(), null, 'a full build clears the delta');
  assert.deepEqual(deltaFolders(), []);
  await assertSameAnswers(openSearchEngine(data), await fullEngine('4'), 'after the full build');

  // Other author options: every document changes.
  const hidden = await updateSearchIndex({ db, outDir: out, threads: 1, authors: 'hide' });
  assert.equal(hidden.delta, false);
  assert.match(hidden.reason, /author options/);

  // No base at all.
  const elsewhere = await updateSearchIndex({ db, outDir: join(dir, 'empty-site'), threads: 1 });
  assert.equal(elsewhere.delta, false);
  assert.match(elsewhere.reason, /no base index/);
  assert.ok(existsSync(join(dir, 'empty-site', 'search', 'data', 'delta.js')));
});

test('a chat that is no longer published disappears; a retitled chat is indexed anew', async () => {
  await buildSearchIndex({ db, outDir: out, threads: 1 });
  const engine = openSearchEngine(data);
  const fresh = await engine.search('bilby');
  const freshChat = (await fresh.document((await fresh.take(0, 1))[0])).chat.slug;
  // Unpublish the fresh chat: its documents are masked without any change in the log.
  const ids = (await import('../collector/store/open.js')).openStore(db, { readonly: true });
  const freshId = ids.prepare('SELECT id FROM chats WHERE slug = ?').pluck().get(freshChat) as number;
  ids.close();
  const hidden = await updateSearchIndex({ db, outDir: out, threads: 1, include: (id) => id !== freshId });
  assert.equal(hidden.delta, true, hidden.reason);
  assert.equal((await openSearchEngine(data).search('bilby')).count, 0);
  assert.equal((await openSearchEngine(data).search('alpha', { chat: freshChat })).count, 0);

  // A new title: the whole chat comes from the delta, which carries the title.
  writeLater(db, { nativeId: CHATS[1].nativeId, title: 'Tea & biscuits' }, []);
  const retitled = await updateSearchIndex({ db, outDir: out, threads: 1, include: (id) => id !== freshId });
  assert.equal(retitled.delta, true, retitled.reason);
  const after = openSearchEngine(data);
  assert.ok((await after.search('chat:biscuits')).count > 50, 'every message of the chat is found by its new title');
  assert.equal((await after.search('biscuits')).count, 0, 'a word of the title is not a word of the messages');
  assert.equal((await after.search('chat:coffee')).count, 0);
  assert.ok((await after.search('chat:biscuits alpha')).count > 0);
});
