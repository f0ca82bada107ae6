import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { buildSearchIndex } from '../site/search/index.js';
import { launchBrowser } from './helpers/browser.js';
import { needsTools, skipUnless } from './helpers/requires.js';
import { tempDir } from './helpers/temp.js';
import { CHATS, makeCorpus, writeCorpus } from './helpers/search-corpus.js';

/**
 * The search page in real headless Chromium: served over HTTP under a path prefix, and opened
 * straight from disk. The archive pages come from site/build.ts when it builds; the search files
 * from buildSearchIndex (standalone page).
 */
const skip = needsTools('chromium');
const PREFIX = '/archive/';
const dir = tempDir('cc-search-b-');
const out = join(dir, 'site');
let browser: Browser;
let server: Server;
let origin = '';
let fullSite = false;
/** Every request the server saw: path and bytes sent. */
let served: { path: string; bytes: number }[] = [];

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.xml': 'application/xml',
};

function serve(root: string): Promise<Server> {
  const s = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    let path = decodeURIComponent(url.pathname);
    if (!path.startsWith(PREFIX)) {
      res.writeHead(404).end();
      return;
    }
    path = path.slice(PREFIX.length);
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    if (existsSync(file) && statSync(file).isDirectory()) file = join(file, 'index.html');
    if (!existsSync(file)) {
      served.push({ path: url.pathname, bytes: 0 });
      res.writeHead(404).end();
      return;
    }
    const body = readFileSync(file);
    served.push({ path: url.pathname, bytes: body.length });
    res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' });
    res.end(body);
  });
  return new Promise((resolve) => s.listen(0, '127.0.0.1', () => resolve(s)));
}

before(async () => {
  if (skip) return;
  const file = join(dir, 'db.sqlite');
  const messages = makeCorpus(500, 5);
  const t = Date.UTC(2021, 8, 14, 9, 30);
  messages.push(
    { chat: CHATS[0].nativeId, author: '8:live:alice', authorName: 'Alice Smith', time: t, text: 'The wombat escaped from the garden again' },
    { chat: CHATS[1].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: t + 60_000, text: 'Another wombat sighting near the lake' },
  );
  writeCorpus(file, messages);
  try {
    const { buildSite } = await import('../site/build.js');
    await buildSite({ db: file, out, pathPrefix: PREFIX });
    fullSite = existsSync(join(out, 'assets', 'chatchannels.js'));
  } catch (error) {
    console.log(`# site/build.ts did not build (${(error as Error).message}); testing the search files alone`);
  }
  await buildSearchIndex({ db: file, outDir: out, pathPrefix: PREFIX, page: true, threads: 1 });
  server = await serve(out);
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  browser = await launchBrowser();
});

after(async () => {
  await browser?.close();
  await new Promise((resolve) => server?.close(resolve));
});

async function results(page: Page): Promise<{ text: string; href: string; chat: string }[]> {
  await page.waitForFunction(() => {
    const status = document.querySelector('.cc-search-status')?.textContent ?? '';
    return /messages?|No messages|failed|too common/.test(status) && !document.querySelector('.cc-search-results[aria-busy]');
  });
  return page.$$eval('.cc-search-result', (items) =>
    items.map((li) => ({
      text: li.querySelector('.cc-search-snippet')?.textContent ?? '',
      href: li.querySelector('a')?.getAttribute('href') ?? '',
      chat: li.querySelector('.cc-search-chat')?.textContent ?? '',
    })),
  );
}

