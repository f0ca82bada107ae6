import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import fc from 'fast-check';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { publishableWithoutMetadata, withoutMetadata } from '../site/data/media-metadata.js';
import { mp3, namedWebm, oggOpus, wav } from './helpers/media-samples.js';
import { buildSite } from '../site/build.js';
import { cli } from './helpers/db-state.js';
import { scanForLeaks } from './helpers/leak-scan.js';
import { assertProperty } from './helpers/seeds.js';
import { mediaHash, writeFixture, type FixtureMedia } from './helpers/fixture-db.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
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

/** A GIF extension block: introducer, label, data sub-blocks of up to 255 bytes, terminator. */
function gifExtension(label: number, ...blocks: Buffer[]): Buffer {
  const parts: Buffer[] = [Buffer.from([0x21, label])];
  for (const block of blocks) {
    for (let i = 0; i < block.length; i += 255) {
      const piece = block.subarray(i, i + 255);
      parts.push(Buffer.from([piece.length]), piece);
    }
  }
  parts.push(Buffer.from([0]));
  return Buffer.concat(parts);
}

const LOOP = gifExtension(0xff, Buffer.from('NETSCAPE2.0', 'latin1'), Buffer.from([1, 0, 0]));

/** A GIF by sharp with a looping block, a comment and an XMP block naming NAME before its picture. */
async function namedGif(): Promise<Buffer> {
  const plain = await sharp({ create: { width: 7, height: 5, channels: 3, background: { r: 20, g: 160, b: 90 } } }).gif().toBuffer();
  const start = 13 + (plain[10] & 0x80 ? 3 << ((plain[10] & 7) + 1) : 0);
  const comment = gifExtension(0xfe, Buffer.from(`taken by ${NAME}`));
  const xmp = gifExtension(0xff, Buffer.from('XMP DataXMP', 'latin1'), Buffer.from(`<x:xmpmeta><dc:creator>${NAME}</dc:creator></x:xmpmeta>`));
  return Buffer.concat([plain.subarray(0, start), LOOP, comment, xmp, plain.subarray(start)]);
}

/** An ISO base media box. */
function box(type: string, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  const head = Buffer.alloc(8);
  head.writeUInt32BE(8 + body.length, 0);
  head.write(type, 4, 'latin1');
  return Buffer.concat([head, body]);
}

const SAMPLES = Buffer.alloc(64, 0xab);

/**
 * A phone-like movie: ftyp, moov (mvhd, udta with the place and the artist, a QuickTime meta
 * with the owner, a track with its own udta), an XMP uuid box, then mdat.
 */
function namedMovie(): Buffer {
  const xmpUuid = Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex');
  return Buffer.concat([
    box('ftyp', Buffer.from('qt  \u0000\u0000\u0000\u0000qt  ', 'latin1')),
    box(
      'moov',
      box('mvhd', Buffer.alloc(100, 1)),
      box('udta', box('\u00a9xyz', Buffer.from('+35.6586+139.7454/', 'latin1')), box('\u00a9ART', Buffer.from(NAME))),
      box('meta', box('hdlr', Buffer.from('mdta')), box('keys', Buffer.from('com.apple.quicktime.author')), box('ilst', Buffer.from(NAME))),
      box('trak', box('tkhd', Buffer.alloc(84, 2)), box('udta', box('name', Buffer.from(NAME))), box('mdia', box('mdhd', Buffer.alloc(24, 3)))),
    ),
    box('uuid', xmpUuid, Buffer.from(`<dc:creator>${NAME}</dc:creator>`)),
    box('mdat', SAMPLES),
  ]);
}

/** The top-level boxes of a movie, and those of its moov and trak: [depth, type, offset, size]. */
function boxesOf(data: Buffer, from = 0, to = data.length, depth = 0): [number, string, number, number][] {
  const found: [number, string, number, number][] = [];
  for (let i = from; i < to; ) {
    const size = data.readUInt32BE(i);
    const type = data.toString('latin1', i + 4, i + 8);
    found.push([depth, type, i, size]);
    if (type === 'moov' || type === 'trak') found.push(...boxesOf(data, i + 8, i + size, depth + 1));
    i += size;
  }
  return found;
}

test('a JPEG ends at its end marker: a second picture after it goes; segments between progressive scans are read too', async () => {
  const plain = await sharp({ create: { width: 8, height: 6, channels: 3, background: { r: 10, g: 40, b: 200 } } }).withIccProfile('p3').jpeg().toBuffer();
  const second = await namedJpeg();
  const appended = Buffer.concat([plain, second]); // how phones keep a depth map, an HDR gain map or a motion photo
  assert.ok(appended.includes(NAME));
  const cut = (withoutMetadata(appended) as { data: Buffer }).data;
  assert.ok(!cut.includes(NAME), 'the second picture and its EXIF are gone');
  assert.ok(cut.equals(plain), 'exactly the first picture');
  assert.ok((await sharp(cut).metadata()).icc, 'its colour profile stays');

  const progressive = await sharp({ create: { width: 16, height: 16, channels: 3, background: '#208040' } }).jpeg({ progressive: true }).toBuffer();
  const scans: number[] = [];
  for (let at = progressive.indexOf(Buffer.from([0xff, 0xda])); at >= 0; at = progressive.indexOf(Buffer.from([0xff, 0xda]), at + 2)) scans.push(at);
  assert.ok(scans.length > 1, 'several scans');
  const between = Buffer.concat([progressive.subarray(0, scans[1]), segment(0xfe, Buffer.from(NAME)), segment(0xe1, exif(1, NAME)), progressive.subarray(scans[1])]);
  const result = withoutMetadata(between);
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME), 'a comment between two scans goes');
  assert.ok(data.equals(progressive), 'and only it');
  assert.deepEqual(await pixels(data), await pixels(progressive));
});

