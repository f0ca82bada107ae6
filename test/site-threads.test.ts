import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { posix, join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { importPaths } from '../collector/import/index.js';
import { MessageFlags } from '../collector/model.js';
import { openStore } from '../collector/store/open.js';
import { buildSite } from '../site/build.js';
import { ArchiveReader } from '../site/data/reader.js';
import { messageTableOf } from '../site/data/reader/message-table.js';
import { Threads } from '../site/data/reader/threads.js';
import { FORMAT_SAMPLES, type FormatSample, type SampleChat, type SampleMessage, type ThreadRoot } from './helpers/format-samples.js';
import { writeFixture } from './helpers/fixture-db.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { tempDir } from './helpers/temp.js';

/**
 * Threads where they belong (MessageFlags.threadReply): for every source format with threads, an
 * import and a real build show each thread under its root ("N replies" in a <details>, N counted
 * here from the input), while every reply keeps its own anchor at its own time in the stream with
 * a link back to the root. The anchors do not depend on whether the root came first or was
 * back-filled, and an incremental build rewrites the root's page when a reply arrives.
 */
const THREADED = FORMAT_SAMPLES.filter((s) => s.threads);

test('the formats with threads all have a thread-writing sample row', () => {
  assert.deepEqual(THREADED.map((s) => s.format).sort(), ['google-chat', 'matrix', 'mattermost', 'slack', 'teams']);
});

const t = (iso: string): number => Date.parse(iso);
const ROOT: SampleMessage = { id: '101', author: 'alice', authorName: 'Alice Archer', time: t('2024-03-05T10:00:00Z'), body: 'Shall we plan the launch' };
const OTHER: SampleMessage = { id: '201', author: 'carol', authorName: 'Carol Cook', time: t('2024-03-05T10:30:00Z'), body: 'Lunch is ready' };
const root = (m: SampleMessage): ThreadRoot => ({ id: m.id, author: m.author, time: m.time });
const REPLIES: SampleMessage[] = [
  { id: '102', author: 'bob', authorName: 'Bob Baker', time: t('2024-03-05T10:05:00Z'), body: 'Yes on Friday', threadOf: root(ROOT) },
  { id: '103', author: 'carol', authorName: 'Carol Cook', time: t('2024-03-05T11:40:00Z'), body: 'Friday works for me', threadOf: root(ROOT) },
];
/** A reply a month later: on another archive page than its root. */
const LATE: SampleMessage = { id: '104', author: 'dave', authorName: 'Dave Dale', time: t('2024-04-02T09:00:00Z'), body: 'Launch went well', threadOf: root(ROOT) };
/** A second thread on the root's page, and a message after all of them. */
const OTHER_REPLY: SampleMessage = { id: '202', author: 'bob', authorName: 'Bob Baker', time: t('2024-03-05T12:00:00Z'), body: 'Thanks for lunch', threadOf: root(OTHER) };
const AFTER: SampleMessage = { id: '301', author: 'alice', authorName: 'Alice Archer', time: t('2024-04-03T08:00:00Z'), body: 'New week new plans' };

const CHAT_ID = 'C0THREADS';
const chatOf = (messages: SampleMessage[]): SampleChat[] => [{ id: CHAT_ID, title: 'Threads', messages: [...messages].sort((a, b) => a.time - b.time) }];
const FULL = [ROOT, ...REPLIES, OTHER, OTHER_REPLY, LATE, AFTER];

/** Writes `messages` as `sample`'s input in a folder of its own and imports it into `db`. */
async function importSample(sample: FormatSample, db: string, messages: SampleMessage[]): Promise<void> {
  const dir = tempDir(`cc-threads-${sample.format}-`);
  const path = sample.write(dir, chatOf(messages));
  const store = openStore(db);
  try {
    await importPaths(store, [path]);
  } finally {
    store.close();
  }
}

/** The stored messages by their text: anchor, key, flags and what they reply to. */
function stored(db: string): Map<string, { anchor: string; key: string; flags: number; replyTo: string | null }> {
  const conn = new Database(db, { readonly: true });
  try {
    const rows = conn.prepare('SELECT text, anchor, key, flags, reply_to_key AS replyTo FROM messages').all() as {
      text: string; anchor: string; key: string; flags: number; replyTo: string | null;
    }[];
    return new Map(rows.map((r) => [r.text.trim(), r]));
  } finally {
    conn.close();
  }
}

/** The page (site path) holding `id="<anchor>"`, and the HTML of that message up to the next one. */
function messageOn(out: string, pages: string[], anchor: string): { page: string; html: string } {
  const found = pages.filter((p) => read(out, p).includes(` id="${anchor}"`));
  assert.equal(found.length, 1, `anchor ${anchor} is on exactly one page (${found.join(', ')})`);
  const page = found[0];
  const html = read(out, page);
  const start = html.indexOf(` id="${anchor}"`);
  const next = html.indexOf('<div class="cc-msg', start);
  return { page, html: html.slice(start, next < 0 ? undefined : next) };
}

/** A page's relative link → the site path of its file and the fragment. */
function resolveLink(page: string, href: string): { file: string; anchor: string } {
  const [path, anchor = ''] = href.split('#');
  let file = posix.normalize(posix.join(posix.dirname(page), path || posix.basename(page)));
  if (path.endsWith('/') || file.endsWith('/')) file = posix.join(file, 'index.html');
  return { file, anchor };
}

interface ShownThread {
  count: number;
  /** [href, text] of each listed reply. */
  items: [string, string][];
  more: string | null;
}

function threadIn(messageHtml: string): ShownThread | null {
  const m = /<details class="cc-replies"><summary>([\d,]+) repl(?:y|ies), last <time[^>]*>[^<]*<\/time><\/summary>([\s\S]*?)<\/details>/.exec(messageHtml);
  if (!m) return null;
  const items = [...m[2].matchAll(/<li><a href="([^"]+)"[^>]*>[\s\S]*?<\/a>([\s\S]*?)<\/li>/g)].map((i) => [i[1], i[2].replace(/<[^>]+>/g, '').trim()] as [string, string]);
  const more = /<p class="cc-replies-more"><a href="([^"]+)">/.exec(m[2]);
  return { count: Number(m[1].replace(/,/g, '')), items, more: more ? more[1] : null };
}

