import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchBrowser } from './helpers/browser.js';
import { demoDb } from './helpers/demo-site.js';
import { buildInto, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';

/**
 * The reader's journey, end to end, in real Chromium, each journey starting FROM THE HOME PAGE:
 * the header's search box → a result → the message highlighted on its archive page; a permalink
 * `chats/<slug>/#<anchor>` → its page; the month list → any month; the feed links → real feeds;
 * folder links opened in a new tab. Over HTTP at `/`, over HTTP under a path prefix, and opened
 * from disk (file://), also with authors hidden (keyed anchors). No page may request anything but local files and 127.0.0.1.
 */
const skip = needsTools('chromium');
const WORD = 'zoomable';
let browser: Browser;
let db: string;

before(async () => {
  if (skip) return;
  browser = await launchBrowser();
  db = await demoDb();
});
after(async () => {
  await browser?.close();
});

interface Mode {
  name: string;
  /** Sets the mode up: builds, serves; returns the home page URL and a closer. */
  setup(): Promise<{ home: string; out: string; close(): Promise<void> }>;
}

const MODES: Mode[] = [
  {
    name: 'over HTTP at /',
    async setup() {
      const { out } = await buildInto(db, { timeZone: 'Europe/Berlin' });
      const server = await serveDir(out, '/');
      return { home: server.url, out, close: () => server.close() };
    },
  },
  {
    name: 'over HTTP under a path prefix',
    async setup() {
      const { out } = await buildInto(db, { pathPrefix: '/archive/', timeZone: 'Europe/Berlin' });
      const server = await serveDir(out, '/archive/');
      return { home: server.url, out, close: () => server.close() };
    },
  },
  {
    name: 'from disk (file://)',
    async setup() {
      const { out } = await buildInto(db, { out: join(scratchDir('cc-journey-disk-'), 'my site'), timeZone: 'Europe/Berlin' });
      return { home: pathToFileURL(join(out, 'index.html')).href, out, close: async () => undefined };
    },
  },
  {
    // Keyed anchors (site/data/public-anchor.ts): search results, permalinks and the anchor maps
    // that resolve them must all agree on them.
    name: 'authors hidden, anchors keyed, from disk (file://)',
    async setup() {
      const { out } = await buildInto(db, { out: join(scratchDir('cc-journey-hide-'), 'site'), authors: 'hide', timeZone: 'Europe/Berlin' });
      return { home: pathToFileURL(join(out, 'index.html')).href, out, close: async () => undefined };
    },
  },
];

/** A context that fails the test on any request that leaves the machine or any HTTP error. */
async function strictContext(): Promise<{ context: BrowserContext; problems: string[] }> {
  const context = await browser.newContext();
  const problems: string[] = [];
  context.on('request', (request) => {
    const url = request.url();
    // data: URLs never touch the network; everything else must be a local file or this machine.
    if (!/^(file:|data:|http:\/\/127\.0\.0\.1[:/])/.test(url)) problems.push(`non-local request: ${url}`);
  });
  context.on('response', (response) => {
    if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
  });
  context.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    if (!/ERR_ABORTED/.test(failure)) problems.push(`failed: ${request.url()} ${failure}`);
  });
  return { context, problems };
}

