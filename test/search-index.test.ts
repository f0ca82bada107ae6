import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import lunr from 'lunr';
import { openStore } from '../collector/store/open.js';
import { buildSearchIndex } from '../site/search/index.js';
import { openSearchEngine, type SearchEngine } from '../site/search/node-engine.js';
import { createSearchPipeline } from '../site/search/pipeline.js';
import { tempDir } from './helpers/temp.js';
import { makeCorpus, writeCorpus } from './helpers/search-corpus.js';

/**
 * The index builder against the real thing: one lunr.Index over every message's text, with the
 * same pipeline, must give the same matches and the same scores (to 1e-9) as our sharded files
 * read by the browser engine — however small the shards are cut. (Queries end in a space: a
 * finished last word, matched exactly as Lunr does; prefixes are search-match.test.ts's.)
 */

interface Indexed {
  ref: string;
  text: string;
  author: string;
  chat: string;
}

/** Every indexed message as the site shows it, straight from the database. */
function indexedMessages(file: string): Indexed[] {
  const db = openStore(file, { readonly: true });
  try {
    return (
      db
        .prepare(
          `SELECT c.slug || '#' || m.anchor AS ref, m.text, coalesce(m.author_name, p.display_name) AS author, c.title AS chat
           FROM messages m JOIN chats c ON c.id = m.chat_id LEFT JOIN people p ON p.id = m.author_id
           WHERE m.deleted = 0 AND trim(m.text) != ''`,
        )
        .all() as (Indexed & { chat: string | null })[]
    ).map((r) => ({ ...r, chat: r.chat ?? 'Alice Smith, Bob Jones, Carol Café, دان' }));
  } finally {
    db.close();
  }
}

function lunrIndex(docs: Indexed[]): lunr.Index {
  const pipeline = createSearchPipeline();
  return lunr(function () {
    this.ref('ref');
    this.field('text');
    // Our tokenizer (Unicode words, CJK bigrams) and pipeline (Lunr's stop words and stemmer).
    (this as unknown as { tokenizer: (o: unknown) => lunr.Token[] }).tokenizer = (obj: unknown) =>
      pipeline.tokenize(obj === null || obj === undefined ? '' : String(obj)).map((w) => new lunr.Token(w, {}));
    this.pipeline.reset();
    this.pipeline.add(lunr.stopWordFilter, lunr.stemmer);
    this.searchPipeline.reset();
    for (const doc of docs) this.add(doc);
  });
}

async function ourScores(engine: SearchEngine, input: string, mode: 'all' | 'any'): Promise<Map<string, number>> {
  const result = await engine.search(`${input} `, {}, { mode });
  const scores = new Map<string, number>();
  for (const doc of result.candidates ?? []) {
    const record = await engine.document(doc);
    scores.set(`${record.chat.slug}#${record.anchor}`, result.score![doc]);
  }
  return scores;
}

function lunrScores(index: lunr.Index, terms: string[], presence: 'any' | 'all', excluded: string[] = []): Map<string, number> {
  const results = index.query((q) => {
    for (const term of terms) {
      q.term(term, { usePipeline: false, presence: presence === 'all' ? lunr.Query.presence.REQUIRED : lunr.Query.presence.OPTIONAL });
    }
    for (const term of excluded) q.term(term, { usePipeline: false, presence: lunr.Query.presence.PROHIBITED });
  });
  return new Map(results.map((r) => [r.ref, r.score]));
}

function assertSameScores(ours: Map<string, number>, theirs: Map<string, number>, label: string): void {
  assert.equal(ours.size, theirs.size, `${label}: ${ours.size} matches, Lunr has ${theirs.size}`);
  for (const [ref, score] of theirs) {
    const mine = ours.get(ref);
    assert.ok(mine !== undefined, `${label}: Lunr matches ${ref}, we do not`);
    assert.ok(Math.abs(mine - score) < 1e-9, `${label}: ${ref} scores ${mine}, Lunr ${score}`);
  }
  const rank = (m: Map<string, number>) => [...m].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, 10).map(([, s]) => s.toFixed(9));
  assert.deepEqual(rank(ours), rank(theirs), `${label}: same top scores`);
}

const QUERIES = [
  'alpha',
  'zulu',
  'running',
  'deploy server',
  'coffee coffee lunch',
  'café',
  'naïve',
  '北京',
  '北京大学',
  '東京',
  'مرحبا',
  '🎉',
  'alice',
  'project',
  'smith database tomorrow',
  'alpha bravo charlie delta echo',
  'nonexistentword alpha',
];