function assertNoDuplicateIds(out: string, pages: string[]): void {
  for (const page of pages) {
    const ids = [...read(out, page).matchAll(/ id="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(new Set(ids).size, ids.length, `${page}: every id once`);
  }
}

/**
 * What every built site of these tests must show: the thread of `root` under it with `replies`
 * (in time order, each linking to its own anchor on its own page, where it links back to the root).
 */
function assertThread(out: string, db: string, rootMessage: SampleMessage, replies: SampleMessage[]): void {
  const pages = archivePages(listFiles(out));
  const rows = stored(db);
  const rootRow = rows.get(rootMessage.body)!;
  assert.ok(rootRow, `root "${rootMessage.body}" stored`);
  const { page, html } = messageOn(out, pages, rootRow.anchor);
  const thread = threadIn(html);
  assert.ok(thread, `the root on ${page} lists its thread`);
  assert.equal(thread.count, replies.length, 'as many replies as the input has');
  const sorted = [...replies].sort((a, b) => a.time - b.time);
  assert.equal(thread.items.length, replies.length);
  sorted.forEach((reply, i) => {
    const row = rows.get(reply.body)!;
    assert.ok(row, `reply "${reply.body}" stored`);
    assert.equal(row.flags & MessageFlags.threadReply, MessageFlags.threadReply, `"${reply.body}" is a thread reply`);
    assert.equal(row.replyTo, rootRow.key);
    const [href, text] = thread.items[i];
    assert.ok(text.endsWith(reply.body), `item ${i} is "${reply.body}": ${text}`);
    assert.ok(text.includes(reply.authorName), `item ${i} names its author`);
    const target = resolveLink(page, href);
    assert.equal(target.anchor, row.anchor, 'the list links to the reply’s own anchor');
    const own = messageOn(out, pages, row.anchor);
    assert.equal(own.page, target.file, 'on the page the link names');
    assert.match(own.html, /class="cc-reply" href="([^"]+)">↩ in thread of <bdi>/);
    const back = resolveLink(own.page, /class="cc-reply" href="([^"]+)"/.exec(own.html)![1]);
    assert.deepEqual(back, { file: page, anchor: rootRow.anchor }, 'the reply links back to its root');
  });
  assertNoDuplicateIds(out, pages);
}

