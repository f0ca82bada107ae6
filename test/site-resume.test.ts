import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import Eleventy from '@11ty/eleventy';
import { buildSite } from '../site/build.js';
import chatChannels from '../site/plugin.js';
import { JOURNAL_FILE } from '../site/output/journal.js';
import { isChatFile } from '../site/render/links.js';
import { STAMP_FILE } from '../site/output/stamp.js';
import { openSearchEngine, type SearchEngine } from '../site/search/node-engine.js';
import { serveSite, type ServeOptions } from '../site/serve.js';
import type { BuildStart, BuildStats } from '../site/state.js';
import { writeFixture, type FixtureChat, type FixtureMessage } from './helpers/fixture-db.js';
import { scanForLeaks, secretsOf } from './helpers/leak-scan.js';
import { listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * `serve` resumes its first build from the output's last complete build (site/output/stamp.ts)
 * when, and only when, that gives what a full build would: same database, same options, same
 * code, nothing changed that the change log misses, every file still there.
 */

const hour = 3_600_000;
const WORDS = ['quokka', 'wombat', 'numbat', 'bilby', 'echidna', 'platypus'];

function run(prefix: string, start: number, count: number, stepMs: number): FixtureMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    nativeId: `${prefix}${i}`,
    author: i % 2 ? '8:live:zebulon' : '8:live:quillon',
    authorName: i % 2 ? 'Zebulon Marchetti' : 'Quillon Abernathy',
    time: start + i * stepMs,
    body: `${prefix} ${WORDS[i % WORDS.length]} message ${i}`,
  }));
}

const alpha = (messages: FixtureMessage[], title = 'Alpha'): FixtureChat => ({ nativeId: '19:alpha@thread.skype', title, messages });
const beta = (messages: FixtureMessage[]): FixtureChat => ({ nativeId: '19:beta@thread.skype', title: 'Beta', messages });

function twoChats(prefix: string): { dir: string; db: string } {
  const dir = scratchDir(prefix);
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [alpha(run('a', Date.UTC(2021, 5, 10), 30, 5 * hour)), beta(run('b', Date.UTC(2021, 0, 1), 20, 7 * 24 * hour))]);
  return { dir, db };
}

/** Serves `out` once: how its first build started, and its stats; closed when the build is complete. */
async function serveOnce(db: string, out: string, options: Partial<ServeOptions> = {}): Promise<{ start: BuildStart; stats: BuildStats }> {
  const starts: BuildStart[] = [];
  const builds: BuildStats[] = [];
  const server = await serveSite({ db, out, port: 0, quiet: true, ...options, onStart: (s) => starts.push(s), onBuild: (s) => builds.push(s) });
  try {
    // serveSite resolves once the first build is complete (eleventy.watch() awaits it).
    for (let i = 0; i < 300 && builds.length === 0; i++) await new Promise((r) => setTimeout(r, 100));
  } finally {
    await server.close();
  }
  assert.equal(starts.length, 1, 'told once how the first build starts');
  assert.equal(builds.length, 1, 'one build');
  return { start: starts[0], stats: builds[0] };
}

/** `out` holds what a full build of `db` into a folder of its own holds, byte for byte (search/ aside: see sameAnswers). */
async function assertSameAsFullBuild(db: string, out: string, full: string, options: Record<string, unknown> = {}): Promise<void> {
  await buildSite({ db, out: full, ...options });
  const fullFiles = listFiles(full).filter((f) => !f.startsWith('search/'));
  assert.deepEqual(listFiles(out).filter((f) => !f.startsWith('search/')), fullFiles, 'the same files');
  assert.ok(fullFiles.includes(STAMP_FILE));
  for (const file of fullFiles) assert.ok(readFileSync(join(out, file)).equals(readFileSync(join(full, file))), `${file} has the same bytes`);
}

async function answers(engine: SearchEngine, query: string, filters: Record<string, string> = {}): Promise<string[]> {
  const result = await engine.search(query, filters, { sort: 'newest' });
  const docs = await result.take(0, 10_000);
  return Promise.all(docs.map(async (d) => {
    const r = await result.document(d);
    return `${r.chat.slug}#${r.anchor}|${r.text}|${r.path}`;
  }));
}

