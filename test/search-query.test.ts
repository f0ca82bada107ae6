import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSearchIndex, type SearchIndexResult } from '../site/search/index.js';
import fc from 'fast-check';
import { clientModules } from '../site/search/bundle.js';
import { engineModuleOf, openSearchEngine, payloadOf, type SearchEngine } from '../site/search/node-engine.js';
import { decodeDataScript } from '../site/search/bytes.js';
import { assertAsyncProperty } from './helpers/seeds.js';
import { createSearchPipeline, isStopWord, stem } from '../site/search/pipeline.js';
import { tempDir } from './helpers/temp.js';
import { makeCorpus, writeCorpus, CHATS } from './helpers/search-corpus.js';

/** The query side: Unicode text, the query language, filters, order, and hostile input. */

const pipeline = createSearchPipeline();

test('tokenizer: Unicode words stay whole, CJK becomes characters and bigrams, emoji are words', () => {
  assert.deepEqual(pipeline.tokenize('Café au lait, CAFÉS!'), ['cafe', 'au', 'lait', 'cafes'], 'diacritics folded');
  assert.deepEqual(pipeline.terms('café'), ['cafe'], 'café is indexed as cafe, not caf');
  assert.deepEqual(pipeline.terms('cafés'), ['cafe'], 'the stemmer still applies');
  assert.deepEqual(pipeline.tokenize('Don’t stop'), ['dont', 'stop']);
  assert.deepEqual(pipeline.tokenize('我在北京'), ['我', '我在', '在', '在北', '北', '北京', '京']);
  assert.deepEqual(pipeline.tokenize('北京', true), ['北京'], 'a query uses bigrams only');
  assert.deepEqual(pipeline.tokenize('京', true), ['京']);
  assert.deepEqual(pipeline.tokenize('iPhone手机'), ['iphone', '手', '手机', '机']);
  assert.deepEqual(pipeline.tokenize('🎉❤️👍🏽 party'), ['🎉', '❤', '👍', 'party']);
  assert.deepEqual(pipeline.tokenize('مرحبا بالعالم'), ['مرحبا', 'بالعالم']);
  assert.deepEqual(pipeline.tokenize('Ｆｕｌｌｗｉｄｔｈ'), ['fullwidth'], 'NFKC');
  assert.deepEqual(pipeline.tokenize('e\u0301'), ['e'], 'a combining accent folds like a precomposed one');
  assert.deepEqual(pipeline.tokenize(`${'x'.repeat(51)} ok`), ['ok'], 'absurdly long words are not indexed');
  assert.deepEqual(pipeline.terms('the and of'), [], 'English stop words');
});

let engine: SearchEngine;
let built: SearchIndexResult;
let slugs: Map<string, string>;

const dir = tempDir('cc-search-q-');

before(async () => {
  const file = join(dir, 'db.sqlite');
  const messages = makeCorpus(400, 3);
  const day = Date.UTC(2020, 5, 15, 12);
  messages.push(
    { chat: CHATS[0].nativeId, author: '8:live:alice', authorName: 'Alice Smith', time: day, text: 'Rendez-vous au café à midi' },
    { chat: CHATS[1].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: day + 1000, text: '我在北京大学读书' },
    { chat: CHATS[1].nativeId, author: '8:live:dan', authorName: 'دان', time: day + 2000, text: 'مرحبا بالعالم! كيف حالك؟' },
    { chat: CHATS[2].nativeId, author: '8:live:carol', authorName: 'Carol Café', time: day + 3000, text: 'party time 🎉🎉 ❤️' },
    { chat: CHATS[2].nativeId, author: '8:live:carol', authorName: 'Carol Café', time: day + 4000, text: '<script>alert("x")</script> quokka' },
  );
  writeCorpus(file, messages);
  const out = join(dir, 'site');
  built = await buildSearchIndex({ db: file, outDir: out, threads: 1 });
  engine = openSearchEngine(join(out, 'search', 'data'));
  slugs = new Map();
  for (let doc = 0; doc < 50; doc++) {
    const r = await engine.document(doc);
    slugs.set(r.chat.title, r.chat.slug);
  }
});

