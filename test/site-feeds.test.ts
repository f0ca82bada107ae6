import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { writeAtom, type AtomFeed } from '../site/render/atom.js';
import { feedPackageAtom } from '../bench/reference/feed-package.js';
import { buildSite } from '../site/build.js';
import { writeFixture } from './helpers/fixture-db.js';
import { parseFeed } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';

/**
 * site/render/atom.ts writes Atom by hand (the `feed` package was 6–22× slower: README). Here `feed`
 * is the reference (bench/reference/feed-package.ts): for the same entries, feedparser must read
 * the same thing from both, and a strict XML parser must accept ours whatever the strings contain.
 */
const NASTY = [
  'plain',
  'a & b < c > d " e \' f',
  '&amp; literally',
  ']]> cdata end',
  '<script>alert(1)</script>',
  'control \u0001\u0008\u000b\u001f chars \uFFFE\uFFFF and a lone \uD800 surrogate',
  'emoji 😀 and 日本語',
];

function sampleFeed(): AtomFeed {
  return {
    id: 'tag:chatchannels,2025:chat:sample',
    title: `Sample ${NASTY[1]}`,
    selfUrl: 'https://chat.example.org/chats/sample/feed.xml',
    pageUrl: 'https://chat.example.org/chats/sample/',
    author: 'Chat archive',
    lang: 'en',
    entries: NASTY.map((s, i) => ({
      id: `tag:chatchannels,2025:${String(i).padStart(32, '0')}`,
      title: `Author ${i}: ${s}`,
      link: `https://chat.example.org/chats/sample/2021/09/#m${String(i).padStart(10, '0')}`,
      updated: Date.UTC(2021, 8, 14, 12, i),
      published: Date.UTC(2021, 8, 14, 12, 0),
      author: i % 2 ? `Author ${s}` : null,
      content: `<p>${s.replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p><a href="https://example.com/?a=1&amp;b=2">link</a>`,
    })),
  };
}

test('well-formed for a strict XML parser, whatever the strings hold', () => {
  const file = join(scratchDir('cc-site-atom-'), 'feed.xml');
  writeFileSync(file, writeAtom(sampleFeed()));
  execFileSync('/usr/bin/python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', file]);
  const empty = join(scratchDir('cc-site-atom-'), 'empty.xml');
  writeFileSync(empty, writeAtom({ ...sampleFeed(), entries: [] }));
  execFileSync('/usr/bin/python3', ['-c', 'import sys, xml.dom.minidom; xml.dom.minidom.parse(sys.argv[1])', empty]);
});

test('feedparser reads it exactly as it reads the feed package’s output', { skip: needsTools('feedparser') }, () => {
  const dir = scratchDir('cc-site-atom-');
  const ours = join(dir, 'ours.xml');
  const theirs = join(dir, 'theirs.xml');
  writeFileSync(ours, writeAtom(sampleFeed()));
  writeFileSync(theirs, feedPackageAtom(sampleFeed()));
  const a = parseFeed(ours);
  const b = parseFeed(theirs);
  assert.equal(a.bozo, false, a.bozo_exception ?? '');
  assert.equal(b.bozo, false, b.bozo_exception ?? '');
  assert.equal(a.title, b.title);
  assert.deepEqual(
    a.links.map((l) => [l.rel, l.href]),
    b.links.map((l) => [l.rel, l.href]),
  );
  assert.equal(a.entries.length, NASTY.length);
  // Our titles are type="text", the feed package's type="html": compare them as text.
  const unescape = (s: string) => s.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&amp;/g, '&');
  for (let i = 0; i < a.entries.length; i++) {
    const x = a.entries[i];
    const y = b.entries[i];
    assert.deepEqual(
      [x.id, x.title, x.link, Date.parse(x.updated), Date.parse(x.published!), x.author, x.content],
      [y.id, unescape(y.title), y.link, Date.parse(y.updated), Date.parse(y.published!), y.author, y.content],
      `entry ${i}`,
    );
  }
});

test('a bidi override in an author name or chat title cannot reorder the text after it: isolated in feed entries and CLI output, <bdi> in pages', { skip: needsTools('feedparser') }, async () => {
  const dir = scratchDir();
  const db = join(dir, 'bidi.sqlite');
  const t0 = Date.UTC(2024, 0, 1, 10);
  // Every explicit control: an override, an unpaired isolate closer that would end an isolate early, an embedding.
  const names = ['\u202Eevil', 'x\u2069y', '\u202Bz'];
  writeFixture(db, [
    {
      nativeId: 'bidi-chat',
      title: '\u202Egro.elpmaxe',
      messages: [
        ...names.map((name, i) => ({ nativeId: `m${i}`, author: `u${i}`, authorName: name, time: t0 + i * 600_000, body: `hello ${i}` })),
        { nativeId: 'e', author: 'u0', authorName: names[0], time: t0 + 3_600_000, body: 'waves', kind: 'emote' as const },
        { nativeId: 'r', author: 'u9', authorName: 'Bob', time: t0 + 4_000_000, body: 'reply', replyTo: 'm0' },
      ],
    },
  ]);
  const out = join(dir, 'site');
  await buildSite({ db, out, quiet: true });
  const feed = parseFeed(join(out, 'feed.xml'));
  assert.equal(feed.bozo, false, feed.bozo_exception ?? '');
  const cleaned = ['evil', 'xy', 'z'];
  for (const [i, name] of cleaned.entries()) {
    const entry = feed.entries.find((e) => e.title.endsWith(`hello ${i}`))!;
    // The site feed names the chat too ([title] name: words): both isolated.
    assert.equal(entry.title, `[\u2068gro.elpmaxe\u2069] \u2068${name}\u2069: hello ${i}`, 'the name is isolated, and stripped of its unpaired controls');
    assert.equal(entry.author, `\u2068${name}\u2069`);
  }
  const chatFeed = parseFeed(readdirSync(join(out, 'chats')).map((slug) => join(out, 'chats', slug, 'feed.xml'))[0]);
  assert.equal(chatFeed.title, 'gro.elpmaxe', 'a title alone: stripped of its unpaired controls');

  const page = readdirSync(join(out, 'chats'), { recursive: true, encoding: 'utf8' }).filter((f) => /\d{4}\/\d{2}\/index\.html$/.test(f)).map((f) => readFileSync(join(out, 'chats', f), 'utf8')).join('');
  assert.match(page, /<span class="cc-emote"><bdi>evil<\/bdi><\/span> waves/);
  assert.match(page, /↩ reply to <bdi>evil<\/bdi>/);
  assert.match(page, /<bdi>gro\.elpmaxe<\/bdi><\/a> · /, 'the chat title before " · N messages"');
  assert.doesNotMatch(page, /[\u202A-\u202E\u2066-\u2069]/, 'no unpaired control reaches the page');

  const cli = (args: string[]) => execFileSync(process.execPath, [resolve('dist/collector/cli.js'), ...args, '--db', db], { encoding: 'utf8' });
  assert.match(cli(['chats']), /\u2068gro\.elpmaxe\u2069/);
  const found = cli(['search', 'hello']);
  assert.match(found, /\u2068evil\u2069/);
  assert.doesNotMatch(found.replace(/\u2068[^\u2068\u2069]*\u2069/g, ''), /[\u202A-\u202E\u2066-\u2069]/);
});
