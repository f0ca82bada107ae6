import { closeSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { join, relative, sep } from 'node:path';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Minimal, synchronous zip and tar writers for test inputs (written here, independently of the
 * readers in collector/archive/, so that a reader bug cannot hide behind a matching writer bug).
 */
export interface ArchiveEntry {
  name: string;
  data: Buffer | string;
  /** writeTar only: the entry is this many zero bytes, a hole in the file (`data` is ignored). */
  sparseSize?: number;
}

/** Every file under `dir` as entries named by their '/'-separated path, under `prefix`. */
export function folderEntries(dir: string, prefix = ''): (ArchiveEntry & { data: Buffer })[] {
  const out: (ArchiveEntry & { data: Buffer })[] = [];
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const full = join(d, entry.name);
      if (entry.isDirectory()) walk(full);
      else if (statSync(full).isFile()) out.push({ name: prefix + relative(dir, full).split(sep).join('/'), data: readFileSync(full) });
    }
  };
  walk(dir);
  return out;
}

/** A run of bytes in a streamed entry: literal bytes, or `unit` repeated `times` times. */
export type ZipPart = Buffer | string | { unit: Buffer | string; times: number };

const bytesOf = (data: Buffer | string): Buffer => (typeof data === 'string' ? Buffer.from(data, 'utf8') : data);

/** One entry's local header and central-directory record (UTF-8 names, dated 2024-01-01). */
function zipHeaders(e: { name: Buffer; method: 0 | 8; crc: number; packed: number; size: number; offset: number }): { local: Buffer; central: Buffer } {
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt16LE(0x0800, 6); // flags: names are UTF-8
  local.writeUInt16LE(e.method, 8);
  local.writeUInt16LE(0x5821, 12); // date: 2024-01-01
  local.writeUInt32LE(e.crc, 14);
  local.writeUInt32LE(e.packed, 18);
  local.writeUInt32LE(e.size, 22);
  local.writeUInt16LE(e.name.length, 26);
  const header = Buffer.alloc(46);
  header.writeUInt32LE(0x02014b50, 0);
  header.writeUInt16LE(20, 4); // made by
  header.writeUInt16LE(20, 6);
  header.writeUInt16LE(0x0800, 8);
  header.writeUInt16LE(e.method, 10);
  header.writeUInt16LE(0x5821, 14);
  header.writeUInt32LE(e.crc, 16);
  header.writeUInt32LE(e.packed, 20);
  header.writeUInt32LE(e.size, 24);
  header.writeUInt16LE(e.name.length, 28);
  header.writeUInt32LE(e.offset, 42);
  return { local: Buffer.concat([local, e.name]), central: Buffer.concat([header, e.name]) };
}

/** The central directory and the end record after it. */
function zipDirectory(central: Buffer[], count: number, offset: number): Buffer {
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(count, 8);
  end.writeUInt16LE(count, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([directory, end]);
}

/** A zip with deflated entries (stored when deflating does not help), UTF-8 names (APPNOTE 4.3). */
export function writeZip(file: string, entries: ArchiveEntry[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const bytes = bytesOf(entry.data);
    const deflated = deflateRawSync(bytes);
    const stored = deflated.length >= bytes.length;
    const data = stored ? bytes : deflated;
    const headers = zipHeaders({ name: Buffer.from(entry.name, 'utf8'), method: stored ? 0 : 8, crc: crc32(bytes), packed: data.length, size: bytes.length, offset });
    central.push(headers.central);
    parts.push(headers.local, data);
    offset += headers.local.length + data.length;
  }
  writeFileSync(file, Buffer.concat([...parts, zipDirectory(central, entries.length, offset)]));
}

/**
 * Writes a zip whose entries may be far larger than memory (zip bombs: 3 GiB of zeros deflates to
 * about 3 MB). A repeated unit is deflated once per MiB-sized chunk with a full flush (a chunk then
 * needs nothing before it) and that compressed chunk is written again and again; CRC-32s are
 * combined arithmetically, so nothing of the inflated size is ever computed or held. Entries stay
 * under 4 GiB (no zip64). `declaredSize` writes another uncompressed size than the real one: an
 * archive that lies about what it inflates to.
 */
export function writeZipStreamed(file: string, entries: { name: string; parts: ZipPart[]; declaredSize?: number }[]): void {
  const fd = openSync(file, 'w');
  const central: Buffer[] = [];
  let offset = 0;
  const write = (buf: Buffer): void => {
    writeSync(fd, buf);
    offset += buf.length;
  };
  try {
    for (const entry of entries) {
      const { blocks, size, crc } = deflateParts(entry.parts);
      const packed = blocks.reduce((n, b) => n + b.data.length * b.times, 0) + FINAL_BLOCK.length;
      if (size >= 2 ** 32 || packed >= 2 ** 32) throw new Error('writeZipStreamed: entries must stay under 4 GiB');
      const headers = zipHeaders({ name: Buffer.from(entry.name, 'utf8'), method: 8, crc, packed, size: entry.declaredSize ?? size, offset });
      central.push(headers.central);
      write(headers.local);
      for (const block of blocks) for (let i = 0; i < block.times; i++) write(block.data);
      write(FINAL_BLOCK);
    }
    writeSync(fd, zipDirectory(central, entries.length, offset));
  } finally {
    closeSync(fd);
  }
}

/** An empty final deflate block (fixed Huffman): ends a stream of flushed, non-final blocks. */
const FINAL_BLOCK = Buffer.from([0x03, 0x00]);
const CHUNK = 1 << 20;

function deflateParts(parts: ZipPart[]): { blocks: { data: Buffer; times: number }[]; size: number; crc: number } {
  const blocks: { data: Buffer; times: number }[] = [];
  let size = 0;
  let crc = 0;
  const flushed = (data: Buffer): Buffer => deflateRawSync(data, { finishFlush: zlibConstants.Z_FULL_FLUSH });
  const add = (data: Buffer, times: number): void => {
    if (data.length === 0 || times === 0) return;
    blocks.push({ data: flushed(data), times });
    crc = crc32Repeated(crc, crc32(data), data.length, times);
    size += data.length * times;
  };
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part)) {
      add(typeof part === 'string' ? Buffer.from(part, 'utf8') : part, 1);
      continue;
    }
    const unit = typeof part.unit === 'string' ? Buffer.from(part.unit, 'utf8') : part.unit;
    const perChunk = Math.max(1, Math.floor(CHUNK / unit.length));
    add(Buffer.concat(Array(Math.min(perChunk, part.times)).fill(unit)), Math.floor(part.times / perChunk));
    add(Buffer.concat(Array(part.times % perChunk).fill(unit)), 1);
  }
  return { blocks, size, crc };
}