test('PNG and WebP keep their orientation; a file published as a type read here that is none of them is unreadable', async () => {
  const turned = await sharp({ create: { width: 6, height: 4, channels: 3, background: '#884422' } })
    .withMetadata({ orientation: 6, exif: { IFD0: { Artist: NAME } } });
  for (const [kind, data] of [['png', await turned.clone().png().toBuffer()], ['webp', await turned.clone().webp({ lossless: true }).toBuffer()]] as const) {
    assert.equal((await sharp(data).metadata()).orientation, 6, `${kind}: sharp wrote the orientation`);
    const result = withoutMetadata(data);
    assert.equal(result.kind, 'stripped', kind);
    const stripped = (result as { data: Buffer }).data;
    assert.ok(!stripped.includes(NAME), `${kind}: no name`);
    assert.equal((await sharp(stripped).metadata()).orientation, 6, `${kind}: still turned`);
    assert.deepEqual(await pixels(stripped), await pixels(data), `${kind}: the same pixels`);
  }
  const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#102030' } }).jpeg().toBuffer();
  const stray = Buffer.concat([plain.subarray(0, 2), Buffer.from([0x00]), plain.subarray(2, 4), segment(0xe1, exif(1, NAME)), plain.subarray(4)]);
  assert.equal(withoutMetadata(stray, 'image/jpeg').kind, 'unreadable', 'a stray byte after the start: not published as a JPEG');
  assert.equal(withoutMetadata(stray, 'application/pdf').kind, 'unchanged', 'a document is not read');
  // An AVIF image sequence: a moov beside the picture's own meta box, which the movie's rules must not free; not read here.
  const sequence = Buffer.concat([box('ftyp', Buffer.from('avis\u0000\u0000\u0000\u0000avismsf1', 'latin1')), box('meta', Buffer.alloc(20, 5)), box('moov', box('mvhd', Buffer.alloc(100))), box('mdat', SAMPLES)]);
  assert.deepEqual(withoutMetadata(sequence), { kind: 'unreadable' });
});

test('a GIF loses its comments and XMP, keeps its looping and its pixels', async () => {
  const named = await namedGif();
  assert.ok(named.includes(NAME));
  const result = withoutMetadata(named);
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME), 'the name is gone');
  assert.ok(data.includes(LOOP), 'the looping block stays');
  assert.deepEqual(await pixels(data), await pixels(named), 'the same pixels');
});

test("a movie's user data, metadata and XMP boxes become free space; every other byte stays where it was", () => {
  const named = namedMovie();
  const result = withoutMetadata(named);
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME) && !data.includes('+35.6586'), 'no name, no place');
  assert.equal(data.length, named.length);
  const before = boxesOf(named);
  const after = boxesOf(data);
  const freed = new Set(['udta', 'meta', 'uuid']);
  assert.deepEqual(
    after.map(([depth, type, at, size]) => [depth, type, at, size]),
    before.map(([depth, type, at, size]) => [depth, freed.has(type) ? 'free' : type, at, size]),
    'the same boxes at the same offsets, metadata ones now free',
  );
  for (const [, type, at, size] of before) {
    if (!freed.has(type)) continue;
    assert.ok(data.subarray(at + 8, at + size).every((b) => b === 0), `${type} at ${at}: its contents zeroed`);
  }
  const mdat = before.find(([, type]) => type === 'mdat')!;
  assert.ok(data.subarray(mdat[2]).equals(named.subarray(mdat[2])), 'the samples are untouched');
});

/** Ogg pages of `packets` from sequence number `seq`, a page holding up to 255 segments (a packet may span pages). */
function oggPagesOf(packets: Buffer[], seq: number, flags = 0, granule = 0n): Buffer[] {
  const lacing = packets.flatMap((p) => [...Array(Math.floor(p.length / 255)).fill(255), p.length % 255]);
  const bytes = Buffer.concat(packets);
  const pages: Buffer[] = [];
  for (let first = 0, offset = 0; first < lacing.length; first += 255) {
    const values = lacing.slice(first, first + 255);
    const size = values.reduce((a, b) => a + b, 0);
    const head = Buffer.alloc(27);
    head.write('OggS', 0, 'latin1');
    head[5] = (first > 0 && lacing[first - 1] === 255 ? 1 : 0) | flags;
    head.writeBigInt64LE(values.some((v) => v < 255) ? granule : -1n, 6);
    head.writeUInt32LE(77, 14);
    head.writeUInt32LE(seq++, 18);
    head[26] = values.length;
    pages.push(oggCrcFixed(Buffer.concat([head, Buffer.from(values), bytes.subarray(offset, offset + size)])));
    offset += size;
  }
  return pages;
}

