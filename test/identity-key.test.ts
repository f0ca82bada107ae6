import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchorFor, messageKey } from '../collector/identity/key.js';

const base = { chat: '19:abc@thread.skype', author: '8:alice', time: 1630565395224, identity: '1630565395224' };

test('a key is a function of the immutable properties only', () => {
  // Golden value: if this changes, every published anchor changes. Never update it.
  assert.equal(messageKey(base), 'c9c7b507fe1268d0634f05ce30b4d81d');
  assert.equal(messageKey(base), messageKey({ ...base }));
  assert.match(messageKey(base), /^[0-9a-f]{32}$/);
  for (const change of [{ chat: 'x' }, { author: '8:bob' }, { time: base.time + 1 }, { identity: 'other' }]) {
    assert.notEqual(messageKey({ ...base, ...change }), messageKey(base));
  }
});

test('occurrences of an identical message get distinct, reproducible keys', () => {
  const keys = [0, 1, 2].map((n) => messageKey(base, n));
  assert.equal(new Set(keys).size, 3);
  assert.deepEqual([0, 1, 2].map((n) => messageKey(base, n)), keys);
});

test('fields cannot bleed into each other', () => {
  assert.notEqual(
    messageKey({ ...base, author: '8:ali', identity: 'ce\u00001' }),
    messageKey({ ...base, author: '8:alice', identity: '1' }),
  );
});

test('anchors are valid HTML ids made from the key', () => {
  const key = messageKey(base);
  assert.equal(anchorFor(key), `m${key.slice(0, 10)}`);
  assert.match(anchorFor(key), /^m[0-9a-f]{10}$/);
  assert.equal(anchorFor(key, 14), `m${key.slice(0, 14)}`);
});
