import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { FAR, type Db } from '../collector/store/contract.js';
import { buildSite } from '../site/build.js';
import { buildCatalog, type ChatSummary } from '../site/data/catalog.js';
import { ArchiveReader } from '../site/data/reader.js';
import { participantsQuery } from '../site/data/reader/participants.js';
import { resolveOptions } from '../site/options.js';
import { TimeFormatter } from '../site/render/time.js';
import { serveSite } from '../site/serve.js';
import type { BuildStats } from '../site/state.js';
import { writeFixture, type FixtureChat, type FixtureMessage } from './helpers/fixture-db.js';
import { listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * Incremental builds (option `since`, which `serve` uses through `incremental`): after imports
 * that add to a published month, open a new month, back-fill an old one, edit and delete messages
 * and add a chat, the output of a full build and of an incremental build over the previous output
 * are the same bytes (the search index aside: it has its own delta format).
 */
function run(prefix: string, start: number, count: number, stepMs: number): FixtureMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    nativeId: `${prefix}${i}`,
    author: i % 2 ? '8:live:ann' : '8:live:ben',
    authorName: i % 2 ? 'Ann' : 'Ben',
    time: start + i * stepMs,
    body: `${prefix} message ${i}`,
  }));
}

const hour = 3_600_000;

/** A database with two chats, Alpha (30 messages in June 2021) and Beta (20 from January 2021). */
function alphaAndBeta(prefix: string): string {
  const db = join(scratchDir(prefix), 'chats.sqlite');
  writeFixture(db, [
    { nativeId: '19:alpha@thread.skype', title: 'Alpha', messages: run('a', Date.UTC(2021, 5, 10), 30, 5 * hour) },
    { nativeId: '19:beta@thread.skype', title: 'Beta', messages: run('b', Date.UTC(2021, 0, 1), 20, 24 * hour) },
  ]);
  return db;
}

/** A full build of `db` beside `out` has the same files as `out`, byte for byte (the search index aside). */
async function assertSameAsFullBuild(db: string, out: string, dir: string, unstamped = false): Promise<void> {
  const full = join(dir, 'full');
  // No siteUrl: `serve` on port 0 gives the feeds none of its own (site/serve.ts), nor do the builds here.
  await buildSite({ db, out: full, search: false });
  const fullFiles = listFiles(full).filter((f) => !f.startsWith('search/') && !(unstamped && f === '.chatchannels-build.json'));
  assert.deepEqual(listFiles(out).filter((f) => !f.startsWith('search/')), fullFiles, 'the same files');
  for (const file of fullFiles) {
    assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(full, file))), `${file} has the same bytes`);
  }
}

/** `serve` of `db` into `out` without search, and a wait for its next build. */
async function serveWatched(db: string, out: string) {
  const builds: BuildStats[] = [];
  let waiting: (() => void) | null = null;
  // Port 0: any free port, chosen by the system (a port probed here could be taken by a parallel test).
  const server = await serveSite({ db, out, port: 0, quiet: true, search: false, onBuild: (stats) => (builds.push(stats), waiting?.()) });
  const nextBuild = async (count: number) => {
    for (let i = 0; i < 300 && builds.length < count; i++) await new Promise<void>((resolve) => ((waiting = resolve), setTimeout(resolve, 100)));
    assert.equal(builds.length, count, 'the rebuild happened');
  };
  return { builds, nextBuild, close: () => server.close() };
}

/**
 * Catalogs of `db` (UTC, English), each from a reader of its own; `watch` sees the reader first.
 * `plain` is what two catalogs must agree on.
 */
function catalogsOf(db: string) {
  const time = new TimeFormatter('UTC', 'en');
  type Catalog = ReturnType<typeof buildCatalog>;
  const catalogOf = (since: number | null, previous: Catalog | null, watch?: (reader: ArchiveReader) => void): Catalog => {
    const reader = new ArchiveReader(db);
    watch?.(reader);
    try {
      return buildCatalog(reader, resolveOptions({ db, since }), time, previous);
    } finally {
      reader.close();
    }
  };
  const plain = (c: Catalog) => JSON.parse(JSON.stringify({ chats: c.chats, pages: c.archivePages, render: c.render, seq: c.changeSeq }));
  return { catalogOf, plain };
}

/** Records the SQL prepared on `db` from now on; `plan` is a statement's query plan, its parameters all `value`. */
function recordStatements(db: Db) {
  const seen: string[] = [];
  const prepare = db.prepare.bind(db);
  (db as { prepare: typeof prepare }).prepare = ((sql: string) => (seen.push(sql), prepare(sql))) as typeof prepare;
  const plan = (sql: string, value: string) => (prepare(`EXPLAIN QUERY PLAN ${sql.replace(/\?/g, value)}`).all() as { detail: string }[]).map((r) => r.detail);
  return { seen, plan };
}

