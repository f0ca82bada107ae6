import assert from 'node:assert/strict';
import { join, posix } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { writeFixture } from './helpers/fixture-db.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { BIG, TEAM, writeSiteFixture } from './helpers/site-fixture.js';

/**
 * What a reader notices on the pages themselves: a month list on every archive page, the time
 * zone named, everyone who posted among the members, a favicon, one search box on the search page.
 */
let out: string;
let slugs: Record<string, string>;

before(async () => {
  const db = join(scratchDir('cc-journey-pages-'), 'chats.sqlite');
  writeSiteFixture(db);
  const conn = new Database(db, { readonly: true });
  slugs = Object.fromEntries((conn.prepare('SELECT native_id, slug FROM chats').all() as { native_id: string; slug: string }[]).map((r) => [r.native_id, r.slug]));
  conn.close();
  ({ out } = await buildInto(db, { timeZone: 'Europe/Berlin' }));
});

/** Relative hrefs of `html` (at site path `here`) resolved to site paths. */
function resolveHrefs(here: string, hrefs: string[]): string[] {
  return hrefs.map((h) => posix.normalize(posix.join(posix.dirname(`${here}x`), h)).replace(/^\.\/?/, '').replace(/\/?$/, '/'));
}

describe('archive pages list the chat’s months', () => {
  test('every archive page links to every month of its chat (and, in a split month, to its days); the current one is marked', () => {
    const files = listFiles(out);
    for (const slug of Object.values(slugs)) {
      // The landing page's archive index: each month's first page (a month page, or its first day).
      const index = read(out, `chats/${slug}/index.html`).match(/<section class="cc-archive-index".*?<\/section>/)![0];
      const split = index.replace(/<ul class="cc-days"><li><a href="([^"]+)">.*?<\/ul>/g, 'first-day="$1"');
      const months = resolveHrefs(`chats/${slug}/`, [...split.matchAll(/<li><a href="([^"]+)">|first-day="([^"]+)"/g)].map((m) => m[1] ?? m[2]));
      const pages = archivePages(files).filter((f) => f.startsWith(`chats/${slug}/`));
      assert.ok(pages.length > 0 && months.length > 0);
      for (const file of pages) {
        const html = read(out, file);
        const nav = html.match(/<nav class="cc-month-nav" aria-label="Archive months">(.*?)<\/nav>/)?.[1];
        assert.ok(nav, `${file}: no month list`);
        const here = file.replace(/index\.html$/, '');
        const targets = resolveHrefs(here, [...nav.matchAll(/href="([^"]+)"/g)].map((m) => m[1]));
        for (const target of targets) assert.ok(files.includes(`${target}index.html`), `${file}: month link to ${target} goes nowhere`);
        for (const month of months) assert.ok(month === here || targets.includes(month), `${file}: no link to ${month}`);
        assert.match(nav, /aria-current="(page|true)"/, file);
      }
    }
    // A day page of the split month lists that month's days.
    const day = read(out, `chats/${slugs[BIG]}/2022/03/15/index.html`).match(/<nav class="cc-month-nav"[^>]*>(.*?)<\/nav>/)![1];
    assert.match(day, /href="\.\.\/01\/"/);
    assert.match(day, /<span aria-current="page">[^<]*15[^<]*<\/span>/);
  });
});

describe('small things', () => {
  test('the time zone is named once per page near the messages, and on every time', () => {
    const team = slugs[TEAM];
    const september = read(out, `chats/${team}/2021/09/index.html`);
    assert.match(september, /<p class="cc-zone">Times in Europe\/Berlin \(UTC\+2\)<\/p>/);
    const times = [...september.matchAll(/<time datetime="[^"]+"([^>]*)>\d\d:\d\d<\/time>/g)];
    assert.ok(times.length > 5);
    for (const t of times) assert.match(t[1], / title="Europe\/Berlin \(UTC\+2\)"/);
    assert.match(read(out, `chats/${team}/index.html`), /<p class="cc-zone">Times in Europe\/Berlin \(UTC\+\d\)<\/p>/);
    // A month across the change to summer time names both offsets.
    assert.match(read(out, `chats/${slugs[BIG]}/2022/03/27/index.html`), /Times in Europe\/Berlin \(UTC\+1\/UTC\+2\)/);
  });

  test('members are the chat’s members and everyone who posted in it', async () => {
    const db = join(scratchDir('cc-journey-members-'), 'chats.sqlite');
    const ann = { nativeId: '8:live:ann', displayName: 'Ann Member' };
    writeFixture(db, [
      {
        nativeId: '19:m@thread.skype',
        title: 'Members',
        members: [ann],
        messages: [
          { author: ann.nativeId, authorName: 'Ann Member', time: Date.UTC(2023, 0, 1), body: 'hi' },
          { author: '8:live:poster', authorName: 'Paul Poster', time: Date.UTC(2023, 0, 2), body: 'I was never listed' },
          { author: '8:live:ann', authorName: 'Ann Member', time: Date.UTC(2023, 0, 3), kind: 'event', body: 'Ann Member changed the topic' },
        ],
      },
    ]);
    const built = (await buildInto(db)).out;
    const slug = listFiles(built).find((f) => /^chats\/[^/]+\/index\.html$/.test(f))!;
    for (const html of [read(built, slug), read(built, 'index.html')]) {
      const members = html.match(/<p class="cc-members">(.*?)<\/p>/)![1];
      assert.equal(members.replace(/<[^>]+>/g, ''), 'Members: Ann Member, Paul Poster');
    }
  });

  test('every page links a favicon that exists (relative, so it works under a prefix and from disk)', () => {
    const files = listFiles(out);
    const pages = files.filter((f) => f.endsWith('.html'));
    for (const file of pages) {
      const href = read(out, file).match(/<link rel="icon" type="image\/svg\+xml" href="([^"]+)">/)?.[1];
      assert.ok(href, `${file}: no favicon`);
      assert.doesNotMatch(href, /^\/|^[a-z]+:/, file);
      const [target] = resolveHrefs(file, [href]);
      assert.ok(files.includes(target.replace(/\/$/, '')), `${file}: favicon ${href} → ${target} missing`);
    }
    assert.match(read(out, 'assets/favicon.svg'), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
  });

  test('the search page has one search box, and its filters fold away', () => {
    const html = read(out, 'search/index.html');
    assert.equal(html.match(/type="search"/g)?.length, 1);
    assert.match(html, /<details class="cc-search-filters-box"[^>]*><summary>Filters<\/summary><fieldset class="cc-search-filters">/);
  });
});
