import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { importPaths, type ImportSummary } from '../collector/import.js';
import { openStore, type Db } from '../collector/store/open.js';
import { FORMAT_SAMPLES, type FormatSample, type SampleMessage } from './helpers/format-samples.js';
import { propertySeeds } from './helpers/seeds.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';

/**
 * The near-duplicate merge (collector/store/merge.ts) never absorbs a distinct message: exact key
 * matches are resolved before near ones, a message with a native id only merges with one whose id
 * is equal or absent, the result does not depend on the order exports are imported in, and a
 * re-export at the same path with shifted clocks merges like one at another path. Through real
 * imports of every format's sample exports (test/helpers/format-samples.ts).
 */

const CHAT = '19:merge@thread.skype';
const ID_FORMATS = ['skype-export', 'skype-maindb', 'telegram', 'slack', 'discord'];
const sampleOf = (format: string): FormatSample => FORMAT_SAMPLES.find((s) => s.format === format)!;
const T0 = Date.UTC(2023, 5, 1, 8, 0);

function say(id: number, time: number, body: string, author = 'alice'): SampleMessage {
  return { id: String(1000 + id), author, authorName: author.toUpperCase(), time, body };
}

/** Writes `messages` as one export of `sample` in a fresh folder under `root` (or exactly at `dir`). */
function exportOf(sample: FormatSample, root: string, messages: SampleMessage[], dir?: string): string {
  const into = dir ?? mkdtempSync(join(root, 'x-'));
  mkdirSync(into, { recursive: true });
  return sample.write(into, [{ id: CHAT, title: 'Merge', messages: [...messages].sort((a, b) => a.time - b.time) }]);
}

async function importAll(db: Db, sample: FormatSample, paths: string[]): Promise<ImportSummary> {
  return importPaths(db, paths, { format: sample.format });
}

function rows(db: Db): number {
  return scalar(db, 'SELECT count(*) FROM messages') as number;
}

/** Imports the exports in every order, each in its own run and all in one run: always `expected` rows. */
async function assertRowsInEveryOrder(sample: FormatSample, exports: string[], expected: number, root: string): Promise<void> {
  const orders = exports.length === 2 ? [exports, [...exports].reverse()] : [exports];
  for (const order of orders) {
    for (const oneRun of [false, true]) {
      const db = openStore(join(mkdtempSync(join(root, 'db-')), 'store.sqlite'));
      try {
        if (oneRun) await importAll(db, sample, order);
        else for (const path of order) await importAll(db, sample, [path]);
        const how = `${order.map((p) => p.slice(root.length)).join(' then ')}${oneRun ? ' in one run' : ''}`;
        assert.equal(rows(db), expected, `${sample.format}: ${how}`);
        const again = await importAll(db, sample, order);
        assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, `${sample.format}: ${how}, re-imported`);
        assert.equal(rows(db), expected);
      } finally {
        db.close();
      }
    }
  }
}

for (const format of ID_FORMATS) {
  const sample = sampleOf(format);

  test(`${format}: two "ok" 30 s apart, the first export holding only the later one, stay two`, async () => {
    const root = tempDir();
    const okA = say(1, T0, 'ok');
    const okB = say(2, T0 + 30_000, 'ok');
    await assertRowsInEveryOrder(sample, [exportOf(sample, root, [okB]), exportOf(sample, root, [okA, okB])], 2, root);
  });

  test(`${format}: three "lol" 90 s apart, the first export holding the middle one, stay three`, async () => {
    const root = tempDir();
    const lol = [0, 1, 2].map((i) => say(i, T0 + i * 90_000, 'lol'));
    await assertRowsInEveryOrder(sample, [exportOf(sample, root, [lol[1]]), exportOf(sample, root, lol)], 3, root);
  });

  test(`${format}: the same line across a day boundary, in date-range exports, stays two`, async () => {
    const root = tempDir();
    const late = say(1, Date.UTC(2023, 5, 1, 23, 59, 45), 'ok');
    const early = say(2, Date.UTC(2023, 5, 2, 0, 0, 15), 'ok');
    // Day 1's export, then one of both days; and an export of day 2 alone.
    await assertRowsInEveryOrder(sample, [exportOf(sample, root, [late]), exportOf(sample, root, [late, early])], 2, root);
    await assertRowsInEveryOrder(sample, [exportOf(sample, root, [late]), exportOf(sample, root, [early])], 2, root);
  });

  test(`${format}: a message with another native id is never absorbed, even when nothing else claims the stored one`, async () => {
    const root = tempDir();
    await assertRowsInEveryOrder(sample, [exportOf(sample, root, [say(1, T0, 'ok')]), exportOf(sample, root, [say(2, T0 + 40_000, 'ok')])], 2, root);
  });
}