async function assertSameAnswers(out: string, full: string): Promise<void> {
  const ours = openSearchEngine(join(out, 'search', 'data'));
  const theirs = openSearchEngine(join(full, 'search', 'data'));
  for (const query of [...WORDS, 'message', 'later', 'a', 'quok', 'wombat -bilby']) {
    assert.deepEqual(await answers(ours, query), await answers(theirs, query), query);
  }
  assert.deepEqual(await answers(ours, 'message', { author: 'Zebulon Marchetti' }), await answers(theirs, 'message', { author: 'Zebulon Marchetti' }));
}

test('a second serve with nothing changed resumes and writes only the index page; after imports it resumes and equals a full build, search included', async () => {
  const { dir, db } = twoChats('cc-resume-');
  const out = join(dir, 'served');
  const first = await serveOnce(db, out);
  assert.deepEqual(first.start, { resumed: false, reason: 'no record of a complete build in the output folder' });
  assert.equal(first.stats.incremental, false);

  const again = await serveOnce(db, out);
  assert.equal(again.start.resumed, true, JSON.stringify(again.start));
  assert.deepEqual(again.start, { resumed: true, since: first.stats.changeSeq, changedChats: 0 });
  assert.equal(again.stats.incremental, true);
  assert.equal(again.stats.archivePages, 0, 'nothing changed: no archive page rewritten');

  // More messages by the same people, into Alpha's published June and a new month.
  writeFixture(db, [alpha([...run('later', Date.UTC(2021, 5, 28), 4, hour), ...run('august', Date.UTC(2021, 7, 2), 3, hour)])]);
  const resumed = await serveOnce(db, out);
  assert.deepEqual(resumed.start, { resumed: true, since: first.stats.changeSeq, changedChats: 1 });
  assert.ok(resumed.stats.archivePages > 0 && resumed.stats.archivePages < first.stats.archivePages, `${resumed.stats.archivePages} of ${first.stats.archivePages} pages`);
  await assertSameAsFullBuild(db, out, join(dir, 'full'));
  await assertSameAnswers(out, join(dir, 'full'));
});

/** A build into `out` that stops at its third archive page, having written the two before (a custom layout that throws). */
async function stoppedBuild(db: string, out: string, options: Record<string, unknown>): Promise<void> {
  let pages = 0;
  await assert.rejects(
    buildSite({
      db, out, ...options,
      layout: (page) => {
        if (page.kind === 'archive' && ++pages === 3) throw new Error('stopped halfway');
        return `<!doctype html><title>${page.title}</title>${page.content}`;
      },
    }),
  );
  assert.ok(!existsSync(join(out, STAMP_FILE)), 'the stamp went before the stopped build wrote anything');
}

/** Every file under `dir` with its modification time and size. */
function filesWithTimes(dir: string): string[] {
  return listFiles(dir).map((f) => {
    const s = statSync(join(dir, f));
    return `${f} ${s.mtimeMs} ${s.size}`;
  });
}

test('a build (or serve\'s) whose pages fail stops its search index worker before the failure reaches its caller: nothing is written after', async () => {
  const dir = scratchDir('cc-resume-search-stop-');
  const db = join(dir, 'chats.sqlite');
  // Enough messages that the index takes longer than the pages take to fail.
  writeFixture(db, [alpha(run('a', Date.UTC(2021, 0, 1), 20_000, hour / 4))]);
  const layout = (page: { kind: string; title: string; content: string }) => {
    if (page.kind === 'archive') throw new Error('stopped');
    return `<!doctype html><title>${page.title}</title>${page.content}`;
  };
  for (const how of ['build', 'serve'] as const) {
    const out = join(dir, how);
    await assert.rejects(how === 'build' ? buildSite({ db, out, quiet: true, layout }) : serveSite({ db, out, port: 0, quiet: true, layout }));
    const after = filesWithTimes(out);
    await new Promise((r) => setTimeout(r, 3000));
    assert.deepEqual(filesWithTimes(out), after, `${how}: no file written or removed after the build failed`);
  }
});

