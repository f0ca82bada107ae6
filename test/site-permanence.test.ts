import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStore } from '../collector/store/open.js';
import { writeFixture, type FixtureMessage } from './helpers/fixture-db.js';
import { anchorsIn, archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * docs/design.md: "a message's URL never changes as new messages arrive or old ones are back-filled".
 * Build, import more (newer messages, older ones, a flood into an already published month, a new
 * chat), build again: every anchor of the first build is on the same page in the second.
 */
function run(chat: string, prefix: string, start: number, count: number, stepMs: number): FixtureMessage[] {
  return Array.from({ length: count }, (_, i) => ({
    nativeId: `${prefix}${i}`,
    author: i % 2 ? '8:live:ann' : '8:live:ben',
    authorName: i % 2 ? 'Ann' : 'Ben',
    time: start + i * stepMs,
    body: `${chat} ${prefix} message ${i}`,
  }));
}

function anchorPages(out: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const page of archivePages(listFiles(out))) {
    const chat = page.split('/')[1];
    for (const anchor of anchorsIn(read(out, page))) map.set(`${chat}#${anchor}`, page);
  }
  return map;
}

test('every published anchor keeps its URL when messages are added or back-filled', async () => {
  const db = join(scratchDir('cc-site-perm-'), 'chats.sqlite');
  const hour = 3_600_000;
  writeFixture(db, [
    {
      nativeId: '19:alpha@thread.skype',
      title: 'Alpha',
      messages: [...run('alpha', 'a', Date.UTC(2021, 5, 10), 30, 5 * hour), ...run('alpha', 'big', Date.UTC(2021, 8, 1), 1200, 30 * 60_000)],
    },
    { nativeId: '19:beta@thread.skype', title: 'Beta', messages: run('beta', 'b', Date.UTC(2022, 0, 1), 20, 24 * hour) },
  ]);
  const before = anchorPages((await buildInto(db)).out);
  assert.ok(before.size === 1250);
  assert.ok([...before.values()].some((p) => /\/2021\/09\/\d\d\/index\.html$/.test(p)), 'September 2021 is split into days');

  writeFixture(db, [
    {
      nativeId: '19:alpha@thread.skype',
      title: 'Alpha (renamed)',
      messages: [
        // Newer messages, in a published month and in new months.
        ...run('alpha', 'late', Date.UTC(2021, 5, 28), 40, 2 * hour),
        // Older ones back-filled: into a published month, and a month before everything.
        ...run('alpha', 'early', Date.UTC(2021, 5, 1), 10, hour),
        ...run('alpha', 'ancient', Date.UTC(2019, 0, 1), 5, hour),
        // A flood into a month that was published as one page: it stays one page.
        ...run('alpha', 'flood', Date.UTC(2021, 5, 12), 1500, 60_000),
      ],
    },
    { nativeId: '19:beta@thread.skype', messages: run('beta', 'b2', Date.UTC(2021, 11, 31), 3, hour) },
    { nativeId: '19:gamma@thread.skype', title: 'Gamma', messages: run('gamma', 'g', Date.UTC(2023, 0, 1), 5, hour) },
  ]);
  const { out } = await buildInto(db);
  const after = anchorPages(out);
  assert.equal(after.size, 1250 + 40 + 10 + 5 + 1500 + 3 + 5);
  for (const [anchor, page] of before) assert.equal(after.get(anchor), page, `${anchor} moved`);
  const files = listFiles(out);
  assert.ok(!files.some((f) => /\/2021\/06\/\d\d\/index\.html$/.test(f)), 'June 2021 stays one page');
  // The landing page resolves old anchors through the map files, which list the same pages.
  for (const [id, page] of before) {
    const [chat, anchor] = id.split('#');
    const map = read(out, `chats/${chat}/anchors/all.js`);
    const path = page.slice(`chats/${chat}/`.length, -'index.html'.length);
    assert.match(map, new RegExp(`"${path}":"[^"]*\\b${anchor.slice(1)}\\b`), `${id} not mapped to ${path}`);
  }
});

test('a build reads while the collector writes, and sees only committed messages', async () => {
  const db = join(scratchDir('cc-site-wal-'), 'chats.sqlite');
  writeFixture(db, [{ nativeId: '19:live@thread.skype', title: 'Live', messages: run('live', 'l', Date.UTC(2024, 0, 1), 10, 60_000) }]);
  // Another connection holds a write transaction (an import in progress) for the whole build.
  const writer = openStore(db);
  writer.exec('BEGIN IMMEDIATE');
  writer.prepare('UPDATE chats SET title = ? WHERE native_id = ?').run('Renamed, not committed', '19:live@thread.skype');
  try {
    const { out } = await buildInto(db);
    const index = read(out, 'index.html');
    assert.match(index, />Live</);
    assert.doesNotMatch(index, /not committed/);
  } finally {
    writer.exec('ROLLBACK');
    writer.close();
  }
});
