import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { buildSearchIndex, type SearchIndexResult } from '../site/search/index.js';
import { engineModuleOf, openSearchEngine, payloadOf, type SearchEngine } from '../site/search/node-engine.js';
import { createSearchPipeline, isStopWord, stem } from '../site/search/pipeline.js';
import { tempDir } from './helpers/temp.js';
import { CHATS, makeCorpus, writeCorpus, type CorpusMessage } from './helpers/search-corpus.js';

/**
 * What a query matches, the same everywhere: diacritics folded on both sides, the last word typed
 * matched as a prefix, the text alone (not the chat's title, not the author's name), and the CLI's
 * full-text search (`chatchannels search`) finding exactly the messages the site's search finds.
 */

const CLI = resolve('dist/collector/cli.js');
const pipeline = createSearchPipeline();

/** Accented word → how people type it without accents (Latin, Greek and Cyrillic letters). */
const FOLDED: [string, string][] = [
  ['Chloé', 'chloe'],
  ['Kraków', 'krakow'],
  ['Łódź', 'lodz'],
  ['Straße', 'strasse'],
  ['Ångström', 'angstrom'],
  ['Dvořák', 'dvorak'],
  ['İstanbul', 'istanbul'],
  ['Søren', 'soren'],
  ['façade', 'facade'],
  ['Zoë', 'zoe'],
  ['Ελλάδα', 'ελλαδα'],
  ['йогурт', 'иогурт'],
];

test('tokenizer: diacritics fold away in Latin, Greek and Cyrillic; other scripts keep their marks', () => {
  for (const [accented, plain] of FOLDED) {
    assert.deepEqual(pipeline.tokenize(accented), [plain], accented);
    assert.deepEqual(pipeline.terms(accented), pipeline.terms(plain), `${accented}: the same index term as ${plain}`);
  }
  assert.deepEqual(pipeline.tokenize('مَرْحَبًا'), ['مَرْحَبًا'], 'Arabic harakat stay');
  assert.deepEqual(pipeline.tokenize('हिन्दी'), ['हिन्दी'], 'Devanagari vowel signs and virama stay');
  assert.deepEqual(pipeline.tokenize('がくせい'), ['が', 'がく', 'く', 'くせ', 'せ', 'せい', 'い'], 'kana voicing stays');
});

const SPECIAL: string[] = [
  ...FOLDED.map(([accented]) => `met ${accented} yesterday`),
  'bedtime stories for everyone',
  'the store opens at nine',
  'a storm is coming',
  'quokkas everywhere',
  "don't panic",
  'running late again',
];

const dir = tempDir('cc-search-match-');
const file = join(dir, 'db.sqlite');
let engine: SearchEngine;
let built: SearchIndexResult;

before(async () => {
  const messages: CorpusMessage[] = makeCorpus(300, 11);
  const day = Date.UTC(2021, 8, 3, 16);
  SPECIAL.forEach((text, i) =>
    messages.push({ chat: CHATS[i % CHATS.length].nativeId, author: '8:live:alice', authorName: 'Alice Smith', time: day + i * 60_000, text }),
  );
  writeCorpus(file, messages);
  // Small buckets: many of them, so "loads one bucket" means something.
  built = await buildSearchIndex({ db: file, outDir: join(dir, 'site'), threads: 1, sizes: { bucketBytes: 400 } });
  engine = openSearchEngine(join(dir, 'site', 'search', 'data'));
});

async function texts(input: string): Promise<string[]> {
  const result = await engine.search(input);
  const docs = await result.take(0, 10_000);
  return Promise.all(docs.map(async (d) => (await engine.document(d)).text));
}

test('a word typed without its accents finds it, and the accented word finds the plain one', async () => {
  for (const [accented, plain] of FOLDED) {
    const message = `met ${accented} yesterday`;
    assert.ok((await texts(plain)).includes(message), `"${plain}" finds "${message}"`);
    assert.ok((await texts(accented)).includes(message), `"${accented}" finds "${message}"`);
    assert.ok((await texts(accented.toUpperCase())).includes(message), `"${accented.toUpperCase()}"`);
  }
});

