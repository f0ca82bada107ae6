import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { slugFor, SLUG_MAX } from '../collector/identity/slug.js';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { StoreWriter } from '../collector/store/writer.js';
import { adapterSamples, AUTHORS, type SampleChat, type SampleMessage } from './helpers/format-samples.js';
import { messageKeys } from './helpers/db-state.js';
import { tempDir } from './helpers/temp.js';
import { assertAsyncProperty, assertProperty } from './helpers/seeds.js';
import { storeWriter } from '../collector/import/store-writer.js';
import { requirement } from './helpers/requires.js';

/**
 * Identity under arbitrary input (fast-check): slugs are file-system safe and injective for any
 * Unicode id; message keys do not depend on the order an export lists messages in, survive
 * re-import, and N identical messages stay N, for every source format.
 */

// Windows refuses these as file or folder names in any case, with or without an extension.
const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9¹²³]|lpt[0-9¹²³]|conin\$|conout\$)(\..*)?$/i;

function assertFileSystemSafe(id: string, slug: string): void {
  const where = `slugFor(${JSON.stringify(id)}) = ${JSON.stringify(slug)}`;
  assert.match(slug, /^[a-z0-9]+(?:-[a-z0-9]+)*$/, where);
  assert.doesNotMatch(slug, /[/\\:*?"<>|\0-\x1f]/, where);
  assert.ok(slug.length <= SLUG_MAX, `${where}: ${slug.length} > ${SLUG_MAX} characters`);
  assert.doesNotMatch(slug, WINDOWS_RESERVED, where);
  assert.doesNotMatch(slug, /[. ]$/, where); // Windows drops a trailing dot or space
}

// Ids built to be awkward: path syntax, reserved names, case twins, long runs, every plane.
const awkwardPart = fc.constantFrom(
  '../', '..\\', '/', '\\', '\0', 'CON', 'nul', 'Com1', 'LPT9', 'aux.txt', ':', '*', '?', '"', '<', '>', '|', '.', ' ',
  '19:', '@thread.skype', '8:', '#', '$', ';', 'É', 'é', 'e\u0301', 'ß', 'SS', 'ǅ', 'İ', 'ı', '\u200b', '\ufeff', '\ud800', '🙂',
);
const anyId = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 60 }),
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.array(fc.oneof(awkwardPart, fc.string({ unit: 'binary-ascii', maxLength: 4 })), { maxLength: 20 }).map((p) => p.join('')),
  fc.integer({ min: 61, max: 1200 }).chain((n) => fc.constantFrom('x', 'É', '/', '🙂').map((c) => c.repeat(n))),
);

test('property: a slug is file-system safe for any Unicode id', (t) => {
  assertProperty(t, 
    fc.property(anyId, (id) => assertFileSystemSafe(id, slugFor(id))),
    { numRuns: 2000 },
  );
});

test('property: distinct ids get distinct slugs, even on a case-insensitive file system', (t) => {
  // Case twins of each id are added on purpose: they are different chats.
  const ids = fc.uniqueArray(anyId, { minLength: 2, maxLength: 40 }).map((list) => [...new Set(list.flatMap((id) => [id, id.toUpperCase(), id.toLowerCase()]))]);
  assertProperty(t, 
    fc.property(ids, (list) => {
      const byFolded = new Map<string, string>();
      for (const id of list) {
        const folded = slugFor(id).toLowerCase();
        const other = byFolded.get(folded);
        assert.ok(other === undefined, `${JSON.stringify(id)} and ${JSON.stringify(other)} share the folder ${folded}`);
        byFolded.set(folded, id);
      }
    }),
    { numRuns: 300 },
  );
});