test('over HTTP under a path prefix: nothing loads before a query; a query finds the message and links to its anchor', { skip }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  served = [];
  await page.goto(`${origin}${PREFIX}search/`);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(served.filter((r) => r.path.includes('/search/data/')), [], 'no index data before the first query');

  served = [];
  await page.fill('#cc-search-q', 'wombat escaped');
  await page.click('.cc-search-query button');
  const found = await results(page);
  assert.equal(found.length, 1);
  assert.match(found[0].text, /The wombat escaped from the garden again/);
  assert.match(found[0].href, /^\.\.\/chats\/[a-z0-9-]+\/2021\/09\/#m[0-9a-f]+$/, 'relative link to chats/<slug>/<period>/#<anchor>');
  assert.ok(await page.$eval('.cc-search-snippet mark', (m) => m.textContent === 'wombat'), 'the matched word is highlighted');
  assert.match((await page.textContent('.cc-search-result time')) ?? '', /2021/, 'the time is shown (filled in once the result is painted)');
  assert.match(page.url(), /\?q=wombat\+escaped$/);
  const data = served.filter((r) => r.path.includes('/search/data/'));
  const bytes = data.reduce((n, r) => n + r.bytes, 0);
  assert.ok(data.length <= 6 && bytes < 40_000, `a rare query loads little: ${data.length} files, ${bytes} bytes`);
  assert.deepEqual(served.filter((r) => r.bytes === 0), [], 'no missing files');
  assert.ok(await page.$eval('.cc-search-status', (s) => s.getAttribute('aria-live') === 'polite' && /1 message/.test(s.textContent ?? '')));
  assert.deepEqual(errors, []);
  await page.close();
});

test('typing starts loading the index (manifest, delta, buckets of finished words) before the query is sent', { skip }, async () => {
  const page = await browser.newPage();
  served = [];
  await page.goto(`${origin}${PREFIX}search/`);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(served.filter((r) => r.path.includes('/search/data/')), [], 'nothing before the first keystroke');
  await page.type('#cc-search-q', 'wombat gar');
  const loaded = () => served.map((r) => r.path).filter((p) => p.includes('/search/data/'));
  for (let i = 0; i < 100 && !(loaded().some((p) => p.endsWith('/manifest.js')) && loaded().some((p) => /\/t\/\d+\.js$/.test(p))); i++) await page.waitForTimeout(50);
  assert.ok(loaded().some((p) => p.endsWith('/data/manifest.js')), loaded().join(' '));
  assert.ok(loaded().some((p) => p.endsWith('/data/delta.js')), 'the delta manifest too');
  assert.equal(loaded().filter((p) => /\/t\/\d+\.js$/.test(p)).length, 1, 'the bucket of "wombat", not of the unfinished "gar"');
  assert.equal(await page.textContent('.cc-search-status'), '', 'no search ran');
  await page.close();
});

test('filters narrow the results: the chat select, author: and dates', { skip }, async () => {
  const page = await browser.newPage();
  await page.goto(`${origin}${PREFIX}search/?q=wombat`);
  const both = await results(page);
  assert.equal(both.length, 2);
  await page.selectOption('#cc-search-chat', { label: 'Coffee & lunch' });
  const narrowed = await results(page);
  assert.equal(narrowed.length, 1);
  assert.equal(narrowed[0].chat, 'Coffee & lunch');
  assert.match(page.url(), /chat=/);

  await page.goto(`${origin}${PREFIX}search/?q=${encodeURIComponent('wombat author:alice')}`);
  const byAlice = await results(page);
  assert.equal(byAlice.length, 1);
  assert.match(byAlice[0].text, /escaped/);

  await page.goto(`${origin}${PREFIX}search/?q=wombat&after=2021-09-15`);
  assert.equal((await results(page)).length, 0);
  // The date fields take a month or a year too.
  await page.goto(`${origin}${PREFIX}search/?q=wombat&after=2021-09&before=2022`);
  assert.equal((await results(page)).length, 2);
  assert.equal(await page.inputValue('#cc-search-after'), '2021-09');
  await page.goto(`${origin}${PREFIX}search/?q=${encodeURIComponent('-:*~^+ "unbalanced')}`);
  assert.ok((await results(page)).length >= 0, 'a hostile query shows a status, never an error');
  assert.doesNotMatch((await page.textContent('.cc-search-status')) ?? '', /failed/);
  await page.close();
});

test('a common term loads more but stays bounded; newest first is in time order', { skip }, async () => {
  const page = await browser.newPage();
  served = [];
  await page.goto(`${origin}${PREFIX}search/?q=alpha&sort=newest`);
  const found = await results(page);
  assert.equal(found.length, 10, 'a first page of 10');
  const times = await page.$$eval('.cc-search-result time', (ts) => ts.map((t) => Date.parse(t.getAttribute('datetime') ?? '')));
  assert.deepEqual(times, [...times].sort((a, b) => b - a));
  await page.click('.cc-search-more');
  await page.waitForFunction(() => document.querySelectorAll('.cc-search-result').length > 10 && !document.querySelector('.cc-search-pending'));
  await page.close();
});

