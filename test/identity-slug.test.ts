import { test } from 'node:test';
import assert from 'node:assert/strict';
import { slugFor, SLUG_MAX } from '../collector/identity/slug.js';

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/i;

function assertSafe(slug: string): void {
  assert.match(slug, /^[a-z0-9]+(-[a-z0-9]+)*$/, `slug ${JSON.stringify(slug)} must be lowercase [a-z0-9-]`);
  assert.ok(slug.length <= SLUG_MAX, `slug too long: ${slug.length}`);
  assert.doesNotMatch(slug, WINDOWS_RESERVED);
}

test('slugs of real Skype ids are readable and safe', () => {
  assert.match(slugFor('19:8e1d8cc7734e64e@thread.skype'), /^8e1d8cc7734e64e-[a-z2-7]{7}$/);
  assert.match(slugFor('#alice/$bob;897aefba432c'), /^alice-bob-897aefba432c-[a-z2-7]{7}$/);
  assert.match(slugFor('8:live:.cid.1234'), /^live-cid-1234-[a-z2-7]{7}$/);
  for (const id of ['19:8e1d8cc7734e64e@thread.skype', '#alice/$bob;897aefba432c', '8:live:.cid.1234']) assertSafe(slugFor(id));
});

test('slugs depend on the native id only and are stable', () => {
  assert.equal(slugFor('19:abc@thread.skype'), slugFor('19:abc@thread.skype'));
  // Golden values: if these change, every published URL changes. Never update them.
  assert.equal(slugFor('19:8e1d8cc7734e64e@thread.skype'), '8e1d8cc7734e64e-bpzyubo');
  assert.equal(slugFor('#alice/$bob;897aefba432c'), 'alice-bob-897aefba432c-wiq3n27');
});

test('ids differing only in case or punctuation get different slugs (case-insensitive file systems)', () => {
  const ids = ['8:Alice', '8:alice', '8:ALICE', '8:a.lice', '8:a-lice', '8:a_lice', '8:a lice'];
  const slugs = new Set(ids.map((id) => slugFor(id)));
  assert.equal(slugs.size, ids.length);
});

test('hostile and odd ids still give safe slugs', () => {
  const ids = [
    '', '../../etc/passwd', '..\\..\\windows', 'CON', 'nul', 'com1', 'LPT9.txt', '\u0000\u0001', 'x'.repeat(1000),
    'Café ☕ 北京', '🙂🙂', '/', '\\', '.', '..', '-', 'a/b\\c:d*e?f"g<h>i|j',
  ];
  const slugs = new Set<string>();
  for (const id of ids) {
    const slug = slugFor(id);
    assertSafe(slug);
    slugs.add(slug);
  }
  assert.equal(slugs.size, ids.length, 'distinct ids keep distinct slugs');
  assert.match(slugFor('Café'), /^cafe-/, 'accents are folded, not dropped');
});
