import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import sharp from 'sharp';
import { withoutMetadata } from '../site/data/media-metadata.js';
import { buildSite } from '../site/build.js';
import { cli } from './helpers/db-state.js';
import { scanForLeaks } from './helpers/leak-scan.js';
import { listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * Photos published with authors hidden or pseudonymized lose the metadata that can name people
 * (site/data/media-metadata.ts): EXIF Artist, XMP creator, IPTC by-line, comments, PNG text.
 */
const NAME = 'Bob Tanaka';

/** A JPEG segment: marker, length, payload. */
function segment(code: number, payload: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | code, 0);
  head.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([head, payload]);
}

/** EXIF (little-endian TIFF) with IFD0's Orientation and Artist. */
function exif(orientation: number, artist: string): Buffer {
  const text = Buffer.from(`${artist}\u0000`, 'latin1');
  const tiff = Buffer.alloc(8 + 2 + 2 * 12 + 4);
  tiff.write('II*\u0000', 0, 'latin1');
  tiff.writeUInt32LE(8, 4);
  tiff.writeUInt16LE(2, 8);
  tiff.writeUInt16LE(0x0112, 10); // Orientation, SHORT, 1
  tiff.writeUInt16LE(3, 12);
  tiff.writeUInt32LE(1, 14);
  tiff.writeUInt16LE(orientation, 18);
  tiff.writeUInt16LE(0x013b, 22); // Artist, ASCII, at the end
  tiff.writeUInt16LE(2, 24);
  tiff.writeUInt32LE(text.length, 26);
  tiff.writeUInt32LE(tiff.length, 30);
  return Buffer.concat([Buffer.from('Exif\u0000\u0000', 'latin1'), tiff, text]);
}

/** A JPEG carrying the name in EXIF, XMP, IPTC and a comment, turned by EXIF orientation 6. */
async function namedJpeg(): Promise<Buffer> {
  const plain = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 200, g: 40, b: 10 } } }).jpeg().toBuffer();
  const xmp = Buffer.from(`http://ns.adobe.com/xap/1.0/\u0000<x:xmpmeta><dc:creator>${NAME}</dc:creator></x:xmpmeta>`, 'latin1');
  const iptc = Buffer.from(`Photoshop 3.0\u00008BIM\u0004\u0004\u0000\u0000\u0000\u0000\u0000\u000e\u001c\u0002P\u0000\u000a${NAME}`, 'latin1');
  const rest = plain.subarray(2);
  return Buffer.concat([plain.subarray(0, 2), segment(0xe1, exif(6, NAME)), segment(0xe1, xmp), segment(0xed, iptc), segment(0xfe, Buffer.from(NAME)), rest]);
}

async function pixels(data: Buffer): Promise<Buffer> {
  return sharp(data).raw().toBuffer();
}

test('a JPEG loses its EXIF, XMP, IPTC and comments, keeps its pixels and its orientation', async () => {
  const named = await namedJpeg();
  assert.ok(named.includes(NAME));
  assert.equal((await sharp(named).metadata()).orientation, 6);
  const result = withoutMetadata(named);
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME), 'the name is gone');
  assert.ok(!data.includes('http://ns.adobe.com/xap'), 'the XMP segment is gone');
  assert.equal((await sharp(data).metadata()).orientation, 6, 'still turned as the camera meant');
  assert.deepEqual(await pixels(data), await pixels(named), 'the same pixels');
  // Without an orientation, no EXIF at all.
  const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#102030' } }).jpeg().toBuffer();
  const upright = withoutMetadata(Buffer.concat([plain.subarray(0, 2), segment(0xe1, exif(1, NAME)), plain.subarray(2)]));
  assert.ok(!(upright as { data: Buffer }).data.includes('Exif'), 'orientation 1 needs no EXIF');
});

test('PNG text chunks and WebP EXIF go; the image reads the same', async () => {
  const png = await sharp({ create: { width: 5, height: 4, channels: 4, background: { r: 0, g: 90, b: 200, alpha: 1 } } }).png().toBuffer();
  const text = Buffer.from(`Author\u0000${NAME}`, 'latin1');
  const chunk = Buffer.alloc(12 + text.length);
  chunk.writeUInt32BE(text.length, 0);
  chunk.write('tEXt', 4, 'latin1');
  text.copy(chunk, 8); // a wrong CRC: decoders skip ancillary chunks, and it goes anyway
  const namedPng = Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
  const strippedPng = withoutMetadata(namedPng);
  assert.equal(strippedPng.kind, 'stripped');
  assert.ok(!(strippedPng as { data: Buffer }).data.includes(NAME));
  assert.ok((strippedPng as { data: Buffer }).data.equals(png), 'exactly the PNG without the chunk');

  const webp = await sharp({ create: { width: 6, height: 6, channels: 3, background: '#336699' } })
    .withMetadata({ exif: { IFD0: { Artist: NAME } } })
    .webp({ lossless: true })
    .toBuffer();
  assert.ok(webp.includes(NAME), 'sharp wrote the EXIF chunk');
  const strippedWebp = withoutMetadata(webp);
  assert.equal(strippedWebp.kind, 'stripped');
  const data = (strippedWebp as { data: Buffer }).data;
  assert.ok(!data.includes(NAME));
  assert.equal(data.readUInt32LE(4), data.length - 8, 'the RIFF size is right');
  assert.deepEqual(await pixels(data), await pixels(webp));
  assert.equal((await sharp(data).metadata()).exif, undefined);
});

test('a photo whose structure cannot be followed is unreadable; other files are unchanged', async () => {
  const named = await namedJpeg();
  assert.equal(withoutMetadata(named.subarray(0, 40)).kind, 'unreadable', 'cut inside a segment');
  const noScan = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  assert.equal(withoutMetadata(noScan).kind, 'unreadable', 'segments but no image data');
  const gif = Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1');
  assert.deepEqual(withoutMetadata(gif), { kind: 'unchanged', data: gif });
  assert.equal(withoutMetadata(Buffer.from('hello')).kind, 'unchanged');
});

test('authors hidden: a Telegram photo with the name in its EXIF publishes without it; shown, it keeps its bytes', async () => {
  const dir = scratchDir('cc-media-metadata-');
  const fixture = join(dir, 'export');
  cpSync(resolve('test/fixtures/telegram/full'), fixture, { recursive: true });
  const photo = join(fixture, 'chats/chat_001/photos/photo_1@14-03-2023_11-02-00.jpg');
  const original = readFileSync(photo);
  writeFileSync(photo, Buffer.concat([original.subarray(0, 2), segment(0xe1, exif(6, NAME)), segment(0xfe, Buffer.from(NAME)), original.subarray(2)]));
  const db = join(dir, 'archive.sqlite');
  const run = cli(['import', fixture, '--db', db], dir);
  assert.equal(run.code, 0, run.err);
  for (const authors of ['hide', 'pseudonymize'] as const) {
    const out = join(dir, authors);
    await buildSite({ db, out, quiet: true, authors, pseudonymSalt: 'pepper' });
    const photos = listFiles(out).filter((f) => f.startsWith('media/') && f.endsWith('.jpg'));
    assert.equal(photos.length, 1, photos.join());
    assert.equal((await sharp(join(out, photos[0])).metadata()).orientation, 6);
    assert.deepEqual(scanForLeaks(out, [NAME]), [], `${authors}: the name is in no byte`);
  }
  const shown = join(dir, 'show');
  await buildSite({ db, out: shown, quiet: true });
  assert.ok(scanForLeaks(shown, [NAME]).some((leak) => leak.file.startsWith('media/')), 'a show build publishes the photo as it came (the scan can fail)');
});