/** The page with its CRC field computed (Ogg's CRC-32, written here independently of the code under test). */
function oggCrcFixed(page: Buffer): Buffer {
  page.writeUInt32LE(0, 22);
  let crc = 0;
  for (const byte of page) {
    crc ^= byte << 24;
    for (let k = 0; k < 8; k++) crc = crc & 0x80000000 ? (crc << 1) ^ 0x04c11db7 : crc << 1;
  }
  page.writeUInt32LE(crc >>> 0, 22);
  return page;
}

/** Every page of an Ogg file: sequence number, whether its CRC is right, its body. */
function readOgg(data: Buffer): { seq: number; crcOk: boolean; body: Buffer }[] {
  const pages = [];
  for (let at = 0; at < data.length; ) {
    assert.equal(data.toString('latin1', at, at + 4), 'OggS', `a page at ${at}`);
    const count = data[at + 26];
    const size = [...data.subarray(at + 27, at + 27 + count)].reduce((a, b) => a + b, 0);
    const page = data.subarray(at, at + 27 + count + size);
    const crc = page.readUInt32LE(22);
    pages.push({ seq: page.readUInt32LE(18), crcOk: oggCrcFixed(Buffer.from(page)).readUInt32LE(22) === crc, body: page.subarray(27 + count) });
    at += page.length;
  }
  return pages;
}

/** A FLAC file's structure with `NAME` in a Vorbis comment and a picture's description; the "frames" are a sync code and zeros. */
function namedFlac(): Buffer {
  const block = (type: number, body: Buffer, last = false): Buffer => Buffer.concat([Buffer.from([(last ? 0x80 : 0) | type, body.length >> 16, (body.length >> 8) & 0xff, body.length & 0xff]), body]);
  const info = Buffer.alloc(34);
  info.writeUInt32BE((44100 << 12) | (0 << 9) | (15 << 4), 10); // 44.1 kHz, mono, 16-bit
  const comment = Buffer.from(`\x04\0\0\0test\x01\0\0\0${String.fromCharCode(7 + NAME.length)}\0\0\0ARTIST=${NAME}`, 'latin1');
  const picture = Buffer.concat([Buffer.alloc(8), Buffer.from(`\0\0\0\x0a${NAME}`, 'latin1'), Buffer.alloc(20)]);
  return Buffer.concat([Buffer.from('fLaC'), block(0, info), block(4, comment), block(6, picture), block(1, Buffer.alloc(64), true), Buffer.from([0xff, 0xf8, 0x69, 0x08]), Buffer.alloc(40)]);
}

test('sound files lose their tags: MP3 ID3, Ogg Opus and Vorbis comments, WAV INFO; the audio stays; what could hide a name is unreadable', () => {
  const stripped = (data: Buffer): Buffer => {
    const result = withoutMetadata(data);
    assert.equal(result.kind, 'stripped');
    const out = (result as { data: Buffer }).data;
    assert.ok(!out.includes(NAME), 'no name');
    return out;
  };
  assert.ok(stripped(mp3(40, NAME)).equals(mp3(40)), 'MP3: the frames alone');
  assert.ok(stripped(wav(200, NAME)).equals(wav(200)), 'WAV: RIFF, fmt and data alone');

  const opus = oggOpus(25, [`ARTIST=${NAME}`, 'TITLE=birthday']);
  const opusPages = readOgg(opus);
  const cleanOpus = readOgg(stripped(opus));
  assert.deepEqual(cleanOpus.map((p) => [p.seq, p.crcOk]), [[0, true], [1, true], [2, true]]);
  assert.ok(cleanOpus[2].body.equals(opusPages[2].body) && cleanOpus[0].body.equals(opusPages[0].body), 'the head and the audio are as they were');
  assert.equal(cleanOpus[1].body.toString('latin1'), 'OpusTags\0\0\0\0\0\0\0\0', 'no vendor, no comment');

  // A comment over two pages (a cover picture): one page now, and every later page renumbered, its CRC right.
  const head = Buffer.concat([Buffer.from('\x01vorbis', 'latin1'), Buffer.alloc(23)]);
  const big = Buffer.concat([Buffer.from(`\x03vorbis\0\0\0\0\x01\0\0\0`, 'latin1'), Buffer.from(new Uint32Array([70_000]).buffer), Buffer.alloc(70_000 - NAME.length, 0x41), Buffer.from(NAME), Buffer.from([1])]);
  const setup = Buffer.concat([Buffer.from('\x05vorbis', 'latin1'), Buffer.alloc(300, 7)]);
  const audio = [Buffer.alloc(100, 1), Buffer.alloc(120, 2)];
  const vorbis = Buffer.concat([...oggPagesOf([head], 0, 2), ...oggPagesOf([big, setup], 1), ...oggPagesOf([audio[0]], 3, 0, 960n), ...oggPagesOf([audio[1]], 4, 4, 1920n)]);
  assert.equal(readOgg(vorbis).length, 5);
  const cleanVorbis = readOgg(stripped(vorbis));
  assert.deepEqual(cleanVorbis.map((p) => [p.seq, p.crcOk]), [[0, true], [1, true], [2, true], [3, true]]);
  assert.ok(cleanVorbis[1].body.includes(setup), 'the setup packet is kept');
  assert.ok(cleanVorbis[2].body.equals(audio[0]) && cleanVorbis[3].body.equals(audio[1]));

  // FLAC is not read (its frames carry no length): withheld, and unreadable under another name.
  assert.equal(publishableWithoutMetadata('audio/flac'), false);
  assert.equal(withoutMetadata(namedFlac(), 'audio/mpeg').kind, 'unreadable');

  // Not what they should be: not published.
  const junk = Buffer.concat([mp3(3), Buffer.from(NAME), mp3(3)]);
  assert.equal(withoutMetadata(junk, 'audio/mpeg').kind, 'unreadable', 'bytes between MP3 frames');
  assert.equal(withoutMetadata(Buffer.concat([opus, ...oggPagesOf([audio[0]], 9)]), 'audio/ogg').kind, 'unreadable', 'a second stream');
  assert.equal(withoutMetadata(wav(10).subarray(0, 36), 'audio/wav').kind, 'unreadable', 'a WAV without data');
  assert.equal(withoutMetadata(Buffer.from('hello'), 'audio/mpeg').kind, 'unreadable', 'not an MP3');
  // What a cut-short last frame, a data size past the end or a second stream could hide goes too.
  const cut = Buffer.concat([mp3(10), mp3(1).subarray(0, 20), Buffer.from(`ID3\u0003\u0000\u0000\u0000\u0000\u0000\u0010TPE1${NAME}`, 'latin1')]);
  assert.ok(stripped(cut).equals(mp3(10)), 'MP3: the complete frames alone');
  const streamed = wav(50);
  streamed.writeUInt32LE(0xffffffff, 40);
  assert.equal(withoutMetadata(Buffer.concat([streamed, wav(1, NAME).subarray(36, 36 + 8 + 4 + 8 + NAME.length + 2)]), 'audio/wav').kind, 'unreadable', 'WAV: a data size past the end');
  const chained = Buffer.concat([oggOpus(3), oggOpus(3, [`ARTIST=${NAME}`])]);
  assert.equal(withoutMetadata(chained, 'audio/ogg').kind, 'unreadable', 'Ogg: a second stream with the same serial');
});

