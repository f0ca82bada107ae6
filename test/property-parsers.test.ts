import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { importPaths } from '../collector/import/index.js';
import { openStore, type Db } from '../collector/store/open.js';
import { SourceError } from '../collector/sources/types.js';
import { adapterSamples, ordinaryChats, packed, type SampleChat } from './helpers/format-samples.js';
import { tempDir } from './helpers/temp.js';
import { assertAsyncProperty, type SeedContext } from './helpers/seeds.js';
import { requirement } from './helpers/requires.js';

/**
 * Every adapter, fed mutated copies of a valid input of its format through the real importer,
 * either imports (perhaps with warnings) or fails with a SourceError naming the input: never a
 * TypeError, a RangeError, an SQLite constraint error or a hang. Mutations: truncation at any
 * byte, byte flips, inserted and deleted runs, repeated chunks; for JSON files random JSON and a
 * random value put anywhere in the tree; for SQLite files random values in random cells; for
 * formats also shipped packed, the bytes of the .tar or .zip.
 */

// Per mutation kind and format (~200 imports per format); CC_FUZZ_RUNS=2000 for a deep local run.
const RUNS = Number(process.env.CC_FUZZ_RUNS) || 30;

/** A chat richer than the ordinary one: markup, an edit, an empty body, long and odd text. */
function richChats(): SampleChat[] {
  const chats = ordinaryChats();
  const t0 = Date.UTC(2022, 3, 1, 9, 0);
  chats.push({
    id: '19:rich@thread.skype',
    title: 'Rich "chat" <b>',
    messages: [
      { id: '2001', author: 'alice', authorName: 'Alice', time: t0, body: '<b>bold</b> &amp; <i>it</i>' },
      { id: '2002', author: 'bob', authorName: 'Bob', time: t0 + 60_000, body: 'multi\nline\nmessage' },
      { id: '2003', author: 'dave', authorName: 'Dave', time: t0 + 120_000, body: 'x'.repeat(3000) },
    ],
  });
  return chats;
}

type Kind = 'json' | 'sqlite' | 'bytes';

function kindOf(bytes: Buffer): Kind {
  if (bytes.subarray(0, 16).toString('latin1') === 'SQLite format 3\0') return 'sqlite';
  try {
    JSON.parse(bytes.toString('utf8'));
    return 'json';
  } catch {
    return 'bytes';
  }
}

/** A mutation applied to a copy of the main file; described by fast-check when it fails. */
type Mutation =
  | { op: 'truncate'; at: number }
  | { op: 'flip'; flips: [number, number][] }
  | { op: 'insert'; at: number; bytes: Uint8Array }
  | { op: 'delete'; at: number; length: number }
  | { op: 'repeat'; at: number; length: number; times: number }
  | { op: 'json'; text: string }
  | { op: 'json-node'; pick: number; value: unknown }
  | { op: 'sql-cell'; pick: number; row: number; value: unknown };

function byteMutations(size: number): fc.Arbitrary<Mutation>[] {
  const at = fc.integer({ min: 0, max: Math.max(0, size - 1) });
  return [
    at.map((n): Mutation => ({ op: 'truncate', at: n })),
    fc.array(fc.tuple(at, fc.integer({ min: 1, max: 255 })), { minLength: 1, maxLength: 8 }).map((flips): Mutation => ({ op: 'flip', flips })),
    fc.record({ at, bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.constantFrom(...SPECIAL_BYTES)) }).map((r): Mutation => ({ op: 'insert', ...r })),
    fc.record({ at, length: fc.integer({ min: 1, max: 64 }) }).map((r): Mutation => ({ op: 'delete', ...r })),
    fc.record({ at, length: fc.integer({ min: 1, max: 200 }), times: fc.integer({ min: 2, max: 5 }) }).map((r): Mutation => ({ op: 'repeat', ...r })),
  ];
}

