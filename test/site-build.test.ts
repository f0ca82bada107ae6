import { publicSlug } from '../site/data/public-chat.js';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import Eleventy from '@11ty/eleventy';
import chatChannels from '../site/plugin.js';
import { mediaHash } from './helpers/fixture-db.js';
import { anchorsIn, archivePages, buildInto, hasFeedparser, listFiles, parseFeed, read, scratchDir as tempDir } from './helpers/site.js';
import { BIG, DIRECT, PDF, PHOTO, TEAM, writeSiteFixture } from './helpers/site-fixture.js';

/** The real site, built once from the shared fixture; most tests read its output. */
let db: string;
let out: string;
let files: string[];
const slugs: Record<string, string> = {};

before(async () => {
  db = join(tempDir('cc-site-build-'), 'chats.sqlite');
  writeSiteFixture(db);
  const conn = new Database(db, { readonly: true });
  for (const row of conn.prepare('SELECT native_id, slug FROM chats').all() as { native_id: string; slug: string }[]) {
    slugs[row.native_id] = row.slug;
  }
  conn.close();
  ({ out } = await buildInto(db));
  files = listFiles(out);
});

function messagesInDb(): { chat: string; anchor: string; time: number; key: string }[] {
  const conn = new Database(db, { readonly: true });
  try {
    return conn
      .prepare('SELECT c.slug AS chat, m.anchor, m.time, m.key FROM messages m JOIN chats c ON c.id = m.chat_id')
      .all() as { chat: string; anchor: string; time: number; key: string }[];
  } finally {
    conn.close();
  }
}

