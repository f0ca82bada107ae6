import { test } from 'node:test';
import assert from 'node:assert/strict';
import { JsonScanError, JsonScanner, ScanAction, type PathKey, type ScanHandler } from '../collector/sources/kit/json/scanner.js';
import { firstInvalid, Utf8Error, Utf8Validator } from '../collector/sources/kit/json/utf8.js';

interface Taken {
  path: PathKey[];
  value: unknown;
  start: number;
  end: number;
  probes: (string | undefined)[];
}

/** Enters containers down to `enterDepth` levels, takes everything below; records what it saw. */
function collect(input: Buffer, chunkSizes: number[] | number, enterDepth = 2, probeKeys: string[] = []) {
  const taken: Taken[] = [];
  const closed: PathKey[][] = [];
  const handler: ScanHandler = {
    open: (path, first, offset) => {
      if (path.length >= enterDepth) return ScanAction.take;
      // Entered containers are recorded empty, so that empty ones are rebuilt too.
      if (first === 0x7b || first === 0x5b) taken.push({ path: [...path], value: first === 0x7b ? {} : [], start: offset, end: -1, probes: [] });
      return ScanAction.enter;
    },
    take: (path, v) => {
      taken.push({ path: [...path], value: JSON.parse(v.text()), start: v.start, end: v.end, probes: probeKeys.map((_, i) => v.probe(i)) });
    },
    close: (path) => closed.push([...path]),
  };
  const scanner = new JsonScanner(handler, { probeKeys });
  feed(scanner, input, chunkSizes);
  scanner.end();
  return { taken, closed };
}

function feed(scanner: JsonScanner, input: Buffer, chunkSizes: number[] | number): void {
  const sizes = Array.isArray(chunkSizes) ? chunkSizes : [chunkSizes];
  let i = 0;
  for (let k = 0; i < input.length; k++) {
    const size = Math.max(1, sizes[k % sizes.length]);
    // A fresh copy per chunk, as a file reader would hand over.
    scanner.push(Buffer.from(input.subarray(i, i + size)));
    i += size;
  }
}

/** Rebuilds the document from what was taken, to compare with JSON.parse of the whole. */
function rebuild(taken: Taken[]): unknown {
  let root: unknown;
  for (const t of taken) {
    if (t.path.length === 0) {
      root = t.value;
      continue;
    }
    let node = root as Record<PathKey, unknown>;
    for (let d = 0; d < t.path.length - 1; d++) {
      const key = t.path[d];
      node[key] ??= typeof t.path[d + 1] === 'number' ? [] : {};
      node = node[key] as Record<PathKey, unknown>;
    }
    const last = t.path[t.path.length - 1];
    if (t.end >= 0 || node[last] === undefined) node[last] = t.value;
  }
  return root;
}

function makeRandom(seed: number) {
  let s = seed >>> 0;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
  const pieces = ['a', 'é', '日本', '😀', '\\', '"', '\n', '\u0000', '\u2028', ' ', 'x\\"y', '\\\\', '}', ']', '{', '[', ',', ':'];
  const str = () => {
    let out = '';
    const n = Math.floor(next() * 12);
    for (let i = 0; i < n; i++) out += pieces[Math.floor(next() * pieces.length)];
    return out;
  };
  const value = (depth: number): unknown => {
    const r = next();
    if (depth > 3 || r < 0.35) return str();
    if (r < 0.45) return Math.floor(next() * 1e6) / 100 - 5000;
    if (r < 0.5) return [true, false, null][Math.floor(next() * 3)];
    if (r < 0.75) return Array.from({ length: Math.floor(next() * 5) }, () => value(depth + 1));
    const obj: Record<string, unknown> = {};
    const n = Math.floor(next() * 5);
    for (let i = 0; i < n; i++) obj[str()] = value(depth + 1);
    return obj;
  };
  return { value, next };
}

test('takes the members of entered containers, whatever the chunking (1-byte chunks included)', () => {
  const doc = {
    userId: '8:alice',
    conversations: [
      { id: '19:a@thread.skype', MessageList: [{ id: '1', content: 'he said \\"hi\\" \\\\ "ok"' }, { id: '2', content: '日本語 😀 é' }] },
      { id: '8:bob', MessageList: [] },
    ],
    empty: {},
    list: [],
    n: -12.5e3,
    t: true,
  };
  const input = Buffer.from(JSON.stringify(doc));
  for (const chunks of [1, 2, 3, 5, 7, 64, input.length, [1, 13, 2, 300]]) {
    const { taken } = collect(input, chunks, 3);
    assert.deepEqual(rebuild(taken), doc, `chunks ${JSON.stringify(chunks)}`);
    for (const t of taken) {
      if (t.end < 0) continue;
      assert.deepEqual(JSON.parse(input.toString('utf8', t.start, t.end)), t.value, 'start/end are byte offsets of the value');
    }
  }
});