// Bytes that break parsers in interesting ways: lone UTF-8 lead and continuation bytes, an
// overlong encoding, a UTF-16 BOM, NUL, quotes and brackets that unbalance JSON, CR without LF.
const SPECIAL_BYTES = [
  Uint8Array.from([0xc3]), Uint8Array.from([0x80]), Uint8Array.from([0xe2, 0x82]), Uint8Array.from([0xc0, 0xaf]),
  Uint8Array.from([0xff, 0xfe]), Uint8Array.from([0]), Buffer.from('"'), Buffer.from('{'), Buffer.from(']'), Buffer.from('\\'),
  Buffer.from('\r'), Buffer.from('\n\n'), Buffer.from('\u2028'), Buffer.from('\ud800'), Buffer.from('1e999'), Buffer.from('-0'),
];

function applyBytes(base: Buffer, m: Mutation): Buffer {
  switch (m.op) {
    case 'truncate':
      return base.subarray(0, m.at);
    case 'flip': {
      const out = Buffer.from(base);
      for (const [at, x] of m.flips) if (at < out.length) out[at] ^= x;
      return out;
    }
    case 'insert':
      return Buffer.concat([base.subarray(0, m.at), m.bytes, base.subarray(m.at)]);
    case 'delete':
      return Buffer.concat([base.subarray(0, m.at), base.subarray(m.at + m.length)]);
    case 'repeat': {
      const chunk = base.subarray(m.at, m.at + m.length);
      return Buffer.concat([base.subarray(0, m.at), ...Array(m.times).fill(chunk), base.subarray(m.at + m.length)]);
    }
    default:
      throw new Error(`not a byte mutation: ${m.op}`);
  }
}

/** Replaces the `pick`-th node (pre-order, modulo the node count) of a JSON tree with `value`. */
function replaceNode(tree: unknown, pick: number, value: unknown): unknown {
  const nodes: { parent: Record<string, unknown> | unknown[] | null; key: string | number }[] = [{ parent: null, key: 0 }];
  const walk = (node: unknown): void => {
    if (node && typeof node === 'object') {
      for (const [key, child] of Object.entries(node)) {
        nodes.push({ parent: node as Record<string, unknown>, key: Array.isArray(node) ? Number(key) : key });
        walk(child);
      }
    }
  };
  walk(tree);
  const target = nodes[pick % nodes.length];
  if (!target.parent) return value;
  (target.parent as Record<string | number, unknown>)[target.key] = value;
  return tree;
}

const jsonValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }),
  fc.constantFrom(null, true, 0, -1, 1e308, 1.5, '', ' ', 'x', '2021-13-45T99:99:99Z', '1e999', [], {}, [null], { id: null }, '\u0000', '<script>'),
);

function jsonMutations(): fc.Arbitrary<Mutation>[] {
  return [
    fc.json({ maxDepth: 3 }).map((text): Mutation => ({ op: 'json', text })),
    fc.record({ pick: fc.nat(), value: jsonValue }).map((r): Mutation => ({ op: 'json-node', ...r })),
  ];
}

const sqlValue = fc.oneof(
  fc.constantFrom(null, 0, -1, 1.5, 2 ** 62, -(2 ** 62), '', ' ', 'x', 'NaN', '1e999', '<script>', '\u0000', '19:', '#a/$b;c', 'a b c'),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.uint8Array({ maxLength: 40 }).map((a) => Buffer.from(a)),
  fc.integer(),
);

function sqliteMutations(): fc.Arbitrary<Mutation>[] {
  return [fc.record({ pick: fc.nat(), row: fc.nat(), value: sqlValue }).map((r): Mutation => ({ op: 'sql-cell', ...r }))];
}

/** Writes the mutated main file (for SQLite cell mutations, edits a copy of the base database). */
function applyMutation(file: string, base: Buffer, m: Mutation): void {
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(file + suffix, { force: true });
  if (m.op === 'json') return writeFileSync(file, m.text);
  if (m.op === 'json-node') return writeFileSync(file, JSON.stringify(replaceNode(JSON.parse(base.toString('utf8')), m.pick, m.value)));
  if (m.op === 'sql-cell') {
    writeFileSync(file, base);
    const db = new Database(file);
    try {
      const cells: [string, string][] = [];
      for (const { name } of db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table'`).all() as { name: string }[]) {
        for (const { name: column } of db.prepare(`PRAGMA table_info("${name}")`).all() as { name: string }[]) cells.push([name, column]);
      }
      const [table, column] = cells[m.pick % cells.length];
      const rowids = db.prepare(`SELECT rowid FROM "${table}"`).pluck().all() as number[];
      if (rowids.length) {
        try {
          db.prepare(`UPDATE "${table}" SET "${column}" = ? WHERE rowid = ?`).run(m.value as never, rowids[m.row % rowids.length]);
        } catch {
          // A NOT NULL or type constraint of the fixture schema: that value cannot be there.
        }
      }
    } finally {
      db.close();
    }
    return;
  }
  writeFileSync(file, applyBytes(base, m));
}

