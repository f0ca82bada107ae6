import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { needsFile } from './helpers/requires.js';
import { scratchDir } from './helpers/temp.js';

/**
 * A message the store flags as dated implausibly (a Skype SMS row dated 2404, a phone's 1970) keeps
 * the page its time gives — published URLs never change — but no chat's navigation, newest page,
 * activity, latest messages or feeds follow it; the landing page lists its page apart.
 *
 * Own fixture: a Skype export whose "Wrong clocks" chat has messages in June and July 2013, one on
 * 1 January 1970 and one in December 2404, whose "Quiet room" last spoke in January 2014, and whose
 * "Broken phone" has only implausible dates (1970 and 1975).
 */
const FIXTURE = resolve(process.cwd(), 'test/fixtures/skype/implausible');
const PLASO = resolve(process.cwd(), '../shared/fixtures/skype/maindb-plaso/skype_main.db');

async function importAndBuild(source: string): Promise<{ db: string; out: string; slugs: Map<string, string> }> {
  const db = join(scratchDir('cc-implausible-'), 'chats.sqlite');
  const store = openStore(db);
  await importPaths(store, [source]);
  store.close();
  const conn = new Database(db, { readonly: true });
  const slugs = new Map((conn.prepare('SELECT native_id, slug FROM chats').raw().all() as [string, string][]).map(([id, slug]) => [id, slug]));
  conn.close();
  const { out } = await buildInto(db);
  return { db, out, slugs };
}

/** The previous/next links of an archive page (the first pager), as hrefs. */
function pager(html: string): { prev: string | null; next: string | null } {
  const nav = html.match(/<nav class="cc-pager"[^>]*>(.*?)<\/nav>/)?.[1] ?? '';
  return {
    prev: nav.match(/<a class="cc-prev" rel="prev" href="([^"]+)"/)?.[1] ?? null,
    next: nav.match(/<a class="cc-next" rel="next" href="([^"]+)"/)?.[1] ?? null,
  };
}

/** The landing page's archive list split at the "Messages with implausible dates" heading. */
function landingLists(html: string): { archive: string; implausible: string } {
  const index = html.match(/<section class="cc-archive-index".*?<\/section><section class="cc-recent"/)![0];
  const at = index.indexOf('Messages with implausible dates');
  return at < 0 ? { archive: index, implausible: '' } : { archive: index.slice(0, at), implausible: index.slice(at) };
}

/** The Atom entries of a feed, in order (newest first). */
function entries(xml: string): string[] {
  return [...xml.matchAll(/<entry>(.*?)<\/entry>/gs)].map((m) => m[1]);
}

