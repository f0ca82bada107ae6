import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildSearchIndex, updateSearchIndex } from '../site/search/index.js';
import { launchBrowser } from './helpers/browser.js';
import { tempDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';
import { CHATS, makeCorpus, nativeIdOf, writeCorpus, writeLater, type CorpusMessage } from './helpers/search-corpus.js';

/**
 * A delta in real headless Chromium: a base index and its search page, then imports that add,
 * edit and delete messages and a delta build. A page that stays open, a page opened afresh, over
 * HTTP (whose server lets browsers cache everything for an hour, as static hosts do) and from
 * file://, all see the change: the new message found, the deleted one gone, the edited one found
 * once with its new text.
 */
const dir = tempDir('cc-search-delta-b-');
const db = join(dir, 'db.sqlite');
const out = join(dir, 'site');
const T = Date.UTC(2021, 3, 10, 15, 0);
const messages: CorpusMessage[] = makeCorpus(400, 13);
const EDITED = messages.length;
messages.push({ chat: CHATS[0].nativeId, author: '8:live:alice', authorName: 'Alice Smith', time: T, text: 'the quokka sleeps under the bridge' });
const DELETED = messages.length;
messages.push({ chat: CHATS[1].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: T + 60_000, text: 'wombat burrow collapsed' });

let browser: Browser;
let server: Server;
let origin = '';
let served: string[] = [];

const TYPES: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' };

function serve(root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let file = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!file.startsWith(root + sep)) return void res.writeHead(403).end();
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    served.push(`${url.pathname}${url.search}`);
    if (!existsSync(file)) return void res.writeHead(404).end();
    // Pages revalidated, everything else cached for an hour: what static hosts commonly do.
    const cache = extname(file) === '.html' ? 'no-cache' : 'public, max-age=3600';
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': cache });
    res.end(readFileSync(file));
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

const skip = needsTools('chromium');

before(async () => {
  if (skip) return;
  writeCorpus(db, messages);
  await buildSearchIndex({ db, outDir: out, page: true, threads: 1 });
  server = await serve(out);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
});

/** Types a query into the page's box and waits for its results: their snippets' texts. */
async function search(page: Page, query: string): Promise<string[]> {
  await page.fill('#cc-search-q', query);
  await page.click('.cc-search-query button');
  await page.waitForFunction(
    (q) => {
      const status = document.querySelector('.cc-search-status')?.textContent ?? '';
      return status.includes(`“${q}”`) && !document.querySelector('.cc-search-results[aria-busy]') && !document.querySelector('.cc-search-pending');
    },
    query,
  );
  return page.$$eval('.cc-search-result .cc-search-snippet', (items) => items.map((p) => p.textContent ?? ''));
}

async function checkChanged(page: Page, where: string): Promise<void> {
  assert.deepEqual(await search(page, 'echidna'), ['an echidna appeared at dusk'], `${where}: the new message is found`);
  assert.deepEqual(await search(page, 'wombat collapsed'), [], `${where}: the deleted message is gone`);
  assert.deepEqual(await search(page, 'quokka'), ['the quokka swims across the river'], `${where}: the edited message, once, with its new text`);
  assert.deepEqual(await search(page, 'sleeps bridge'), [], `${where}: its old text is not found`);
}

async function checkOriginal(page: Page, where: string): Promise<void> {
  assert.deepEqual(await search(page, 'quokka'), ['the quokka sleeps under the bridge'], where);
  assert.deepEqual(await search(page, 'wombat collapsed'), ['wombat burrow collapsed'], where);
  assert.deepEqual(await search(page, 'echidna'), [], where);
}

test('over HTTP with caching and from file://: a page open before the delta and pages opened after it see the changes', { skip }, async () => {
  const errors: string[] = [];
  const openHttp = async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(`${origin}/search/`);
    return page;
  };
  const openDisk = async () => {
    const page = await browser.newPage();
    page.on('pageerror', (e) => errors.push(String(e)));
    await page.goto(pathToFileURL(join(out, 'search', 'index.html')).href);
    return page;
  };
  const staying = await openHttp();
  const stayingOnDisk = await openDisk();
  await checkOriginal(staying, 'HTTP, before the delta');
  await checkOriginal(stayingOnDisk, 'file://, before the delta');

  writeLater(db, CHATS[0], [{ nativeId: nativeIdOf(EDITED), author: '8:live:alice', authorName: 'Alice Smith', time: T, text: 'the quokka swims across the river' }]);
  writeLater(db, CHATS[1], [{ nativeId: nativeIdOf(DELETED), author: '8:live:bob', authorName: 'Bob Jones', time: T + 60_000, text: 'wombat burrow collapsed', deleted: true }]);
  writeLater(db, CHATS[2], [{ nativeId: 'later-1', author: '8:live:carol', authorName: 'Carol Café', time: Date.UTC(2021, 4, 2, 20), text: 'an echidna appeared at dusk' }]);
  const update = await updateSearchIndex({ db, outDir: out, threads: 1 });
  assert.equal(update.delta, true, update.reason);

  served = [];
  await checkChanged(staying, 'HTTP, the page open before the delta');
  const deltaLoads = served.filter((p) => p.startsWith('/search/data/delta.js'));
  assert.ok(deltaLoads.length >= 4 && deltaLoads.every((p) => /\?t=[0-9a-z]+$/.test(p)), `delta.js is asked for afresh with every query: ${deltaLoads.join(' ')}`);
  assert.ok(served.some((p) => p.startsWith(`/search/data/delta-${update.deltaVersion}/`)), 'the delta files were loaded');
  await checkChanged(stayingOnDisk, 'file://, the page open before the delta');
  await checkChanged(await openHttp(), 'HTTP, a page opened after the delta');
  await checkChanged(await openDisk(), 'file://, a page opened after the delta');

  // The result links of a delta message point at its archive page and anchor, like any other.
  await search(staying, 'echidna');
  const href = await staying.$eval('.cc-search-link', (a) => a.getAttribute('href'));
  assert.match(href ?? '', /^\.\.\/chats\/[a-z0-9-]+\/2021\/05\/#m[0-9a-f]+$/);

  // A full build clears the delta: still right, from the base alone.
  await buildSearchIndex({ db, outDir: out, page: true, threads: 1 });
  await checkChanged(await openHttp(), 'HTTP, after a full build');
  assert.deepEqual(served.filter((p) => p.startsWith('/search/') && !p.includes('?') && !p.endsWith('/')), [], 'every search file is versioned or fresh');
  assert.deepEqual(errors, []);
});
