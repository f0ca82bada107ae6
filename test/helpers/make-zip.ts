import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { constants as zlibConstants, crc32, deflateRawSync } from 'node:zlib';

/**
 * Writes a zip archive (deflated entries, UTF-8 names) for tests, independently of the yauzl-based
 * reader under test: local headers, data, central directory, end record (APPNOTE 4.3).
 */
export function writeZip(file: string, entries: { name: string; data: Buffer | string }[]): void {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = Buffer.from(entry.name, 'utf8');
    const data = typeof entry.data === 'string' ? Buffer.from(entry.data, 'utf8') : entry.data;
    const packed = deflateRawSync(data);
    const crc = crc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed
    local.writeUInt16LE(0x0800, 6); // flags: UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0, 10); // time
    local.writeUInt16LE(0x21, 12); // date: 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    local.writeUInt16LE(0, 28);
    const header = Buffer.alloc(46);
    header.writeUInt32LE(0x02014b50, 0);
    header.writeUInt16LE(20, 4); // made by
    header.writeUInt16LE(20, 6);
    header.writeUInt16LE(0x0800, 8);
    header.writeUInt16LE(8, 10);
    header.writeUInt16LE(0, 12);
    header.writeUInt16LE(0x21, 14);
    header.writeUInt32LE(crc, 16);
    header.writeUInt32LE(packed.length, 20);
    header.writeUInt32LE(data.length, 24);
    header.writeUInt16LE(name.length, 28);
    header.writeUInt32LE(offset, 42);
    central.push(header, name);
    parts.push(local, name, packed);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  writeFileSync(file, Buffer.concat([...parts, directory, end]));
}

/** A run of bytes in a streamed entry: literal bytes, or `unit` repeated `times` times. */
export type ZipPart = Buffer | string | { unit: Buffer | string; times: number };

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
      const name = Buffer.from(entry.name, 'utf8');
      const { blocks, size, crc } = deflateParts(entry.parts);
      const packedSize = blocks.reduce((n, b) => n + b.data.length * b.times, 0) + FINAL_BLOCK.length;
      if (size >= 2 ** 32 || packedSize >= 2 ** 32) throw new Error('writeZipStreamed: entries must stay under 4 GiB');
      const declared = entry.declaredSize ?? size;
      const local = Buffer.alloc(30);
      local.writeUInt32LE(0x04034b50, 0);
      local.writeUInt16LE(20, 4);
      local.writeUInt16LE(0x0800, 6);
      local.writeUInt16LE(8, 8);
      local.writeUInt16LE(0x21, 12);
      local.writeUInt32LE(crc, 14);
      local.writeUInt32LE(packedSize, 18);
      local.writeUInt32LE(declared, 22);
      local.writeUInt16LE(name.length, 26);
      const header = Buffer.alloc(46);
      header.writeUInt32LE(0x02014b50, 0);
      header.writeUInt16LE(20, 4);
      header.writeUInt16LE(20, 6);
      header.writeUInt16LE(0x0800, 8);
      header.writeUInt16LE(8, 10);
      header.writeUInt16LE(0x21, 14);
      header.writeUInt32LE(crc, 16);
      header.writeUInt32LE(packedSize, 20);
      header.writeUInt32LE(declared, 24);
      header.writeUInt16LE(name.length, 28);
      header.writeUInt32LE(offset, 42);
      central.push(header, name);
      write(local);
      write(name);
      for (const block of blocks) for (let i = 0; i < block.times; i++) write(block.data);
      write(FINAL_BLOCK);
    }
    const directory = Buffer.concat(central);
    const directoryOffset = offset;
    write(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(entries.length, 8);
    end.writeUInt16LE(entries.length, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(directoryOffset, 16);
    write(end);
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