/** The top-level elements of a WebM's segment: [id, start, size field's start, size field's length, end]. */
function segmentChildren(webm: Buffer): [number, number, number, number, number][] {
  const vint = (at: number): [number, number] => {
    let length = 1;
    while (!(webm[at] & (0x80 >> (length - 1)))) length++;
    let value = webm[at] & (0xff >> length);
    for (let i = 1; i < length; i++) value = value * 256 + webm[at + i];
    return [value, length];
  };
  const children: [number, number, number, number, number][] = [];
  const [headerSize, headerLength] = vint(4);
  const segment = 4 + headerLength + headerSize;
  for (let at = segment + 4 + vint(segment + 4)[1]; at < webm.length; ) {
    const idLength = vint(at)[1];
    const id = webm.readUIntBE(at, idLength);
    const [size, sizeLength] = vint(at + idLength);
    const end = at + idLength + sizeLength + size;
    children.push([id, at, at + idLength, sizeLength, end]);
    at = end;
  }
  return children;
}

test('WebM: tags, attachments, chapters and the title become Void elements of the same size; clusters of unknown size are read too', () => {
  const named = namedWebm(NAME);
  const result = withoutMetadata(named, 'video/webm');
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME), 'no name');
  assert.equal(data.length, named.length, 'nothing moves');
  const before = segmentChildren(named);
  const after = segmentChildren(data);
  const voided = new Set([0x1254c367, 0x1941a469, 0x1043a770]);
  assert.deepEqual(after.map(([id, start, , , end]) => [id, start, end]), before.map(([id, start, , , end]) => [voided.has(id) ? 0xec : id, start, end]));
  for (const [id, start, , , end] of before) {
    if (id === 0x1f43b675) assert.ok(data.subarray(start, end).equals(named.subarray(start, end)), 'a cluster is untouched');
  }
  // Clusters as a browser streaming its recording writes them: size unknown (all ones).
  const streamed = Buffer.from(named);
  for (const [id, , sizeAt, sizeLength] of before) {
    if (id === 0x1f43b675) streamed.fill(0xff, sizeAt + 1, sizeAt + sizeLength).writeUInt8((0xff >> (sizeLength - 1)) & 0xff | (0x80 >> (sizeLength - 1)), sizeAt);
  }
  const fromStreamed = withoutMetadata(streamed, 'video/webm');
  assert.equal(fromStreamed.kind, 'stripped');
  assert.ok(!(fromStreamed as { data: Buffer }).data.includes(NAME));
  // A codec whose private data can hold comments, or one not known here: not published.
  const vorbis = Buffer.from(named);
  vorbis.write('A_VORB', named.indexOf('A_OPUS'), 'latin1');
  assert.equal(withoutMetadata(vorbis, 'video/webm').kind, 'unreadable');
  assert.equal(withoutMetadata(Buffer.concat([named, Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80])]), 'video/webm').kind, 'unreadable', 'something after the segment');
});

/** An AVIF made by sharp (libheif) with `NAME` in its EXIF item. */
async function namedAvif(): Promise<Buffer> {
  return sharp({ create: { width: 16, height: 12, channels: 3, background: { r: 10, g: 200, b: 30 } } }).withExif({ IFD0: { Artist: NAME, Copyright: NAME } }).avif().toBuffer();
}

