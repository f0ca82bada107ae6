import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser } from './helpers/browser.js';
import { needsTools } from './helpers/requires.js';
import { archivePages, buildInto, listFiles, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { importReactions, REACTION_SOURCES } from './helpers/reaction-chip.js';

/**
 * Reaction chips in a real browser: every format's fixture in one archive, each chip an image
 * whose accessible name says emoji, count and who ("👍 3 reactions: Ivo Brandt, Oona Vale and 1
 * more"), axe-core finding nothing on the pages, light and dark. With CC_SHOTS=<dir>, screenshots
 * of the Slack chat's page (desktop and phone, light and dark) are written there to be looked at.
 */
const skip = needsTools('chromium');
const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let browser: Browser;
let server: { url: string; close(): Promise<void> };
let pages: string[];

before(async () => {
  if (skip) return;
  const db = join(scratchDir('cc-reactions-browser-'), 'all.sqlite');
  for (const source of REACTION_SOURCES) importReactions(source, db);
  const { out } = await buildInto(db, {});
  pages = archivePages(listFiles(out))
    .filter((f) => readFileSync(join(out, f), 'utf8').includes('cc-reaction'))
    .map((f) => f.replace(/index\.html$/, ''));
  server = await serveDir(out, '/');
  browser = await launchBrowser();
});
after(async () => {
  await server?.close();
  await browser?.close();
});

describe('reaction chips in Chromium', { skip }, () => {
  test('every format: each chip is an image named by emoji, count and reactors', async () => {
    assert.equal(pages.length, REACTION_SOURCES.length, 'one page with reactions per format');
    const page = await browser.newPage();
    try {
      for (const path of pages) {
        await page.goto(server.url + path);
        const thumbs = page.getByRole('img', { name: /^👍 \d reactions: / });
        assert.equal(await thumbs.count(), 1, path);
        const name = (await thumbs.getAttribute('aria-label'))!;
        assert.match(name, /^👍 (2 reactions: ⁨(Ivo Brandt|Oona Vale)⁩, ⁨(Ivo Brandt|Oona Vale)⁩|3 reactions: ⁨Ivo Brandt⁩, ⁨Oona Vale⁩ and 1 more)$/, path);
        assert.equal(await thumbs.getAttribute('title'), name, 'the tooltip says the same');
        assert.match((await thumbs.textContent())!, /^👍 [23]$/);
      }
    } finally {
      await page.close();
    }
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe-core: no violations on the pages with reactions, ${scheme}`, async () => {
      const context = await browser.newContext({ colorScheme: scheme });
      const problems: string[] = [];
      try {
        const page = await context.newPage();
        for (const path of pages) {
          await page.goto(server.url + path);
          await page.addScriptTag({ content: AXE });
          const violations = (await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run(ctx: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
            return (await axe.run(document)).violations.map((v) => `${v.id}: ${v.nodes.map((n) => JSON.stringify(n.target)).join(' ')}`);
          })) as string[];
          for (const v of violations) problems.push(`${path}: ${v}`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(problems, []);
    });
  }

  test('screenshots (CC_SHOTS=<dir>): desktop and phone, light and dark', { skip: !process.env.CC_SHOTS && 'CC_SHOTS not set' }, async () => {
    const dir = process.env.CC_SHOTS!;
    mkdirSync(dir, { recursive: true });
    const slack = pages.find((p) => p.includes('/2024/05/'))!;
    for (const [device, viewport] of [['desktop', { width: 1200, height: 700 }], ['phone', { width: 390, height: 700 }]] as const) {
      for (const scheme of ['light', 'dark'] as const) {
        const context = await browser.newContext({ colorScheme: scheme, viewport, deviceScaleFactor: 2 });
        const page = await context.newPage();
        await page.goto(server.url + slack);
        const message = page.locator('.cc-msg', { has: page.locator('.cc-reactions') }).first();
        await message.hover();
        await page.screenshot({ path: join(dir, `reactions-${device}-${scheme}.png`) });
        await context.close();
      }
    }
  });
});
