import { test } from 'node:test';
import assert from 'node:assert/strict';
import { constants, deflateRawSync } from 'node:zlib';
import { clientModules } from '../site/search/bundle.js';

/** site/client/search/inflate.js, the browser's decoder of the data files, against zlib. */
const inflate = clientModules().inflate.inflateRaw as (bytes: Uint8Array) => Uint8Array;

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

test('inflates what zlib deflates: every level and strategy, stored, fixed and dynamic blocks', () => {
  const rand = random(5);
  const texts = ['', 'a', 'hello hello hello hello', '北京大学 🎉 café '.repeat(500)];
  for (let i = 0; i < 40; i++) {
    const n = Math.floor(rand() * (i % 5 === 0 ? 300_000 : 5_000));
    const bytes = Buffer.alloc(n);
    const noise = rand();
    for (let k = 0; k < n; k++) bytes[k] = rand() < noise ? Math.floor(rand() * 256) : 97 + (k % 11);
    texts.push(bytes.toString('latin1'));
  }
  let checked = 0;
  for (const text of texts) {
    const data = Buffer.from(text, 'latin1');
    for (const level of [0, 1, 6, 9]) {
      for (const strategy of [constants.Z_DEFAULT_STRATEGY, constants.Z_FIXED, constants.Z_HUFFMAN_ONLY, constants.Z_RLE]) {
        const packed = deflateRawSync(data, { level, strategy });
        assert.ok(Buffer.from(inflate(new Uint8Array(packed))).equals(data), `${data.length} bytes, level ${level}, strategy ${strategy}`);
        checked++;
      }
    }
  }
  assert.equal(checked, texts.length * 16);
});

test('corrupt or truncated input is an error, never a wrong result or a hang', () => {
  const packed = deflateRawSync(Buffer.from('the quick brown fox jumps over the lazy dog '.repeat(50)));
  assert.throws(() => inflate(packed.subarray(0, packed.length - 5)), /corrupt deflate stream/);
  assert.throws(() => inflate(new Uint8Array([0xff, 0xff, 0xff])), /bad block type/);
  assert.throws(() => inflate(new Uint8Array([0x01, 0x05, 0x00, 0x00, 0x00])), /stored block length/);
  // A back-reference before the start of the output.
  // A fixed block whose first code is a back-reference (length 3, distance 1) with nothing before it.
  assert.throws(() => inflate(new Uint8Array([0x03, 0x02, 0x00, 0x00])), /distance too far back/);
});