test('HEIF/AVIF: the EXIF item becomes an empty EXIF block of its own size; the picture decodes the same; sequences are not published', async () => {
  const avif = await namedAvif();
  assert.ok(avif.includes(NAME), 'sharp wrote the EXIF item');
  const result = withoutMetadata(avif, 'image/avif');
  assert.equal(result.kind, 'stripped');
  const data = (result as { data: Buffer }).data;
  assert.ok(!data.includes(NAME), 'no name');
  assert.equal(data.length, avif.length, 'nothing moves');
  assert.ok((await pixels(data)).equals(await pixels(avif)), 'the same pixels');
  const exif = (await sharp(data).metadata()).exif;
  assert.ok(exif && exif.subarray(0, 4).toString('latin1') === 'II*\u0000' && exif.subarray(8).every((b) => b === 0), 'an empty EXIF block, zeros after it');
  assert.equal(withoutMetadata(Buffer.concat([avif, box('moov', Buffer.alloc(8))]), 'image/avif').kind, 'unreadable', 'a picture sequence');
  assert.equal(withoutMetadata(avif.subarray(0, avif.length - 20), 'image/avif').kind, 'unreadable', 'cut short');
});

test('text, icons and the rest are what their type says; PNG, WebP and JPEG keep only the chunks and segments an image needs', async () => {
  assert.equal(withoutMetadata(Buffer.from(`%PDF-1.4\n<< /Author (${NAME}) >>\n`), 'text/plain').kind, 'unreadable', 'a PDF called notes.txt');
  assert.equal(withoutMetadata(Buffer.from([0x41, 0x00, 0x42]), 'text/csv').kind, 'unreadable', 'NULs are not text');
  assert.equal(withoutMetadata(Buffer.from([0x41, 0xff, 0x42]), 'text/plain').kind, 'unreadable', 'not UTF-8');
  assert.equal(withoutMetadata(Buffer.from('Grüße, 👋\r\n\tnext line\f'), 'text/plain').kind, 'unchanged');
  const png = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#123456' } }).png().toBuffer();
  const icon = Buffer.concat([Buffer.from([0, 0, 1, 0, 1, 0, 2, 2, 0, 0, 1, 0, 32, 0]), Buffer.alloc(4), Buffer.from([22, 0, 0, 0]), png]);
  icon.writeUInt32LE(png.length, 14);
  assert.equal(withoutMetadata(icon, 'image/vnd.microsoft.icon').kind, 'unreadable', 'an icon holding a PNG (and its text chunks)');
  assert.equal(withoutMetadata(Buffer.from('#!AMR\n'), 'audio/amr').kind, 'unchanged');
  assert.equal(withoutMetadata(Buffer.from('not AMR'), 'audio/amr').kind, 'unreadable');

  // PNG: a private chunk, C2PA credentials and a named ICC profile.
  const iend = png.length - 12;
  const withChunks = Buffer.concat([png.subarray(0, 33), pngChunkOf('iCCP', Buffer.concat([Buffer.from(`${NAME}\u0000\u0000`, 'latin1'), zlib.deflateSync(Buffer.alloc(8))])), pngChunkOf('caBX', Buffer.from(NAME)), pngChunkOf('prVt', Buffer.from(NAME)), png.subarray(33, iend), png.subarray(iend)]);
  const cleanPng = (withoutMetadata(withChunks) as { data: Buffer }).data;
  assert.ok(!cleanPng.includes(NAME) && cleanPng.includes('ICC profile'), 'the profile kept, under a fixed name');
  assert.ok((await pixels(cleanPng)).equals(await pixels(png)));
  // WebP: an unknown chunk.
  const webp = await sharp({ create: { width: 2, height: 2, channels: 3, background: '#123456' } }).webp().toBuffer();
  const extra = Buffer.concat([Buffer.from('NAME', 'latin1'), Buffer.from([NAME.length, 0, 0, 0]), Buffer.from(NAME)]);
  const named = Buffer.concat([webp, extra]);
  named.writeUInt32LE(named.length - 8, 4);
  assert.ok(!(withoutMetadata(named) as { data: Buffer }).data.includes(NAME));
  // JPEG: a JFIF thumbnail and a JFXX extension in APP0, an APP14 longer than Adobe's.
  const plain = await sharp({ create: { width: 4, height: 4, channels: 3, background: '#102030' } }).jpeg().toBuffer();
  const jfif = Buffer.concat([Buffer.from('JFIF\u0000\u0001\u0002\u0000\u0000\u0001\u0000\u0001\u0001\u0001', 'latin1'), Buffer.from(NAME.padEnd(3, ' ').slice(0, 3))]);
  const jfxx = Buffer.concat([Buffer.from('JFXX\u0000\u0010', 'latin1'), Buffer.from(NAME)]);
  const adobe = Buffer.concat([Buffer.from('Adobe\u0000\u0064\u0000\u0000\u0000\u0000\u0001', 'latin1'), Buffer.from(NAME)]);
  const app0 = plain.indexOf(Buffer.from([0xff, 0xe0]));
  const jpeg = Buffer.concat([plain.subarray(0, 2), segment(0xe0, jfif), segment(0xe0, jfxx), segment(0xee, adobe), plain.subarray(app0 >= 0 ? app0 + 2 + plain.readUInt16BE(app0 + 2) : 2)]);
  const cleanJpeg = (withoutMetadata(jpeg) as { data: Buffer }).data;
  assert.ok(!cleanJpeg.includes(NAME) && !cleanJpeg.includes(NAME.slice(0, 3)), 'no thumbnail, no extension, no long APP14');
  assert.ok((await pixels(cleanJpeg)).equals(await pixels(plain)));
});

