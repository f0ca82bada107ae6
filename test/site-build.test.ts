import { publicSlug } from '../site/data/public-chat.js';
import assert from 'node:assert/strict';
import { cpSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import Eleventy from '@11ty/eleventy';
import chatChannels from '../site/plugin.js';
import { buildSite } from '../site/build.js';
import { serveSite } from '../site/serve.js';
import { decodeDataScript } from '../site/search/bytes.js';
import { mediaHash } from './helpers/fixture-db.js';
import { anchorsIn, archivePages, buildInto, listFiles, parseFeed, read } from './helpers/site.js';
import { scratchDir as tempDir } from './helpers/temp.js';
import { BIG, DIRECT, PDF, PHOTO, TEAM, writeSiteFixture } from './helpers/site-fixture.js';
import { needsTools } from './helpers/requires.js';

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
    assert.match(html, /<h2 class="cc-day" id="d2021-09-13"><span>Monday, September 13, 2021<\/span><\/h2>/);
    assert.match(html, /<h2 class="cc-day" id="d2021-09-14"><span>Tuesday, September 14, 2021<\/span><\/h2>/);
    // Alice's two messages 40 s apart share one header.
    const alice = html.match(/<h3>Alice Martin<\/h3>(.*?)<\/article>/)![1];
    assert.equal(anchorsIn(alice).length, 2);
    // Times in UTC with the instant in datetime, and a permalink.
    assert.match(html, /<a class="cc-permalink" href="#(m[0-9a-f]+)" aria-label="Permalink: 09:00, [^"]*2021"><time datetime="2021-09-13T09:00:00.000Z" title="UTC">09:00<\/time><\/a>/);
    assert.match(html, /<span class="cc-edited" title="Edited Sep 13, 2021, 09:07 \(UTC\)">edited<\/span>/);
    assert.match(html, /<a class="cc-reply" href="#m[0-9a-f]+">↩ reply to <bdi>Bob Okafor<\/bdi><\/a>/);
    assert.match(html, /<div class="cc-msg cc-system" id="m[0-9a-f]+">.*?Call ended/);
    assert.match(html, /class="cc-msg cc-deleted"/);
    assert.match(html, /<span class="cc-emote"><bdi>Dan Weiss<\/bdi><\/span> is stepping out/);
    // Attachments: the stored image as its thumbnail linking the file, the stored PDF as a download, the other by its name.
    const photo = `media/${mediaHash(PHOTO)}/dashboard.png`;
    const pdf = `media/${mediaHash(PDF)}/release-notes-2.3.pdf`;
    const thumb = `media/thumbs/${mediaHash(PHOTO)}-640.webp`;
    assert.ok(html.includes(`<a class="cc-image" href="../../../../${photo}"><img src="../../../../${thumb}" width="320" height="180" loading="lazy" alt="Photo from Bob Okafor, Sep 13, 2021"></a>`));
    assert.ok(html.includes(`<a class="cc-file" href="../../../../${pdf}" download>release-notes-2.3.pdf</a>`));
    assert.ok(html.includes('<span class="cc-file cc-missing">design.sketch</span> <span class="cc-size">121 KB</span> <span class="cc-note">not included in the export</span>'));
    assert.ok(!html.includes('files.example.com'), 'a file the export lacks never links to where it was');
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

describe('feeds', { skip: needsTools('feedparser') }, () => {
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
    const edited = feed.entries.find((e) => e.title.startsWith('\u2068Carol Nguyen\u2069: Found a typo'))!;
    assert.equal(edited.updated, '2021-09-13T09:07:00.000Z');
    assert.equal(edited.published, '2021-09-13T09:05:30.000Z');
    assert.equal(edited.author, '\u2068Carol Nguyen\u2069', 'names isolated (bidi)');
    const withImage = feed.entries.find((e) => e.title.startsWith('\u2068Bob Okafor\u2069: Screenshot'))!;
    assert.match(withImage.content, new RegExp(`<img [^>]*src="/media/${mediaHash(PHOTO)}/dashboard.png"`));
    // Newest first.
    assert.ok(feed.entries[0].title.startsWith('\u2068Carol Nguyen\u2069: Will do'));
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
    assert.match(feb, /<time datetime="2020-02-29T23:59:00.000Z" title="Asia\/Tokyo \(UTC\+9\)">08:59<\/time>/);
    assert.match(feb, /Sunday, March 1, 2020/);
  });

  test('search: the form on every page points at the search page; search: false leaves both out', async () => {
    assert.match(read(out, `chats/${slugs[DIRECT]}/index.html`), /<form class="cc-search" action="..\/..\/search\/" role="search">.*name="q"/);
    assert.match(read(out, 'search/index.html'), /data-cc-search/);
    assert.match(read(out, 'search/index.html'), /<nav class="cc-breadcrumbs"/, 'the search page wears the site chrome');
    // search.js parser-blocking before any stylesheet: it runs as it arrives, not after the page's
    // first style and layout pass (as an async script did), and starts the query's requests; after
    // the color scheme, so that a dark reader's first frame is dark.
    const head = /<head>(.*)<\/head>/s.exec(read(out, 'search/index.html'))![1]!;
    assert.match(head, /^<meta charset="utf-8"><meta name="viewport"[^>]*><title>[^<]*<\/title><meta name="color-scheme"[^>]*><script src="search\.js\?v=[0-9a-f]{12}" fetchpriority="high"><\/script><link rel="stylesheet"/);
    assert.equal((head.match(/<script/g) ?? []).length, 2, 'search.js and the site script, once each');
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

/** A file's text, with a search data file's payload decoded (it is deflated, names would not show). */
function outputText(dir: string, file: string): string {
  const text = readFileSync(join(dir, file), 'utf8');
  const data = /^search\/data\/(.+)\.js$/.exec(file);
  if (!data || file.endsWith('.tmp')) return text;
  return `${text}\n${Buffer.from(decodeDataScript(text, data[1])).toString('utf8')}`;
}

function peopleNames(): string[] {
  const conn = new Database(db, { readonly: true });
  try {
    return (conn.prepare('SELECT display_name FROM people WHERE display_name IS NOT NULL').pluck().all() as string[]).filter((n) => n.length > 2);
  } finally {
    conn.close();
  }
}

describe('the output folder', () => {
  test('a rebuild replaces every file it rewrites by a rename, never by truncating it in place', async () => {
    // A build killed while it truncates and rewrites a page leaves that page empty; a file
    // replaced by a rename keeps its old bytes until the new ones are complete. A file written
    // in place keeps its inode; a renamed one has a new one.
    for (const options of [{}, { search: false, authors: 'hide' as const }]) {
      const { out: site } = await buildInto(db, options);
      const before = new Map(listFiles(site).map((f) => [f, statSync(join(site, f), { bigint: true })]));
      await buildSite({ ...options, db, out: site, quiet: true });
      const inPlace: string[] = [];
      for (const [f, old] of before) {
        const now = statSync(join(site, f), { bigint: true });
        if (now.mtimeNs !== old.mtimeNs && now.ino === old.ino) inPlace.push(f);
      }
      assert.deepEqual(inPlace, [], `rewritten in place (${JSON.stringify(options)})`);
    }
  });

  test('a rebuild that no longer publishes a chat, or names, removes those files, and only those', async () => {
    const site = join(tempDir('cc-site-unpublish-'), '_site');
    await buildSite({ db, out: site, quiet: true });
    // The user's own files in the output folder, even inside the plugin's folders, stay.
    const own = ['CNAME', 'chats/notes.txt', `chats/${slugs[TEAM]}/extra.html`];
    for (const f of own) writeFileSync(join(site, f), 'mine\n');
    const teamMedia = listFiles(site).filter((f) => f.startsWith('media/'));
    assert.ok(teamMedia.length >= 2, 'the team chat has media');

    // Exclude a chat: every file of it goes (pages, feed, anchor maps, media only it used).
    const excluded = await buildSite({ db, out: site, quiet: true, exclude: [TEAM] });
    const clean = (await buildInto(db, { exclude: [TEAM] })).out;
    const after = listFiles(site);
    assert.deepEqual(after, [...listFiles(clean), ...own].sort(), 'the same files as a clean build, and the user\'s');
    assert.ok(!after.some((f) => f.startsWith('media/')), 'no media of the excluded chat');
    // search/data/ is replaced whole by the index builder; everything else gone was removed and counted.
    const gone = files.filter((f) => !f.startsWith('search/data/') && !listFiles(clean).includes(f));
    assert.equal(excluded.removed, gone.length, 'it counts what it removed');
    assert.ok(excluded.removed >= 5, `removed ${excluded.removed}`);
    for (const f of listFiles(clean)) assert.ok(readFileSync(join(site, f)).equals(readFileSync(join(clean, f))), `${f} as a clean build`);

    // Hide authors (the team chat back in): no name of the people table in any byte published.
    const hidden = await buildSite({ db, out: site, quiet: true, authors: 'hide' });
    const cleanHidden = (await buildInto(db, { authors: 'hide' })).out;
    assert.deepEqual(listFiles(site), [...listFiles(cleanHidden), ...own].sort());
    assert.ok(hidden.removed >= 0);
    const names = peopleNames();
    assert.ok(names.length >= 4);
    // assets/ are the package's own files (the CSS's markup notes use the fixture's example name).
    for (const f of listFiles(site).filter((f) => !own.includes(f) && !f.startsWith('assets/'))) {
      // An event's own text names its author: that is message content, not an author field.
      const text = outputText(site, f).replace(/Alice Martin created the group/g, '');
      for (const name of names) assert.ok(!text.includes(name), `${f} names ${name}`);
    }
    for (const f of own) assert.equal(readFileSync(join(site, f), 'utf8'), 'mine\n');
  });

  test('serve removes what it no longer publishes from an output built before', async () => {
    const site = join(tempDir('cc-site-serve-unpublish-'), '_site');
    await buildSite({ db, out: site, quiet: true, search: false });
    assert.ok(listFiles(site).some((f) => f.startsWith(`chats/${slugs[BIG]}/`)));
    const builds: number[] = [];
    const server = await serveSite({ db, out: site, port: 0, quiet: true, search: false, exclude: [BIG], onBuild: (s) => builds.push(s.removedFiles) });
    try {
      for (let i = 0; i < 100 && builds.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
    } finally {
      await server.close();
    }
    assert.ok(builds[0] > 0, `the first build removed files: ${builds[0]}`);
    assert.ok(!listFiles(site).some((f) => f.startsWith(`chats/${slugs[BIG]}/`)), 'no file of the excluded chat');
  });

  test('an output another live build holds is refused, naming it; a dead build\'s lock is taken over', async () => {
    const site = join(tempDir('cc-site-lock-'), '_site');
    mkdirSync(site, { recursive: true });
    const { hostname } = await import('node:os');
    const sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
    try {
      writeFileSync(join(site, '.chatchannels-lock'), JSON.stringify({ pid: sleeper.pid, host: hostname() }));
      await assert.rejects(buildSite({ db, out: site, quiet: true, include: [DIRECT] }), (err: Error) => {
        assert.match(err.message, new RegExp(`another build \\(pid ${sleeper.pid}\\) is writing ${site.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
        return true;
      });
      assert.ok(!listFiles(site).some((f) => f.endsWith('.html')), 'nothing was written');
    } finally {
      sleeper.kill('SIGKILL');
    }
    await new Promise((r) => sleeper.once('exit', r));
    // The holder is gone now (as after kill -9): the lock is stale, and a partial file it left goes.
    mkdirSync(join(site, 'chats'), { recursive: true });
    writeFileSync(join(site, 'chats', '.index.html.123-0.cc-partial'), 'half a page');
    const result = await buildSite({ db, out: site, quiet: true, include: [DIRECT] });
    assert.match(result.notices.join('\n'), new RegExp(`a build \\(pid ${sleeper.pid}\\) that is no longer running left .* locked: taken over, and removed 1 partial file`));
    assert.ok(listFiles(site).includes('index.html'));
    assert.ok(!listFiles(site).some((f) => f.includes('.cc-partial') || f.includes('lock')), 'no lock or partial file left');
  });
});

describe('memory', () => {
  /**
   * A build's live data is flat in the archive's size but it allocates a page of garbage per page;
   * V8's default lets a heap grow to several times its live size before a full collection, which
   * made the build's peak RSS grow with the archive. After buildSite, a process that keeps a fixed
   * live set while churning through promoted garbage (as rendering does) keeps its heap near it.
   */
  test('after buildSite, a heap grows little beyond what it keeps alive', async () => {
    const site = join(tempDir('cc-site-heap-'), '_site');
    const script = `
      import { getHeapStatistics } from 'node:v8';
      const { buildSite } = await import(${JSON.stringify(new URL('../site/build.js', import.meta.url).href)});
      await buildSite({ db: ${JSON.stringify(db)}, out: ${JSON.stringify(site)}, quiet: true, search: false });
      const live = [];
      for (let i = 0; i < 4000; i++) live.push(String(i).padEnd(8192, 'x').split('').join(''));
      const ring = new Array(40000);
      let peak = 0;
      for (let i = 0; i < 1500000; i++) {
        ring[i % ring.length] = { s: String(i).padEnd(1024, 'y') + i, n: [i, i + 1] };
        if (i % 1000 === 0) peak = Math.max(peak, getHeapStatistics().total_heap_size);
      }
      globalThis.gc();
      console.log(JSON.stringify({ peak, live: getHeapStatistics().used_heap_size, kept: live.length + ring.length }));`;
    const child = spawn(process.execPath, ['--expose-gc', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
    const { peak, live } = JSON.parse(stdout.trim().split('\n').pop()!) as { peak: number; live: number };
    // Unbounded (V8's default) this peaks near 4× the live set; bounded, at its live set plus the young generation.
    assert.ok(peak < 2.2 * live, `heap peaked at ${peak >> 20} MB over ${live >> 20} MB live`);
  });
});