for (const sample of THREADED) {
  test(`${sample.format}: the root shows "N replies", every reply keeps its anchor at its own time`, async () => {
    const dir = tempDir();
    const db = join(dir, 'threads.sqlite');
    await importSample(sample, db, FULL);
    const { out } = await buildInto(db, { search: false });
    assertThread(out, db, ROOT, [...REPLIES, LATE]);
    assertThread(out, db, OTHER, [OTHER_REPLY]);
    // A message that is no root shows no thread.
    const pages = archivePages(listFiles(out));
    assert.equal(threadIn(messageOn(out, pages, stored(db).get(AFTER.body)!.anchor).html), null);
  });

  if (sample.threads!.orphans) {
    test(`${sample.format}: replies imported before their root (back-filled) keep the anchors of the opposite order`, async () => {
      const dir = tempDir();
      const rootFirst = join(dir, 'root-first.sqlite');
      await importSample(sample, rootFirst, FULL);
      const repliesFirst = join(dir, 'replies-first.sqlite');
      await importSample(sample, repliesFirst, FULL.filter((m) => m !== ROOT && m !== OTHER));
      const before = stored(repliesFirst);
      await importSample(sample, repliesFirst, FULL);
      const after = stored(repliesFirst);
      const anchors = (rows: ReturnType<typeof stored>) => new Map([...rows].map(([text, r]) => [text, r.anchor]));
      assert.deepEqual(anchors(after), anchors(stored(rootFirst)), 'the same anchors in either order');
      for (const [text, row] of before) assert.equal(after.get(text)?.anchor, row.anchor, `"${text}" kept its published anchor`);
      const { out } = await buildInto(repliesFirst, { search: false });
      assertThread(out, repliesFirst, ROOT, [...REPLIES, LATE]);
    });
  }

  test(`${sample.format}: a new reply a month later rewrites its root's page in an incremental build`, async () => {
    const dir = tempDir();
    const db = join(dir, 'live.sqlite');
    await importSample(sample, db, [ROOT, ...REPLIES, OTHER, AFTER]);
    const out = join(dir, 'incremental');
    const first = await buildSite({ db, out, search: false, quiet: true });
    await importSample(sample, db, [ROOT, ...REPLIES, OTHER, AFTER, LATE]);
    const second = await buildSite({ db, out, search: false, quiet: true, since: first.changeSeq });
    assert.equal(second.incremental, true);
    assertThread(out, db, ROOT, [...REPLIES, LATE]);
    // And byte for byte what a full build writes.
    const full = join(dir, 'full');
    await buildSite({ db, out: full, search: false, quiet: true });
    for (const page of archivePages(listFiles(full))) assert.equal(read(out, page), read(full, page), page);
  });
}

