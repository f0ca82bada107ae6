import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, linkSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { gzipSync } from 'node:zlib';
import { isTar, listTar, TarError, type TarEntry } from '../collector/sources/kit/archive/tar.js';
import { skypeExport } from '../collector/sources/skype-export/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { writeTar } from './helpers/archives.js';
import { tempDir } from './helpers/temp.js';

/**
 * collector/archive/tar.ts: the table of contents of a tar (tar-stream decodes the headers), with
 * each entry's offset for reading it in place. Archives here are written by GNU tar or by hand,
 * never by the library under test.
 */
const GNU_TAR = ['/usr/bin/tar', '/bin/tar'].find((p) => existsSync(p));
const TINY = resolve(process.cwd(), 'test/fixtures/skype/tiny');

function gnuTar(format: string, dir: string, members: string[], out: string): void {
  execFileSync(GNU_TAR!, [`--format=${format}`, '--no-recursion', '-cf', out, '-C', dir, ...members]);
}

/** One 512-byte ustar header (octal fields), checksum filled in. */
function header(name: string, size: number, typeflag = '0'): Buffer {
  const h = Buffer.alloc(512);
  h.write(name, 0, 'utf8');
  h.write('0000644\0', 100, 'latin1');
  h.write('0000000\0', 108, 'latin1');
  h.write('0000000\0', 116, 'latin1');
  h.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
  h.write('14544000000\0', 136, 'latin1');
  h.write(typeflag, 156, 'latin1');
  h.write('ustar\u000000', 257, 'latin1');
  return checksummed(h);
}

function checksummed(h: Buffer): Buffer {
  h.write('        ', 148, 'latin1');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
  return h;
}

function padded(data: Buffer): Buffer {
  return Buffer.concat([data, Buffer.alloc((512 - (data.length % 512)) % 512)]);
}

async function listError(file: string): Promise<TarError> {
  try {
    await listTar(file);
  } catch (err) {
    assert.ok(err instanceof TarError, `expected a TarError, got ${String(err)}`);
    return err;
  }
  assert.fail(`${file} was listed`);
}

async function readAll(path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of skypeExport.read(path, {})) events.push(event);
  return events;
}

test('every format GNU tar writes (v7, oldgnu, gnu, ustar, pax): names, types, sizes, and offsets that hold the bytes', { skip: !GNU_TAR && 'no GNU tar' }, async () => {
  const dir = tempDir();
  const src = join(dir, 'src');
  const files: Record<string, Buffer> = {
    'messages.json': Buffer.from('{"conversations":[]}'.padEnd(2000, ' ')),
    'media/a.1.jpg': Buffer.from('A'),
    'media/empty.json': Buffer.alloc(0),
    'media/日本.1.jpg': Buffer.alloc(513, 9),
  };
  // Names only some formats can hold: GNU long names and pax paths; ustar's prefix field.
  const longName = `media/${'n'.repeat(120)}.1.jpg`;
  const prefixed = `${'d'.repeat(90)}/${'f'.repeat(60)}.bin`;
  const extra: Record<string, string[]> = { v7: [], ustar: [prefixed], oldgnu: [longName], gnu: [longName, prefixed], pax: [longName, prefixed] };
  for (const name of [...Object.keys(files), longName, prefixed]) {
    mkdirSync(join(src, name, '..'), { recursive: true });
    writeFileSync(join(src, name), files[name] ?? Buffer.from(name));
  }
  for (const [format, names] of Object.entries(extra)) {
    const members = [...Object.keys(files), 'media', ...names];
    const out = join(dir, `${format}.tar`);
    gnuTar(format, src, members, out);
    const entries = await listTar(out);
    const bytes = readFileSync(out);
    const byName = new Map(entries.map((e) => [e.name, e]));
    assert.equal(byName.get('media')?.type, 'directory', `${format}: a folder, without its trailing slash`);
    for (const name of [...Object.keys(files), ...names]) {
      const entry = byName.get(name);
      assert.ok(entry, `${format}: ${name} listed (got ${entries.map((e) => e.name).join(', ')})`);
      const want = files[name] ?? Buffer.from(name);
      assert.deepEqual([entry.type, entry.size], ['file', want.length], `${format}: ${name}`);
      assert.ok(bytes.subarray(entry.offset, entry.offset + entry.size).equals(want), `${format}: ${name}'s bytes at its offset`);
    }
    assert.equal(await isTar(out), true, format);
  }
});