describe('implausible dates (own Skype export)', () => {
  let out: string;
  let db: string;
  let dates: string;
  let quiet: string;
  let broken: string;
  before(async () => {
    let slugs: Map<string, string>;
    ({ out, db, slugs } = await importAndBuild(FIXTURE));
    dates = slugs.get('19:dates@thread.skype')!;
    quiet = slugs.get('19:quiet@thread.skype')!;
    broken = slugs.get('19:broken@thread.skype')!;
    assert.ok(dates && quiet && broken);
  });

  test('the flagged messages keep the pages their times give', () => {
    const conn = new Database(db, { readonly: true });
    const flagged = conn.prepare(`SELECT time FROM messages WHERE flags & 1 ORDER BY time`).pluck().all() as number[];
    conn.close();
    assert.deepEqual(flagged.map((t) => new Date(t).getUTCFullYear()), [1970, 1970, 1975, 2404]);
    const files = listFiles(out);
    for (const page of ['1970/01', '2013/06', '2013/07', '2404/12']) assert.ok(files.includes(`chats/${dates}/${page}/index.html`), page);
    assert.match(read(out, `chats/${dates}/2404/12/index.html`), /an SMS from the year 2404/);
  });

  test('previous/next links skip implausible pages in both directions', () => {
    const june = pager(read(out, `chats/${dates}/2013/06/index.html`));
    const july = pager(read(out, `chats/${dates}/2013/07/index.html`));
    assert.deepEqual(june, { prev: null, next: '../07/' }, 'June 2013 is the oldest plausible page: no link back to 1970');
    assert.deepEqual(july, { prev: '../06/', next: null }, 'July 2013 is the newest plausible page: no link on to 2404');
    // No archive page of the chat links to an implausible one as its neighbour.
    for (const file of archivePages(listFiles(out)).filter((f) => f.startsWith(`chats/${dates}/`))) {
      const { prev, next } = pager(read(out, file));
      for (const href of [prev, next]) assert.doesNotMatch(href ?? '', /1970|2404/, file);
    }
  });

  test('the landing page lists the implausible pages in their own section and continues reading in July 2013', () => {
    const html = read(out, `chats/${dates}/index.html`);
    const { archive, implausible } = landingLists(html);
    assert.match(archive, /<a href="2013\/07\/">July 2013<\/a>/);
    assert.match(archive, /<a href="2013\/06\/">June 2013<\/a>/);
    assert.doesNotMatch(archive, /2404|1970/, 'the archive list by year holds only plausible months');
    assert.match(implausible, /<a href="2404\/12\/">December 2404<\/a>/);
    assert.match(implausible, /<a href="1970\/01\/">January 1970<\/a>/);
    assert.match(html, /<p class="cc-more"><a href="2013\/07\/">Continue reading in July 2013 →<\/a><\/p>/);
    // Latest messages: the newest plausible ones.
    const recent = html.match(/<section class="cc-recent".*?<\/section>/)![0];
    assert.match(recent, /July: the last plausible message/);
    assert.doesNotMatch(recent, /year 2404|forgot the date/);
    // A chat without implausible dates has no such section.
    assert.doesNotMatch(read(out, `chats/${quiet}/index.html`), /implausible/);
  });

  test('a chat whose every date is implausible has nothing to set apart: its pages stay in sequence', () => {
    assert.deepEqual(pager(read(out, `chats/${broken}/1970/01/index.html`)), { prev: null, next: '../../1975/06/' });
    assert.deepEqual(pager(read(out, `chats/${broken}/1975/06/index.html`)), { prev: '../../1970/01/', next: null });
    const html = read(out, `chats/${broken}/index.html`);
    assert.equal(landingLists(html).implausible, '');
    assert.match(html, /Continue reading in June 1975 →/);
  });

  test('every archive page lists the implausible pages after the years, not as the newest year', () => {
    for (const page of ['2013/07', '2404/12', '1970/01']) {
      const nav = read(out, `chats/${dates}/${page}/index.html`).match(/<nav class="cc-month-nav"[^>]*>(.*?)<\/nav>/)![1];
      const years = [...nav.matchAll(/<span class="cc-year">([^<]+)<\/span>/g)].map((m) => m[1]);
      assert.deepEqual(years, ['2013', 'Implausible dates'], page);
      assert.match(nav, /aria-current="page"/, page);
    }
  });

  test('the home page orders and dates chats by plausible activity', () => {
    const html = read(out, 'index.html');
    assert.ok(html.indexOf(`chats/${quiet}/`) < html.indexOf(`chats/${dates}/`), 'the chat last active in 2014 comes first');
    const card = html.slice(html.indexOf(`<a href="chats/${dates}/">`));
    assert.match(card, /Jun 20, 2013<\/time> – <time datetime="2013-07-30T21:33:08.000Z">Jul 30, 2013<\/time>/);
    assert.match(card, /<p class="cc-latest"><a href="chats\/[^/]+\/2013\/07\/#m[0-9a-f]+">.*July: the last plausible message/);
  });

  test('feeds start with the newest plausible message and leave the implausible ones out', () => {
    const chat = entries(read(out, `chats/${dates}/feed.xml`));
    assert.equal(chat.length, 3);
    assert.match(chat[0], /July: the last plausible message/);
    const site = entries(read(out, 'feed.xml'));
    assert.match(site[0], /January 2014/);
    for (const entry of [...chat, ...site]) assert.doesNotMatch(entry, /<published>(2404|1970)|year 2404|forgot the date/);
  });

  test('the CLI lists chats by plausible activity too', () => {
    const listed = execFileSync(process.execPath, ['dist/collector/cli.js', 'chats', '--db', db, '--json'], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { slug: string; first: string; last: string });
    assert.deepEqual(listed.map((c) => c.slug), [quiet, dates, broken]);
    const row = listed.find((c) => c.slug === dates)!;
    assert.match(row.first, /^2013-06-20/);
    assert.match(row.last, /^2013-07-30/);
  });
});

describe('implausible dates (the real Skype main.db with an SMS dated 2404)', { skip: needsFile(PLASO) }, () => {
  test('July 2013 leads nowhere, December 2404 is listed apart', async () => {
    const { out, slugs } = await importAndBuild(PLASO);
    const slug = [...slugs.values()].find((s) => listFiles(out).includes(`chats/${s}/2404/12/index.html`));
    assert.ok(slug, 'the SMS dated 2404 has its page');
    assert.equal(pager(read(out, `chats/${slug}/2013/07/index.html`)).next, null);
    const html = read(out, `chats/${slug}/index.html`);
    assert.doesNotMatch(landingLists(html).archive, /2404/);
    assert.match(landingLists(html).implausible, /<a href="2404\/12\/">December 2404<\/a>/);
    assert.match(html, /Continue reading in July 2013/);
    assert.doesNotMatch(entries(read(out, `chats/${slug}/feed.xml`))[0], /<published>2404/);
  });
});