/**
 * An engine over a built site's data files (`data`) that records each file as it is asked for
 * (not as it arrives) in `loaded`; a file waits for `hold(key)` when that is a promise. Files are
 * read at once (no file system round trip): a few turns of the event loop (settle) settle all the
 * engine can do before the held files arrive.
 */
function recordingEngine(data: string, buckets: number, loaded: string[], hold: (key: string) => Promise<void> | null = () => null) {
  const { Engine } = engineModuleOf();
  return new Engine({
    load: async (key) => {
      loaded.push(key);
      const held = hold(key);
      if (held) await held;
      return payloadOf(readFileSync(join(data, `${key}.js`), 'utf8'), key);
    },
    info: { buckets, docChunk: 64 },
    stem,
    isStopWord,
  });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
}

async function texts(input: string, filters = {}, options = {}): Promise<string[]> {
  const result = await engine.search(input, filters, options);
  const docs = await result.take(0, 1000);
  return Promise.all(docs.map(async (d) => (await engine.document(d)).text));
}

test('Unicode queries find their messages', async () => {
  assert.ok((await texts('café')).includes('Rendez-vous au café à midi'));
  assert.ok(!(await texts('caf ')).includes('Rendez-vous au café à midi'), 'no ASCII-trimmed "caf" as a whole word');
  assert.ok((await texts('北京')).includes('我在北京大学读书'));
  assert.ok((await texts('北京大学')).includes('我在北京大学读书'));
  assert.ok((await texts('读书')).includes('我在北京大学读书'));
  assert.ok((await texts('مرحبا')).includes('مرحبا بالعالم! كيف حالك؟'));
  assert.ok((await texts('🎉')).includes('party time 🎉🎉 ❤️'));
  assert.ok((await texts('quokka')).includes('<script>alert("x")</script> quokka'), 'text is data, never markup');
});

test('snippets mark the matched words and keep the text as text', () => {
  const pieces = engine.snippet('Deploying the servers today', engine.termsOf('deploy server'));
  assert.deepEqual(pieces.filter((p) => p.mark).map((p) => p.text), ['Deploying', 'servers']);
  assert.equal(pieces.map((p) => p.text).join(''), 'Deploying the servers today');
  const cjk = engine.snippet('我在北京大学读书', engine.termsOf('北京'));
  assert.deepEqual(cjk.filter((p) => p.mark).map((p) => p.text), ['北京']);
  const long = engine.snippet(`${'filler '.repeat(200)}needle ${'after '.repeat(200)}`, engine.termsOf('needle'));
  assert.ok(long.some((p) => p.mark && p.text === 'needle'), 'the window moves to the match');
  assert.equal(long[0].text, '…');
});