/** A PNG chunk: length, type, data, CRC (written here, apart from the code under test). */
function pngChunkOf(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length);
  head.write(type, 4, 'latin1');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(zlib.crc32(Buffer.concat([head.subarray(4), data])));
  return Buffer.concat([head, data, crc]);
}

/** A synthetic HEIF: `infes` items, `locations` [id, offset in mdat, length], more boxes in meta, mdat's contents. */
function heif(infes: Buffer[], locations: [number, number, number][], metaExtra: Buffer[], mdat: Buffer): Buffer {
  const u16 = (n: number): Buffer => Buffer.from([n >> 8, n & 255]);
  const u32 = (n: number): Buffer => Buffer.from([n >>> 24, (n >> 16) & 255, (n >> 8) & 255, n & 255]);
  const build = (mdatStart: number): Buffer[] => {
    const iloc = fullBox('iloc', 0, Buffer.from([0x44, 0x00]), u16(locations.length), ...locations.map(([id, offset, length]) => Buffer.concat([u16(id), u16(0), u16(1), u32(mdatStart + 8 + offset), u32(length)])));
    const meta = fullBox('meta', 0, fullBox('hdlr', 0, u32(0), Buffer.from('pict'), Buffer.alloc(12), Buffer.from('\u0000')), fullBox('pitm', 0, u16(1)), iloc, fullBox('iinf', 0, u16(infes.length), ...infes), ...metaExtra);
    return [box('ftyp', Buffer.from('mif1\u0000\u0000\u0000\u0000mif1heic', 'latin1')), meta];
  };
  const [ftyp, meta] = build(Buffer.concat(build(0)).length);
  return Buffer.concat([ftyp, meta, box('mdat', mdat)]);
}
const fullBox = (type: string, version: number, ...content: Buffer[]): Buffer => box(type, Buffer.from([version, 0, 0, 0]), ...content);
const infe = (id: number, type: string, name = '', extra = Buffer.alloc(0)): Buffer => fullBox('infe', 2, Buffer.from([id >> 8, id & 255, 0, 0]), Buffer.from(type, 'latin1'), Buffer.from(`${name}\u0000`), extra);

test('HEIF: only what describes the picture stays (boxes, properties, items by allow-list; bytes no item covers zeroed); one id for two items is unreadable', async () => {
  const avif = await namedAvif();
  const exif = Buffer.concat([Buffer.alloc(4), Buffer.from(`MM\u0000*....Artist ${NAME}`, 'latin1')]);
  const mdat = Buffer.concat([Buffer.alloc(32, 1), exif]);
  const picture: [number, number, number] = [1, 0, 32];
  const cases: [string, Buffer, 'stripped' | 'unreadable'][] = [
    ['user data after the picture', Buffer.concat([avif, box('udta', box('\u00a9nam', Buffer.from(NAME)))]), 'stripped'],
    ['an XMP uuid box', Buffer.concat([avif, box('uuid', Buffer.from('be7acfcb97a942e89c71999491e3afac', 'hex'), Buffer.from(`<dc:creator>${NAME}</dc:creator>`))]), 'stripped'],
    ['an EXIF item', heif([infe(1, 'hvc1'), infe(2, 'Exif')], [picture, [2, 32, exif.length]], [], mdat), 'stripped'],
    ['a JSON item', heif([infe(1, 'hvc1'), infe(2, 'mime', '', Buffer.from('application/json\u0000'))], [picture, [2, 32, exif.length]], [], mdat), 'stripped'],
    ['a JPEG item', heif([infe(1, 'hvc1'), infe(2, 'jpeg')], [picture, [2, 32, exif.length]], [], mdat), 'stripped'],
    ['an item named', heif([infe(1, 'hvc1', NAME)], [picture], [], Buffer.alloc(32, 1)), 'stripped'],
    ['bytes no item covers', heif([infe(1, 'hvc1')], [picture], [], mdat), 'stripped'],
    ['an xml box in meta', heif([infe(1, 'hvc1')], [picture], [fullBox('xml ', 0, Buffer.from(`<creator>${NAME}</creator>`))], Buffer.alloc(32, 1)), 'stripped'],
    ['a user description property', heif([infe(1, 'hvc1')], [picture], [box('iprp', box('ipco', fullBox('udes', 0, Buffer.from(`en\u0000${NAME}\u0000\u0000\u0000`))))], Buffer.alloc(32, 1)), 'stripped'],
    ['two items under one id', heif([infe(1, 'hvc1'), infe(2, 'Exif'), infe(2, 'hvc1')], [picture, [2, 32, exif.length]], [], mdat), 'unreadable'],
    ['two locations for one item', heif([infe(1, 'hvc1'), infe(2, 'Exif')], [picture, [2, 32, exif.length], [2, 0, 20]], [], mdat), 'unreadable'],
  ];
  for (const [what, data, kind] of cases) {
    assert.ok(data.includes(NAME), what);
    const result = withoutMetadata(data, 'image/avif');
    assert.equal(result.kind, kind, what);
    if (result.kind === 'stripped') {
      assert.ok(!result.data.includes(NAME), `${what}: no name`);
      assert.equal(result.data.length, data.length, `${what}: nothing moves`);
    }
  }
  const withUserData = (withoutMetadata(cases[0][1], 'image/avif') as { data: Buffer }).data;
  assert.ok((await pixels(withUserData)).equals(await pixels(avif)), 'the picture decodes the same');
});

