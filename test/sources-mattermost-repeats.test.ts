import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { importPaths } from '../collector/import/index.js';
import { messageKey, repeatId } from '../collector/identity/key.js';
import { openStore, type Db } from '../collector/store/open.js';
import { propertySeeds } from './helpers/seeds.js';
import { tempDir } from './helpers/temp.js';

/**
 * Mattermost's bulk export has no post ids: a post is its channel, author and create_at, and
 * posts of one author in one millisecond are numbered by their place in one export
 * (`create_at`, `create_at#n`). An export lacking one of them numbers the others differently;
 * the store (collector/store/repeats.ts) keeps each text, keeps every key it stored before, lets a
 * real edit (edit_at) update its post and keeps replies under their own root.
 */

const T0 = Date.UTC(2023, 5, 1, 8, 0);
const CHAT = 'sample/merge';

interface Post {
  user: string;
  message: string;
  create_at: number;
  edit_at?: number;
  replies?: Post[];
}

const post = (message: string, user = 'alice', create_at = T0, more: Partial<Post> = {}): Post => ({ user, message, create_at, ...more });

/** A bulk export folder holding `posts` (in this order) in one channel. */
function exportOf(root: string, posts: Post[]): string {
  const dir = mkdtempSync(join(root, 'x-'));
  mkdirSync(join(dir, 'data'));
  const users = [...new Set(posts.flatMap((p) => [p.user, ...(p.replies ?? []).map((r) => r.user)]))];
  const lines = [
    { type: 'version', version: 1 },
    { type: 'team', team: { name: 'sample', display_name: 'Sample', type: 'O' } },
    { type: 'channel', channel: { team: 'sample', name: 'merge', display_name: 'Merge', type: 'O' } },
    ...users.map((username) => ({ type: 'user', user: { username, teams: [{ name: 'sample', channels: [{ name: 'merge' }] }] } })),
    ...posts.map((p) => ({ type: 'post', post: { team: 'sample', channel: 'merge', type: '', props: {}, reactions: [], edit_at: 0, ...p, replies: (p.replies ?? []).map((r) => ({ edit_at: 0, ...r })) } })),
  ];
  writeFileSync(join(dir, 'import.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
  return dir;
}

function freshDb(root: string): Db {
  return openStore(join(mkdtempSync(join(root, 'db-')), 'store.sqlite'));
}

/** key → `author: text` of every stored row. */
function keyed(db: Db): Map<string, string> {
  const all = db.prepare(`SELECT m.key, p.native_id || ': ' || m.text AS line FROM messages m JOIN people p ON p.id = m.author_id`).all() as { key: string; line: string }[];
  return new Map(all.map((r) => [r.key, r.line.replace(/^mattermost:/, '')]));
}

function anchors(db: Db): Map<string, string> {
  return new Map((db.prepare(`SELECT key, anchor FROM messages`).raw().all() as [string, string][]));
}

/** The key the adapter always gave a post: its create_at, `#n` for the n-th of its author's in that ms. */
const oldKey = (user: string, time: number, n = 0) => messageKey({ chat: CHAT, author: `mattermost:${user}`, time, identity: repeatId(String(time), n) });

test('mattermost repeats: keys stored before never change — an export without same-ms repeats, or with them re-imported, keeps its create_at(#n) keys, whatever came between', async () => {
  const root = tempDir();
  const full = [post('ok'), post('ok'), post('lol'), post('hi', 'bob'), post('later', 'alice', T0 + 1000)];
  const expected = new Map([
    [oldKey('alice', T0), 'alice: ok'],
    [oldKey('alice', T0, 1), 'alice: ok'],
    [oldKey('alice', T0, 2), 'alice: lol'],
    [oldKey('bob', T0), 'bob: hi'],
    [oldKey('alice', T0 + 1000), 'alice: later'],
  ]);
  const subsets = [[post('lol')], [post('ok'), post('lol')], [post('lol'), post('ok')], [post('nope')], [post('later', 'alice', T0 + 1000)]];
  const fullExport = exportOf(root, full);
  // The full export first: its keys are the old ones; a subset later, then the full export again, changes none.
  for (const subset of subsets) {
    const db = freshDb(root);
    try {
      const first = await importPaths(db, [fullExport]);
      assert.equal(first.newMessages, 5);
      assert.deepEqual(keyed(db), expected);
      const published = anchors(db);
      await importPaths(db, [exportOf(root, subset)]);
      const again = await importPaths(db, [fullExport]);
      const how = subset.map((p) => p.message).join(', ');
      assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, how);
      for (const [key, anchor] of published) assert.equal(anchors(db).get(key), anchor, `${how}: ${expected.get(key)}`);
      const texts = [...keyed(db).values()].sort();
      const extra = subset.some((p) => p.message === 'nope') ? ['alice: nope'] : [];
      assert.deepEqual(texts, [...expected.values(), ...extra].sort(), how);
    } finally {
      db.close();
    }
  }
  // Exports without repeats: every key is the old one, in any order and run.
  const a = exportOf(root, [post('ok'), post('hi', 'bob'), post('x', 'alice', T0 + 1)]);
  const b = exportOf(root, [post('x', 'alice', T0 + 1), post('y', 'alice', T0 + 2)]);
  for (const paths of [[a, b], [b, a]]) {
    const db = freshDb(root);
    try {
      await importPaths(db, paths);
      assert.deepEqual(
        keyed(db),
        new Map([[oldKey('alice', T0), 'alice: ok'], [oldKey('bob', T0), 'bob: hi'], [oldKey('alice', T0 + 1), 'alice: x'], [oldKey('alice', T0 + 2), 'alice: y']]),
      );
    } finally {
      db.close();
    }
  }
});

test('mattermost repeats: a real edit (edit_at) still updates its post, repeats of one ms or not', async () => {
  const root = tempDir();
  const cases: { before: Post[]; after: Post[]; texts: string[] }[] = [
    { before: [post('ok')], after: [post('ok!', 'alice', T0, { edit_at: T0 + 5000 })], texts: ['ok!'] },
    { before: [post('ok'), post('lol')], after: [post('ok!', 'alice', T0, { edit_at: T0 + 5000 }), post('lol')], texts: ['lol', 'ok!'] },
    { before: [post('ok'), post('lol')], after: [post('ok'), post('lol!', 'alice', T0, { edit_at: T0 + 5000 })], texts: ['lol!', 'ok'] },
    // The first one deleted since, the second one edited: taken for the first one's edit (nothing tells them apart).
    { before: [post('ok')], after: [post('lol', 'alice', T0, { edit_at: T0 + 5000 })], texts: ['lol'] },
  ];
  for (const { before, after, texts } of cases) {
    const db = freshDb(root);
    try {
      await importPaths(db, [exportOf(root, before)]);
      const ids = db.prepare(`SELECT id FROM messages ORDER BY id`).pluck().all();
      const later = await importPaths(db, [exportOf(root, after)]);
      const how = `${before.map((p) => p.message)} then ${after.map((p) => p.message)}`;
      assert.equal(later.newMessages, 0, how);
      assert.equal(later.updatedMessages, 1, how);
      assert.deepEqual(db.prepare(`SELECT id FROM messages ORDER BY id`).pluck().all(), ids, how);
      assert.deepEqual(db.prepare(`SELECT text FROM messages ORDER BY text`).pluck().all(), texts, how);
    } finally {
      db.close();
    }
  }
});

test('mattermost repeats: replies stay under their own root when that root takes another key, in every order, run and thread', async () => {
  const root = tempDir();
  const ok = post('ok', 'alice', T0, { replies: [post('re ok', 'bob', T0 + 5000)] });
  const lol = post('lol', 'alice', T0, { replies: [post('re lol', 'bob', T0 + 6000)] });
  for (const [first, second] of [[[ok, lol], [lol]], [[ok, lol], [lol, ok]], [[lol], [ok]]]) {
    const a = exportOf(root, first);
    const b = exportOf(root, second);
    for (const order of [[a, b], [b, a]]) {
      for (const oneRun of [false, true]) {
        // The reading thread (import/threaded.ts) only once per case: starting one takes a while.
        for (const thread of oneRun ? [false] : [false, true]) {
          const db = freshDb(root);
          const how = `${first.map((p) => p.message)} and ${second.map((p) => p.message)}${order[0] === b ? ', reversed' : ''}${oneRun ? ', one run' : ''}${thread ? ', threaded' : ''}`;
          try {
            if (oneRun) await importPaths(db, order, { thread });
            else for (const path of order) await importPaths(db, [path], { thread });
            const roots = db
              .prepare(`SELECT r.text || ' < ' || coalesce(q.text, '?') FROM messages r LEFT JOIN messages q ON q.key = r.reply_to_key WHERE r.reply_to_key IS NOT NULL ORDER BY r.text`)
              .pluck()
              .all();
            const sent = new Set([...first, ...second].map((p) => p.message));
            assert.deepEqual(roots, [...sent].sort().map((t) => `re ${t} < ${t}`), how);
            assert.deepEqual(db.prepare(`SELECT count(*) FROM messages`).pluck().get(), sent.size * 2, how);
            const again = await importPaths(db, order);
            assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, `${how}, re-imported`);
          } finally {
            db.close();
          }
        }
      }
    }
  }
});