async function checkAgainstLunr(sizes: Record<string, number> | undefined, threads: number): Promise<void> {
  const dir = tempDir('cc-search-');
  const file = join(dir, 'db.sqlite');
  writeCorpus(file, makeCorpus(600));
  const built = await buildSearchIndex({ db: file, outDir: join(dir, 'site'), sizes, threads, page: true, textBatch: 37 });
  if (sizes) assert.ok(built.parts > 0 && built.buckets > 3, `small sizes: many buckets (${built.buckets}), frequent terms in parts (${built.parts})`);
  const docs = indexedMessages(file);
  assert.equal(built.docs, docs.length, 'one document per published, non-deleted message with text');
  const index = lunrIndex(docs);
  const engine = openSearchEngine(join(dir, 'site', 'search', 'data'));
  let compared = 0;
  for (const query of QUERIES) {
    const terms = query.split(/\s+/).flatMap((w) => engine.termsOf(w));
    compared += lunrScores(index, terms, 'any').size;
    assertSameScores(await ourScores(engine, query, 'any'), lunrScores(index, terms, 'any'), `"${query}" (any word)`);
    assertSameScores(await ourScores(engine, query, 'all'), lunrScores(index, terms, 'all'), `"${query}" (all words)`);
  }
  assert.ok(compared > 1000, `compared ${compared} matches`);
  // Exclusion: Lunr's prohibited terms.
  assertSameScores(await ourScores(engine, 'alpha -bravo', 'all'), lunrScores(index, ['alpha'], 'all', ['bravo']), '"alpha -bravo"');
}

test('scores equal one Lunr index over every message (default shard sizes, one thread)', async () => {
  await checkAgainstLunr(undefined, 1);
});

test('scores equal Lunr however small the shards are cut (parts, many buckets, text batches in a worker)', async () => {
  await checkAgainstLunr({ bucketBytes: 300, partPostings: 40, docChunk: 7 }, 2);
});

test('every message is in exactly one document, numbered month by month', async () => {
  const dir = tempDir('cc-search-');
  const file = join(dir, 'db.sqlite');
  writeCorpus(file, makeCorpus(300, 11));
  const out = join(dir, 'site');
  const built = await buildSearchIndex({ db: file, outDir: out, sizes: { bucketBytes: 200, partPostings: 30, docChunk: 5 }, threads: 1 });
  const engine = openSearchEngine(join(out, 'search', 'data'));
  const seen = new Map<string, number>();
  for (let doc = 0; doc < built.docs; doc++) {
    const record = await engine.document(doc);
    const ref = `${record.chat.slug}#${record.anchor}`;
    assert.ok(!seen.has(ref), `${ref} is documents ${seen.get(ref)} and ${doc}`);
    seen.set(ref, doc);
    assert.match(record.path, /^chats\/[a-z0-9-]+\/(\d{4}\/\d{2}\/(\d{2}\/)?|out-of-range\/(early|late)\/)#m[0-9a-f]+$/);
  }
  const expected = indexedMessages(file).map((d) => d.ref).sort();
  assert.deepEqual([...seen.keys()].sort(), expected);
  // Documents are numbered month by month: times never go back across months.
  let lastMonth = '';
  for (let doc = 0; doc < built.docs; doc++) {
    const { time, path } = await engine.document(doc);
    const month = path.includes('out-of-range/early') ? '0000' : path.includes('out-of-range/late') ? '9999-99' : new Date(time).toISOString().slice(0, 7);
    assert.ok(month >= lastMonth, `document ${doc} (${month}) after ${lastMonth}`);
    lastMonth = month;
  }
  // Out-of-range messages link to the out-of-range pages; the deleted one is nowhere.
  const ancient = await engine.search('papyrus');
  const [first] = await ancient.take(0, 1);
  assert.match((await engine.document(first)).path, /out-of-range\/early\/#m/);
  assert.equal((await engine.search('zebra')).count, 0);
  // Every term lives in the bucket its hash names.
  assert.ok(built.parts > 0, 'frequent terms were split into parts');
  assert.ok(built.buckets > 1);
});

test('large and small data files read the same (native inflate, script inflate, stored payloads)', async () => {
  const dir = tempDir('cc-search-');
  const file = join(dir, 'db.sqlite');
  writeCorpus(file, makeCorpus(1500, 17));
  const read = async (sizes: Record<string, number>, label: string) => {
    const loaded: [string, number][] = [];
    await buildSearchIndex({ db: file, outDir: join(dir, label), sizes, threads: 1 });
    const engine = openSearchEngine(join(dir, label, 'search', 'data'), (key, bytes) => loaded.push([key, bytes]));
    const answers: string[] = [];
    for (const query of ['alpha', 'deploy server', 'café', '北京', 'author:bob zulu']) {
      const result = await engine.search(query, {}, { sort: 'newest' });
      for (const doc of await result.take(0, 2000)) {
        const r = await result.document(doc);
        answers.push(`${query}|${r.anchor}|${r.time}|${r.text}`);
      }
    }
    return { answers, loaded };
  };
  const big = await read({ docChunk: 4000, bucketBytes: 200_000 }, 'big');
  const small = await read({ docChunk: 3, bucketBytes: 300 }, 'small');
  assert.deepEqual(big.answers, small.answers);
  assert.ok(big.answers.length > 500);
  const scripts = (label: string) => readdirSync(join(dir, label, 'search', 'data', 'd')).map((f) => readFileSync(join(dir, label, 'search', 'data', 'd', f), 'utf8'));
  assert.ok(scripts('big').some((s) => s.length > 12_000 && !s.includes(',"~')), 'a large deflated file (the native stream inflates it)');
  const all = [...scripts('small'), ...readdirSync(join(dir, 'small', 'search', 'data', 't')).map((f) => readFileSync(join(dir, 'small', 'search', 'data', 't', f), 'utf8'))];
  assert.ok(all.some((s) => s.includes(',"~')) && all.some((s) => !s.includes(',"~')), 'small files both stored and deflated');
});