test('opened from disk (file://): results appear and link to index.html#anchor', { skip }, async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${pathToFileURL(join(out, 'search', 'index.html')).href}?q=wombat+garden`);
  const found = await results(page);
  assert.equal(found.length, 1);
  assert.match(found[0].href, /^\.\.\/chats\/[a-z0-9-]+\/2021\/09\/index\.html#m[0-9a-f]+$/);
  assert.deepEqual(errors, []);
  if (fullSite) {
    await page.click('.cc-search-link');
    await page.waitForLoadState('load');
    assert.match(page.url(), /^file:.*\/chats\/.*\/2021\/09\/index\.html#m[0-9a-f]+$/);
    const anchor = new URL(page.url()).hash.slice(1);
    assert.ok(await page.$(`[id="${anchor}"]`), 'the archive page has the anchor');
  }
  await page.close();
});

test('full flow over HTTP: clicking a result lands on the highlighted message', { skip }, async (t) => {
  if (skipUnless(t, fullSite, 'site/build.ts did not build the archive pages')) return;
  const page = await browser.newPage();
  await page.goto(`${origin}${PREFIX}search/?q=wombat+lake`);
  const found = await results(page);
  assert.equal(found.length, 1);
  await page.click('.cc-search-link');
  await page.waitForLoadState('load');
  const anchor = new URL(page.url()).hash.slice(1);
  assert.match(anchor, /^m[0-9a-f]+$/);
  await page.waitForFunction((id) => {
    const el = document.getElementById(id);
    return !!el && (el.classList.contains('cc-highlight') || el.matches(':target'));
  }, anchor);
  assert.match((await page.textContent(`[id="${anchor}"]`)) ?? '', /Another wombat sighting near the lake/);
  await page.close();
});

test('a page opened with ?q= shows its results once it is parsed: not held back by a deferred script (the site layout\'s chatchannels.js)', { skip }, async () => {
  const page = await browser.newPage();
  let release!: () => void;
  const held = new Promise<void>((resolve) => (release = resolve));
  let asked = false;
  // The page as the site's layout has it: a deferred script after search.js, here one that takes its time.
  await page.route('**/search/?q=*', async (route) => {
    const response = await route.fetch();
    const body = (await response.text()).replace('</head>', '<script src="../held.js" defer></script></head>');
    assert.match(body, /held\.js/);
    await route.fulfill({ response, body });
  });
  await page.route('**/held.js', async (route) => {
    asked = true;
    await held;
    await route.fulfill({ contentType: 'text/javascript', body: '' });
  });
  await page.goto(`${origin}${PREFIX}search/?q=wombat+lake`, { waitUntil: 'commit' });
  try {
    await page.waitForSelector('.cc-search-result:not(.cc-search-pending) .cc-search-snippet', { timeout: 10_000 });
    assert.ok(asked, 'the page asked for the deferred script');
    assert.equal(await page.evaluate(() => document.readyState), 'interactive', 'the deferred script is still on its way');
  } finally {
    release();
  }
  assert.equal((await results(page)).length, 1);
  await page.close();
});

test('on a phone the filters are folded before the first results show, unless the URL sets one: they never move the results', { skip }, async () => {
  const context = await browser.newContext({ viewport: { width: 360, height: 740 } });
  try {
    for (const [query, folded] of [['wombat', true], ['wombat&sort=newest', false]] as const) {
      const page = await context.newPage();
      // Where the first result shows, whether the filters were open then.
      await page.addInitScript(() => {
        new MutationObserver((_, observer) => {
          if (!document.querySelector('.cc-search-result:not(.cc-search-pending)')) return;
          (window as unknown as { openAtFirst: boolean }).openAtFirst = document.querySelector('details.cc-search-filters-box')!.hasAttribute('open');
          observer.disconnect();
        }).observe(document, { childList: true, subtree: true });
      });
      await page.goto(`${origin}${PREFIX}search/?q=${query}`);
      assert.equal((await results(page)).length, 2);
      assert.equal(await page.evaluate(() => (window as unknown as { openAtFirst: boolean }).openAtFirst), !folded, `?q=${query}`);
      await page.close();
    }
  } finally {
    await context.close();
  }
});

for (const [word, kind] of [['wombat', 'a rare word'], ['alpha', 'a common word']] as const) {
  test(`the header search box on another page loads ahead what ${kind}'s search needs while someone types; after Enter the search page asks for no index file and finds the same results`, { skip }, async (t) => {
    if (skipUnless(t, fullSite, 'site/build.ts did not build the archive pages')) return;
    const direct = await browser.newPage();
    await direct.goto(`${origin}${PREFIX}search/?q=${word}`);
    const expected = await results(direct);
    await direct.close();
    assert.ok(expected.length > 0);

    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(String(e)));
    page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
    await page.goto(`${origin}${PREFIX}`);
    await page.waitForLoadState('networkidle');
    served = [];
    await page.click('.cc-header form[role="search"] input[name="q"]');
    await page.keyboard.type(word, { delay: 20 });
    const loaded = () => served.map((r) => r.path);
    for (let i = 0; i < 100 && !(loaded().some((p) => p.endsWith('/data/manifest.js')) && loaded().some((p) => /\/data\/d\/\d+\.js$/.test(p))); i++) await page.waitForTimeout(50);
    assert.ok(loaded().some((p) => p.endsWith('/data/manifest.js')), `the manifest was loaded while typing: ${loaded().join(' ')}`);
    assert.equal(loaded().filter((p) => /\/data\/t\/\d+\.js$/.test(p)).length, 1, `the bucket of "${word}" only (none for its first letters): ${loaded().join(' ')}`);
    await page.waitForLoadState('networkidle');

    served = [];
    await page.keyboard.press('Enter');
    await page.waitForURL(new RegExp(`/search/(index\\.html)?\\?q=${word}$`));
    assert.deepEqual(await results(page), expected, 'the same results as the search page on its own');
    const again = served.map((r) => r.path).filter((p) => p.includes('/search/data/'));
    assert.deepEqual(again, [], 'the search page asked for no index file, the delta manifest included (loaded seconds ago)');
    assert.deepEqual(errors, []);
    await page.close();
  });
}