test('a build that fails to write a landing page writes no other landing page nor chat feed after it, then or after it returned', async () => {
  const dir = scratchDir('cc-resume-landing-stop-');
  const db = join(dir, 'chats.sqlite');
  // Most recently active first: f, e, d, …
  const chats = ['a', 'b', 'c', 'd', 'e', 'f'].map((c, i) => ({ nativeId: `19:${c}@thread.skype`, title: `Chat ${c}`, messages: run(c, Date.UTC(2021, i, 1), 5, hour) }));
  writeFixture(db, chats);
  const probe = join(dir, 'probe');
  await buildSite({ db, out: probe, quiet: true });
  const landing = (files: string[]) => files.filter((f) => /^chats\/[^/]+\/index\.html$/.test(f));
  const slugOf = (title: string) => landing(listFiles(probe)).find((f) => readFileSync(join(probe, f), 'utf8').includes(`<h1>${title}</h1>`))!.split('/')[1];
  // The second landing page cannot be written: a folder is where it goes.
  const out = join(dir, 'out');
  mkdirSync(join(out, 'chats', slugOf('Chat e'), 'index.html'), { recursive: true });
  await assert.rejects(buildSite({ db, out, quiet: true }));
  const after = filesWithTimes(out);
  await new Promise((r) => setTimeout(r, 1000));
  assert.deepEqual(filesWithTimes(out), after, 'no file written or removed after the build failed');
  const files = listFiles(out);
  const f = slugOf('Chat f');
  assert.deepEqual(landing(files), [`chats/${f}/index.html`]);
  assert.deepEqual(files.filter((p) => /^chats\/[^/]+\/feed\.xml$/.test(p)), [`chats/${f}/feed.xml`]);
});

/** Every file of the output (listed in its manifest or not) that names one of the authors, in its path or its bytes. */
function naming(out: string, names: RegExp): string[] {
  return listFiles(out).filter((f) => names.test(f) || names.test(readFileSync(join(out, f), 'utf8')));
}

/** Two chats, and a direct chat with Zebulon, whose folder is named after them with authors shown. */
function withDirectChat(prefix: string): { dir: string; db: string } {
  const made = twoChats(prefix);
  writeFixture(made.db, [{ nativeId: '8:live:zebulon', kind: 'direct', title: null, messages: run('dm', Date.UTC(2021, 3, 1), 12, 9 * 24 * hour) }]);
  return made;
}

test('a completed "authors hide" build, then an "authors show" build that stops halfway: the next hide serve builds in full and no file names anyone, in its path or bytes', async () => {
  const { dir, db } = withDirectChat('cc-resume-privacy-');
  const out = join(dir, 'out');
  await buildSite({ db, out, authors: 'hide' });
  assert.ok(existsSync(join(out, STAMP_FILE)));
  await stoppedBuild(db, out, { authors: 'show' });
  assert.ok(listFiles(out).some((f) => readFileSync(join(out, f), 'utf8').includes('Zebulon')), 'the stopped build left pages with names');
  assert.ok(readdirSync(join(out, 'chats')).some((slug) => /zebulon/i.test(slug)), 'and a folder named after Zebulon');

  const served = await serveOnce(db, out, { authors: 'hide' });
  assert.deepEqual(served.start, { resumed: false, reason: 'no record of a complete build in the output folder' });
  assert.deepEqual(naming(out, /Zebulon|Quillon|Marchetti|Abernathy/i), []);
  const leaks = scanForLeaks(out, secretsOf(db));
  assert.deepEqual(leaks.map((l) => `${l.file}: ${l.secret}`), []);
  assert.ok(!existsSync(join(out, JOURNAL_FILE)), 'the complete build settled the journal');
  await assertSameAsFullBuild(db, out, join(dir, 'full'), { authors: 'hide' });
});