test('the last word typed matches as a prefix, earlier and finished words do not', async () => {
  const stor = await texts('stor');
  for (const t of ['bedtime stories for everyone', 'the store opens at nine', 'a storm is coming']) assert.ok(stor.includes(t), `"stor" finds "${t}"`);
  assert.ok((await texts('quokk')).includes('quokkas everywhere'));
  assert.ok((await texts('bedtime stor')).includes('bedtime stories for everyone'), 'the last of several words');
  assert.deepEqual(await texts('stor '), [], 'a word followed by a space is finished: exact match only');
  assert.deepEqual(await texts('stor bedtime'), [], 'only the last word is a prefix');
  assert.deepEqual(await texts('"stor"'), [], 'a quoted word is exact');
  assert.ok((await texts('krak')).includes('met Kraków yesterday'), 'prefix and folding together');
  const short = await engine.search('st');
  assert.equal(short.count, 0, 'fewer than PREFIX_MIN characters: exact only');
});

test('a prefix query loads the one term bucket its prefix shards to', async () => {
  assert.ok(built.buckets > 8, `many buckets (${built.buckets})`);
  const data = join(dir, 'site', 'search', 'data');
  for (const query of ['stor', 'quokk', 'krak', 'bedtime stor', 'deplo']) {
    const loaded: string[] = [];
    const { Engine } = engineModuleOf();
    const fresh = new Engine({
      load: async (key) => {
        loaded.push(key);
        return payloadOf(await readFile(join(data, `${key}.js`), 'utf8'), key);
      },
      info: { buckets: built.buckets, docChunk: 64 },
      stem,
      isStopWord,
    });
    const result = await fresh.search(query);
    assert.ok(result.count > 0, query);
    const buckets = new Set(loaded.filter((k) => k.startsWith('t/')));
    assert.equal(buckets.size, query.split(' ').length, `${query}: one bucket per word (${[...buckets].join(' ')})`);
  }
  // Every term the prefix reaches is found, however many buckets there are.
  const all = await engine.search('deplo');
  const exact = await Promise.all(['deploy', 'deployed', 'deploying'].map((w) => engine.search(`${w} `)));
  const union = new Set<number>();
  for (const r of exact) for (const d of await r.take(0, 10_000)) union.add(d);
  assert.equal(all.count, union.size, '"deplo" = deploy ∪ deployed ∪ deploying');
});

test("a word of the chat's title or of an author's name does not find every message of the chat or person", async () => {
  // CHATS[0] is "Project Alpha 🎉"; no message says "project". Alice wrote the specials.
  assert.equal((await engine.search('project ')).count, 0, 'title word');
  const smith = await engine.search('smith ');
  assert.equal(smith.count, 0, 'author name: use author:');
  assert.ok((await engine.search('author:smith')).count > 0, 'the author: filter still works');
  const slug = (await engine.document(0)).chat.slug;
  assert.ok((await engine.search(`chat:${slug}`)).count > 0, 'the chat filter still works');
});

function cliSearch(query: string): string[] {
  const r = spawnSync(process.execPath, [CLI, 'search', '--db', file, '--json', '--limit', '100000', '--', query], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.equal(r.status, 0, `chatchannels search ${query}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => (JSON.parse(line) as { path: string }).path)
    .sort();
}

async function webSearch(query: string): Promise<string[]> {
  const result = await engine.search(query);
  const docs = await result.take(0, 100_000);
  return (await Promise.all(docs.map(async (d) => (await engine.document(d)).path))).sort();
}

const SAME_QUERIES = [
  'alpha',
  'alpha bravo',
  'alpha -bravo',
  'running',
  'runs',
  'deploying servers',
  'deplo',
  'stor',
  'stories',
  'chloe',
  'Chloé',
  'KRAKÓW',
  'lodz',
  'strasse',
  'café',
  'cafe',
  'naive',
  "don't",
  'dont',
  'the',
  'the store',
  '北京',
  '北京大学',
  'مرحبا',
  '🎉',
  'alice',
  'project',
  'coffee lunch',
  'zzzz',
];

test('chatchannels search finds exactly the messages the site search finds', async () => {
  let nonEmpty = 0;
  for (const query of SAME_QUERIES) {
    const web = await webSearch(query);
    const cli = cliSearch(query);
    assert.deepEqual(cli, web, `"${query}": CLI ${cli.length} messages, site ${web.length}`);
    if (web.length) nonEmpty++;
  }
  assert.ok(nonEmpty >= 20, `${nonEmpty} queries found something`);
});