test('a delta manifest handed over by the header box is not used once it is older than the engine\'s prefetch window: the search page loads it afresh', { skip }, async (t) => {
  if (skipUnless(t, fullSite, 'site/build.ts did not build the archive pages')) return;
  const page = await browser.newPage();
  await page.goto(`${origin}${PREFIX}`);
  await page.click('.cc-header form[role="search"] input[name="q"]');
  await page.keyboard.type('wombat', { delay: 20 });
  await page.waitForFunction(() => Object.keys(sessionStorage).some((k) => k.endsWith(':delta@')));
  await page.waitForLoadState('networkidle');
  // As if typed a minute ago.
  await page.evaluate(() => {
    for (const k of Object.keys(sessionStorage)) {
      if (k.endsWith(':delta@')) sessionStorage.setItem(k, `${Date.now() - 60_000} ${sessionStorage.getItem(k)!.replace(/^\d+ /, '')}`);
    }
  });
  served = [];
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\/(index\.html)?\?q=wombat$/);
  assert.equal((await results(page)).length, 2);
  assert.deepEqual(served.map((r) => r.path).filter((p) => p.includes('/search/data/')).map((p) => p.replace(/^.*\/data\//, '')), ['delta.js']);
  await page.close();
});

test('opened from disk (file://): the header search box loads nothing ahead and still leads to the results', { skip }, async (t) => {
  if (skipUnless(t, fullSite, 'site/build.ts did not build the archive pages')) return;
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
  await page.goto(pathToFileURL(join(out, 'index.html')).href);
  await page.click('.cc-header form[role="search"] input[name="q"]');
  await page.keyboard.type('wombat', { delay: 20 });
  await page.waitForTimeout(200);
  assert.equal(await page.$$eval('script[src*="search"], link[rel="prefetch"]', (els) => els.length), 0, 'no search script or hint on the page from disk');
  await page.keyboard.press('Enter');
  await page.waitForURL(/\/search\/index\.html\?q=wombat$/);
  assert.equal((await results(page)).length, 2);
  assert.deepEqual(errors, []);
  await page.close();
});