test('a build asked to write only what changed, over a stopped build\'s claims, builds in full: nothing the stopped "show" build left stays, the journal included', async () => {
  const { dir, db } = withDirectChat('cc-resume-inherited-');
  const out = join(dir, 'out');
  const first = await buildSite({ db, out, authors: 'hide' });
  await stoppedBuild(db, out, { authors: 'show' });
  assert.ok(readFileSync(join(out, JOURNAL_FILE), 'utf8').match(/zebulon/i), "the stopped build's journal names Zebulon's folder");
  const next = await buildSite({ db, out, authors: 'hide', since: first.changeSeq });
  assert.equal(next.incremental, false, 'built in full');
  assert.ok(!existsSync(join(out, JOURNAL_FILE)), 'the journal is settled');
  assert.deepEqual(naming(out, /Zebulon|Quillon|Marchetti|Abernathy/i), []);
  assert.deepEqual(scanForLeaks(out, secretsOf(db)).map((l) => `${l.file}: ${l.secret}`), []);
  await assertSameAsFullBuild(db, out, join(dir, 'full'), { authors: 'hide' });
});

test('a stopped build, then a full build: exactly what a clean build leaves, whether the stopped one had other options or the same', async () => {
  const { dir, db } = withDirectChat('cc-resume-stopped-');
  const out = join(dir, 'out');
  await buildSite({ db, out });
  await stoppedBuild(db, out, { authors: 'hide' });
  assert.ok(readdirSync(join(out, 'chats')).some((slug) => slug.startsWith('c-')), 'the stopped build wrote folders of its own');
  await buildSite({ db, out });
  assert.ok(!existsSync(join(out, JOURNAL_FILE)));
  await assertSameAsFullBuild(db, out, join(dir, 'full'));
  assert.deepEqual(listFiles(join(out, 'search')), listFiles(join(dir, 'full', 'search')), 'the same search files');

  await stoppedBuild(db, out, {});
  await buildSite({ db, out });
  await assertSameAsFullBuild(db, out, join(dir, 'full'));
});

test("a stopped build's journal: files of a project's own outside what it claimed stay; one left in a claimed place of the plugin's goes", async () => {
  const { dir, db } = twoChats('cc-resume-claims-');
  const out = join(dir, 'out');
  await buildSite({ db, out, search: false });
  const own = ['notes.html', 'chats/about.html', 'media/logo/logo.png', 'search/index.html'];
  const left = [`media/${'ab'.repeat(32)}/Zebulon Marchetti.jpg`, `media/thumbs/${'cd'.repeat(32)}-640.webp`];
  for (const f of [...own, ...left]) {
    mkdirSync(join(out, f, '..'), { recursive: true });
    writeFileSync(join(out, f), 'x');
  }
  await stoppedBuild(db, out, { search: false });
  await buildSite({ db, out, search: false });
  for (const f of own) assert.ok(existsSync(join(out, f)), `${f} stays`);
  for (const f of left) assert.ok(!existsSync(join(out, f)), `${f} goes`);
  assert.ok(!existsSync(join(out, 'media', 'thumbs')), 'and the folders it leaves empty');
});

test("a stopped build's journal: a project's own files inside a claimed chat folder, and its own robots.txt, stay; the plugin's stale pages there go", async () => {
  const { dir, db } = twoChats('cc-resume-own-');
  const out = join(dir, 'out');
  await buildSite({ db, out, search: false });
  const chats = readdirSync(join(out, 'chats'));
  const own = [`chats/${chats[0]}/notes.html`, `chats/${chats[0]}/2021/notes.txt`, `chats/${chats[0]}/anchors/README`, `chats/${chats[1]}/media/logo.png`];
  // Paths of the plugin's, which no build publishes now (a month since emptied, another prefix width).
  const left = [`chats/${chats[0]}/1999/01/index.html`, `chats/${chats[0]}/1999/01/02/index.html`, `chats/${chats[0]}/anchors/a.js`, `chats/${chats[1]}/media/1999/index.html`, `chats/${chats[1]}/2021/.index.html.999-0.cc-partial`];
  for (const f of [...own, ...left]) {
    mkdirSync(join(out, f, '..'), { recursive: true });
    writeFileSync(join(out, f), 'x');
  }
  const robots = 'User-agent: *\nAllow: /\n';
  writeFileSync(join(out, 'robots.txt'), robots);
  // Stopped before it came to robots.txt (a template Eleventy writes after the archive pages).
  await stoppedBuild(db, out, { search: false, noindex: true });
  assert.match(readFileSync(join(out, JOURNAL_FILE), 'utf8'), /robots\.txt/, 'the stopped build claimed robots.txt');
  assert.equal(readFileSync(join(out, 'robots.txt'), 'utf8'), robots, 'and had not written it');
  await buildSite({ db, out, search: false });
  for (const f of own) assert.ok(existsSync(join(out, f)), `${f} stays`);
  assert.equal(readFileSync(join(out, 'robots.txt'), 'utf8'), robots, "the project's robots.txt stays");
  for (const f of left) assert.ok(!existsSync(join(out, f)), `${f} goes`);
  assert.ok(!existsSync(join(out, 'chats', chats[0], '1999')), 'and the folders it leaves empty');
  const published = listFiles(out).filter((f) => f.startsWith('chats/') && !own.includes(f));
  assert.ok(published.length > 0);
  for (const f of published) assert.ok(isChatFile(f), `${f}: a file of the plugin's (render/links.ts)`);

  // A stopped noindex build that had written its robots.txt (as one stopped later would have): the next build removes it.
  await stoppedBuild(db, out, { search: false, noindex: true });
  writeFileSync(join(out, 'robots.txt'), 'User-agent: *\nDisallow: /\n');
  await buildSite({ db, out, search: false });
  assert.ok(!existsSync(join(out, 'robots.txt')), "the plugin's robots.txt goes");
  for (const f of own) assert.ok(existsSync(join(out, f)), `${f} still stays`);
});