test('a base-256 size (GNU, for entries over 8 GiB) is read; one claiming more than the file holds is refused at its header', async () => {
  const dir = tempDir();
  const data = Buffer.alloc(1000, 5);
  const base256 = (size: number) => {
    const h = header('big.bin', 0);
    h[124] = 0x80;
    h.fill(0, 125, 136);
    for (let i = 135, n = size; n > 0; i--, n = Math.floor(n / 256)) h[i] = n % 256;
    return checksummed(h);
  };
  const good = join(dir, 'good.tar');
  writeFileSync(good, Buffer.concat([header('a.txt', 3), padded(Buffer.from('abc')), base256(1000), padded(data), Buffer.alloc(1024)]));
  const entries = await listTar(good);
  assert.deepEqual(entries.map((e) => [e.name, e.size, e.offset]), [['a.txt', 3, 512], ['big.bin', 1000, 1536]]);

  // A tar bomb's claim (1 TiB in a 3 KB file): refused at once, naming the header, nothing allocated.
  const bomb = join(dir, 'bomb.tar');
  writeFileSync(bomb, Buffer.concat([header('a.txt', 3), padded(Buffer.from('abc')), base256(2 ** 40), padded(data), Buffer.alloc(1024)]));
  const err = await listError(bomb);
  assert.equal(err.offset, 1024);
  assert.match(err.message, /truncated/);
});

test('an extended header too large to be a name or a few pax records is refused, naming where it starts', async () => {
  const dir = tempDir();
  const file = join(dir, 'pax-bomb.tar');
  writeFileSync(file, Buffer.concat([header('a.txt', 3), padded(Buffer.from('abc')), header('PaxHeader', 64 << 20, 'x'), Buffer.alloc(4096)]));
  const err = await listError(file);
  assert.equal(err.offset, 1024);
  assert.match(err.message, /too large/);
});

test('a tar cut at any byte is refused naming a byte at or before the cut, unless it ends between two entries', async () => {
  const dir = tempDir();
  const whole = join(dir, 'whole.tar');
  const sizes = [700, 10, 1500];
  writeTar(whole, sizes.map((n, i) => ({ name: i ? `media/${i}.1.jpg` : 'messages.json', data: Buffer.alloc(n, i) })));
  const bytes = readFileSync(whole);
  // Where each header starts, and where the last entry's data (with its padding) ends.
  const starts: number[] = [];
  let end = 0;
  for (const n of sizes) starts.push(end), (end += 512 + Math.ceil(n / 512) * 512);
  const cuts = new Set<number>();
  for (let at = 0; at <= bytes.length; at += 37) cuts.add(at);
  for (let block = 0; block <= bytes.length; block += 512) for (const d of [-1, 0, 1]) if (block + d >= 0 && block + d <= bytes.length) cuts.add(block + d);
  const cut = join(dir, 'cut.tar');
  for (const at of [...cuts].sort((a, b) => a - b)) {
    writeFileSync(cut, bytes.subarray(0, at));
    const between = starts.includes(at) || at >= end;
    let entries: TarEntry[];
    try {
      entries = await listTar(cut);
    } catch (err) {
      assert.ok(err instanceof TarError, `cut at ${at}: ${String(err)}`);
      assert.ok(!between, `cut at ${at}, between two entries: ${err.message}`);
      assert.ok(err.offset <= at, `cut at ${at}: the error names byte ${err.offset}`);
      assert.match(err.message, /truncated/);
      continue;
    }
    assert.ok(between, `cut at ${at} inside an entry: listed ${entries.length} entries without a word`);
    assert.equal(entries.length, at >= end ? sizes.length : starts.indexOf(at), `cut at ${at}`);
  }
});