// Slack's ts is both the message id and its time, so its clock cannot shift under the same id.
for (const format of ID_FORMATS.filter((f) => f !== 'slack')) {
  const sample = sampleOf(format);
  test(`${format}: a re-export at the same path with clocks 1–2 s off merges, as at another path`, async () => {
    const root = tempDir();
    const chat = Array.from({ length: 10 }, (_, i) => say(i, T0 + i * 20_000, i % 3 ? `line ${i}` : 'ok', i % 2 ? 'bob' : 'alice'));
    const shifted = chat.map((m, i) => ({ ...m, time: m.time + (i % 2 ? 1000 : 2000) }));
    for (const samePath of [true, false]) {
      const db = openStore(join(mkdtempSync(join(root, 'db-')), 'store.sqlite'));
      try {
        const dir = join(root, `export-${samePath}`);
        await importAll(db, sample, [exportOf(sample, root, chat, dir)]);
        rmSync(dir, { recursive: true, force: true });
        const second = await importAll(db, sample, [exportOf(sample, root, shifted, samePath ? dir : undefined)]);
        assert.equal(rows(db), 10, `${format}, ${samePath ? 'same path' : 'another path'}`);
        assert.equal(second.mergedMessages, 10);
        assert.equal(second.newMessages, 0);
      } finally {
        db.close();
      }
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Formats without ids

test('whatsapp: a re-export with an edited and a deleted message updates them in place, in either order', async () => {
  const sample = sampleOf('whatsapp');
  const root = tempDir();
  const minute = (i: number) => T0 + i * 60_000;
  const before = [
    say(0, minute(0), 'helo', 'alice'),
    say(1, minute(0), 'ok', 'bob'),
    say(2, minute(1), 'meet at 5?', 'alice'),
    say(3, minute(1), 'ok', 'alice'),
    say(4, minute(2), 'see you', 'bob'),
  ];
  const after = [
    { ...before[0], body: 'hello <This message was edited>' },
    before[1],
    { ...before[2], body: 'This message was deleted' },
    before[3],
    before[4],
    say(5, minute(3), 'bye', 'bob'),
  ];
  const first = exportOf(sample, root, before);
  const second = exportOf(sample, root, after);
  for (const order of [[first, second], [second, first]]) {
    for (const oneRun of [false, true]) {
      const db = openStore(join(mkdtempSync(join(root, 'db-')), 'store.sqlite'));
      try {
        const anchors = new Map<string, string>();
        if (oneRun) {
          await importAll(db, sample, order);
        } else {
          await importAll(db, sample, [order[0]]);
          for (const [text, anchor] of db.prepare(`SELECT author_name || ': ' || text, anchor FROM messages`).raw().all() as [string, string][]) anchors.set(text, anchor);
          const summary = await importAll(db, sample, [order[1]]);
          if (order[0] === first) {
            assert.deepEqual([summary.newMessages, summary.updatedMessages], [1, 2], 'one new, the edit and the deletion updated');
          }
        }
        const stored = db.prepare('SELECT author_name, text, deleted, anchor FROM messages ORDER BY time, id').all() as { author_name: string; text: string; deleted: number; anchor: string }[];
        const how = `${order[0] === first ? 'first then second' : 'second then first'}${oneRun ? ' in one run' : ''}`;
        assert.equal(stored.length, 6, how);
        assert.ok(stored.some((m) => m.text.startsWith('hello') && m.author_name === 'ALICE'), `${how}: the edit is what is shown`);
        assert.ok(!stored.some((m) => m.text === 'helo'), `${how}: the text before the edit is gone`);
        assert.equal(stored.filter((m) => m.deleted).length, 1, `${how}: the deletion is kept`);
        assert.ok(!stored.some((m) => m.text === 'meet at 5?'), how);
        // Anchors never change once published.
        for (const m of stored) {
          const line = `${m.author_name}: ${m.text}`;
          if (anchors.has(line)) assert.equal(m.anchor, anchors.get(line), `${how}: ${line}`);
        }
        if (!oneRun && order[0] === first) {
          assert.ok(stored.some((m) => m.anchor === anchors.get('ALICE: helo')), 'the edited message keeps its anchor');
          assert.ok(stored.some((m) => m.anchor === anchors.get('ALICE: meet at 5?')), 'the deleted message keeps its anchor');
        }
        for (const path of [...order, ...order]) {
          const again = await importAll(db, sample, [path]);
          assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, `${how}: re-import of ${path} changes nothing`);
        }
        assert.equal(rows(db), 6);
      } finally {
        db.close();
      }
    }
  }
});

test('irc: a growing log, continued from its cursor, keeps identical lines a minute apart (never merged, never doubled)', async () => {
  const sample = sampleOf('irc');
  const root = tempDir();
  const log = exportOf(sample, root, [say(0, T0, 'ok'), say(1, T0 + 60_000, 'ok')]);
  const db = openStore(join(root, 'store.sqlite'));
  try {
    assert.equal((await importAll(db, sample, [log])).newMessages, 2);
    appendFileSync(log, '08:02 < alice> ok\n08:03 < alice> ok\n');
    const grown = await importAll(db, sample, [log]);
    assert.deepEqual([grown.newMessages, grown.mergedMessages], [2, 0]);
    assert.equal(rows(db), 4);
    const full = await importPaths(db, [log], { format: 'irc', full: true });
    assert.equal(full.newMessages + full.mergedMessages + full.updatedMessages, 0);
    assert.equal(rows(db), 4);
  } finally {
    db.close();
  }
});