test('the same with an excluded author, whose pages keep their paths: a resume would have kept the stopped build\'s pages naming them', async () => {
  const { dir, db } = twoChats('cc-resume-privacy-same-');
  const out = join(dir, 'out');
  await buildSite({ db, out, excludeAuthors: ['8:live:zebulon'] });
  assert.deepEqual(naming(out, /Zebulon|Marchetti/), []);
  await stoppedBuild(db, out, {});
  assert.ok(naming(out, /Zebulon|Marchetti/).length > 0, 'the stopped build rewrote published pages with their name');

  const served = await serveOnce(db, out, { excludeAuthors: ['8:live:zebulon'] });
  assert.deepEqual(served.start, { resumed: false, reason: 'no record of a complete build in the output folder' });
  assert.deepEqual(naming(out, /Zebulon|Marchetti/), []);
  await assertSameAsFullBuild(db, out, join(dir, 'full'), { excludeAuthors: ['8:live:zebulon'] });
});

test('other options, another database at the same path, an older copy, a renamed chat, missing files or an edited record: a full build, saying why', async () => {
  const { dir, db } = twoChats('cc-resume-why-');
  const out = join(dir, 'out');
  await serveOnce(db, out);
  const reason = async (options: Partial<ServeOptions> = {}) => {
    const { start } = await serveOnce(db, out, options);
    return start.resumed ? 'resumed' : start.reason;
  };
  assert.equal(await reason(), 'resumed');
  assert.equal(await reason({ timeZone: 'Europe/Berlin' }), 'the site options changed since the last build');
  assert.equal(await reason({ timeZone: 'Europe/Berlin' }), 'resumed');
  assert.equal(await reason(), 'the site options changed since the last build');
  assert.equal(await reason({ exclude: ['19:beta@thread.skype'] }), 'the site options changed since the last build');
  assert.equal(await reason({ pathPrefix: '/archive/' }), 'the site options changed since the last build');
  assert.equal(await reason({ search: false }), 'the site options changed since the last build');
  assert.equal(await reason(), 'the site options changed since the last build');

  // An older copy of the same database put back: its log is behind the build.
  const older = join(dir, 'older.sqlite');
  copyFileSync(db, older);
  writeFixture(db, [alpha(run('later', Date.UTC(2021, 5, 28), 2, hour))]);
  assert.equal(await reason(), 'resumed');
  for (const suffix of ['-wal', '-shm']) rmSync(db + suffix, { force: true });
  copyFileSync(older, db);
  assert.equal(await reason(), 'the database is older than the last build (a copy?)');

  // The same chats imported into a database made anew at that path.
  for (const suffix of ['', '-wal', '-shm']) rmSync(db + suffix, { force: true });
  writeFixture(db, [alpha(run('a', Date.UTC(2021, 5, 10), 30, 5 * hour)), beta(run('b', Date.UTC(2021, 0, 1), 20, 7 * 24 * hour))]);
  assert.equal(await reason(), 'the database is not the one the output was built from');

  // A chat renamed by an import that brought no message: not in the change log.
  writeFixture(db, [alpha([], 'Alpha renamed')]);
  assert.equal(await reason(), 'chats or people were renamed or changed since the last build (the change log does not record that)');
  assert.equal(await reason(), 'resumed');

  const missing = listFiles(out).filter((f) => f.startsWith('chats/')).slice(0, 2);
  for (const f of missing) rmSync(join(out, f));
  assert.equal(await reason(), `${missing.length} file(s) of the last build are missing from the output`);

  const stamp = JSON.parse(readFileSync(join(out, STAMP_FILE), 'utf8'));
  writeFileSync(join(out, STAMP_FILE), JSON.stringify({ ...stamp, code: 'an older chatchannels' }));
  assert.equal(await reason(), 'chatchannels changed since the last build');
  writeFileSync(join(out, '.chatchannels-manifest.json'), readFileSync(join(out, '.chatchannels-manifest.json'), 'utf8').replace('"assets/', '"assets/x'));
  assert.equal(await reason(), "the output's file list changed since the last build");
  assert.equal(await reason(), 'resumed');
  // A journal beside a sound stamp: a build stopped since (an older stamp put back by hand, a crash just after stamping).
  writeFileSync(join(out, JOURNAL_FILE), JSON.stringify({ version: 1, claims: [] }));
  assert.equal(await reason(), 'a build stopped before it completed since the last complete build');
  assert.ok(!existsSync(join(out, JOURNAL_FILE)));
  await assertSameAsFullBuild(db, out, join(dir, 'full'));
});