test('the query language: all words, -without, author:, chat:, after:, before:', async () => {
  const all = await engine.search('alpha');
  assert.ok(all.count > 20);
  const both = await engine.search('alpha bravo');
  assert.ok(both.count < all.count && both.count > 0, 'every word must appear');
  const without = await engine.search('alpha -bravo');
  assert.equal(without.count, all.count - both.count);

  const byAlice = await engine.search('alpha author:alice');
  assert.ok(byAlice.count > 0 && byAlice.count < all.count);
  for (const d of await byAlice.take(0, 1000)) assert.equal((await engine.document(d)).author, 'Alice Smith');
  const byForm = await engine.search('alpha', { author: 'Alice Smith' });
  assert.equal(byForm.count, byAlice.count, 'the form field is the same filter');

  const slug = slugs.get('Coffee & lunch')!;
  const inChat = await engine.search('alpha', { chat: slug });
  assert.ok(inChat.count > 0 && inChat.count < all.count);
  for (const d of await inChat.take(0, 1000)) assert.equal((await engine.document(d)).chat.slug, slug);
  assert.equal((await engine.search(`alpha chat:${slug}`)).count, inChat.count, 'chat:<slug>');
  assert.equal((await engine.search('alpha chat:coffee')).count, inChat.count, 'chat:<word of its title>');

  const after = Date.UTC(2020, 5, 1);
  const before = Date.UTC(2020, 8, 1);
  const dated = await engine.search('alpha after:2020-06-01 before:2020-09-01');
  assert.ok(dated.count > 0 && dated.count < all.count);
  for (const d of await dated.take(0, 1000)) {
    const { time } = await engine.document(d);
    assert.ok(time >= after && time < before, new Date(time).toISOString());
  }
  let expected = 0;
  for (const d of await all.take(0, 1000)) {
    const { time } = await engine.document(d);
    if (time >= after && time < before) expected++;
  }
  assert.equal(dated.count, expected, 'no message of the range is lost at the month edges');
  assert.equal((await engine.search('alpha', { after: '2020-06-01', before: '2020-09-01' })).count, dated.count);
  assert.equal((await engine.search('alpha before:2020')).count, 0, 'before:2020 is before 2020-01-01');

  // Filters alone list everything they let through.
  const onlyAuthor = await engine.search('author:bob');
  assert.ok(onlyAuthor.count > 50);
});

test('newest first, oldest first, best first', async () => {
  const times = async (sort: string) => {
    const result = await engine.search('alpha', {}, { sort });
    const docs = await result.take(0, 25);
    const more = await result.take(25, 25);
    return Promise.all([...docs, ...more].map(async (d) => (await engine.document(d)).time));
  };
  const newest = await times('newest');
  assert.equal(newest.length, 50);
  assert.deepEqual(newest, [...newest].sort((a, b) => b - a));
  const oldest = await times('oldest');
  assert.deepEqual(oldest, [...oldest].sort((a, b) => a - b));
  const best = await engine.search('alpha');
  const docs = await best.take(0, 30);
  const scores = docs.map((d) => best.score![d]);
  assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
});

const HOSTILE = [
  ':', '*', '~', '^', '+', '-', '"', "'", '"unbalanced alpha', 'alpha"', 'author:', 'chat:', 'after:', 'before:',
  'after:notadate alpha', 'before:2020-13-45 alpha', 'a:b:c', '\\', '((()))', '[alpha]', 'alpha^10', 'alpha~2',
  'alph*', '*lpha', '+alpha +bravo', '-alpha', '--', 'title:alpha', 'text:alpha', 'author:"Alice Smith"',
  'constructor', '__proto__', 'toString', 'hasOwnProperty:x', 'chat:__proto__', '\u0000alpha', '\u202Ealpha',
  '🎉'.repeat(500), 'x'.repeat(100_000), `${'alpha '.repeat(60)}`, 'ﷺ', '\uD800', 'null', 'undefined', '$&$1',
];

test('queries Lunr would reject never throw', async () => {
  for (const input of HOSTILE) {
    const result = await engine.search(input, {}, {});
    assert.ok(result.count >= 0, input.slice(0, 40));
    const docs = await result.take(0, 5);
    for (const d of docs) await engine.document(d);
  }
  const { parseQuery } = engineModuleOf();
  assert.deepEqual(parseQuery('"unclosed phrase').words, ['unclosed phrase']);
  assert.deepEqual(parseQuery('author:"Alice Smith" -bob chat:x after:2020 before:2021-02 foo:bar').authors, ['Alice Smith']);
  const q = parseQuery('author:"Alice Smith" -bob chat:x after:2020 before:2021-02 foo:bar');
  assert.deepEqual([q.excluded, q.chats, q.after, q.before, q.words], [['bob'], ['x'], '2020', '2021-02', ['foo:bar']]);
});