/** The first TrackNumber (`D7 81 01`) of the first TrackEntry with its size made unknown (all ones). */
function trackNumberUnsized(webm: Buffer): Buffer {
  const out = Buffer.from(webm);
  const at = out.indexOf(Buffer.from([0xd7, 0x81, 0x01]), out.indexOf(Buffer.from([0x16, 0x54, 0xae, 0x6b])));
  assert.ok(at > 0, 'a track number in the recording');
  out[at + 1] = 0xff;
  return out;
}

test('WebM: Voids, the EBML header, seek index, cues, known-size clusters and tracks are read by allow-list too', () => {
  const clip = readFileSync('test/fixtures/media/clip.webm');
  const element = (id: string, ...children: Buffer[]): Buffer => {
    const data = Buffer.concat(children);
    const size = Buffer.alloc(8);
    size.writeBigUInt64BE((1n << 56n) | BigInt(data.length));
    return Buffer.concat([Buffer.from(id, 'hex'), size, data]);
  };
  const appended = (extra: Buffer): Buffer => {
    const out = Buffer.concat([clip, extra]);
    const size = out.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67])) + 4;
    out.writeBigUInt64BE((1n << 56n) | BigInt(out.length - size - 8), size);
    return out;
  };
  assert.equal(clip[4], 0x9f, "the recording's EBML header: 31 bytes, its size in one byte");
  const headerVoid = Buffer.concat([Buffer.from([0x1a, 0x45, 0xdf, 0xa3, 0x80 | (31 + 2 + NAME.length)]), clip.subarray(5, 36), Buffer.from([0xec, 0x80 | NAME.length]), Buffer.from(NAME), clip.subarray(36)]);
  const cases: [string, Buffer, 'stripped' | 'unreadable'][] = [
    ['a Void at the segment level', appended(element('ec', Buffer.from(NAME))), 'stripped'],
    ['a Void in the EBML header', headerVoid, 'stripped'],
    ['a known-size cluster holding a Void and tags', appended(element('1f43b675', element('e7', Buffer.from([0])), element('ec', Buffer.from(NAME)), element('1254c367', Buffer.from(NAME)))), 'stripped'],
    ['cues holding a name', appended(element('1c53bb6b', element('bb', element('b3', Buffer.from([0])), element('536e', Buffer.from(NAME))))), 'stripped'],
    ['a seek id that is no id', appended(element('114d9b74', element('4dbb', element('53ab', Buffer.from(NAME))))), 'unreadable'],
    ['a track field of unknown size', trackNumberUnsized(appended(element('ec', Buffer.from(NAME)))), 'unreadable'],
  ];
  for (const [what, data, kind] of cases) {
    assert.ok(data.includes(NAME), what);
    const result = withoutMetadata(data, 'video/webm'); // never throws (a fuzzer found a track field that did)
    assert.equal(result.kind, kind, what);
    if (result.kind === 'stripped') assert.ok(!result.data.includes(NAME), `${what}: no name`);
  }
});

test('stripping any mutated or cut media file ends, never throws, and stripping again changes nothing', async (t) => {
  const samples = [
    await namedJpeg(), await namedGif(), namedMovie(), await sharp({ create: { width: 3, height: 3, channels: 4, background: '#abcdef80' } }).png().toBuffer(),
    mp3(6, NAME), oggOpus(4, [`ARTIST=${NAME}`]), wav(20, NAME), namedFlac(), namedWebm(NAME), await namedAvif(),
  ];
  assertProperty(
    t,
    fc.property(
      fc.constantFrom(...samples.keys()),
      fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
      fc.option(fc.nat(), { nil: undefined }),
      (which, flips, cut) => {
        const data = Buffer.from(samples[which]);
        for (const [at, value] of flips) data[at % data.length] = value;
        const input = cut === undefined ? data : data.subarray(0, cut % data.length);
        const result = withoutMetadata(input);
        if (result.kind !== 'stripped') return;
        const again = withoutMetadata(result.data);
        assert.equal(again.kind, 'stripped');
        assert.ok((again as { data: Buffer }).data.equals(result.data), 'stripped once is stripped for good');
      },
    ),
    { numRuns: 400 },
  );
});