test('the published build record shows nothing of the database (counts, keys, days, its id) nor a fingerprint of the options: both are sealed, and a damaged seal means a full build', async () => {
  const { dir, db } = twoChats('cc-resume-sealed-');
  const out = join(dir, 'out');
  // The newest message is in a chat the site leaves out: its key, and the counts, name what is not published.
  writeFixture(db, [{ nativeId: '19:hidden@thread.skype', title: 'Hidden', messages: run('h', Date.UTC(2022, 0, 1), 3, hour) }]);
  const options = { exclude: ['19:hidden@thread.skype'] };
  await serveOnce(db, out, options);
  const text = readFileSync(join(out, STAMP_FILE), 'utf8');
  const stamp = JSON.parse(text);
  assert.deepEqual(Object.keys(stamp).sort(), ['code', 'db', 'manifest', 'version'], "the options' fingerprint is sealed too: it would confirm a guess of the excluded ids");
  assert.deepEqual(Object.keys(stamp.db).sort(), ['id', 'sealed']);
  const raw = new Database(db, { readonly: true });
  const secrets = [
    raw.prepare(`SELECT value FROM meta WHERE key = 'database_id'`).pluck().get() as string,
    ...(raw.prepare(`SELECT key FROM message_rows`).pluck().all() as string[]),
    ...(raw.prepare(`SELECT DISTINCT day FROM changes`).pluck().all() as string[]),
  ];
  raw.close();
  for (const secret of secrets) assert.ok(!text.includes(secret), `the record does not show ${secret}`);
  assert.ok(!/"(changeSeq|lastMessage|maxChat|maxPerson|messageKey)"/.test(text));
  assert.equal((await serveOnce(db, out, options)).start.resumed, true, 'resumed from the sealed record');

  const bytes = Buffer.from(stamp.db.sealed, 'base64');
  bytes[bytes.length - 1] ^= 1;
  writeFileSync(join(out, STAMP_FILE), JSON.stringify({ ...JSON.parse(readFileSync(join(out, STAMP_FILE), 'utf8')), db: { ...stamp.db, sealed: bytes.toString('base64') } }));
  const { start } = await serveOnce(db, out, options);
  assert.deepEqual(start, { resumed: false, reason: "the output's record of its last build is damaged" });
});