test('a slug already taken (a hash collision) gives the newcomer a longer one; the first chat keeps its own', () => {
  const db = openStore(join(tempDir(), 'slugs.sqlite'));
  try {
    const first = '19:first@thread.skype';
    const second = '19:second@thread.skype';
    db.exec('BEGIN');
    const writer = storeWriter(db);
    writer.beginChat({ nativeId: first }, 'test');
    // Pretend the first chat's slug were the one the second one derives: a 35-bit hash collision.
    db.prepare('UPDATE chats SET slug = ? WHERE native_id = ?').run(slugFor(second), first);
    writer.beginChat({ nativeId: second }, 'test');
    writer.finish();
    db.exec('COMMIT');
    const slugs = new Map(db.prepare('SELECT native_id, slug FROM chats').raw().all() as [string, string][]);
    assert.equal(slugs.get(first), slugFor(second));
    assert.notEqual(slugs.get(second), slugs.get(first));
    assert.ok(slugs.get(second)!.startsWith(slugFor(second)), 'the longer slug extends the usual one');
    assertFileSystemSafe(second, slugs.get(second)!);
  } finally {
    db.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Keys, per format

const WORDS = ['hello', 'ok', 'lunch?', 'Grüße', 'ça va', '你好', '👍', 'bug #12', 'deploy', 'x', 'https://example.com/a'];

interface Drawn {
  chats: SampleChat[];
  /** The same chats, each chat's messages (and the chats) in another order. */
  shuffled: SampleChat[];
}

/**
 * Random chats of a few messages, with exact repeats (same id, author, time and body: a bot, or
 * an export that lists a message twice) and different messages in the same minute.
 */
function drawnChats(multiChat: boolean): fc.Arbitrary<Drawn> {
  const message = fc.record({
    author: fc.constantFrom(...AUTHORS),
    minute: fc.integer({ min: 0, max: 40 }),
    body: fc.array(fc.constantFrom(...WORDS), { minLength: 1, maxLength: 5 }).map((w) => w.join(' ')),
    repeats: fc.constantFrom(1, 1, 1, 2, 3),
  });
  const chat = fc.array(message, { minLength: 1, maxLength: 10 });
  return fc
    .record({
      chats: fc.array(chat, { minLength: 1, maxLength: multiChat ? 3 : 1 }),
      seed: fc.integer(),
    })
    .map(({ chats, seed }) => {
      const t0 = Date.UTC(2023, 5, 1, 8, 0);
      const built: SampleChat[] = chats.map((drawn, c) => {
        const messages: SampleMessage[] = [];
        drawn.forEach((m, i) => {
          const one: SampleMessage = {
            id: `${c}${String(i).padStart(3, '0')}`,
            author: m.author,
            authorName: m.author.toUpperCase(),
            time: t0 + m.minute * 60_000,
            body: m.body,
          };
          for (let r = 0; r < m.repeats; r++) messages.push({ ...one });
        });
        // Chronological, as every export is; ties in drawing order.
        messages.sort((a, b) => a.time - b.time);
        return { id: `19:chat${c}@thread.skype`, title: `Chat ${c}`, messages };
      });
      const shuffled = shuffle(
        built.map((c) => ({ ...c, messages: shuffleSameMinute(c.messages, seed) })),
        seed,
      );
      return { chats: built, shuffled };
    });
}

/** Deterministic Fisher–Yates. */
function shuffle<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let s = seed >>> 0 || 1;
  for (let i = out.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}

/**
 * Another listing of the same messages: messages of the same minute in another order (a chat
 * log is chronological, so a reordering that keeps any format's file valid moves messages only
 * among those sent at the same time) and, for formats whose files carry their own times
 * regardless of position, the whole list shuffled.
 */
function shuffleSameMinute(messages: SampleMessage[], seed: number): SampleMessage[] {
  const groups = new Map<number, SampleMessage[]>();
  for (const m of messages) groups.set(m.time, [...(groups.get(m.time) ?? []), m]);
  return [...groups.keys()].sort((a, b) => a - b).flatMap((t) => shuffle(groups.get(t)!, seed ^ t));
}

for (const { adapter, sample } of adapterSamples()) {
  test(`property (${adapter.format}): keys are stable under re-import and reordering; N identical messages stay N`, { skip: requirement(!sample && `no sample row for ${adapter.format} in test/helpers/format-samples.ts`) }, async (t) => {
    const root = tempDir(`cc-prop-keys-${adapter.format}-`);
    let run = 0;
    await assertAsyncProperty(t, 
      fc.asyncProperty(drawnChats(sample!.multiChat), async ({ chats, shuffled }) => {
        const dir = mkdtempSync(join(root, `${run++}-`));
        try {
          const inputs = (list: SampleChat[], name: string): string[] =>
            sample!.multiChat ? [sample!.write(mkdtempSync(join(dir, name)), list)] : list.map((c) => sample!.write(mkdtempSync(join(dir, name)), [c]));
          const ordered = inputs(chats, 'a-');
          const reordered = inputs(shuffled, 'b-');
          const total = chats.reduce((n, c) => n + c.messages.length, 0);

          const dbA = join(dir, 'a.sqlite');
          const dbB = join(dir, 'b.sqlite');
          const importInto = async (file: string, paths: string[]) => {
            const db = openStore(file);
            try {
              return await importPaths(db, paths, { format: adapter.format });
            } finally {
              db.close();
            }
          };
          const first = await importInto(dbA, ordered);
          assert.equal(first.newMessages, total, 'every message stored, repeats included');
          const keys = messageKeys(dbA);
          assert.equal(keys.length, total);

          const again = await importInto(dbA, ordered);
          assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, 're-import changes nothing');
          assert.deepEqual(messageKeys(dbA), keys);

          await importInto(dbB, reordered);
          assert.deepEqual(messageKeys(dbB), keys, 'the same keys (and anchors) whatever the order');

          // The reordered input as a second, overlapping export of the same chats: nothing new.
          const overlap = await importInto(dbA, reordered);
          assert.equal(overlap.newMessages, 0, 'an overlapping export adds nothing');
          assert.deepEqual(messageKeys(dbA), keys);
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
      }),
      { numRuns: 8 },
    );
  });
}

test('every source format has a sample row (the suites cover a new format only through it)', () => {
  const missing = adapterSamples().filter((a) => !a.sample).map((a) => a.adapter.format);
  assert.deepEqual(missing, [], 'add a row to FORMAT_SAMPLES in test/helpers/format-samples.ts');
});