test('property: same-ms posts in exports holding any part of them, in any order and run, store each text as often as one export holds it; a re-import changes nothing', async (t) => {
  const arb = fc.record({
    posts: fc.array(fc.record({ user: fc.constantFrom('alice', 'bob'), message: fc.constantFrom('ok', 'lol', 'ok!'), ms: fc.integer({ min: 0, max: 1 }) }), { minLength: 1, maxLength: 6 }),
    exports: fc.array(fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }), { minLength: 1, maxLength: 3 }),
    oneRun: fc.boolean(),
  });
  for (const seed of propertySeeds(t)) {
    await fc.assert(
      fc.asyncProperty(arb, async ({ posts, exports, oneRun }) => {
        const root = tempDir();
        const lists = exports.map((holds) => posts.filter((_, i) => holds[i]).map((p) => post(p.message, p.user, T0 + p.ms)));
        const db = freshDb(root);
        try {
          const paths = lists.map((list) => exportOf(root, list));
          if (oneRun) await importPaths(db, paths);
          else for (const path of paths) await importPaths(db, [path]);
          const expected = new Map<string, number>();
          for (const list of lists) {
            const counts = new Map<string, number>();
            for (const p of list) counts.set(`${p.user}@${p.create_at}: ${p.message}`, (counts.get(`${p.user}@${p.create_at}: ${p.message}`) ?? 0) + 1);
            for (const [line, n] of counts) expected.set(line, Math.max(n, expected.get(line) ?? 0));
          }
          const stored = new Map<string, number>();
          for (const line of db.prepare(`SELECT substr(p.native_id, 12) || '@' || m.time || ': ' || m.text FROM messages m JOIN people p ON p.id = m.author_id`).pluck().all() as string[]) {
            stored.set(line, (stored.get(line) ?? 0) + 1);
          }
          assert.deepEqual([...stored].sort(), [...expected].sort());
          const again = await importPaths(db, paths);
          assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, 're-imported');
        } finally {
          db.close();
        }
      }),
      { seed, numRuns: 15 },
    );
  }
});