test('an older chatchannels, which leaves the build record as it is, built into the folder since: serve builds in full, saying why', async () => {
  const { dir, db } = twoChats('cc-resume-older-code-');
  const out = join(dir, 'out');
  await serveOnce(db, out);
  const page = listFiles(out).find((f) => /^chats\/[^/]+\/\d{4}\/\d{2}\/index\.html$/.test(f))!;
  const manifest = join(out, '.chatchannels-manifest.json');
  const reason = 'the output was written since the last build by a build that does not keep this record (an older chatchannels?)';
  // Its pages have other bytes; its manifest lists the same files (the same bytes, so the same hash).
  const olderBuild = (withManifest: boolean) => {
    for (const f of [page, 'index.html']) writeFileSync(join(out, f), readFileSync(join(out, f), 'utf8').replace('</body>', '<p>by an older chatchannels</p></body>'));
    if (withManifest) {
      const bytes = readFileSync(manifest);
      rmSync(manifest);
      writeFileSync(manifest, bytes);
    }
  };
  for (const withManifest of [true, false]) {
    olderBuild(withManifest);
    const { start } = await serveOnce(db, out);
    assert.deepEqual(start, { resumed: false, reason }, withManifest ? 'a version with a manifest' : 'one from before the manifest');
    assert.doesNotMatch(readFileSync(join(out, page), 'utf8'), /older chatchannels/, 'the page built again');
    assert.equal((await serveOnce(db, out)).start.resumed, true, 'then resumed from');
  }
  await assertSameAsFullBuild(db, out, join(dir, 'full'));
});

test('a database no import has given an id is never resumed from', async () => {
  const { dir, db } = twoChats('cc-resume-noid-');
  const out = join(dir, 'out');
  const raw = new Database(db);
  raw.prepare(`DELETE FROM meta WHERE key = 'database_id'`).run();
  raw.close();
  await serveOnce(db, out);
  assert.ok(!existsSync(join(out, STAMP_FILE)), 'no stamp without an id');
  const { start } = await serveOnce(db, out);
  assert.deepEqual(start, { resumed: false, reason: 'no record of a complete build in the output folder' });
});

test('a serve rebuild after a rename the change log misses leaves no stamp: the next serve builds in full', async () => {
  const { dir, db } = twoChats('cc-resume-watch-');
  const out = join(dir, 'out');
  const builds: BuildStats[] = [];
  const server = await serveSite({ db, out, port: 0, quiet: true, search: false, onBuild: (s) => builds.push(s) });
  try {
    for (let i = 0; i < 300 && !existsSync(join(out, STAMP_FILE)); i++) await new Promise((r) => setTimeout(r, 100));
    writeFixture(db, [alpha(run('more', Date.UTC(2021, 5, 29), 2, hour))]);
    for (let i = 0; i < 300 && builds.length < 2; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(builds[1]?.incremental, true);
    for (let i = 0; i < 100 && !existsSync(join(out, STAMP_FILE)); i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok(existsSync(join(out, STAMP_FILE)), 'a rebuild of logged changes over a stamped build is stamped');
    writeFixture(db, [alpha(run('renamed', Date.UTC(2021, 5, 30), 1, hour), 'Alpha renamed')]);
    for (let i = 0; i < 300 && builds.length < 3; i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(builds[2]?.incremental, true);
    await new Promise((r) => setTimeout(r, 500));
  } finally {
    await server.close();
  }
  assert.ok(!existsSync(join(out, STAMP_FILE)), 'a rebuild that missed a rename claims no complete build');
  const { start } = await serveOnce(db, out, { search: false });
  assert.equal(start.resumed, false);
  await assertSameAsFullBuild(db, out, join(dir, 'full'), { search: false });
});

test("a user's Eleventy project with the plugin never writes a stamp, and its builds remove one", async () => {
  const { dir, db } = twoChats('cc-resume-project-');
  const out = join(dir, 'out');
  await buildSite({ db, out });
  assert.ok(existsSync(join(out, STAMP_FILE)));
  const input = join(dir, 'project');
  mkdirSync(input);
  const eleventy = new Eleventy(input, out, { quietMode: true, configPath: false, config: (config: { addPlugin(p: unknown, o: unknown): void }) => config.addPlugin(chatChannels, { db, incremental: true }) });
  eleventy.disableLogger();
  await eleventy.write();
  assert.ok(!existsSync(join(out, STAMP_FILE)));
});