test('random documents with nasty strings scan exactly like JSON.parse reads them', () => {
  const { value, next } = makeRandom(7);
  for (let round = 0; round < 300; round++) {
    const doc = { a: value(0), b: [value(0), value(0)], c: value(0) };
    const text = round % 3 === 0 ? JSON.stringify(doc, null, round % 2 ? 2 : '\t') : JSON.stringify(doc);
    const input = Buffer.from(text);
    const chunk = 1 + Math.floor(next() * 9);
    for (const depth of [1, 2, 3]) {
      const { taken } = collect(input, [chunk, 1, chunk * 3], depth);
      assert.deepEqual(rebuild(taken), JSON.parse(text), `round ${round} depth ${depth}`);
    }
  }
});

test('escapes split at chunk boundaries: runs of backslashes before quotes', () => {
  const strings = ['\\', '\\\\', '\\"', '"\\', 'a\\\\\\"b', '\\\\\\\\', 'end\\'];
  const doc = Object.fromEntries(strings.map((s, i) => [`k${i}\\"`, { v: s, w: [s, s + s] }]));
  const input = Buffer.from(JSON.stringify(doc));
  for (let chunk = 1; chunk <= 9; chunk++) {
    for (const depth of [1, 2, 3]) assert.deepEqual(rebuild(collect(input, chunk, depth).taken), doc);
  }
});

test('skipped values are walked over without being kept, even across chunks', () => {
  const big = { skipped: Array.from({ length: 2000 }, (_, i) => ({ i, s: `x"\\${i}` })), kept: 'yes' };
  const input = Buffer.from(JSON.stringify(big));
  const seen: string[] = [];
  const scanner = new JsonScanner({
    open: (path) => (path.length === 0 ? ScanAction.enter : path[0] === 'skipped' ? ScanAction.skip : ScanAction.take),
    take: (path, v) => seen.push(`${String(path[0])}=${v.text()}`),
  });
  feed(scanner, input, [1, 7, 4096]);
  scanner.end();
  assert.deepEqual(seen, ['kept="yes"']);
});

test('probes find a taken object’s own string members only', () => {
  const messages = [
    { id: '17', originalarrivaltime: '2021-09-01T18:29:33.92Z', content: 'x' },
    { content: '{"id":"nested"}', nested: { id: 'deeper' }, list: ['id', 'originalarrivaltime'], originalarrivaltime: null, id: 'last\\"one' },
    { x: 'id', id: 42 },
  ];
  const input = Buffer.from(JSON.stringify({ MessageList: messages }));
  for (const chunk of [1, 3, 1000]) {
    const { taken } = collect(input, chunk, 2, ['id', 'originalarrivaltime']);
    assert.deepEqual(
      taken.filter((t) => t.end >= 0).map((t) => t.probes),
      [
        ['"17"', '"2021-09-01T18:29:33.92Z"'],
        ['"last\\\\\\"one"', undefined],
        [undefined, undefined],
      ],
    );
  }
});

test('a 10 MB value is taken whole', () => {
  const content = 'é'.repeat(5_000_000) + 'end';
  const input = Buffer.from(JSON.stringify({ list: [{ content }, { content: 'small' }] }));
  const taken = collect(input, 64 * 1024, 2).taken.filter((t) => t.end >= 0);
  assert.equal(taken.length, 2);
  assert.equal((taken[0].value as { content: string }).content, content);
});

test('a byte order mark is ignored', () => {
  const input = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"a":1}')]);
  assert.deepEqual(rebuild(collect(input, 1).taken), { a: 1 });
});