test('a rare single word loads its snippets with its bucket; other queries load none before they are shown', async () => {
  const loaded: string[] = [];
  const early = recordingEngine(join(dir, 'site', 'search', 'data'), built.buckets, loaded);
  const result = await early.search('quokka', {}, { prefetchDocs: 10 });
  assert.equal(result.count, 1);
  const chunks = loaded.filter((k) => k.startsWith('d/'));
  assert.equal(chunks.length, 1, `the chunk of its one message, loaded by the search itself: ${loaded.join(' ')}`);
  const [doc] = await result.take(0, 1);
  assert.equal(chunks[0], `d/${Math.floor(doc / 64)}`);
  assert.match((await result.document(doc)).text, /quokka/);

  loaded.length = 0;
  await early.search('quokka alpha', {}, { prefetchDocs: 10 });
  await early.search('quokka', { chat: 'nope' }, { prefetchDocs: 10 });
  await early.search('alpha', {}, { prefetchDocs: 10, sort: 'newest' });
  assert.deepEqual(loaded.filter((k) => k.startsWith('d/')), [], 'two words, a filter, a word of more than a page by time: nothing loaded early');
});

test('a page opened with ?q= asks for a single word\'s first page with its bucket, before its search runs (prefetch with the URL\'s filters and options); with a filter or another order, not', async () => {
  const data = join(dir, 'site', 'search', 'data');
  const engineOf = (loaded: string[]) => recordingEngine(data, built.buckets, loaded);
  const page = (filters: Record<string, string>, sort = 'best') => ({ filters: { chat: '', author: '', after: '', before: '', ...filters }, options: { sort, prefetchDocs: 10 } });
  for (const word of ['quokka', 'bravo']) {
    const loaded: string[] = [];
    const early = engineOf(loaded);
    early.prefetch(word, true, page({}));
    await settle();
    const asked = [...new Set(loaded.filter((k) => k.startsWith('d/')))].sort();
    const result = await openSearchEngine(data).search(word, {}, {});
    const chunks = [...new Set((await result.take(0, 10)).map((doc) => `d/${Math.floor(doc / 64)}`))].sort();
    assert.deepEqual(asked, chunks, `${word}: its first page's chunks, with no search run`);
  }
  for (const [word, p] of [['quokka', page({ chat: 'nope' })], ['quokka', page({ after: '2020' })], ['bravo', page({}, 'newest')]] as const) {
    const loaded: string[] = [];
    engineOf(loaded).prefetch(word, true, p);
    await settle();
    assert.deepEqual(loaded.filter((k) => k.startsWith('d/')), [], `${word} ${JSON.stringify(p)}: nothing asked for early`);
  }
});

test('a single word of more than a page, all in its bucket: the chunks of its best page load with the bucket, and no other', async () => {
  const loaded: string[] = [];
  // The manifests wait until the search has asked for everything it can without them.
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const early = recordingEngine(join(dir, 'site', 'search', 'data'), built.buckets, loaded, (key) => (key === 'manifest' || key === 'delta' ? held : null));
  const searching = early.search('bravo', {}, { prefetchDocs: 10 });
  await settle();
  const before = loaded.filter((k) => k.startsWith('d/'));
  release();
  const result = await searching;
  assert.ok(result.count > 10, `more than a page: ${result.count}`);
  const page = await result.take(0, 10);
  const chunks = [...new Set(page.map((doc) => `d/${Math.floor(doc / 64)}`))].sort();
  assert.deepEqual([...new Set(before)].sort(), chunks, 'the first page\'s chunks, asked for before the manifests arrived');
  assert.deepEqual([...new Set(loaded.filter((k) => k.startsWith('d/')))].sort(), chunks, 'nothing else');
});