describe('site structure', () => {
  test('index, landing pages, archive pages, feeds, OPML, assets', () => {
    for (const f of ['index.html', 'feed.xml', 'feeds.opml', 'assets/chatchannels.css', 'assets/chatchannels.js']) {
      assert.ok(files.includes(f), `missing ${f}`);
    }
    for (const native of [TEAM, BIG, DIRECT]) {
      const slug = slugs[native];
      assert.ok(files.includes(`chats/${slug}/index.html`), `landing page of ${native}`);
      assert.ok(files.includes(`chats/${slug}/feed.xml`), `feed of ${native}`);
      assert.ok(files.some((f) => f.startsWith(`chats/${slug}/anchors/`)), `anchor map of ${native}`);
    }
    const team = slugs[TEAM];
    assert.ok(files.includes(`chats/${team}/2021/09/index.html`));
    assert.ok(files.includes(`chats/${team}/2021/10/index.html`));
    // The implausible date gets its page like any other month.
    assert.ok(files.includes(`chats/${team}/2404/01/index.html`));
    // A month that had over 1,000 messages is split into day pages; the quiet month is not.
    const big = slugs[BIG];
    assert.ok(files.includes(`chats/${big}/2022/03/01/index.html`));
    assert.ok(!files.includes(`chats/${big}/2022/03/index.html`));
    assert.ok(files.includes(`chats/${big}/2022/04/index.html`));
    // Nothing but what the plugin makes: no robots.txt unless asked for.
    assert.ok(!files.includes('robots.txt'));
  });

  test('the index lists every chat with title, members, counts, activity and latest message', () => {
    const html = read(out, 'index.html');
    assert.match(html, /<html lang="en">/);
    assert.match(html, /<a href="chats\/team-general-[a-z0-9]+\/">Team general<\/a>/);
    assert.match(html, /Alice Martin/);
    assert.match(html, /15 messages/);
    // An untitled direct chat is named after its members.
    assert.match(html, /Alice Martin, Bob Okafor/);
    // Latest message of the team chat links to its archive page and anchor; the one dated 2404
    // counts for neither the latest message nor the activity range.
    assert.match(html, /<a href="chats\/team-general-[a-z0-9]+\/2021\/10\/#m[0-9a-f]+"><bdi class="cc-latest-author">Carol Nguyen<\/bdi>: Will do/);
    assert.match(html, /Sep 13, 2021<\/time> – <time datetime="2021-10-02T10:02:00.000Z">Oct 2, 2021<\/time>/);
    // Landmarks, skip link, feed autodiscovery.
    assert.match(html, /<main id="cc-main"/);
    assert.match(html, /class="cc-skip-link" href="#cc-main"/);
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml"[^>]* href="feed.xml">/);
    // Search is on by default: a search box on every page, pointing at the search page.
    assert.match(html, /<form class="cc-search" action="search\/" role="search">/);
  });

  test('a landing page: months with counts, latest messages linking into the archive, feed links', () => {
    const team = slugs[TEAM];
    const html = read(out, `chats/${team}/index.html`);
    assert.match(html, /<h1>Team general<\/h1>/);
    assert.match(html, /<a href="2021\/09\/">September 2021<\/a> <span class="cc-count">12<\/span>/);
    assert.match(html, /data-cc-anchor-width="0"/);
    assert.match(html, /href="feed.xml"/);
    assert.match(html, /<link rel="alternate" type="application\/atom\+xml" title="Team general \(Atom feed\)" href="feed.xml">/);
    // Latest messages carry no ids (their permanent home is the archive) and link there.
    assert.equal(anchorsIn(html).length, 0);
    assert.match(html, /class="cc-permalink" href="2021\/10\/#m[0-9a-f]+"/);
    // Day pages of a split month are listed under it.
    const big = read(out, `chats/${slugs[BIG]}/index.html`);
    assert.match(big, /<summary>March 2022 <span class="cc-count">1,100<\/span><\/summary>/);
    assert.match(big, /<a href="2022\/03\/01\/">/);
  });

  test('an archive page: day separators, author runs, times, edits, replies, events, attachments, navigation', () => {
    const team = slugs[TEAM];
    const html = read(out, `chats/${team}/2021/09/index.html`);
    assert.match(html, /<h2 class="cc-day"><span>Monday, September 13, 2021<\/span><\/h2>/);
    assert.match(html, /<h2 class="cc-day"><span>Tuesday, September 14, 2021<\/span><\/h2>/);
    // Alice's two messages 40 s apart share one header.
    const alice = html.match(/<h3>Alice Martin<\/h3>(.*?)<\/article>/)![1];
    assert.equal(anchorsIn(alice).length, 2);
    // Times in UTC with the instant in datetime, and a permalink.
    assert.match(html, /<a class="cc-permalink" href="#(m[0-9a-f]+)"><time datetime="2021-09-13T09:00:00.000Z">09:00<\/time><\/a>/);
    assert.match(html, /<span class="cc-edited" title="Edited Sep 13, 2021, 09:07 \(UTC\)">edited<\/span>/);
    assert.match(html, /<a class="cc-reply" href="#m[0-9a-f]+">↩ reply to <bdi>Bob Okafor<\/bdi><\/a>/);
    assert.match(html, /<div class="cc-msg cc-system" id="m[0-9a-f]+">.*?Call ended/);
    assert.match(html, /class="cc-msg cc-deleted"/);
    assert.match(html, /<span class="cc-emote">Dan Weiss<\/span> is stepping out/);
    // Attachments: the stored image inline, the stored PDF as a download, the other by its URL.
    const photo = `media/${mediaHash(PHOTO)}/dashboard.png`;
    const pdf = `media/${mediaHash(PDF)}/release-notes-2.3.pdf`;
    assert.ok(html.includes(`<img src="../../../../${photo}" loading="lazy" alt="dashboard.png">`));
    assert.ok(html.includes(`<a class="cc-file" href="../../../../${pdf}" download>release-notes-2.3.pdf</a>`));
    assert.ok(html.includes('<a class="cc-file" href="https://files.example.com/design.sketch" rel="nofollow noopener noreferrer">design.sketch</a> <span class="cc-size">121 KB</span>'));
    assert.deepEqual(readFileSync(join(out, photo)), PHOTO);
    assert.deepEqual(readFileSync(join(out, pdf)), PDF);
    // Previous/next and breadcrumbs.
    assert.match(html, /<a class="cc-next" rel="next" href="..\/10\/">October 2021 →<\/a>/);
    assert.match(html, /<nav class="cc-breadcrumbs" aria-label="Breadcrumb"><ol><li><a href="..\/..\/..\/..\/">Chat archive<\/a><\/li><li><a href="..\/..\/">Team general<\/a><\/li><li><span aria-current="page">September 2021<\/span><\/li><\/ol><\/nav>/);
    // A reply into another month links to that page.
    const october = read(out, `chats/${team}/2021/10/index.html`);
    assert.match(october, /<a class="cc-reply" href="..\/09\/#m[0-9a-f]+">↩ reply to <bdi>Bob Okafor<\/bdi><\/a>/);
    // The message from 2404 is marked, not dropped.
    assert.match(read(out, `chats/${team}/2404/01/index.html`), /class="cc-msg cc-implausible" id="m[0-9a-f]+".*?cc-warning/);
  });

  test('every message appears exactly once across the archive pages, on the page of its UTC month or day', () => {
    const seen = new Map<string, string>();
    for (const page of archivePages(files)) {
      const chat = page.split('/')[1];
      for (const anchor of anchorsIn(read(out, page))) {
        const id = `${chat}#${anchor}`;
        assert.ok(!seen.has(id), `${id} on ${page} and ${seen.get(id)}`);
        seen.set(id, page);
      }
    }
    const messages = messagesInDb();
    assert.equal(seen.size, messages.length);
    for (const m of messages) {
      const page = seen.get(`${m.chat}#${m.anchor}`);
      assert.ok(page, `${m.chat}#${m.anchor} is on no page`);
      const d = new Date(m.time);
      const month = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/`;
      assert.ok(page.includes(`/${month}`), `${m.anchor} (${d.toISOString()}) is on ${page}`);
    }
  });

  test('anchor maps name the archive page of every anchor', () => {
    const messages = messagesInDb();
    const maps = new Map<string, Record<string, string>>();
    for (const f of files.filter((f) => /\/anchors\/\w+\.js$/.test(f))) {
      const js = read(out, f);
      let map: Record<string, string> = {};
      new Function('ccAnchorMap', js)((m: Record<string, string>) => (map = m));
      maps.set(f, map);
    }
    for (const m of messages) {
      const map = maps.get(`chats/${m.chat}/anchors/all.js`)!;
      const page = Object.entries(map).find(([, list]) => list.split(',').includes(m.anchor.slice(1)))?.[0];
      assert.ok(page, `${m.anchor} not in the map`);
      assert.ok(read(out, `chats/${m.chat}/${page}index.html`).includes(`id="${m.anchor}"`));
    }
  });

  test('OPML lists every feed', () => {
    const opml = read(out, 'feeds.opml');
    assert.match(opml, /^<\?xml version="1.0" encoding="utf-8"\?>\n<opml version="2.0">/);
    assert.match(opml, /xmlUrl="\/feed.xml"/);
    for (const slug of Object.values(slugs)) assert.ok(opml.includes(`xmlUrl="/chats/${slug}/feed.xml"`), slug);
  });
});

describe('feeds', { skip: !hasFeedparser() && 'python3-feedparser is not installed' }, () => {
  test('a chat feed parses cleanly, with stable tag ids, edit times, authors and links to anchors', () => {
    const team = slugs[TEAM];
    const feed = parseFeed(join(out, `chats/${team}/feed.xml`));
    assert.equal(feed.bozo, false, feed.bozo_exception ?? '');
    assert.equal(feed.title, 'Team general');
    assert.deepEqual(feed.links.map((l) => [l.rel, l.href]), [['alternate', `/chats/${team}/`], ['self', `/chats/${team}/feed.xml`]]);
    const messages = messagesInDb().filter((m) => m.chat === team);
    // The 2404 message is left out of feeds.
    assert.equal(feed.entries.length, messages.length - 1);
    for (const entry of feed.entries) {
      const m = messages.find((x) => entry.id === `tag:chatchannels,2025:${x.key}`);
      assert.ok(m, `unexpected entry id ${entry.id}`);
      assert.match(entry.link, new RegExp(`^/chats/${team}/\\d{4}/\\d\\d/#${m.anchor}$`));
    }
    const edited = feed.entries.find((e) => e.title.startsWith('Carol Nguyen: Found a typo'))!;
    assert.equal(edited.updated, '2021-09-13T09:07:00.000Z');
    assert.equal(edited.published, '2021-09-13T09:05:30.000Z');
    assert.equal(edited.author, 'Carol Nguyen');
    const withImage = feed.entries.find((e) => e.title.startsWith('Bob Okafor: Screenshot'))!;
    assert.match(withImage.content, new RegExp(`<img [^>]*src="/media/${mediaHash(PHOTO)}/dashboard.png"`));
    // Newest first.
    assert.ok(feed.entries[0].title.startsWith('Carol Nguyen: Will do'));
  });

  test('the site feed holds the newest messages of all chats', () => {
    const feed = parseFeed(join(out, 'feed.xml'));
    assert.equal(feed.bozo, false, feed.bozo_exception ?? '');
    assert.equal(feed.entries.length, 100);
    const times = feed.entries.map((e) => Date.parse(e.published ?? e.updated));
    assert.deepEqual(times, [...times].sort((a, b) => b - a));
  });

  test('with siteUrl and pathPrefix, links are absolute and include the prefix', async () => {
    const { out: abs } = await buildInto(db, { siteUrl: 'https://chat.example.org', pathPrefix: '/archive/', feedSize: 3 });
    const feed = parseFeed(join(abs, 'feed.xml'));
    assert.equal(feed.bozo, false, feed.bozo_exception ?? '');
    assert.equal(feed.entries.length, 3);
    assert.match(feed.entries[0].link, /^https:\/\/chat\.example\.org\/archive\/chats\/[a-z0-9-]+\/\d{4}\/\d\d\/(\d\d\/)?#m[0-9a-f]+$/);
    assert.deepEqual(feed.links.find((l) => l.rel === 'self')?.href, 'https://chat.example.org/archive/feed.xml');
    assert.match(read(abs, 'feeds.opml'), /xmlUrl="https:\/\/chat\.example\.org\/archive\/feed\.xml"/);
  });
});

describe('options', () => {
  test('include/exclude by native id or slug; a chat left out has no pages, feed or index entry', async () => {
    const { out: some } = await buildInto(db, { include: [TEAM, slugs[DIRECT]], exclude: [DIRECT] });
    const list = listFiles(some);
    assert.ok(list.some((f) => f.startsWith(`chats/${slugs[TEAM]}/`)));
    assert.ok(!list.some((f) => f.startsWith(`chats/${slugs[DIRECT]}/`)));
    assert.ok(!list.some((f) => f.startsWith(`chats/${slugs[BIG]}/`)));
    assert.doesNotMatch(read(some, 'index.html'), /Firehose/);
    assert.doesNotMatch(read(some, 'feeds.opml'), new RegExp(slugs[BIG]));
  });

  test('authors: pseudonymize gives stable pseudonyms everywhere, hide shows no names', async () => {
    const { out: pseudo } = await buildInto(db, { authors: 'pseudonymize', include: [TEAM] });
    // With names not shown, a chat's path is a hash of its native id (its slug may carry names).
    const team = publicSlug({ native_id: TEAM, slug: slugs[TEAM] }, 'pseudonymize', '');
    assert.match(team, /^c-[a-z2-7]{10}$/);
    const page = read(pseudo, `chats/${team}/2021/09/index.html`);
    for (const f of listFiles(pseudo).filter((f) => /\.(html|xml|opml)$/.test(f))) {
      const text = read(pseudo, f).replace(/Alice Martin created the group/g, '');
      assert.doesNotMatch(text, /Alice Martin|Bob Okafor|Carol Nguyen|Dan Weiss/, f);
    }
    const names = [...page.matchAll(/<h3>(Person [0-9a-f]{4})<\/h3>/g)].map((m) => m[1]);
    assert.ok(names.length >= 4);
    const { out: again } = await buildInto(db, { authors: 'pseudonymize', include: [TEAM] });
    assert.equal(read(again, `chats/${team}/2021/09/index.html`), page);

    const { out: hidden } = await buildInto(db, { authors: 'hide', include: [TEAM] });
    const hiddenPage = read(hidden, `chats/${team}/2021/09/index.html`);
    assert.doesNotMatch(hiddenPage, /<h3>|Bob Okafor<\/|Person /);
    assert.match(hiddenPage, /↩ reply to a message/);
    assert.doesNotMatch(read(hidden, `chats/${team}/feed.xml`), /<name>(Alice|Bob|Carol|Dan)/);
  });

  test('noindex: robots meta on every page and a robots.txt', async () => {
    const { out: hidden } = await buildInto(db, { noindex: true, include: [DIRECT] });
    const list = listFiles(hidden);
    assert.equal(read(hidden, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
    for (const f of list.filter((f) => f.endsWith('.html'))) {
      assert.match(read(hidden, f), /<meta name="robots" content="noindex, nofollow">/, f);
    }
  });

  test('timeZone moves times and day separators, never URLs', async () => {
    const { out: tokyo } = await buildInto(db, { timeZone: 'Asia/Tokyo', include: [DIRECT] });
    const direct = slugs[DIRECT];
    const feb = read(tokyo, `chats/${direct}/2020/02/index.html`);
    // 2020-02-29T23:59Z is 08:59 on 1 March in Tokyo, still on the (UTC) February page.
    assert.match(feb, /<time datetime="2020-02-29T23:59:00.000Z">08:59<\/time>/);
    assert.match(feb, /Sunday, March 1, 2020/);
  });

  test('search: the form on every page points at the search page; search: false leaves both out', async () => {
    assert.match(read(out, `chats/${slugs[DIRECT]}/index.html`), /<form class="cc-search" action="..\/..\/search\/" role="search">.*name="q"/);
    assert.match(read(out, 'search/index.html'), /data-cc-search/);
    assert.match(read(out, 'search/index.html'), /<nav class="cc-breadcrumbs"/, 'the search page wears the site chrome');
    const { out: s } = await buildInto(db, { search: false, include: [DIRECT] });
    assert.doesNotMatch(read(s, `chats/${slugs[DIRECT]}/index.html`), /role="search"/);
    assert.ok(!listFiles(s).some((f) => f.startsWith('search/')), 'no search files');
  });

  test('layout and extraCss options replace the chrome and add stylesheets', async () => {
    const { out: custom } = await buildInto(db, {
      include: [DIRECT],
      extraCss: ['/assets/site.css', 'https://cdn.example.com/x.css'],
      layout: (page) => `<!doctype html><html lang="${page.lang}"><head><title>${page.title}</title>${page.head}</head><body><div id="mine">${page.breadcrumbs}${page.content}</div></body></html>`,
    });
    const html = read(custom, `chats/${slugs[DIRECT]}/2020/03/index.html`);
    assert.match(html, /<div id="mine">/);
    assert.match(html, /<link rel="stylesheet" href="..\/..\/..\/..\/assets\/site.css"><link rel="stylesheet" href="https:\/\/cdn.example.com\/x.css">/);
  });

  test('pathPrefix: pages link relatively, feeds and OPML carry the prefix', async () => {
    const { out: prefixed } = await buildInto(db, { pathPrefix: '/archive/', include: [TEAM] });
    const page = read(prefixed, `chats/${slugs[TEAM]}/2021/09/index.html`);
    assert.match(page, /href="..\/..\/..\/..\/assets\/chatchannels.css"/);
    assert.doesNotMatch(page, /href="\/(?!\/)/);
    assert.match(read(prefixed, 'feed.xml'), /<link rel="self" type="application\/atom\+xml" href="\/archive\/feed.xml"\/>/);
    assert.match(read(prefixed, 'feeds.opml'), /xmlUrl="\/archive\/chats\//);
  });
});

describe('Eleventy conventions', () => {
  test('two builds of the same database are byte-identical', async () => {
    const { out: second } = await buildInto(db);
    const again = listFiles(second);
    assert.deepEqual(again, files);
    for (const f of files) assert.ok(readFileSync(join(out, f)).equals(readFileSync(join(second, f))), `${f} differs`);
  });

  test('adding the plugin twice keeps the first and builds', async () => {
    const input = tempDir('cc-site-input-');
    const output = join(tempDir('cc-site-twice-'), '_site');
    const eleventy = new Eleventy(input, output, {
      quietMode: true,
      configPath: false,
      config: (cfg) => {
        cfg.addPlugin(chatChannels, { db, include: [DIRECT] });
        cfg.addPlugin(chatChannels, { db, include: [TEAM] });
      },
    });
    eleventy.disableLogger();
    await eleventy.write();
    const list = listFiles(output);
    assert.ok(list.includes(`chats/${slugs[DIRECT]}/index.html`));
    assert.ok(!list.some((f) => f.startsWith(`chats/${slugs[TEAM]}/`)));
  });

  test("a project's own templates build alongside the plugin's", async () => {
    const input = tempDir('cc-site-project-');
    const { writeFileSync } = await import('node:fs');
    writeFileSync(join(input, 'about.md'), '# About\n\nOur archive.\n');
    const output = join(tempDir('cc-site-project-out-'), '_site');
    const eleventy = new Eleventy(input, output, { quietMode: true, configPath: false, config: (cfg) => cfg.addPlugin(chatChannels, { db, include: [DIRECT] }) });
    eleventy.disableLogger();
    await eleventy.write();
    const list = listFiles(output);
    assert.ok(list.includes('about/index.html'));
    assert.ok(list.includes('index.html'));
  });
});
