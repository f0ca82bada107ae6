import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Eleventy from '@11ty/eleventy';
import { registerSearch, type SearchIndexResult } from '../site/search/index.js';
import { openSearchEngine } from '../site/search/node-engine.js';
import { tempDir } from './helpers/temp.js';
import { CHATS, makeCorpus, writeCorpus, writeLater } from './helpers/search-corpus.js';

/** registerSearch in a real Eleventy build: the page as a template, the data written beside it. */

async function build(configure: (config: any) => void): Promise<string> {
  const dir = tempDir('cc-search-11ty-');
  const input = join(dir, 'input');
  mkdirSync(input);
  const out = join(dir, 'out');
  const eleventy = new Eleventy(input, out, { quietMode: true, configPath: false, config: configure });
  eleventy.disableLogger();
  await eleventy.write();
  return out;
}

test('registerSearch: search page, client and data in the output; the index built in a worker', async () => {
  const dir = tempDir('cc-search-db-');
  const db = join(dir, 'db.sqlite');
  writeCorpus(db, makeCorpus(200, 9));
  let built: SearchIndexResult | null = null;
  const out = await build((config) => {
    registerSearch(config, { db, authors: 'pseudonymize', pseudonymSalt: 's', exclude: [CHATS[1].nativeId] }, { onBuilt: (r) => (built = r) });
  });
  assert.ok(built, 'onBuilt was called before the build finished');
  const page = readFileSync(join(out, 'search', 'index.html'), 'utf8');
  assert.match(page, /data-cc-search/);
  // Parser-blocking and before the stylesheet: it runs as it arrives, before the first layout pass.
  assert.match(page, /<meta name="viewport"[^>]*><meta name="color-scheme"[^>]*><script src="search\.js\?v=[0-9a-f]{12}" fetchpriority="high"><\/script><title>[^<]*<\/title><link rel="stylesheet"/);
  assert.match(page, /<input id="cc-search-q" name="q"/);
  assert.ok(existsSync(join(out, 'search', 'search.js')));
  assert.ok(existsSync(join(out, 'search', 'data', 'manifest.js')));
  assert.ok(readdirSync(join(out, 'search', 'data', 't')).length > 0);
  assert.equal((built as unknown as SearchIndexResult).version, /search\.js\?v=([0-9a-f]{12})/.exec(page)![1], 'page and data share a version');

  const engine = openSearchEngine(join(out, 'search', 'data'));
  const result = await engine.search('alpha');
  assert.ok(result.count > 0);
  for (const doc of await result.take(0, 50)) {
    const record = await engine.document(doc);
    assert.match(record.author ?? '', /^Person [0-9a-f]{4}$/, 'pseudonyms, never names');
    assert.notEqual(record.chat.slug, '', 'published chats only');
  }
  assert.equal((await engine.search('alice')).count, 0, 'real names are not searchable when pseudonymized');
  const chats = new Set<string>();
  for (let d = 0; d < 200; d++) chats.add((await engine.document(d).catch(() => null))?.chat.title ?? '');
  assert.ok(!chats.has('Coffee & lunch'), 'an excluded chat is not indexed');
});

test('registerSearch: a layout wraps the page; authors hidden leaves no author field', async () => {
  const dir = tempDir('cc-search-db-');
  const db = join(dir, 'db.sqlite');
  writeCorpus(db, makeCorpus(50, 4));
  const out = await build((config) => {
    registerSearch(config, { db, authors: 'hide' }, {
      worker: false,
      layout: (p) => `<!doctype html><html><head><title>${p.title}</title>${p.head}</head><body class="mine" data-root="${p.root}">${p.content}</body></html>`,
    });
  });
  const page = readFileSync(join(out, 'search', 'index.html'), 'utf8');
  assert.match(page, /<body class="mine" data-root="\.\.\/">/);
  assert.doesNotMatch(page, /cc-search-author/, 'no author filter when authors are hidden');
  const engine = openSearchEngine(join(out, 'search', 'data'));
  const result = await engine.search('alpha');
  const [doc] = await result.take(0, 1);
  assert.equal((await engine.document(doc)).author, null);
  assert.equal((await engine.search('bob')).count, 0);
});

test('registerSearch with incremental(): a watch rebuild writes only a delta, and the page keeps naming the base', async () => {
  const dir = tempDir('cc-search-11ty-inc-');
  const db = join(dir, 'db.sqlite');
  writeCorpus(db, makeCorpus(300, 5));
  const input = join(dir, 'input');
  mkdirSync(input);
  const out = join(dir, 'out');
  const results: (SearchIndexResult & { delta: boolean })[] = [];
  const write = async (incremental: boolean, worker = true) => {
    const eleventy = new Eleventy(input, out, {
      quietMode: true,
      configPath: false,
      config: (config: any) => registerSearch(config, { db, authors: 'show' }, { worker, incremental: () => incremental, onBuilt: (r) => results.push(r) }),
    });
    eleventy.disableLogger();
    await eleventy.write();
  };
  await write(true); // no base yet: a full build
  assert.equal(results[0].delta, false);
  const page = readFileSync(join(out, 'search', 'index.html'), 'utf8');
  const manifest = join(out, 'search', 'data', 'manifest.js');
  const baseManifest = readFileSync(manifest, 'utf8');
  const mtime = statSync(manifest).mtimeMs;

  writeLater(db, CHATS[1], [{ nativeId: 'later-1', author: '8:live:bob', authorName: 'Bob Jones', time: Date.UTC(2021, 0, 5, 12), text: 'a kookaburra laughed' }]);
  await write(true);
  assert.equal(results[1].delta, true);
  assert.equal(results[1].docs, 1, 'the delta holds the one changed chat-day');
  assert.equal(readFileSync(join(out, 'search', 'index.html'), 'utf8'), page, 'same page, same version: the base files stay cached');
  assert.equal(readFileSync(manifest, 'utf8'), baseManifest);
  assert.equal(statSync(manifest).mtimeMs, mtime, 'the base was not rewritten');
  const engine = openSearchEngine(join(out, 'search', 'data'));
  const found = await engine.search('kookaburra');
  assert.equal(found.count, 1);
  assert.equal((await found.document((await found.take(0, 1))[0])).chat.title, 'Coffee & lunch');

  // The same on the main thread (no worker), with one more message.
  writeLater(db, CHATS[0], [{ nativeId: 'later-2', author: '8:live:alice', authorName: 'Alice Smith', time: Date.UTC(2021, 0, 6, 12), text: 'a lyrebird sang' }]);
  await write(true, false);
  assert.equal(results[2].delta, true);
  assert.equal(results[2].docs, 2, 'the delta covers everything since the base');
  assert.equal(readFileSync(join(out, 'search', 'index.html'), 'utf8'), page);
  assert.equal((await openSearchEngine(join(out, 'search', 'data')).search('lyrebird')).count, 1);

  await write(false); // a full build again
  assert.equal(results[3].delta, false);
  assert.notEqual(readFileSync(join(out, 'search', 'index.html'), 'utf8'), page, 'a new base, a new version');
  assert.equal((await openSearchEngine(join(out, 'search', 'data')).search('kookaburra')).count, 1);
});