test('an incremental build gives the same bytes as a full one, and writes only what changed', async () => {
  const dir = scratchDir('cc-site-incr-');
  const db = join(dir, 'chats.sqlite');
  const alpha = run('a', Date.UTC(2021, 5, 10), 30, 5 * hour);
  writeFixture(db, [
    { nativeId: '19:alpha@thread.skype', title: 'Alpha', messages: alpha },
    { nativeId: '19:beta@thread.skype', title: 'Beta', messages: run('b', Date.UTC(2021, 0, 1), 20, 24 * hour) },
    { nativeId: '19:gamma@thread.skype', title: 'Gamma', messages: run('g', Date.UTC(2020, 0, 1), 40, 24 * hour) },
  ]);
  const incremental = join(dir, 'incremental');
  const first = await buildSite({ db, out: incremental, search: false });
  assert.equal(first.incremental, false);

  writeFixture(db, [
    {
      nativeId: '19:alpha@thread.skype',
      title: 'Alpha',
      messages: [
        ...run('late', Date.UTC(2021, 5, 29), 3, hour), // into the published June
        ...run('new', Date.UTC(2021, 7, 3), 4, hour), // a new month after a gap
        { ...alpha[3], body: 'a message 3, edited', editedAt: Date.UTC(2021, 6, 1) },
        { ...alpha[4], deleted: true },
      ],
    },
    { nativeId: '19:gamma@thread.skype', title: 'Gamma', messages: run('old', Date.UTC(2019, 5, 1), 2, hour) }, // back-filled
    { nativeId: '19:delta@thread.skype', title: 'Delta', messages: run('d', Date.UTC(2022, 0, 1), 3, hour) }, // a new chat
  ]);
  const second = await buildSite({ db, out: incremental, search: false, since: first.changeSeq });
  assert.equal(second.incremental, true);
  assert.ok(second.changeSeq > first.changeSeq);
  // Alpha: June (changed) + August (new) + July? (no page: no messages); gamma: 2019-06 (new) and
  // its neighbour 2020-01 (its "previous" link is new); delta: its one page. Never beta's.
  assert.ok(second.pages < first.pages + 6, `few pages rewritten: ${second.pages}`);
  await assertSameAsFullBuild(db, incremental, dir);

  const third = await buildSite({ db, out: incremental, search: false, since: second.changeSeq });
  assert.equal(third.incremental, true);
  assert.equal(third.changeSeq, second.changeSeq);
  assert.ok(third.pages <= 1, 'nothing changed: only the index page is written');
});

/** Three chats of 900 messages in all: enough months for both archive threads to take some. */
function threeChats(): FixtureChat[] {
  return [
    { nativeId: '19:one@thread.skype', title: 'One', messages: run('one', Date.UTC(2021, 0, 1), 400, 3 * hour) },
    { nativeId: '19:two@thread.skype', title: 'Two', messages: run('two', Date.UTC(2021, 3, 1), 300, 2 * hour) },
    { nativeId: '19:three@thread.skype', title: 'Three', messages: run('three', Date.UTC(2020, 3, 1), 200, 7 * hour) },
  ];
}

/**
 * The archive threads' module, and a database of `chats` in a fresh folder with `open`: a build's
 * session over it, its archive worker started as buildSite starts it (or given, prestarted).
 * `afterSnapshot` runs once the build's snapshot is taken, before the session opens.
 */
async function threadFixture(prefix: string, chats: FixtureChat[]) {
  const threads = await import('../site/render/archive-threads.js');
  const { BuildSession } = await import('../site/data/session.js');
  const dir = scratchDir(prefix);
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, chats);
  const options = resolveOptions({ db });
  type Prestarted = ReturnType<typeof threads.prestartArchiveWorker>;
  const open = (out: string, more: { prestarted?: Prestarted; afterSnapshot?: () => void } = {}) => {
    const reader = new ArchiveReader(db, options);
    more.afterSnapshot?.();
    return threads.openWithArchiveWorker(reader, options, out, () => new BuildSession(options, null, reader), more.prestarted ?? null);
  };
  return { ...threads, dir, db, options, open };
}

/** The same files, with the same bytes, in `actual` as in `expected`. */
function assertSameFiles(actual: string, expected: string, what: string): void {
  assert.deepEqual(listFiles(actual), listFiles(expected), what);
  for (const file of listFiles(expected)) assert.ok(readFileSync(join(actual, file)).equals(readFileSync(join(expected, file))), `${what}: ${file} has the same bytes`);
}