test('a long thread lists its first 50 replies and links to the first one not listed', async () => {
  const slack = FORMAT_SAMPLES.find((s) => s.format === 'slack')!;
  const dir = tempDir();
  const db = join(dir, 'long.sqlite');
  const replies = Array.from({ length: 53 }, (_, i): SampleMessage => ({
    id: String(1000 + i), author: i % 2 ? 'bob' : 'carol', authorName: i % 2 ? 'Bob Baker' : 'Carol Cook',
    time: ROOT.time + (i + 1) * 60_000, body: `answer number ${i + 1}`, threadOf: root(ROOT),
  }));
  await importSample(slack, db, [ROOT, ...replies]);
  const { out } = await buildInto(db, { search: false });
  const pages = archivePages(listFiles(out));
  const rows = stored(db);
  const { page, html } = messageOn(out, pages, rows.get(ROOT.body)!.anchor);
  const thread = threadIn(html)!;
  assert.equal(thread.count, 53);
  assert.equal(thread.items.length, 50);
  assert.ok(thread.items[49][1].endsWith('answer number 50'));
  assert.match(html, /<p class="cc-replies-more"><a href="[^"]+">3 more replies in the stream<\/a><\/p>/);
  assert.deepEqual(resolveLink(page, thread.more!), { file: page, anchor: rows.get('answer number 51')!.anchor });
  assertNoDuplicateIds(out, pages);
});

test('a quote-reply (no thread flag) stays a quote: no thread under its target', async () => {
  const dir = tempDir();
  const db = join(dir, 'quotes.sqlite');
  writeFixture(db, [
    {
      nativeId: 'tg:quotes',
      title: 'Quotes',
      messages: [
        { nativeId: '1', author: 'tg:ann', authorName: 'Ann', time: ROOT.time, body: 'A question' },
        { nativeId: '2', author: 'tg:ben', authorName: 'Ben', time: ROOT.time + 60_000, body: 'An answer', replyTo: '1' },
      ],
    },
  ]);
  mkdirSync(join(dir, 'out'));
  const { out } = await buildInto(db, { search: false, out: join(dir, 'out') });
  const html = archivePages(listFiles(out)).map((p) => read(out, p)).join('');
  assert.ok(!html.includes('cc-replies'));
  assert.match(html, /class="cc-reply" href="[^"]+">↩ reply to <bdi>Ann<\/bdi><\/a>/);
});

test("a page's threads are found through the partial index of thread replies: no scan of the chat's messages", async () => {
  const dir = tempDir();
  const db = join(dir, 'plan.sqlite');
  await importSample(FORMAT_SAMPLES.find((s) => s.format === 'slack')!, db, FULL);
  const conn = new Database(db, { readonly: true });
  try {
    const partial = conn.prepare(`SELECT sql FROM sqlite_master WHERE name = 'messages_thread'`).pluck().get() as string;
    assert.match(partial, /WHERE \(flags & 4\) != 0/, 'a partial index: it holds thread replies only');
  } finally {
    conn.close();
  }
  // Also through the TEMP views of option excludeAuthors (site/data/excluded-authors.ts).
  for (const excluded of [[], ['slack:UNOBODY']]) {
    const reader = new ArchiveReader(db, { excludeAuthors: excluded });
    try {
      // The reader's statements as its own connection prepares them (with its views).
      const statements = new Threads(messageTableOf(reader.db)).statements();
      for (const [name, stmt] of Object.entries(statements)) {
        const plan = (reader.db.prepare(`EXPLAIN QUERY PLAN ${stmt.source}`).all(...[1, 0, 1, 51].slice(0, name === 'any' ? 1 : 4)) as { detail: string }[]).map((r) => r.detail);
        assert.ok(plan.some((d) => /USING INDEX messages_thread/.test(d)), `${name}: ${plan.join(' / ')}`);
        assert.ok(!plan.some((d) => /^SCAN (p|r|(main\.)?message_rows)\b/.test(d)), `${name} scans: ${plan.join(' / ')}`);
      }
      const threads = reader.pageThreads(1, ROOT.time, ROOT.time + 86_400_000, 51);
      assert.deepEqual([...threads.values()].map((t) => t.count).sort(), [1, 3]);
    } finally {
      reader.close();
    }
  }
});