/**
 * Imports `input` after each mutation of `file` (a file inside it, or the input itself) and
 * checks the outcome; returns how often each outcome happened.
 */
async function fuzz(t: SeedContext, format: string, input: string, file: string, mutations: fc.Arbitrary<Mutation>[], db: Db): Promise<{ imported: number; sourceErrors: number }> {
  const base = readFileSync(file);
  const outcomes = { imported: 0, sourceErrors: 0 };
  try {
    for (const mutation of mutations) {
      await assertAsyncProperty(
        t,
        fc.asyncProperty(mutation, async (m) => {
          applyMutation(file, base, m);
          try {
            await importPaths(db, [input], { format });
            outcomes.imported++;
          } catch (err) {
            if (!(err instanceof SourceError)) {
              assert.fail(`${(err as Error)?.name}: ${(err as Error)?.message}\n${(err as Error)?.stack?.split('\n').slice(1, 4).join('\n')}`);
            }
            assert.ok(err.file === input || err.file === file, `the error names ${err.file}, not the input ${input}`);
            assert.ok(err.message.length > err.file.length + 2, 'the error says what is wrong');
            outcomes.sourceErrors++;
          }
        }),
        { numRuns: RUNS, includeErrorInReport: true },
      );
    }
  } finally {
    writeFileSync(file, base);
  }
  return outcomes;
}

for (const { adapter, sample } of adapterSamples()) {
  test(`property (${adapter.format}): mutated input imports or fails with a SourceError naming the file, nothing else`, { skip: requirement(!sample && `no sample row for ${adapter.format} in test/helpers/format-samples.ts`) }, async (t) => {
    const dir = tempDir(`cc-prop-parse-${adapter.format}-`);
    const input = sample!.write(dir, sample!.multiChat ? richChats() : richChats().slice(0, 1));
    const main = sample!.mainFile(input);
    const kind = kindOf(readFileSync(main));
    const db: Db = openStore(':memory:');
    try {
      const mutations = [...byteMutations(statSync(main).size), ...(kind === 'json' ? jsonMutations() : kind === 'sqlite' ? sqliteMutations() : [])];
      const outcomes = await fuzz(t, adapter.format, input, main, mutations, db);
      // Both outcomes happened, else the mutations were too mild or too harsh to prove anything.
      assert.ok(outcomes.imported > 0 && outcomes.sourceErrors > 0, JSON.stringify(outcomes));

      // The same export packed (a .tar, a .zip): the archive's own bytes mutated.
      mkdirSync(join(dir, 'to-pack'));
      const archive = packed(sample!, sample!.write(join(dir, 'to-pack'), sample!.multiChat ? richChats() : richChats().slice(0, 1)), dir);
      if (archive) {
        const packedOutcomes = await fuzz(t, adapter.format, archive, archive, byteMutations(statSync(archive).size), db);
        assert.ok(packedOutcomes.sourceErrors > 0, JSON.stringify(packedOutcomes));
      }
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    } finally {
      db.close();
    }
  });
}

test('replaceNode reaches every node of a tree, the root included', () => {
  const tree = () => ({ a: [1, { b: 2 }], c: 'x' });
  const seen = new Set<string>();
  for (let pick = 0; pick < 7; pick++) seen.add(JSON.stringify(replaceNode(tree(), pick, '!')));
  assert.equal(seen.size, 6);
  assert.ok(seen.has('"!"'));
  assert.ok(seen.has(JSON.stringify({ a: [1, { b: '!' }], c: 'x' })));
});