test('a photo whose structure cannot be followed is unreadable; other files are unchanged', async () => {
  const named = await namedJpeg();
  assert.equal(withoutMetadata(named.subarray(0, 40)).kind, 'unreadable', 'cut inside a segment');
  const noScan = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x00, 0x00]);
  assert.equal(withoutMetadata(noScan).kind, 'unreadable', 'segments but no image data');
  const gif = Buffer.from('GIF89a\u0001\u0000\u0001\u0000', 'latin1');
  assert.equal(withoutMetadata(gif).kind, 'unreadable', 'a GIF cut in its header');
  const cutGif = await namedGif();
  assert.equal(withoutMetadata(cutGif.subarray(0, cutGif.length - 1)).kind, 'unreadable', 'a GIF without its trailer');
  const movie = namedMovie();
  const overlong = Buffer.from(movie);
  overlong.writeUInt32BE(movie.length, 20); // moov's size (after the 20-byte ftyp), past the end of the file
  assert.equal(withoutMetadata(overlong).kind, 'unreadable', 'a box longer than the file');
  assert.equal(withoutMetadata(movie.subarray(0, 60)).kind, 'unreadable', 'a movie cut inside its moov');
  // HEIF/AVIF: the top-level meta box is the picture; one without its item list cannot be read.
  const heif = Buffer.concat([box('ftyp', Buffer.from('heic\u0000\u0000\u0000\u0000mif1heic', 'latin1')), box('meta', Buffer.alloc(20)), box('mdat', Buffer.alloc(30, 7))]);
  assert.deepEqual(withoutMetadata(heif), { kind: 'unreadable' });
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

test('authors hidden: sound loses its tags; a document or an unreadable file is listed, not published, unless publishUncleanedMedia; shown, every file as it came', async () => {
  const dir = scratchDir('cc-media-withheld-');
  const db = join(dir, 'db.sqlite');
  const ann = { nativeId: '8:live:ann', displayName: 'Ann Lee' };
  const pdf = Buffer.from(`%PDF-1.4\n1 0 obj\n<< /Author (${NAME}) >>\nendobj\ntrailer\n<< /Info 1 0 R >>\n%%EOF\n`);
  const media: FixtureMedia[] = [
    { name: 'report.pdf', bytes: pdf },
    { name: 'voice.ogg', bytes: oggOpus(25, [`ARTIST=${NAME}`]) },
    { name: 'song.mp3', bytes: mp3(40, NAME) },
    { name: 'memo.wav', bytes: wav(200, NAME) },
    { name: 'list.txt', bytes: Buffer.from('eggs, flour') },
    { name: 'broken.jpg', bytes: Buffer.from(`not a JPEG at all, by ${NAME}`) },
    { name: 'film.webm', bytes: namedWebm(NAME) },
  ];
  writeFixture(db, [{
    nativeId: '19:files@thread.skype',
    title: 'Files',
    members: [ann],
    messages: media.map((f, i) => ({ nativeId: `m${i}`, author: ann.nativeId, authorName: ann.displayName, time: Date.UTC(2024, 0, 1, 10, i), body: f.name, attachments: [{ name: f.name, size: f.bytes.length, hash: mediaHash(f.bytes) }] })),
  }], media);
  const published = (out: string): string[] => listFiles(out).filter((f) => /^media\/[0-9a-f]{64}\//.test(f)).map((f) => f.split('/').pop()!).sort();
  for (const authors of ['hide', 'pseudonymize'] as const) {
    const { out } = await buildInto(db, { authors, pseudonymSalt: 'pepper' });
    assert.deepEqual(published(out), ['file.mp3', 'file.ogg', 'file.txt', 'file.wav', 'file.webm'], `${authors}: the PDF is not published`);
    assert.deepEqual(scanForLeaks(out, [NAME]), [], `${authors}: the name is in no byte`);
    const page = archivePages(listFiles(out)).map((p) => read(out, p)).join('');
    assert.match(page, /<span class="cc-file cc-missing">report\.pdf<\/span> <span class="cc-size">[^<]+<\/span> <span class="cc-note">not published: a file like this can carry its author’s name<\/span>/);
    assert.match(page, /<span class="cc-file cc-missing">broken\.jpg<\/span> <span class="cc-size">[^<]+<\/span> <span class="cc-note">not published: it could not be read to remove its metadata<\/span>/);
    assert.doesNotMatch(page, /href="[^"]*\.(pdf|jpg)"/, 'no link to either');
    const gallery = read(out, listFiles(out).find((f) => /^chats\/[^/]+\/media\/index\.html$/.test(f))!);
    assert.ok(!gallery.includes('report.pdf') && gallery.includes('list.txt'), 'the gallery has what is published');
    // The WebM keeps its size without its tags: a copy with them (an older build's, a show build's) is not taken for it.
    const webm = join(out, listFiles(out).find((f) => f.endsWith('/file.webm'))!);
    writeFileSync(webm, namedWebm(NAME));
    await buildInto(db, { authors, pseudonymSalt: 'pepper', out });
    assert.deepEqual(scanForLeaks(out, [NAME]), [], `${authors}: rebuilt over a same-size copy with the name`);
  }
  const { out: opted } = await buildInto(db, { authors: 'hide', pseudonymSalt: 'pepper', publishUncleanedMedia: true });
  assert.deepEqual(published(opted), ['file.jpg', 'file.mp3', 'file.ogg', 'file.pdf', 'file.txt', 'file.wav', 'file.webm']);
  assert.deepEqual(scanForLeaks(opted, [NAME]).map((leak) => leak.file.split('/').pop()).sort(), ['file.jpg', 'file.pdf'], 'publishUncleanedMedia: the PDF and the unreadable file as they came, the rest cleaned');
  const { out: shown } = await buildInto(db);
  for (const f of media) {
    const file = listFiles(shown).find((p) => p.startsWith(`media/${mediaHash(f.bytes)}/`));
    assert.ok(file && readFileSync(join(shown, file)).equals(f.bytes), `shown: ${f.name} as it came`);
  }
});