function scanError(input: Buffer | string, chunk = 1, depth = 2): JsonScanError {
  try {
    collect(typeof input === 'string' ? Buffer.from(input) : input, chunk, depth);
  } catch (err) {
    assert.ok(err instanceof JsonScanError, `expected a JsonScanError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected an error');
}

test('truncated input is an error at the end offset, wherever it was cut', () => {
  const text = JSON.stringify({ conversations: [{ id: 'a', MessageList: [{ id: '1', content: 'x\\"y 日本' }] }] });
  const input = Buffer.from(text);
  for (let cut = 0; cut < input.length; cut++) {
    const prefix = input.subarray(0, cut);
    // A cut inside a multi-byte character is reported as such; any other cut as a truncation.
    const err = scanError(prefix, 3, 3);
    assert.ok(err.offset <= cut, `cut ${cut}: offset ${err.offset}`);
    assert.match(err.reason, /end of JSON|empty input|truncated character/, `cut ${cut}`);
    if (/end of JSON|empty/.test(err.reason)) assert.equal(err.offset, cut);
  }
});

test('syntax errors in entered containers name their offset', () => {
  assert.equal(scanError('{"a" 1}').offset, 5);
  assert.equal(scanError('{"a":1 "b":2}').offset, 7);
  assert.equal(scanError('[1,2} ').offset, 4);
  assert.equal(scanError('{"a":1} x').offset, 8);
  assert.equal(scanError('{,}').offset, 1);
  assert.equal(scanError('\x89PNG\r\n').offset, 0);
  assert.match(scanError('   ').reason, /empty/);
});

test('invalid UTF-8 is an error naming the byte, in taken and skipped values alike', () => {
  const before = Buffer.from('{"a":"ok","b":"x');
  for (const bad of [[0xff], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe6, 0x97], [0x80]]) {
    const input = Buffer.concat([before, Buffer.from(bad), Buffer.from('y"}')]);
    for (const chunk of [1, 2, 1000]) {
      for (const depth of [1, 2]) {
        const err = scanError(input, chunk, depth);
        assert.equal(err.offset, before.length, `bytes ${bad} chunk ${chunk}`);
        assert.match(err.reason, /UTF-8/);
      }
    }
  }
  // A character cut by the end of the input.
  const err = scanError(Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xe6, 0x97])]), 1);
  assert.equal(err.offset, 6);
});

test('Utf8Validator accepts any chunking of valid text and finds the first bad byte', () => {
  const text = Buffer.from('aé日😀\u{10FFFF}z'.repeat(50));
  for (let chunk = 1; chunk <= 5; chunk++) {
    const v = new Utf8Validator();
    for (let i = 0; i < text.length; i += chunk) v.push(text.subarray(i, i + chunk));
    v.end();
  }
  assert.equal(firstInvalid(Buffer.from([0x61, 0xf4, 0x90, 0x80, 0x80])), 1, 'beyond U+10FFFF');
  assert.equal(firstInvalid(Buffer.from([0x61, 0x62])), 2);
  const v = new Utf8Validator();
  v.push(Buffer.from([0x61, 0xe6]));
  assert.throws(() => v.push(Buffer.from([0x41])), (err: unknown) => err instanceof Utf8Error && err.offset === 1);
});

test('a taken value over maxValueBytes is reported to tooLarge and skipped, never held; without the hook it is an error naming the limit', async () => {
  const { JsonScanner: Scanner, ScanAction: Action, JsonScanError: ScanError } = await import('../collector/sources/kit/json/scanner.js');
  const big = JSON.stringify({ id: 'big', text: 'y'.repeat(5000) });
  const input = Buffer.from(`[{"id":"a"},${big},{"id":"b"},"${'z'.repeat(3000)}",7]`);
  for (const chunk of [1, 7, 64, 4096, input.length]) {
    const taken: string[] = [];
    const refused: number[] = [];
    const scanner = new Scanner(
      {
        open: (path) => (path.length === 0 ? Action.enter : Action.take),
        take: (_path, value) => void taken.push(value.text()),
        tooLarge: (_path, offset) => void refused.push(offset),
      },
      { maxValueBytes: 1000, probeKeys: ['id'] },
    );
    for (let i = 0; i < input.length; i += chunk) scanner.push(input.subarray(i, i + chunk));
    scanner.end();
    assert.deepEqual(taken, ['{"id":"a"}', '{"id":"b"}', '7'], `chunk ${chunk}`);
    assert.deepEqual(refused, [12, 12 + big.length + 12], `chunk ${chunk}`);
  }
  const strict = new Scanner({ open: (path) => (path.length === 0 ? Action.enter : Action.take), take: () => undefined }, { maxValueBytes: 1000 });
  assert.throws(
    () => strict.push(input),
    (err: unknown) => err instanceof ScanError && err.offset === 12 && /1000 bytes, the limit for one record/.test(err.message),
  );
});