test('archive pages written by two threads are the same bytes as by one', async () => {
  const { archiveThreading } = await import('../site/render/archive-threads.js');
  const dir = scratchDir('cc-site-threads-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, threeChats());
  const saved = archiveThreading.minMessages;
  try {
    archiveThreading.minMessages = Infinity;
    const single = join(dir, 'single');
    const one = await buildSite({ db, out: single, search: false });
    archiveThreading.minMessages = 0;
    const threaded = join(dir, 'threaded');
    const two = await buildSite({ db, out: threaded, search: false });
    assert.equal(two.pages, one.pages);
    assert.equal(two.files, one.files);
    assertSameFiles(threaded, single, 'threaded');
  } finally {
    archiveThreading.minMessages = saved;
  }
});

/**
 * The archive worker reads through its own connection: when an import commits between the main
 * thread's snapshot and the worker's, the worker must write nothing (its pages would show another
 * database), and this thread then writes every page from its own snapshot.
 */
test('an archive worker that sees a newer snapshot than the build writes nothing; the build writes every page from its own', async () => {
  const chats = threeChats().slice(0, 2);
  const { archiveThreading, writeArchive, dir, db, open } = await threadFixture('cc-site-stale-worker-', chats);
  const writeAll = async (out: string, between?: () => void): Promise<void> => {
    // `between`: after this build's snapshot is taken, before its worker opens its own.
    const session = open(out, { afterSnapshot: between });
    try {
      await writeArchive(session, out);
    } finally {
      await session.close();
    }
  };
  const saved = archiveThreading.minMessages;
  try {
    archiveThreading.minMessages = Infinity;
    const single = join(dir, 'single');
    await writeAll(single);
    archiveThreading.minMessages = 0;
    const stale = join(dir, 'stale');
    // A later month of chat one, committed while the build's snapshot is open.
    await writeAll(stale, () => writeFixture(db, [{ ...chats[0], messages: run('late', Date.UTC(2022, 5, 1), 5, hour) }]));
    assert.ok(listFiles(single).some((f) => f.includes('/2021/')), 'the fixture has archive pages');
    assertSameFiles(stale, single, 'the same pages: none of the newer month');
  } finally {
    archiveThreading.minMessages = saved;
  }
});

/**
 * When the archive worker fails (a page it cannot write), this thread stops before its next page
 * and the build fails with the worker's error: the worker takes no further chat, and neither does
 * this thread. Here `first` (a build's landing pages) writes until the session refuses, so the
 * worker's failure surely comes while this thread is still writing, and the worker surely took
 * the biggest chat first.
 */
test("an archive worker's failure stops this thread before its next page, with the worker's error", async () => {
  const { archiveThreading, writeArchive, dir, db, open } = await threadFixture('cc-site-worker-fails-', threeChats());
  const probe = join(dir, 'probe');
  await buildSite({ db, out: probe, search: false });
  // January 2021: only the biggest chat ("One") has it.
  const blocked = listFiles(probe).find((f) => /^chats\/[^/]+\/2021\/01\/index\.html$/.test(f))!;
  const saved = archiveThreading.minMessages;
  try {
    const slug = blocked.split('/')[1]!;
    const out = join(dir, 'out');
    mkdirSync(join(out, blocked), { recursive: true });
    archiveThreading.minMessages = 0;
    const session = open(out);
    let refused = false;
    const first = async (): Promise<void> => {
      for (const end = Date.now() + 30_000; Date.now() < end; ) {
        try {
          session.writePage(out, 'probe/', '<p>probe</p>');
        } catch (err) {
          refused = true;
          throw err;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    try {
      await assert.rejects(writeArchive(session, out, first), (err: Error) => err.message.includes('index.html') && !/archive worker failed/.test(err.message));
    } finally {
      await session.close();
    }
    assert.ok(refused, 'this thread was stopped, not left to finish');
    const pages = listFiles(out).filter((f) => /^chats\/[^/]+\/\d{4}\/\d\d\//.test(f));
    assert.deepEqual(pages.filter((f) => !f.startsWith(`chats/${slug}/`)), [], 'no page of another chat');
  } finally {
    archiveThreading.minMessages = saved;
  }
});

/**
 * buildSite starts the archive worker before Eleventy loads, before the build's snapshot exists:
 * the worker opens its own meanwhile, and takes chats only once told the build's. Whether it
 * opened its snapshot before or after an import committed, the pages are the build's snapshot's:
 * the same bytes as one thread writes from it. A worker started for other options is not used.
 */
test("an archive worker started before the build's snapshot writes only from that snapshot", async () => {
  const chats = threeChats();
  const { archiveThreading, prestartArchiveWorker, writeArchive, dir, db, options, open } = await threadFixture('cc-site-prestarted-worker-', chats);
  const writeAll = async (out: string, prestartFor = options, between?: () => void): Promise<void> => {
    const prestarted = prestartArchiveWorker(prestartFor, out);
    between?.(); // while the worker starts: before or after it opens its snapshot
    const session = open(out, { prestarted });
    try {
      await writeArchive(session, out);
    } finally {
      await session.close();
      await prestarted?.worker.stop();
    }
  };
  const saved = archiveThreading.minMessages;
  try {
    archiveThreading.minMessages = Infinity;
    const single = join(dir, 'single');
    await writeAll(single);
    archiveThreading.minMessages = 0;
    await writeAll(join(dir, 'prestarted'));
    assertSameFiles(join(dir, 'prestarted'), single, 'prestarted');
    await writeAll(join(dir, 'other-options'), { ...options, title: 'Another' });
    assertSameFiles(join(dir, 'other-options'), single, 'started for other options');
    // A later month of chat two, committed while the worker starts: the build's snapshot has it.
    const raced = join(dir, 'raced');
    await writeAll(raced, options, () => writeFixture(db, [{ ...chats[1], messages: run('later', Date.UTC(2022, 6, 1), 5, hour) }]));
    assert.ok(listFiles(raced).some((f) => f.includes('/2022/07/')), "the build's snapshot has the month committed while the worker started");
    archiveThreading.minMessages = Infinity;
    const singleRaced = join(dir, 'single-raced');
    await writeAll(singleRaced);
    assertSameFiles(raced, singleRaced, 'raced');
  } finally {
    archiveThreading.minMessages = saved;
  }
});

/**
 * An untitled group (named after its member list, one member without a name) where someone
 * outside the list posts too, and a titled chat: what titles and the privacy modes resolve.
 */
function membersAndPosters(prefix: string): string {
  const db = join(scratchDir(prefix), 'chats.sqlite');
  const members = [{ nativeId: '8:live:ann', displayName: 'Ann' }, { nativeId: '8:live:ben', displayName: 'Ben' }, { nativeId: '8:live:cyd' }];
  const outsider = run('o', Date.UTC(2021, 1, 2), 50, 9 * hour).map((m) => ({ ...m, author: '8:live:dot', authorName: 'Dot' }));
  writeFixture(db, [
    { nativeId: '19:untitled@thread.skype', title: null, kind: 'group', members, messages: [...run('u', Date.UTC(2021, 0, 1), 300, 3 * hour), ...outsider] },
    { nativeId: '19:two@thread.skype', title: 'Two', messages: run('two', Date.UTC(2021, 3, 1), 200, 2 * hour) },
  ]);
  return db;
}

test("the archive worker's catalog reads no chat's posters or newest rows, and gives archive pages what the full one does", () => {
  const db = membersAndPosters('cc-site-archive-catalog-');
  const time = new TimeFormatter('UTC', 'en');
  const forArchive = (c: ReturnType<typeof buildCatalog>) => {
    const chats = (list: readonly ChatSummary[]) => list.map(({ members: _m, latest: _l, ...rest }) => rest);
    return JSON.parse(JSON.stringify({ chats: chats(c.chats), pages: c.archivePages, render: { ...c.render, chats: chats(c.render.chats) }, seq: c.changeSeq }));
  };
  for (const authors of ['show', 'pseudonymize', 'hide'] as const) {
    const options = resolveOptions({ db, authors });
    const full = new ArchiveReader(db);
    const lean = new ArchiveReader(db);
    try {
      const expected = buildCatalog(full, options, time);
      const refuse = (what: string) => () => assert.fail(`the archive catalog read ${what}`);
      Object.assign(lean, { posters: refuse('posters'), participants: refuse('participants'), latestAcross: refuse('newest rows'), latestMessages: refuse('newest rows') });
      const actual = buildCatalog(lean, options, time, null, true);
      assert.deepEqual(forArchive(actual), forArchive(expected), authors);
      assert.ok(actual.chats.every((c) => c.latest === null), authors);
      if (authors !== 'hide') assert.ok(expected.chats.some((c) => c.members.some((m) => !actual.chatsById.get(c.id)!.members.some((a) => a.key === m.key))), `${authors}: the full catalog also lists those who posted`);
    } finally {
      full.close();
      lean.close();
    }
  }
});

test('archive pages written by two threads are the same bytes as by one, with authors pseudonymized or hidden', async () => {
  const { archiveThreading } = await import('../site/render/archive-threads.js');
  const db = membersAndPosters('cc-site-threads-privacy-');
  const dir = scratchDir('cc-site-threads-privacy-out-');
  const saved = archiveThreading.minMessages;
  try {
    for (const authors of ['pseudonymize', 'hide'] as const) {
      archiveThreading.minMessages = Infinity;
      const single = join(dir, `${authors}-single`);
      await buildSite({ db, out: single, search: false, authors });
      archiveThreading.minMessages = 0;
      const threaded = join(dir, `${authors}-threaded`);
      await buildSite({ db, out: threaded, search: false, authors });
      assert.deepEqual(listFiles(threaded), listFiles(single));
      for (const file of listFiles(single)) {
        assert.ok(readFileSync(join(threaded, file)).equals(readFileSync(join(single, file))), `${authors}: ${file} has the same bytes`);
      }
    }
  } finally {
    archiveThreading.minMessages = saved;
  }
});

test('Eleventy rendering to JSON writes no archive page from either thread', async () => {
  const { archiveThreading } = await import('../site/render/archive-threads.js');
  const { default: Eleventy } = await import('@11ty/eleventy');
  const { default: chatChannels } = await import('../site/plugin.js');
  const dir = scratchDir('cc-site-json-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [
    { nativeId: '19:one@thread.skype', title: 'One', messages: run('one', Date.UTC(2021, 0, 1), 400, 3 * hour) },
    { nativeId: '19:two@thread.skype', title: 'Two', messages: run('two', Date.UTC(2021, 3, 1), 300, 2 * hour) },
  ]);
  const out = join(dir, 'out');
  const saved = archiveThreading.minMessages;
  try {
    archiveThreading.minMessages = 0;
    const eleventy = new Eleventy(scratchDir('cc-site-json-input-'), out, { quietMode: true, configPath: false, config: (cfg: { addPlugin(p: unknown, o: unknown): void }) => cfg.addPlugin(chatChannels, { db, search: false }) });
    eleventy.disableLogger();
    const pages = (await eleventy.toJSON()) as { url: string }[];
    assert.ok(pages.some((p) => p.url === '/'), 'Eleventy rendered the index');
    assert.ok(!existsSync(out), 'nothing written');
  } finally {
    archiveThreading.minMessages = saved;
  }
});

test('an incremental catalog that reuses the previous build\'s unchanged chats equals one computed afresh', async () => {
  const db = alphaAndBeta('cc-site-reuse-');
  const { catalogOf, plain } = catalogsOf(db);
  const first = catalogOf(null, null);
  writeFixture(db, [{ nativeId: '19:alpha@thread.skype', title: 'Alpha', messages: run('late', Date.UTC(2021, 7, 3), 4, hour) }]);
  const reused = catalogOf(first.changeSeq, first);
  const fresh = catalogOf(first.changeSeq, null);
  assert.deepEqual(plain(reused), plain(fresh));
  assert.equal(reused.render.chats.length, 1, 'only Alpha is rewritten');
  assert.equal(reused.chatsById.get(first.chats.find((c) => c.title === 'Beta')!.id), first.chats.find((c) => c.title === 'Beta'), 'Beta is reused as it was');
});

test('rebuilds of one serving plugin reuse what did not change (anchor lists, newest rows) and still equal a full build', async () => {
  const dir = scratchDir('cc-site-rebuilds-');
  const db = join(dir, 'chats.sqlite');
  const big = '19:big@thread.skype';
  // 2,990 messages: one anchor map file; past 3,000 the chat's maps split into 16 by first digit.
  writeFixture(db, [
    { nativeId: big, title: 'Big', messages: run('x', Date.UTC(2021, 0, 1), 2990, hour) },
    { nativeId: '19:small@thread.skype', title: 'Small', messages: run('s', Date.UTC(2021, 2, 1), 5, 24 * hour) },
  ]);
  const out = join(dir, 'served');
  const { builds, nextBuild, close } = await serveWatched(db, out);
  try {
    await nextBuild(1);
    const rounds: FixtureMessage[][] = [
      run('y', Date.UTC(2021, 4, 5), 20, hour), // crosses 3,000: the maps split
      run('z', Date.UTC(2021, 4, 9), 3, hour), // a few more in the same month
      run('w', Date.UTC(2021, 6, 1), 2, hour), // a new month
    ];
    for (const [i, messages] of rounds.entries()) {
      writeFixture(db, [{ nativeId: big, title: 'Big', messages }]);
      await nextBuild(i + 2);
      assert.equal(builds[i + 1].incremental, true);
    }
    // The last two rounds touched a few anchors: only their files were rewritten, not all 16.
    assert.ok(builds[2].otherFiles < 16 && builds[3].otherFiles < 16, `anchor files: ${builds.map((b) => b.otherFiles).join(', ')}`);
  } finally {
    await close();
  }
  await assertSameAsFullBuild(db, out, dir);
});

test('a rebuild after an import that only renamed a chat or added a member rewrites its pages, and equals a full build', async () => {
  const dir = scratchDir('cc-site-rename-');
  const db = join(dir, 'chats.sqlite');
  const ann = { nativeId: '8:live:ann', displayName: 'Ann' };
  const ben = { nativeId: '8:live:ben', displayName: 'Ben' };
  const direct = { nativeId: '8:live:ann-direct', title: null, kind: 'direct' as const, members: [ann, ben] };
  writeFixture(db, [
    { nativeId: '19:alpha@thread.skype', title: 'Alpha', messages: run('a', Date.UTC(2021, 5, 10), 30, 5 * hour) },
    { ...direct, messages: run('d', Date.UTC(2021, 0, 1), 20, 24 * hour) },
  ]);
  const out = join(dir, 'served');
  const { builds, nextBuild, close } = await serveWatched(db, out);
  try {
    await nextBuild(1);
    // No message in either import: only the log's whole-chat entry tells the rebuild.
    writeFixture(db, [{ nativeId: '19:alpha@thread.skype', title: 'Alpha, renamed', messages: [] }]);
    await nextBuild(2);
    assert.equal(builds[1].incremental, true);
    writeFixture(db, [{ ...direct, members: [ann, ben, { nativeId: '8:live:cid', displayName: 'Cid' }], messages: [] }]);
    await nextBuild(3);
    assert.equal(builds[2].incremental, true);
    // Ann turns out to be the exporting account: the untitled chat is now named without her.
    writeFixture(db, [{ ...direct, owner: ann.nativeId, messages: [] }]);
    await nextBuild(4);
    assert.equal(builds[3].incremental, true);
  } finally {
    await close();
  }
  const pages = listFiles(out).filter((f) => f.endsWith('.html'));
  assert.ok(pages.some((f) => readFileSync(join(out, f), 'utf8').includes('Alpha, renamed')), 'the new title is published');
  assert.ok(pages.some((f) => readFileSync(join(out, f), 'utf8').includes('Cid')), "the new member names the untitled chat");
  // Right, but not stamped: the stamp's check of what the log may miss (output/stamp.ts stateHash)
  // still covers titles and members, so the next serve or build of this folder is a full one.
  assert.equal(existsSync(join(out, '.chatchannels-build.json')), false);
  await assertSameAsFullBuild(db, out, dir, true);
});

test('a rebuild counts the participants of a changed chat again only in its changed months, and they equal one count over the whole chat', async () => {
  const { openStore } = await import('../collector/store/open.js');
  const dir = scratchDir('cc-site-participants-');
  const db = join(dir, 'chats.sqlite');
  const chat = '19:many@thread.skype';
  const spread = (prefix: string, authors: string[], months: number[]): FixtureMessage[] =>
    months.flatMap((month, m) =>
      authors.map((author, a) => ({ nativeId: `${prefix}${m}-${a}`, author, authorName: author.slice(8), time: Date.UTC(2020, month, 3 + a, 12), body: `${prefix} ${m} ${a}` })),
    );
  writeFixture(db, [
    {
      nativeId: chat,
      title: 'Many',
      messages: [
        ...spread('m', ['8:live:ann', '8:live:ben', '8:live:cid', '8:live:dot'], [0, 1, 2, 3, 5, 8]),
        // Out of range: the early and late slots (implausible, so no first/last).
        { nativeId: 'early', author: '8:live:ann', authorName: 'ann', time: new Date(0).setUTCFullYear(-5, 0, 1), body: 'early' },
        { nativeId: 'late', author: '8:live:eve', authorName: 'eve', time: new Date(0).setUTCFullYear(10001, 0, 1), body: 'late' },
        { nativeId: 'call', author: '8:live:ben', authorName: 'ben', time: Date.UTC(2020, 2, 20), body: 'call', kind: 'call' },
      ],
    },
  ]);
  // Authors without a person (databases of older versions, other tools): grouped by name, which
  // SQLite orders by UTF-8 bytes (U+FF3A before U+1D49C; UTF-16 order says the opposite).
  const store = openStore(db);
  store.exec(`UPDATE message_rows SET author_id = NULL, author_name = CASE native_id
    WHEN 'm0-2' THEN 'Ｚed' WHEN 'm3-2' THEN '𝒜my' WHEN 'm5-2' THEN NULL ELSE 'Ｚed' END
    WHERE native_id LIKE 'm_-2'`);
  store.close();

  const allAtOnce = (file: string, chatId: number) => {
    // The reader's own participants query over the whole chat at once, as it counted before it counted per month.
    const reader = new ArchiveReader(file);
    try {
      return participantsQuery(reader.db, reader.messageTable)(chatId, -FAR, FAR);
    } finally {
      reader.close();
    }
  };

  const first = new ArchiveReader(db);
  const chatId = first.chats().find((c) => c.native_id === chat)!.id;
  const seq = first.lastChange();
  assert.deepEqual(first.participants(chatId), allAtOnce(db, chatId));
  const before = first.participantsRead.get(chatId)!;
  first.close();
  assert.equal(before.size, 8, 'six months and the two out-of-range slots');

  // One new message in March (a new author), one in a new month.
  writeFixture(db, [
    {
      nativeId: chat,
      title: 'Many',
      messages: [
        { nativeId: 'n1', author: '8:live:fay', authorName: 'fay', time: Date.UTC(2020, 2, 25), body: 'new in March' },
        { nativeId: 'n2', author: '8:live:ann', authorName: 'ann', time: Date.UTC(2021, 0, 2), body: 'new month' },
      ],
    },
  ]);
  const second = new ArchiveReader(db);
  try {
    second.adoptParticipants(new Map([[chatId, before]]), second.changesSince(seq).days);
    assert.deepEqual(second.participants(chatId), allAtOnce(db, chatId), 'the same as one count over the whole chat');
    const after = second.participantsRead.get(chatId)!;
    const march = Date.UTC(2020, 2, 1);
    const recounted = [...after].filter(([start, list]) => before.get(start) !== list).map(([start]) => start);
    assert.deepEqual(recounted, [march, Date.UTC(2021, 0, 1)], 'only the changed month and the new one are counted again');
  } finally {
    second.close();
  }
});

test('the search index\'s fingerprint of the database reads no table whole', async () => {
  const { ReadSnapshot } = await import('../site/data/snapshot.js');
  const { SearchSource } = await import('../site/search/source.js');
  const db = alphaAndBeta('cc-search-fingerprint-');
  const snapshot = new ReadSnapshot(db);
  const source = new SearchSource({ db, authors: 'show', snapshot });
  const { seen, plan: planOf } = recordStatements(snapshot.db);
  try {
    const fingerprint = source.stateFingerprint();
    assert.ok(seen.length > 0 && fingerprint.length > 0);
    for (const sql of seen) {
      const plan = planOf(sql, 'NULL');
      // A SCAN of the messages (an index's too) reads every one: what it costs grows with the archive.
      assert.ok(!plan.some((d) => /^SCAN (message_rows|messages)\b/.test(d)), `${sql}\n  ${plan.join('\n  ')}`);
    }
  } finally {
    source.close();
    snapshot.close();
  }
});

test('the first rebuild after a full build rewrites only the anchor map files of the anchors it added', async () => {
  const dir = scratchDir('cc-site-first-rebuild-');
  const db = join(dir, 'chats.sqlite');
  const big = '19:big@thread.skype';
  // 3,100 messages: the chat's anchors are split into 16 map files by their first digit.
  writeFixture(db, [{ nativeId: big, title: 'Big', messages: run('x', Date.UTC(2021, 0, 1), 3100, hour) }]);
  const out = join(dir, 'served');
  const { builds, nextBuild, close } = await serveWatched(db, out);
  try {
    await nextBuild(1);
    assert.equal(builds[0].incremental, false);
    assert.ok(builds[0].otherFiles >= 16, `the full build writes every map: ${builds[0].otherFiles}`);
    writeFixture(db, [{ nativeId: big, title: 'Big', messages: run('one', Date.UTC(2021, 4, 9), 1, hour) }]);
    await nextBuild(2);
    assert.equal(builds[1].incremental, true);
    // Its one new anchor is in one map file; a rebuild that knew no earlier lists wrote all 16.
    assert.equal(builds[1].otherFiles, 1, `anchor files written: ${builds[1].otherFiles}`);
  } finally {
    await close();
  }
  await assertSameAsFullBuild(db, out, dir);
});

test('the first rebuild after a full build reads the anchors of the map files it rewrites, not every unchanged page\'s', async () => {
  const dir = scratchDir('cc-site-first-rebuild-reads-');
  const db = join(dir, 'chats.sqlite');
  const big = '19:big@thread.skype';
  // 3,100 messages over five months: 16 map files of about 190 anchors each.
  writeFixture(db, [{ nativeId: big, title: 'Big', messages: run('x', Date.UTC(2021, 0, 1), 3100, hour) }]);
  const out = join(dir, 'served');
  // Every anchor the reader hands out, whichever of its anchor lists asked (a spy on the real reader).
  let anchorsRead = 0;
  const proto = ArchiveReader.prototype as unknown as Record<string, unknown>;
  const wrapped = Object.getOwnPropertyNames(ArchiveReader.prototype).filter((name) => /^(page)?anchors/i.test(name) && typeof proto[name] === 'function');
  const originals = wrapped.map((name) => [name, proto[name]] as const);
  for (const [name, original] of originals) {
    proto[name] = function (this: unknown, ...args: unknown[]) {
      const result = (original as (...a: unknown[]) => unknown).apply(this, args);
      if (Array.isArray(result)) anchorsRead += result.length;
      return result;
    };
  }
  try {
    const { builds, nextBuild, close } = await serveWatched(db, out);
    try {
      await nextBuild(1);
      writeFixture(db, [{ nativeId: big, title: 'Big', messages: run('one', Date.UTC(2021, 4, 9), 1, hour) }]);
      anchorsRead = 0;
      await nextBuild(2);
      assert.equal(builds[1].incremental, true);
      assert.equal(builds[1].otherFiles, 1);
      // The added anchor, and its map file's (about 3,100 / 16); the old rebuild read all the chat's unrendered pages.
      assert.ok(anchorsRead > 0 && anchorsRead < 400, `anchors read: ${anchorsRead}`);
      // A second rebuild too (it has no lists of the first's to compare with, and needs none).
      writeFixture(db, [{ nativeId: big, title: 'Big', messages: run('two', Date.UTC(2021, 1, 9), 1, hour) }]);
      anchorsRead = 0;
      await nextBuild(3);
      assert.equal(builds[2].otherFiles, 1);
      assert.ok(anchorsRead > 0 && anchorsRead < 400, `anchors read: ${anchorsRead}`);
    } finally {
      await close();
    }
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  await assertSameAsFullBuild(db, out, dir);
});

test('the anchors added since a build are found through the primary key, not by reading the chat', async () => {
  const reader = new ArchiveReader(alphaAndBeta('cc-site-added-anchors-'));
  const { seen, plan: planOf } = recordStatements(reader.db);
  try {
    const alpha = reader.chats().find((c) => c.title === 'Alpha')!.id;
    const last = reader.snapshot.mark[1];
    assert.deepEqual(reader.anchorsAddedAfter(alpha, last), []);
    assert.equal(reader.anchorsAddedAfter(alpha, last - 20).length, 0, 'the last 20 rows are Beta\'s');
    assert.equal(reader.anchorsAddedAfter(alpha, last - 21).length, 1);
    assert.equal(reader.anchorsAddedAfter(alpha, 0).length, 30);
    const sql = seen.find((s) => /id > \?/.test(s))!;
    const plan = planOf(sql, '1');
    assert.ok(plan.some((d) => /USING INTEGER PRIMARY KEY \(rowid>\?\)/.test(d)) && !plan.some((d) => /chat_id=/.test(d)), plan.join('\n'));
  } finally {
    reader.close();
  }
});

test('a map file\'s anchors are found through the (chat, anchor) index, not by reading the chat', async () => {
  const reader = new ArchiveReader(alphaAndBeta('cc-site-prefix-anchors-'));
  const { seen, plan: planOf } = recordStatements(reader.db);
  try {
    const alpha = reader.chats().find((c) => c.title === 'Alpha')!.id;
    const all = reader.anchorsWithPrefixes(alpha, new Set([''])).map(([anchor]) => anchor);
    assert.equal(all.length, 30);
    for (const digit of '0123456789abcdef') {
      const found = reader.anchorsWithPrefixes(alpha, new Set([digit]));
      assert.deepEqual(found.map(([anchor]) => anchor).sort(), all.filter((a) => a.startsWith(`m${digit}`)).sort(), `prefix ${digit}`);
    }
    const sql = seen.find((s) => /anchor >= \?/.test(s))!;
    const plan = planOf(sql, "'m1'");
    assert.ok(plan.some((d) => /USING INDEX messages_chat_anchor \(chat_id=\? AND anchor>\? AND anchor<\?\)/.test(d)), plan.join('\n'));
  } finally {
    reader.close();
  }
});

test('an incremental catalog counts a changed chat\'s pages again only in its changed months, and equals one computed afresh', async () => {
  const dir = scratchDir('cc-site-reuse-months-');
  const db = join(dir, 'chats.sqlite');
  const early = new Date(0).setUTCFullYear(-3, 0, 1);
  const late = new Date(0).setUTCFullYear(10002, 0, 1);
  writeFixture(db, [
    {
      nativeId: '19:alpha@thread.skype',
      title: 'Alpha',
      messages: [
        ...run('a', Date.UTC(2021, 0, 10), 12, 24 * 5 * hour), // a month page each, January to March
        ...run('busy', Date.UTC(2021, 5, 1), 1200, hour), // June: split into day pages
        ...run('e', early, 2, hour),
        ...run('l', late, 1, hour),
      ],
    },
    // Every date implausible: its pages are kept in sequence (their flag cleared).
    { nativeId: '19:odd@thread.skype', title: 'Odd', messages: [...run('oe', early, 2, 24 * hour), ...run('ol', late, 2, 24 * 40 * hour)] },
  ]);
  const { catalogOf, plain } = catalogsOf(db);
  const counted: [number, number][] = [];
  const countRanges = (reader: ArchiveReader) => {
    for (const name of ['countInRange', 'dayCounts', 'anyPlausibleInRange'] as const) {
      const real = reader[name].bind(reader) as (chatId: number, start: number, end: number) => never;
      (reader as unknown as Record<string, unknown>)[name] = (chatId: number, start: number, end: number) => (counted.push([start, end]), real(chatId, start, end));
    }
  };
  let previous = catalogOf(null, null);
  const rounds: FixtureMessage[][] = [
    run('feb', Date.UTC(2021, 1, 20), 1, hour), // into February
    run('june', Date.UTC(2021, 5, 30, 5), 1, hour), // a day page of June
    [...run('e2', early + 7 * hour, 1, hour), ...run('l2', late + 9 * hour, 1, hour)], // both out-of-range pages
    run('aug', Date.UTC(2021, 7, 2), 1, hour), // a new month
  ];
  const changedMonth: [number, number][] = [
    [Date.UTC(2021, 1, 1), Date.UTC(2021, 2, 1)],
    [Date.UTC(2021, 5, 1), Date.UTC(2021, 6, 1)],
    [-(2 ** 64), new Date(0).setUTCFullYear(1, 0, 1)],
    [Date.UTC(2021, 7, 1), Date.UTC(2021, 8, 1)],
  ];
  for (const [i, messages] of rounds.entries()) {
    writeFixture(db, [{ nativeId: i === 2 ? '19:odd@thread.skype' : '19:alpha@thread.skype', title: i === 2 ? 'Odd' : 'Alpha', messages }]);
    counted.length = 0;
    const reused = catalogOf(previous.changeSeq, previous, countRanges);
    assert.deepEqual(plain(reused), plain(catalogOf(previous.changeSeq, null)), `round ${i + 1}: the same as computed afresh`);
    assert.deepEqual(plain(reused), plain({ ...catalogOf(null, null), render: reused.render } as never), `round ${i + 1}: the same chats and pages as a full build's`);
    const [from, to] = changedMonth[i];
    const outside = counted.filter(([start, end]) => !(start >= from && end <= to) && !(i === 2 && start >= new Date(0).setUTCFullYear(10000, 0, 1)));
    assert.deepEqual(outside, [], `round ${i + 1}: only the changed months are counted again`);
    previous = reused;
  }
});
