import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from './helpers/browser.js';
import { demoDb } from './helpers/demo-site.js';
import { mediaHash, writeFixture } from './helpers/fixture-db.js';
import { tinyPng } from './helpers/png.js';
import { writeSiteFixture } from './helpers/site-fixture.js';
import { archivePages, buildInto, listFiles, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';
import { MessageFlags } from '../collector/model.js';

/**
 * Accessibility, checked by axe-core in real Chromium: 0 violations on every page kind (index,
 * chat landing page, month page, day page, out-of-range page, a page with a thread opened, search
 * page with results) of the
 * demo site, the site fixture and a fixture of edge cases, in the light and the dark colour
 * scheme. And the avatar palette: initials readable (4.5:1) on all 24 avatar colours, in both.
 */
const skip = needsTools('chromium');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const SCHEMES = ['light', 'dark'] as const;

interface AxeNode {
  target: unknown[];
  failureSummary?: string;
}
interface AxeViolation {
  id: string;
  help: string;
  nodes: AxeNode[];
}

/**
 * Runs axe over the page (or only `rules`, within `selector`); one line per violation: rule, help,
 * and the first targets with what is wrong with them.
 */
async function axeViolations(page: Page, rules?: string[], selector?: string): Promise<string[]> {
  await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(
    async ([only, within]) => {
      const axe = (window as unknown as { axe: { run(ctx: unknown, options: object): Promise<{ violations: unknown[] }> } }).axe;
      const result = await axe.run(within ? { include: [within] } : document, only ? { runOnly: { type: 'rule', values: only } } : {});
      return result.violations;
    },
    [rules ?? null, selector ?? null] as const,
  );
  return (violations as AxeViolation[]).map(
    (v) =>
      `${v.id} (${v.help}): ${v.nodes
        .slice(0, 6)
        .map((n) => `${JSON.stringify(n.target)}${n.failureSummary ? ` — ${n.failureSummary.split('\n').slice(1).join(' ').trim()}` : ''}`)
        .join('; ')}${v.nodes.length > 6 ? ` …and ${v.nodes.length - 6} more` : ''}`,
  );
}

interface PageKind {
  kind: string;
  /** Site path, with a query for the search page. */
  path: string;
  /** Wait for this selector before running axe (search results are rendered by script). */
  ready?: string;
  /** Open every <details> first (a thread's replies are checked too). */
  open?: boolean;
}

/**
 * The site's pages of every kind: the index, every chat's landing page and its first and last
 * archive pages (their messages differ), one day page, the out-of-range pages, a search's results.
 */
function pageKinds(out: string, searchWord: string): PageKind[] {
  const files = listFiles(out);
  const kinds: PageKind[] = [{ kind: 'index', path: '' }];
  const archive = archivePages(files).map((f) => f.replace(/index\.html$/, ''));
  for (const landing of files.filter((f) => /^chats\/[^/]+\/index\.html$/.test(f)).map((f) => f.replace(/index\.html$/, ''))) {
    kinds.push({ kind: 'chat landing', path: landing });
    const months = archive.filter((p) => p.startsWith(landing) && /\/\d{4}\/\d\d\/$/.test(p));
    for (const p of new Set([months[0], months.at(-1)])) if (p) kinds.push({ kind: 'month', path: p });
  }
  const day = archive.find((p) => /\/\d{4}\/\d\d\/\d\d\/$/.test(p));
  if (day) kinds.push({ kind: 'day', path: day });
  for (const p of archive.filter((p) => p.includes('/out-of-range/'))) kinds.push({ kind: 'out of range', path: p });
  const thread = archivePages(files).find((f) => readFileSync(join(out, f), 'utf8').includes('<details class="cc-replies">'));
  if (thread) kinds.push({ kind: 'thread', path: thread.replace(/index\.html$/, ''), open: true });
  kinds.push({ kind: 'search with results', path: `search/?q=${searchWord}`, ready: '.cc-search-result' });
  return kinds;
}

/**
 * What the other two sites lack: messages dated before year 1 and after 9999 (the out-of-range
 * pages), photos — one with a thumbnail, one sharp cannot read (linked as a file) — and a thread
 * (replies listed under their root).
 */
function writeEdgeFixture(file: string): void {
  const who = { nativeId: '8:live:erin', displayName: 'Erin Ash' };
  const photo = tinyPng(900, 600);
  const broken = photo.subarray(0, photo.length >> 1);
  const say = (nativeId: string, time: number, body: string, attachments?: { name: string; bytes: Buffer }[]) => ({
    nativeId,
    author: who.nativeId,
    authorName: who.displayName,
    time,
    body,
    ...(attachments ? { attachments: attachments.map((a) => ({ name: a.name, size: a.bytes.length, type: 'image/png', hash: mediaHash(a.bytes) })) } : {}),
  });
  writeFixture(
    file,
    [
      {
        nativeId: '19:edges@thread.skype',
        title: 'Edges of time',
        members: [who],
        messages: [
          say('early', new Date(0).setUTCFullYear(0, 5, 1), 'Written before year one'),
          say('photo', Date.UTC(2022, 4, 1, 9), 'The view from the ridge', [{ name: 'ridge.png', bytes: photo }]),
          say('broken', Date.UTC(2022, 4, 1, 10), 'This one got cut off', [{ name: 'cut.png', bytes: broken }]),
          say('late', new Date(0).setUTCFullYear(10001, 0, 1), 'Written after year 9999'),
          say('root', Date.UTC(2022, 4, 2, 9), 'Who saw the ridge?'),
          { ...say('reply1', Date.UTC(2022, 4, 2, 9, 5), 'I did, at dawn'), replyTo: 'root', flags: MessageFlags.threadReply },
          { ...say('reply2', Date.UTC(2022, 4, 2, 11), 'Me too'), replyTo: 'root', flags: MessageFlags.threadReply },
        ],
      },
    ],
    [
      { name: 'ridge.png', type: 'image/png', bytes: photo },
      { name: 'cut.png', type: 'image/png', bytes: broken },
    ],
  );
}

interface Site {
  name: string;
  url: string;
  pages: PageKind[];
  close(): Promise<void>;
}

let browser: Browser;
const sites: Site[] = [];

before(async () => {
  if (skip) return;
  browser = await launchBrowser();
  const demo = (await buildInto(await demoDb(), { timeZone: 'Europe/Berlin' })).out;
  const fixtureDb = join(scratchDir('cc-a11y-'), 'site.sqlite');
  writeSiteFixture(fixtureDb);
  const fixture = (await buildInto(fixtureDb, {})).out;
  const edgeDb = join(scratchDir('cc-a11y-'), 'edges.sqlite');
  writeEdgeFixture(edgeDb);
  const edges = (await buildInto(edgeDb, {})).out;
  for (const [name, out, word] of [
    ['demo', demo, 'summit'],
    ['site fixture', fixture, 'release'],
    ['edge fixture', edges, 'written'],
  ] as const) {
    const server = await serveDir(out, '/');
    sites.push({ name, url: server.url, pages: pageKinds(out, word), close: server.close });
  }
});
after(async () => {
  for (const site of sites) await site.close();
  await browser?.close();
});

describe('axe-core: no violations', { skip }, () => {
  for (const scheme of SCHEMES) {
    test(`every page kind of the demo, the site fixture and the edge fixture, ${scheme} scheme`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      const problems: string[] = [];
      const kinds = new Set<string>();
      try {
        const page = await context.newPage();
        for (const site of sites) {
          for (const kind of site.pages) {
            await page.goto(site.url + kind.path);
            if (kind.ready) await page.waitForSelector(kind.ready, { timeout: 15_000 });
            if (kind.open) await page.evaluate(() => document.querySelectorAll('details').forEach((d) => (d.open = true)));
            kinds.add(kind.kind);
            for (const v of await axeViolations(page)) problems.push(`${site.name} ${kind.kind} /${kind.path}: ${v}`);
          }
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(problems, [], `axe violations (${scheme}):\n${problems.join('\n')}`);
      // The fixtures must keep showing every page kind, or this test would stop checking one.
      assert.deepEqual([...kinds].sort(), ['chat landing', 'day', 'index', 'month', 'out of range', 'search with results', 'thread']);
    });
  }
});

describe('avatar colours', { skip }, () => {
  for (const scheme of SCHEMES) {
    test(`initials have 4.5:1 contrast on all 24 avatar colours, ${scheme} scheme`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      try {
        const page = await context.newPage();
        const site = sites.find((s) => s.name === 'site fixture')!;
        await page.goto(site.url + site.pages.find((p) => p.kind === 'month')!.path);
        // One author run per colour class, in the page's own message list and theme.
        const hues = await page.evaluate(() => {
          const log = document.querySelector('.cc-log')!;
          log.replaceChildren();
          for (let h = 0; h < 24; h++) {
            const group = document.createElement('article');
            group.className = `cc-group cc-h${h}`;
            group.innerHTML = `<i aria-hidden="true">AM</i><div><h2>Person ${h}</h2><div class="cc-msg"><div>hello</div></div></div>`;
            log.append(group);
          }
          return new Set(Array.from(log.querySelectorAll(".cc-group > i")).map((i) => getComputedStyle(i).backgroundColor)).size;
        });
        assert.equal(hues, 24, 'every class has a colour of its own');
        assert.deepEqual(await axeViolations(page, ['color-contrast'], '.cc-log'), []);
      } finally {
        await context.close();
      }
    });
  }
});
