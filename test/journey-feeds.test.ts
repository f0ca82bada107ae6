import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, test } from 'node:test';
import { writeFixture, type FixtureMessage } from './helpers/fixture-db.js';
import { demoDb, newsboatUnread } from './helpers/demo-site.js';
import { buildInto, listFiles, parseFeed, read, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';

/**
 * The reader's journey through feeds: the OPML subscribes a real feed reader (Debian's newsboat)
 * to every feed, served at `/` and under a path prefix, whichever way siteUrl is spelt; every
 * feed's entries reach it (the site feed's too: its entries have ids of their own); entry titles
 * name their chat in the site feed, start with the message's own words (not the quote it
 * answers), show struck-through text as struck, and say when a message was deleted.
 */
const CLI = resolve('dist/collector/cli.js');
const run = promisify(execFile);

function entriesIn(xml: string): number {
  return xml.split('<entry>').length - 1;
}

/** Every feed the OPML lists, fetched: each must answer 200 with an Atom feed. Returns the entry total. */
async function fetchListed(opmlUrl: string): Promise<{ feeds: number; entries: number }> {
  const opml = await (await fetch(opmlUrl)).text();
  const urls = [...opml.matchAll(/xmlUrl="([^"]+)"/g)].map((m) => m[1].replace(/&amp;/g, '&'));
  assert.ok(urls.length >= 2, opml);
  let entries = 0;
  for (const url of urls) {
    assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\//, `not absolute: ${url}`);
    const response = await fetch(url);
    assert.equal(response.status, 200, url);
    const xml = await response.text();
    assert.match(xml, /<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/, url);
    entries += entriesIn(xml);
  }
  return { feeds: urls.length, entries };
}

describe('OPML in a real feed reader', { skip: needsTools('newsboat') }, () => {
  let db: string;
  before(async () => {
    db = await demoDb();
  });

  const cases: { name: string; prefix: string; siteUrl: (origin: string) => string; cli?: boolean }[] = [
    { name: 'served at /', prefix: '/', siteUrl: (o) => `${o}/` },
    { name: 'under a prefix, siteUrl without it', prefix: '/archive/', siteUrl: (o) => o },
    { name: 'under a prefix, siteUrl already ending in it', prefix: '/archive/', siteUrl: (o) => `${o}/archive/` },
    { name: 'chatchannels build --path-prefix --site-url (with the prefix)', prefix: '/archive/', siteUrl: (o) => `${o}/archive`, cli: true },
  ];
  for (const c of cases) {
    test(`every entry of every feed is listed (${c.name})`, async () => {
      const out = join(scratchDir('cc-opml-'), '_site');
      const server = await serveDir(out, c.prefix);
      try {
        const origin = new URL(server.url).origin;
        if (c.cli) {
          await run(process.execPath, [CLI, 'build', '--db', db, '--out', out, '--path-prefix', c.prefix, '--site-url', c.siteUrl(origin)]);
        } else {
          await buildInto(db, { out, pathPrefix: c.prefix, siteUrl: c.siteUrl(origin) });
        }
        const opmlUrl = `${server.url}feeds.opml`;
        const listed = await fetchListed(opmlUrl);
        const files = listFiles(out).filter((f) => f.endsWith('feed.xml'));
        assert.equal(listed.feeds, files.length);
        const total = files.reduce((n, f) => n + entriesIn(read(out, f)), 0);
        assert.equal(listed.entries, total);
        const { unread, output } = await newsboatUnread(opmlUrl);
        assert.equal(unread, total, output);
      } finally {
        await server.close();
      }
    });
  }

  test('without siteUrl the build says that feed readers cannot use the feeds', async () => {
    const out = join(scratchDir('cc-opml-'), '_site');
    const { stderr } = await run(process.execPath, [CLI, 'build', '--db', db, '--out', out]);
    assert.match(stderr, /feeds and OPML need siteUrl \(--site-url\)/);
    const withUrl = await run(process.execPath, [CLI, 'build', '--db', db, '--out', out, '--site-url', 'https://chat.example.org/']);
    assert.doesNotMatch(withUrl.stderr, /siteUrl/);
  });
});

describe('feed entries', () => {
  const ann = { nativeId: '8:live:ann', displayName: 'Ann' };
  const ben = { nativeId: '8:live:ben', displayName: 'Ben' };
  /** Per markup: a message quoting another before its own words, and one with struck-through text. */
  const FORMATS: { markup: string; quoteThenReply: string; struck: string }[] = [
    {
      markup: 'skype',
      quoteThenReply: '<quote author="8:live:ben" authorname="Ben" timestamp="1630000000"><legacyquote>[30/08/2021 12:00:00] Ben: </legacyquote>the question<legacyquote>\n\n&lt;&lt;&lt; </legacyquote></quote>own words skype',
      struck: '<s>gone</s> kept',
    },
    { markup: 'slack', quoteThenReply: '&gt; the question\nown words slack', struck: '~gone~ kept' },
    { markup: 'discord', quoteThenReply: '> the question\nown words discord', struck: '~~gone~~ kept' },
    { markup: 'whatsapp', quoteThenReply: '> the question\nown words whatsapp', struck: '~gone~ kept' },
    {
      markup: 'telegram',
      quoteThenReply: JSON.stringify({ text: [{ type: 'blockquote', text: 'the question' }, { type: 'plain', text: '\nown words telegram' }] }),
      struck: JSON.stringify({ text: [{ type: 'strikethrough', text: 'gone' }, { type: 'plain', text: ' kept' }] }),
    },
    { markup: 'irc', quoteThenReply: 'own words irc', struck: '\x1Egone\x1E kept' },
  ];
  const STRUCK = 'g\u0336o\u0336n\u0336e\u0336 kept';
  let out: string;
  let chatFeed: ReturnType<typeof parseFeed>;
  let siteFeed: ReturnType<typeof parseFeed>;

  before(async () => {
    const db = join(scratchDir('cc-feed-entries-'), 'chats.sqlite');
    const messages: FixtureMessage[] = [];
    let t = Date.UTC(2023, 4, 1, 9);
    for (const f of FORMATS) {
      messages.push({ nativeId: `${f.markup}-q`, author: ann.nativeId, authorName: 'Ann', time: (t += 60_000), markup: f.markup, body: f.quoteThenReply });
      messages.push({ nativeId: `${f.markup}-s`, author: ann.nativeId, authorName: 'Ann', time: (t += 60_000), markup: f.markup, body: f.struck });
    }
    messages.push({ nativeId: 'gone', author: ben.nativeId, authorName: 'Ben', time: (t += 60_000), body: 'secret', deleted: true });
    messages.push({ nativeId: 'only-quote', author: ben.nativeId, authorName: 'Ben', time: (t += 60_000), markup: 'discord', body: '> nothing but a quote' });
    writeFixture(db, [
      { nativeId: '19:formats@thread.skype', title: 'Formats', members: [ann, ben], messages },
      { nativeId: '19:other@thread.skype', title: 'Other chat', members: [ann], messages: [{ nativeId: 'o1', author: ann.nativeId, authorName: 'Ann', time: Date.UTC(2023, 3, 1), body: 'elsewhere' }] },
    ]);
    ({ out } = await buildInto(db, { siteUrl: 'https://chat.example.org/' }));
    const slug = listFiles(out).find((f) => /^chats\/[^/]+\/feed\.xml$/.test(f) && read(out, f).includes('<title>Formats</title>'))!;
    // Names and chat titles are isolated (U+2068 … U+2069, site-feeds tests why); read without them here.
    const plain = (feed: ReturnType<typeof parseFeed>) => {
      assert.ok(feed.entries.some((e) => e.title.includes('\u2068Ann\u2069: ')), 'names are isolated in titles');
      return { ...feed, entries: feed.entries.map((e) => ({ ...e, title: e.title.replace(/[\u2068\u2069]/g, '') })) };
    };
    chatFeed = plain(parseFeed(join(out, slug)));
    siteFeed = plain(parseFeed(join(out, 'feed.xml')));
  });

  const skipFeedparser = needsTools('feedparser');

  test('a reply is titled by its own words, not by the quote it starts with (every format with quotes)', { skip: skipFeedparser }, () => {
    for (const f of FORMATS) {
      const entry = chatFeed.entries.find((e) => e.title.includes(`own words ${f.markup}`));
      assert.ok(entry, `${f.markup}: no entry titled by its own words: ${chatFeed.entries.map((e) => e.title).join(' | ')}`);
      assert.equal(entry.title, `Ann: own words ${f.markup}`, f.markup);
    }
    // A message that is nothing but a quote keeps the quote as its title.
    assert.ok(chatFeed.entries.some((e) => e.title === 'Ben: nothing but a quote'));
  });

  test('struck-through text reads as struck in titles (every format with strike-through)', { skip: skipFeedparser }, () => {
    const struck = chatFeed.entries.filter((e) => e.title.includes('kept'));
    assert.equal(struck.length, FORMATS.length);
    for (const entry of struck) assert.equal(entry.title, `Ann: ${STRUCK}`);
  });

  test('a deleted message says so', { skip: skipFeedparser }, () => {
    const titles = chatFeed.entries.map((e) => e.title);
    assert.ok(titles.includes('Ben: (message deleted)'), titles.join(' | '));
    assert.ok(!titles.some((t) => t.includes('(no text)')));
  });

  test('site-feed entries name their chat and have ids of their own, stable per message', { skip: skipFeedparser }, () => {
    assert.equal(siteFeed.entries.length, chatFeed.entries.length + 1);
    for (const entry of siteFeed.entries) {
      assert.match(entry.title, /^\[(Formats|Other chat)\] /, entry.title);
      assert.match(entry.id, /^tag:chatchannels,2025:site:[0-9a-f]+$/, entry.id);
    }
    const chatIds = new Set(chatFeed.entries.map((e) => e.id));
    for (const entry of siteFeed.entries.filter((e) => e.title.startsWith('[Formats]'))) {
      assert.ok(!chatIds.has(entry.id));
      assert.ok(chatIds.has(entry.id.replace(':site:', ':')), `${entry.id}: not the site form of a chat entry's id`);
      const own = chatFeed.entries.find((e) => e.id === entry.id.replace(':site:', ':'))!;
      assert.equal(entry.title, `[Formats] ${own.title}`);
    }
  });
});