test('the base manifest is read after the query\'s term buckets: when both arrive together, the files of the first results are asked for first', async () => {
  for (const how of ['prefetch', 'search'] as const) {
    const loaded: string[] = [];
    let release!: () => void;
    const bucketHeld = new Promise<void>((resolve) => (release = resolve));
    // The manifest at once, the bucket held back.
    const early = recordingEngine(join(dir, 'site', 'search', 'data'), built.buckets, loaded, (key) => (key.startsWith('t/') ? bucketHeld : null));
    const searching = how === 'prefetch' ? (early.prefetch('quokka', true), null) : early.search('quokka', {}, { prefetchDocs: 10 });
    // The engine's own manifests (engine.js), asked as its view will be.
    const manifests = (early as unknown as { manifests: { base(): Promise<unknown> } }).manifests;
    let read = false;
    void manifests.base().then(() => (read = true));
    await settle();
    assert.ok(loaded.includes('manifest'), `${how}: the manifest is loaded at once (${loaded.join(' ')})`);
    assert.equal(read, false, `${how}: but not read while the bucket is on its way`);
    release();
    await manifests.base();
    // A search asks for its one message's chunk from the bucket (prefetchDocs) before that.
    if (searching) assert.ok(loaded.some((k) => k.startsWith('d/')), `the first result's chunk was asked for by then (${loaded.join(' ')})`);
    if (searching) assert.equal((await searching).count, 1);
  }
});

test('a frequent word\'s part files load as its bucket arrives, before the manifests, and a single word\'s first page with them; exactly the files the search reads', async () => {
  // Small buckets and parts, so that the corpus's common words have part files.
  const out = join(dir, 'site-parts');
  const small = await buildSearchIndex({ db: join(dir, 'db.sqlite'), outDir: out, threads: 1, sizes: { bucketBytes: 200, partPostings: 20 } });
  const data = join(out, 'search', 'data');
  const engineOf = (loaded: string[], held: Promise<void> | null) => recordingEngine(data, small.buckets, loaded, (key) => (key === 'manifest' || key === 'delta' ? held : null));
  const parts = (keys: string[]) => [...new Set(keys.filter((k) => k.startsWith('p/')))].sort();
  for (const [query, how] of [['alpha', 'search'], ['alph', 'search'], ['alpha bravo -charlie', 'search'], ['alpha bravo', 'prefetch']] as const) {
    // What the search reads, the manifests at hand.
    const all: string[] = [];
    const plain = engineOf(all, null);
    const expected = await plain.search(query, {}, {});
    const needed = parts(all);
    assert.ok(needed.length > 0, `${query}: has part files (${all.join(' ')})`);

    const loaded: string[] = [];
    let release!: () => void;
    const early = engineOf(loaded, new Promise<void>((resolve) => (release = resolve)));
    if (how === 'prefetch') early.prefetch(query, true);
    const searching = early.search(query, {}, {});
    await settle();
    assert.deepEqual(parts(loaded), needed, `${query} (${how}): its part files, asked for before the manifests arrived`);
    release();
    const result = await searching;
    assert.deepEqual(parts(loaded), needed, `${query}: nothing else`);
    assert.equal(result.count, expected.count);
    assert.deepEqual(await result.take(0, 20), await expected.take(0, 20));
  }
  // A single frequent word: its first page's chunks load from its part files, before the manifests.
  for (const query of ['alpha', 'alph']) {
    const loaded: string[] = [];
    let release!: () => void;
    const early = engineOf(loaded, new Promise<void>((resolve) => (release = resolve)));
    const searching = early.search(query, {}, { prefetchDocs: 10 });
    await settle();
    const before = [...new Set(loaded.filter((k) => k.startsWith('d/')))].sort();
    release();
    const result = await searching;
    assert.ok(result.count > 10, `${query}: more than a page (${result.count})`);
    const page = await result.take(0, 10);
    const chunks = [...new Set(page.map((doc) => `d/${Math.floor(doc / 64)}`))].sort();
    assert.deepEqual(before, chunks, `${query}: the first page's chunks, asked for before the manifests arrived`);
    assert.deepEqual([...new Set(loaded.filter((k) => k.startsWith('d/')))].sort(), chunks, `${query}: nothing else`);
  }
  // While someone types, a prefetch loads buckets only.
  const typing: string[] = [];
  engineOf(typing, new Promise<void>(() => {})).prefetch('alpha');
  await settle();
  assert.deepEqual(parts(typing), [], 'no part file while typing');
});

