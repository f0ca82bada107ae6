import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_WARNINGS, Warnings, plural } from '../collector/sources/kit/warnings.js';
import { isObject, num, objects, str, text } from '../collector/sources/kit/fields.js';
import { decodeUtf8, parseJson } from '../collector/sources/kit/json-file.js';
import { mediaEvent, mediaHash } from '../collector/sources/kit/media.js';

test('warnings are listed up to the cap, then counted once in one wording', () => {
  const w = new Warnings('export.json');
  for (let i = 0; i < MAX_WARNINGS + 5; i++) w.add(`line ${i + 1}`, 'bad');
  const listed = w.take();
  assert.equal(listed.length, MAX_WARNINGS);
  const end = w.summary();
  assert.deepEqual(end, [{ type: 'warning', warning: { position: 'export.json', message: '5 more warnings like the ones above were not listed' } }]);
  assert.deepEqual(w.summary(), [], 'the count is reported once');
});

test('tallies become one warning each at the summary, at the first position', () => {
  const w = new Warnings('x');
  w.tally('type:poll', 'line 3', (n) => `${plural(n, 'message')} of unknown type "poll" imported as text`);
  w.tally('type:poll', 'line 9', () => 'unused');
  w.add('line 4', 'other');
  assert.deepEqual(
    w.summary().map((e) => (e.type === 'warning' ? `${e.warning.position}: ${e.warning.message}` : '')),
    ['line 4: other', 'line 3: 2 messages of unknown type "poll" imported as text'],
  );
});

test('fields read untrusted values by their type only', () => {
  assert.equal(isObject([]), false);
  assert.equal(isObject(null), false);
  assert.equal(isObject({}), true);
  assert.equal(str(''), null);
  assert.equal(str(3), null);
  assert.equal(str('a'), 'a');
  assert.equal(text(undefined), '');
  assert.equal(num('12'), 12);
  assert.equal(num('x'), null);
  assert.equal(num(Infinity), null);
  assert.equal(num(' '), null);
  assert.deepEqual(objects([1, { a: 1 }, null, [2]]), [{ a: 1 }]);
});

test('a whole JSON file: bad UTF-8 names its byte, bad JSON its line and column', () => {
  assert.deepEqual(parseJson(Buffer.from('\uFEFF{"a": [1]}')), { a: [1] });
  assert.throws(() => decodeUtf8(Buffer.from([0x7b, 0x22, 0xc3, 0x28])), /byte 2/);
  assert.throws(() => parseJson(Buffer.from('{\n  "a": 1,\n  "b": }\n')), /line 3, column/);
});

test('media events carry the sha256 of the bytes and a type from the name', () => {
  const bytes = Buffer.from('hello');
  const { event, info } = mediaEvent('a.PNG', bytes);
  assert.equal(info.hash, '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824');
  assert.equal(info.hash, mediaHash(bytes));
  assert.deepEqual(info, { hash: info.hash, size: 5, type: 'image/png' });
  assert.equal(event.type, 'media');
  assert.equal(mediaEvent('blob', bytes).info.type, undefined);
});
