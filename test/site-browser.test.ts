import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import type { Browser, BrowserContext } from 'playwright-core';
import { launchBrowser } from './helpers/browser.js';
import { writeHostileFixture } from './helpers/hostile-fixture.js';
import { buildInto, listFiles, parseFeed, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { BIG, TEAM, writeSiteFixture } from './helpers/site-fixture.js';
import { needsTools } from './helpers/requires.js';

/**
 * The built site in real headless Chromium: hostile content must run nothing, and permalinks
 * (`chats/<slug>/#<anchor>` and `page#anchor`) must land on the message, highlighted.
 */
let browser: Browser;
const skip = needsTools('chromium');

before(async () => {
  if (!skip) browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

/** Records anything a payload could do: __xss() calls, dialogs, console markers. */
async function watchedContext(): Promise<{ context: BrowserContext; hits: string[] }> {
  const context = await browser.newContext();
  const hits: string[] = [];
  await context.exposeFunction('__xssReport', (tag: string) => hits.push(tag));
  await context.addInitScript(() => {
    const w = window as unknown as Record<string, unknown>;
    const report = (tag: string) => (w.__xssReport as (t: string) => void)(tag);
    w.__xss = (tag: string) => report(`__xss(${tag})`);
    w.alert = (m: unknown) => report(`alert(${String(m)})`);
    w.confirm = (m: unknown) => (report(`confirm(${String(m)})`), false);
    w.prompt = (m: unknown) => (report(`prompt(${String(m)})`), null);
  });
  context.on('page', (page) => {
    page.on('dialog', (dialog) => {
      hits.push(`dialog(${dialog.message()})`);
      void dialog.dismiss();
    });
    page.on('console', (message) => {
      if (/xss/i.test(message.text())) hits.push(`console(${message.text()})`);
    });
  });
  return { context, hits };
}

describe('hostile content', { skip }, () => {
  let root: string;
  let out: string;
  let server: { url: string; close(): Promise<void> };

  before(async () => {
    root = scratchDir('cc-site-hostile-');
    const db = join(root, 'evil.sqlite');
    writeHostileFixture(db);
    // Nested so that a path escaping the output folder would land in a folder we can inspect.
    out = join(root, 'a', 'b', 'out');
    await buildInto(db, { out });
    server = await serveDir(out);
  });
  after(async () => {
    await server?.close();
  });

  test('no page runs injected script, opens a dialog, navigates away or carries active attributes', async () => {
    const { context, hits } = await watchedContext();
    const page = await context.newPage();
    const pages = listFiles(out).filter((f) => f.endsWith('.html'));
    assert.ok(pages.length >= 9, `only ${pages.length} pages`);
    for (const file of pages) {
      const path = file.replace(/index\.html$/, '');
      const url = server.url + path;
      await page.goto(url, { waitUntil: 'load' });
      await page.waitForTimeout(50);
      assert.equal(page.url().split('#')[0], url, `navigated away from ${file}`);
      const problems = await page.evaluate(() => {
        const found: string[] = [];
        for (const el of Array.from(document.querySelectorAll('*'))) {
          for (const attr of Array.from(el.attributes)) {
            if (/^on/i.test(attr.name)) found.push(`${el.tagName} ${attr.name}`);
            if (/^(href|src|action|formaction|srcdoc|xlink:href)$/i.test(attr.name)) {
              const value = attr.value.trim();
              if (attr.name === 'srcdoc' || /^(javascript|vbscript|data):/i.test(value)) found.push(`${el.tagName} ${attr.name}=${value}`);
            }
          }
          const ourSearchForm = el.tagName === 'FORM' && el.closest('.cc-header, [data-cc-search]') !== null && !el.closest('.cc-main .cc-log');
          // The activity pictures (site/render/activity/) are the site's own SVG, outside any message.
          const ourPicture = el.tagName === 'svg' && el.closest('.cc-main > .cc-overview, .cc-main > .cc-activity') !== null && !el.closest('.cc-log, .cc-latest');
          if (/^(IFRAME|OBJECT|EMBED|FRAME|svg|math|BASE|FORM|META)$/.test(el.tagName) && !(el.tagName === 'META' && !el.getAttribute('http-equiv')) && !ourSearchForm && !ourPicture) {
            found.push(`element ${el.tagName}`);
          }
        }
        for (const script of Array.from(document.scripts)) {
          if (!/\/assets\/chatchannels\.js$|\/anchors\/\w+\.js$|\/search\/search\.js\?v=[0-9a-f]+$/.test(script.src)) found.push(`script ${script.src || script.textContent?.slice(0, 40)}`);
        }
        return found;
      });
      assert.deepEqual(problems, [], file);
      // Hover everything once: an injected handler would fire now.
      await page.evaluate(() => {
        for (const el of Array.from(document.querySelectorAll('body *'))) {
          for (const type of ['mouseover', 'mouseenter', 'focus', 'click']) {
            if (type === 'click' && el.closest('a')) continue;
            el.dispatchEvent(new Event(type));
          }
        }
      });
    }
    await context.close();
    assert.deepEqual(hits, []);
  });

  test('nothing is written outside the output folder; media names are neutralized', () => {
    assert.deepEqual(readdirSync(root).sort(), ['a', 'evil.sqlite', 'evil.sqlite-shm', 'evil.sqlite-wal', 'evil.sqlite.changed'].filter((f) => readdirSync(root).includes(f)).sort());
    assert.deepEqual(readdirSync(join(root, 'a')), ['b']);
    assert.deepEqual(readdirSync(join(root, 'a', 'b')), ['out']);
    const files = listFiles(out);
    for (const f of files) {
      assert.match(f, /^[^\\]+$/, f);
      assert.ok(!f.split('/').some((part) => part === '..' || part === '.' || part === ''), f);
    }
    const media = files.filter((f) => f.startsWith('media/') && !f.startsWith('media/thumbs/')).map((f) => f.split('/')[2]).sort();
    assert.deepEqual(media, ['etc_._._evil.svg.bin', 'page.html.bin', 'pwned.png']);
    // A photo's thumbnail is named by its hash alone, whatever the file was called.
    for (const f of files.filter((f) => f.startsWith('media/thumbs/'))) assert.match(f, /^media\/thumbs\/[0-9a-f]{64}-640\.webp$/);
    // Chat folders come from slugs only; the chat whose slug was tampered with is not published.
    for (const f of files.filter((f) => f.startsWith('chats/'))) assert.match(f.split('/')[1], /^[a-z0-9-]+$/);
    assert.equal(new Set(files.filter((f) => f.startsWith('chats/')).map((f) => f.split('/')[1])).size, 4);
  });

  test('the huge message is on its page, escaped', () => {
    const pages = listFiles(out).filter((f) => /\/2023\/05\/index\.html$/.test(f));
    const withHuge = pages.map((f) => readFileSync(join(out, f), 'utf8')).find((html) => html.includes('A'.repeat(1000)))!;
    assert.ok(withHuge.includes(`<details class="cc-long"><summary>Long message (1.9 MB): show</summary>huge ${'A'.repeat(2_000_000)} &lt;script&gt;`));
  });

  test('feeds stay well-formed XML', { skip: needsTools('feedparser') }, () => {
    for (const f of listFiles(out).filter((f) => f.endsWith('.xml'))) {
      const feed = parseFeed(join(out, f));
      assert.equal(feed.bozo, false, `${f}: ${feed.bozo_exception}`);
      assert.doesNotMatch(readFileSync(join(out, f), 'utf8'), /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/, f);
    }
  });
});

describe('permalinks', { skip }, () => {
  let out: string;
  let server: { url: string; close(): Promise<void> };
  let team: { slug: string; anchor: string };
  let big: { slug: string; anchor: string; day: string };

  before(async () => {
    const db = join(scratchDir('cc-site-links-'), 'chats.sqlite');
    writeSiteFixture(db);
    const conn = new Database(db, { readonly: true });
    const pick = (nativeId: string, from: number, to: number) =>
      conn
        .prepare(`SELECT c.slug, m.anchor, m.time FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ? AND m.time >= ? AND m.time < ? ORDER BY m.time LIMIT 1`)
        .get(nativeId, from, to) as { slug: string; anchor: string; time: number };
    team = pick(TEAM, Date.UTC(2021, 8, 14), Date.UTC(2021, 8, 15));
    const b = pick(BIG, Date.UTC(2022, 2, 15), Date.UTC(2022, 2, 16));
    big = { ...b, day: '2022/03/15/' };
    conn.close();
    ({ out } = await buildInto(db, { pathPrefix: '/archive/' }));
    server = await serveDir(out, '/archive/');
  });
  after(async () => {
    await server?.close();
  });

  async function landOn(url: string, expected: RegExp, anchor: string): Promise<void> {
    const page = await browser.newPage();
    try {
      await page.goto(url);
      await page.waitForURL(expected, { timeout: 5000 });
      const state = await page.evaluate((id) => {
        const el = document.getElementById(id);
        return el && { highlighted: el.classList.contains('cc-highlight'), target: el.matches(':target') };
      }, anchor);
      assert.deepEqual(state, { highlighted: true, target: true }, url);
    } finally {
      await page.close();
    }
  }

  test('chats/<slug>/#<anchor> lands on the archive page with the message highlighted (served under a prefix)', async () => {
    await landOn(`${server.url}chats/${team.slug}/#${team.anchor}`, new RegExp(`/archive/chats/${team.slug}/2021/09/#${team.anchor}$`), team.anchor);
    await landOn(`${server.url}chats/${big.slug}/#${big.anchor}`, new RegExp(`/chats/${big.slug}/${big.day}#${big.anchor}$`), big.anchor);
  });

  test('… also opened straight from disk (file://)', async () => {
    const landing = pathToFileURL(join(out, 'chats', team.slug, 'index.html')).href;
    await landOn(`${landing}#${team.anchor}`, new RegExp(`/chats/${team.slug}/2021/09/index\\.html#${team.anchor}$`), team.anchor);
  });

  test('page#anchor is highlighted; an unknown anchor on a landing page says so', async () => {
    await landOn(`${server.url}chats/${team.slug}/2021/09/#${team.anchor}`, /2021\/09\/#m/, team.anchor);
    const page = await browser.newPage();
    await page.goto(`${server.url}chats/${team.slug}/#m0000000000`);
    await page.waitForSelector('.cc-anchor-status:not([hidden])', { timeout: 5000 });
    assert.match(await page.textContent('.cc-anchor-status') ?? '', /not in the archive/);
    await page.close();
  });

  test('pages and their assets load under the pathPrefix with no 404', async () => {
    const page = await browser.newPage();
    const failures: string[] = [];
    page.on('response', (response) => {
      if (response.status() >= 400) failures.push(`${response.status()} ${response.url()}`);
    });
    for (const path of ['', `chats/${team.slug}/`, `chats/${team.slug}/2021/09/`, `chats/${big.slug}/${big.day}`]) {
      await page.goto(server.url + path);
      // getAttribute, not .href: SVG links (the activity pictures) have an SVGAnimatedString there.
      const links = await page.evaluate(() =>
        Array.from(document.querySelectorAll('a[href]:not([href^="http"])')).map((a) => new URL(a.getAttribute('href')!, location.href).href),
      );
      for (const href of new Set(links.map((h) => h.split('#')[0]))) {
        const response = await page.request.get(href);
        if (response.status() >= 400) failures.push(`${response.status()} ${href} (linked from /${path})`);
      }
    }
    await page.close();
    assert.deepEqual(failures, []);
  });
});