/** The page is a message's archive page, scrolled to it and highlighting it. */
async function assertHighlighted(page: Page, what: string): Promise<string> {
  await page.waitForURL(/#m[0-9a-f]+$/, { timeout: 10_000 });
  const anchor = new URL(page.url()).hash.slice(1);
  await page.waitForSelector(`#${anchor}.cc-highlight`, { timeout: 5000 });
  const state = await page.evaluate((id) => {
    const el = document.getElementById(id)!;
    return { target: el.matches(':target'), archive: document.body.classList.contains('cc-page-archive') };
  }, anchor);
  assert.deepEqual(state, { target: true, archive: true }, what);
  return anchor;
}

for (const mode of MODES) {
  describe(`journeys ${mode.name}`, { skip }, () => {
    let site: { home: string; out: string; close(): Promise<void> };
    let context: BrowserContext;
    let problems: string[];

    before(async () => {
      site = await mode.setup();
      ({ context, problems } = await strictContext());
    });
    after(async () => {
      await context?.close();
      await site?.close();
      assert.deepEqual(problems, [], `${mode.name}: requests that went wrong`);
    });

    test('header search box → results → the message highlighted on its archive page', async () => {
      const page = await context.newPage();
      await page.goto(site.home);
      await page.fill('.cc-header input[name="q"]', WORD);
      await page.press('.cc-header input[name="q"]', 'Enter');
      const result = page.locator('.cc-search-result a.cc-search-link').first();
      await result.waitFor({ timeout: 15_000 });
      // The page fills the results' times in after it has painted them (site/client/search/ui.js,
      // finishText): wait for that, or a loaded machine reads an empty time.
      await page.waitForFunction(() => (document.querySelector('.cc-search-result time')?.textContent ?? '') !== '', null, { timeout: 15_000 });
      // Times read like the pages' (24-hour clock), not "10:08 AM".
      const when = (await page.locator('.cc-search-result time').first().textContent()) ?? '';
      assert.match(when, /\d\d:\d\d$/, when);
      assert.doesNotMatch(when, /AM|PM/i);
      await result.click();
      const anchor = await assertHighlighted(page, 'search result');
      assert.match((await page.textContent(`#${anchor}`)) ?? '', new RegExp(WORD, 'i'));
      // The clock of the result is the clock on the page.
      assert.ok(when.endsWith((await page.textContent(`#${anchor} time`))!.trim()), `${when} vs the page`);
      assert.deepEqual(problems, []);
      await page.close();
    });

    test('permalink chats/<slug>/#<anchor> → the right page, highlighted', async () => {
      const page = await context.newPage();
      await page.goto(site.home);
      // The home page's "latest message" link names a message: take its chat and anchor.
      const latest = await page.locator('.cc-latest a').first().evaluate((a) => (a as HTMLAnchorElement).href);
      const anchor = new URL(latest).hash.slice(1);
      const landing = await page.locator('.cc-chat-card h2 a').first().evaluate((a) => (a as HTMLAnchorElement).href);
      await page.goto(`${landing}#${anchor}`);
      assert.equal(await assertHighlighted(page, 'permalink'), anchor);
      assert.equal(page.url().split('#')[0], latest.split('#')[0].replace(/\/$/, site.home.startsWith('file:') ? '/index.html' : '/'));
      await page.close();
    });

    test('month list → any month in one click', async () => {
      const page = await context.newPage();
      await page.goto(site.home);
      await page.locator('.cc-chat-card h2 a', { hasText: 'Project Lighthouse' }).click(); // the chat with the most months
      await page.waitForSelector('.cc-archive-index');
      // Each month's page (or first day page), newest first, as the landing page lists them.
      const months = await page.locator('.cc-archive-index .cc-months > li').evaluateAll((items) =>
        items.map((li) => ({ label: (li.querySelector('a, summary')!.firstChild!.textContent ?? '').trim(), href: (li.querySelector('a') as HTMLAnchorElement).href })),
      );
      assert.ok(months.length >= 3, JSON.stringify(months));
      const bare = (href: string): string => href.replace(/index\.html$/, '');
      await page.locator('.cc-archive-index .cc-months a').last().click(); // the oldest month
      await page.waitForSelector('.cc-month-nav', { timeout: 5000 });
      const listed = await page.locator('.cc-month-nav a').evaluateAll((links) => links.map((a) => (a as HTMLAnchorElement).href));
      const here = bare(page.url().split('#')[0]);
      for (const month of months) assert.ok(bare(month.href) === here || listed.map(bare).includes(bare(month.href)), `${month.label} not in the month list`);
      // The newest month (not the next page): one click.
      const target = months[0];
      await page.locator('.cc-month-nav a').nth(listed.map(bare).indexOf(bare(target.href))).click();
      await page.waitForFunction((label) => document.querySelector('h1')?.textContent === label, target.label, { timeout: 5000 });
      assert.equal(await page.locator('.cc-month-nav [aria-current="page"]').count(), 1);
      await page.close();
    });

    test('feed links: autodiscovery and footer resolve to real feeds; the OPML too', async () => {
      const page = await context.newPage();
      await page.goto(site.home);
      const hrefs = await page.evaluate(() => [
        ...Array.from(document.querySelectorAll('link[rel="alternate"][type="application/atom+xml"]')).map((l) => (l as HTMLLinkElement).href),
        ...Array.from(document.querySelectorAll('.cc-footer a')).map((a) => (a as HTMLAnchorElement).href),
      ]);
      assert.ok(hrefs.length >= 3, hrefs.join());
      for (const href of hrefs) {
        const body = href.startsWith('file:') ? readFileSync(fileURLToPath(href), 'utf8') : await (await page.request.get(href)).text();
        assert.match(body, href.endsWith('.opml') ? /<opml version="2.0">/ : /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/, href);
      }
      const icon = await page.evaluate(() => (document.querySelector('link[rel="icon"]') as HTMLLinkElement | null)?.href ?? null);
      assert.ok(icon, 'no favicon');
      if (icon.startsWith('file:')) assert.ok(existsSync(fileURLToPath(icon)), icon);
      else assert.equal((await page.request.get(icon)).status(), 200, icon);
      await page.close();
    });

    test('folder links work opened in a new tab (middle click) and keep working with the keyboard', async () => {
      const page = await context.newPage();
      await page.goto(site.home);
      const [tab] = await Promise.all([context.waitForEvent('page'), page.locator('.cc-chat-card h2 a').first().click({ button: 'middle' })]);
      await tab.waitForLoadState('load');
      assert.equal(await tab.locator('body.cc-page-chat').count(), 1, `new tab opened ${tab.url()}`);
      await tab.close();
      // Every link and the search form lead to pages, not folders, once the page has loaded.
      if (site.home.startsWith('file:')) {
        const folders = await page.evaluate(() =>
          [...Array.from(document.querySelectorAll('a[href]')).map((a) => a.getAttribute('href')!), ...Array.from(document.forms).map((f) => f.getAttribute('action') ?? '')]
            // A query is not a place: `search/index.html?after=…` is a page, `search/?q=…` a folder.
            .map((h) => h.split('#')[0].split('?')[0])
            .filter((h) => h !== '' && !/^[a-z]+:/i.test(h) && !/\.[a-z]+$/i.test(h)),
        );
        assert.deepEqual(folders, []);
      }
      await page.locator('.cc-chat-card h2 a').first().focus();
      await page.keyboard.press('Enter');
      await page.waitForSelector('body.cc-page-chat', { timeout: 5000 });
      await page.close();
    });
  });
}

describe('the search page on a phone', { skip }, () => {
  test('one search box; results start near the top', async () => {
    const { out } = await buildInto(db, {});
    const server = await serveDir(out, '/');
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
    try {
      const page = await context.newPage();
      await page.goto(`${server.url}search/?q=${WORD}`);
      const first = page.locator('.cc-search-result').first();
      await first.waitFor({ timeout: 15_000 });
      assert.equal(await page.locator('input[type="search"]:visible').count(), 1);
      const box = await first.boundingBox();
      assert.ok(box && box.y < 420, `first result ${box?.y} px down`);
    } finally {
      await context.close();
      await server.close();
    }
  });
});