test('not a tar: a JSON file, an empty file, a gzipped tar (not supported) are refused at byte 0 and not taken for tars', async () => {
  const dir = tempDir();
  const tar = join(dir, 'x.tar');
  writeTar(tar, [{ name: 'messages.json', data: readFileSync(join(TINY, 'messages.json')) }]);
  const inputs = {
    json: readFileSync(join(TINY, 'messages.json')),
    empty: Buffer.alloc(0),
    gzip: gzipSync(readFileSync(tar)),
  };
  for (const [name, data] of Object.entries(inputs)) {
    const file = join(dir, name);
    writeFileSync(file, data);
    assert.equal(await isTar(file), false, name);
    if (data.length) {
      const err = await listError(file);
      assert.equal(err.offset, 0, name);
      assert.match(err.message, /not a tar archive/, name);
    }
  }
  assert.equal(await skypeExport.detect(join(dir, 'gzip')), false);
  await assert.rejects(readAll(join(dir, 'gzip')), (err) => err instanceof SourceError && err.file === join(dir, 'gzip'));
  // A tar damaged after its first header is still a tar: the import names the damage.
  const cut = join(dir, 'cut.tar');
  writeFileSync(cut, readFileSync(tar).subarray(0, 700));
  assert.equal(await isTar(cut), true);
  await assert.rejects(readAll(cut), (err) => err instanceof SourceError && err.position === 'byte 0' && /truncated/.test(err.message));
});

test('links, FIFOs and names climbing out of media/ are never read as media; the links and FIFOs are counted in one warning', { skip: !GNU_TAR && 'no GNU tar' }, async () => {
  const dir = tempDir();
  const src = join(dir, 'export');
  cpSync(TINY, src, { recursive: true });
  writeFileSync(join(dir, 'secret.1.txt'), 'SECRET OUTSIDE THE EXPORT');
  symlinkSync(join(dir, 'secret.1.txt'), join(src, 'media', 'zz-symlink.1.txt'));
  symlinkSync('../messages.json', join(src, 'media', 'zz-relative.1.txt'));
  // GNU tar stores the second name of a file as a hard link to the first.
  linkSync(join(src, 'messages.json'), join(src, 'media', 'zz-hardlink.1.txt'));
  execFileSync('mkfifo', [join(src, 'media', 'zz-fifo.1.txt')]);
  const tar = join(dir, 'export.tar');
  gnuTar('gnu', src, ['messages.json', 'media', ...readdirSync(join(src, 'media')).sort().map((n) => `media/${n}`)], tar);
  const entries = await listTar(tar);
  const kinds = Object.fromEntries(entries.filter((e) => e.name.includes('zz-')).map((e) => [e.name, e.type]));
  assert.deepEqual(kinds, { 'media/zz-symlink.1.txt': 'other', 'media/zz-relative.1.txt': 'other', 'media/zz-hardlink.1.txt': 'other', 'media/zz-fifo.1.txt': 'other' });

  const events = await readAll(tar);
  const media = events.flatMap((e) => (e.type === 'media' ? [e.media.name] : []));
  assert.deepEqual(media.filter((n) => n.includes('zz-')), [], 'no link or FIFO became a media file');
  assert.ok(media.length > 0, 'the real media files are read');
  const warnings = events.flatMap((e) => (e.type === 'warning' ? [e.warning] : []));
  const counted = warnings.filter((w) => /not a regular file/.test(w.message));
  assert.equal(counted.length, 1, JSON.stringify(warnings));
  assert.match(counted[0]!.message, /^4 media entries that are not a regular file/);
  assert.match(counted[0]!.position, /^media\/zz-/);

  // Names that climb out: never media, whatever they claim.
  const climbing = join(dir, 'climbing.tar');
  const json = readFileSync(join(TINY, 'messages.json'));
  writeTar(climbing, [
    { name: 'messages.json', data: json },
    { name: 'media/../../escape.1.txt', data: Buffer.from('escape') },
    { name: '../media/up.1.txt', data: Buffer.from('up') },
    { name: '/media/abs.1.txt', data: Buffer.from('abs') },
  ]);
  const climbed = (await readAll(climbing)).flatMap((e) => (e.type === 'media' ? [e.media.name] : []));
  assert.deepEqual(climbed, []);
});