/** The CRC-32 of (bytes so far, whose CRC is `crc`) followed by `times` copies of a block (CRC `blockCrc`, `length` bytes). */
function crc32Repeated(crc: number, blockCrc: number, length: number, times: number): number {
  // Doubling: the CRC of 2^k copies from that of 2^(k-1).
  let run = blockCrc;
  let runLength = length;
  for (let n = times; n > 0; n = Math.floor(n / 2)) {
    if (n % 2) crc = crc32Combine(crc, run, runLength);
    run = crc32Combine(run, run, runLength);
    runLength *= 2;
  }
  return crc;
}

/** zlib's crc32_combine: the CRC of A·B from crc(A), crc(B) and B's length (GF(2) matrices). */
export function crc32Combine(crc1: number, crc2: number, length2: number): number {
  if (length2 <= 0) return crc1;
  const times = (mat: number[], vec: number): number => {
    let sum = 0;
    for (let i = 0; vec; vec >>>= 1, i++) if (vec & 1) sum ^= mat[i];
    return sum >>> 0;
  };
  const square = (out: number[], mat: number[]): void => {
    for (let n = 0; n < 32; n++) out[n] = times(mat, mat[n]);
  };
  const even = new Array<number>(32);
  const odd = new Array<number>(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial: the operator for one zero bit
  for (let n = 1, row = 1; n < 32; n++, row <<= 1) odd[n] = row >>> 0;
  square(even, odd); // two zero bits
  square(odd, even); // four zero bits
  let len = length2;
  let c = crc1 >>> 0;
  do {
    square(even, odd);
    if (len % 2) c = times(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    square(odd, even);
    if (len % 2) c = times(odd, c);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (c ^ crc2) >>> 0;
}

/**
 * A ustar archive (names up to 100 bytes). An entry with `sparseSize` is that many zero bytes left
 * as a hole in the file: a tar that claims gigabytes without taking them on disk.
 */
export function writeTar(file: string, entries: ArchiveEntry[]): void {
  const fd = openSync(file, 'w');
  try {
    let position = 0;
    for (const entry of entries) {
      const size = entry.sparseSize ?? bytesOf(entry.data).length;
      const header = Buffer.alloc(512);
      const name = Buffer.from(entry.name, 'utf8');
      if (name.length > 100) throw new Error(`tar name too long for this writer: ${entry.name}`);
      name.copy(header, 0);
      header.write('0000644\0', 100, 'latin1');
      header.write('0000000\0', 108, 'latin1');
      header.write('0000000\0', 116, 'latin1');
      header.write(`${size.toString(8).padStart(11, '0')}\0`, 124, 'latin1');
      header.write('14544000000\0', 136, 'latin1');
      header.write('        ', 148, 'latin1');
      header.write('0', 156, 'latin1');
      header.write('ustar\u000000', 257, 'latin1');
      let sum = 0;
      for (const byte of header) sum += byte;
      header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1');
      writeSync(fd, header, 0, 512, position);
      if (entry.sparseSize === undefined) writeSync(fd, bytesOf(entry.data), 0, undefined, position + 512);
      position += 512 + Math.ceil(size / 512) * 512;
    }
    writeSync(fd, Buffer.alloc(1024), 0, 1024, position);
  } finally {
    closeSync(fd);
  }
}