test('a frequent word\'s bucket names the chunks of its first page: the page the search then shows, for every word with part files', async () => {
  // Small buckets and parts, so that many words have part files (and prefixes of other words).
  const out = join(dir, 'site-first-page');
  const small = await buildSearchIndex({ db: join(dir, 'db.sqlite'), outDir: out, threads: 1, sizes: { bucketBytes: 200, partPostings: 20 } });
  const data = join(out, 'search', 'data');
  const { parseBucket } = clientModules().postings as unknown as { parseBucket(bytes: Uint8Array): Map<string, { term: string; parts: number; firstChunks: number[] | null }> };
  const plain = openSearchEngine(data);
  let checked = 0;
  let withOthers = 0;
  for (let b = 0; b < small.buckets; b++) {
    const key = `t/${b}`;
    const entries = parseBucket(decodeDataScript(readFileSync(join(data, `${key}.js`), 'utf8'), key));
    for (const e of entries.values()) {
      if (!e.parts) {
        assert.equal(e.firstChunks, null, e.term);
        continue;
      }
      // The word typed alone (matched as a prefix when it can be), when it cuts to itself.
      if (pipeline.terms(e.term, true).join(' ') !== e.term) continue;
      const result = await plain.search(e.term, {}, {});
      if (result.terms.length > 1) withOthers++;
      const page = await result.take(0, 10);
      assert.deepEqual(e.firstChunks, [...new Set(page.map((doc) => Math.floor(doc / 64)))].sort((x, y) => x - y), e.term);
      checked++;
    }
  }
  assert.ok(checked >= 5 && withOthers >= 1, `words checked: ${checked}, of them matching other words as a prefix: ${withOthers}`);

  // Asked for with the bucket, while its part files (and the manifests) are still on their way.
  const loaded: string[] = [];
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  const early = recordingEngine(data, small.buckets, loaded, (key) => (key === 'manifest' || key === 'delta' || key.startsWith('p/') ? held : null));
  const searching = early.search('alpha', {}, { prefetchDocs: 10 });
  await settle();
  const asked = [...new Set(loaded.filter((k) => k.startsWith('d/')))].sort();
  assert.ok(loaded.some((k) => k.startsWith('p/')), 'alpha has part files');
  release();
  const page = await (await searching).take(0, 10);
  assert.deepEqual(asked, [...new Set(page.map((doc) => `d/${Math.floor(doc / 64)}`))].sort(), 'its first page\'s chunks, before its part files arrived');
});

test('best first: every page is the full sort\'s (score, then the later document), whichever pages are taken first', async (t) => {
  const { takeBest } = clientModules().order as unknown as { takeBest: (c: Int32Array, s: Float64Array) => (from: number, size: number) => Promise<number[]> };
  const input = fc.record({
    // Distinct documents, ascending; scores from a few values, so that ties are common.
    docs: fc.uniqueArray(fc.integer({ min: 0, max: 100_000 }), { maxLength: 300 }).map((d) => d.sort((a, b) => a - b)),
    levels: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 300, maxLength: 300 }),
    pages: fc.array(fc.tuple(fc.integer({ min: 0, max: 320 }), fc.integer({ min: 0, max: 60 })), { minLength: 1, maxLength: 5 }),
  });
  await assertAsyncProperty(t, fc.asyncProperty(input, async ({ docs, levels, pages }) => {
    const candidates = Int32Array.from(docs);
    const scores = Float64Array.from(docs, (_, i) => levels[i]! / 3);
    const full = docs.map((d, i) => [d, scores[i]!] as const).sort((a, b) => b[1] - a[1] || b[0] - a[0]).map((x) => x[0]);
    const take = takeBest(candidates, scores);
    for (const [from, size] of pages) assert.deepEqual(await take(from, size), full.slice(from, from + size));
  }), { numRuns: 200 });
});
