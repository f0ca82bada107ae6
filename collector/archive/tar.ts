import { open, type FileHandle } from 'node:fs/promises';

/**
 * Reads the table of contents of a tar file without reading its contents: one 512-byte header per
 * entry, seeking past the data. An entry's bytes are then read in place by offset (`readEntry`, or
 * any positioned read of the file), so a multi-GB Skype export is never unpacked or copied, and the
 * entries can be visited in any order.
 *
 * Understands ustar, GNU (long names `L`, base-256 sizes) and pax (`x` headers: `path`, `size`).
 * Compressed tars are not supported (Skype's export is a plain `.tar`).
 */

export interface TarEntry {
  /** Path inside the archive, `/`-separated, without a leading `./`. */
  name: string;
  /** 'file' | 'directory' | 'other' (links, devices…). */
  type: 'file' | 'directory' | 'other';
  /** Absolute offset of the entry's data in the tar file. */
  offset: number;
  size: number;
}

export class TarError extends Error {
  constructor(
    readonly offset: number,
    message: string,
  ) {
    super(`${message} (at byte ${offset})`);
    this.name = 'TarError';
  }
}

const BLOCK = 512;
/** Largest long-name or pax header read into memory. */
const MAX_HEADER_DATA = 1 << 20;

/** Does this first block look like a tar header (valid checksum)? Cheap sniff for detect(). */
export function isTarHeader(block: Uint8Array): boolean {
  if (block.length < BLOCK) return false;
  if (block.every((b) => b === 0)) return false;
  return checksumOk(block);
}

/**
 * Lists the entries of a tar file. `until` stops early once it returns true for an entry (detect()
 * uses it to find messages.json without walking a huge archive to the end).
 */
export async function listTar(path: string, until?: (entry: TarEntry) => boolean): Promise<TarEntry[]> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    return await walk(fh, size, until);
  } finally {
    await fh.close();
  }
}

/** Reads one entry's bytes: callers check `entry.size` against their memory cap first. */
export async function readEntry(fh: FileHandle, entry: TarEntry): Promise<Buffer> {
  const bytes = Buffer.allocUnsafe(entry.size);
  let done = 0;
  while (done < entry.size) {
    const { bytesRead } = await fh.read(bytes, done, entry.size - done, entry.offset + done);
    if (bytesRead === 0) throw new TarError(entry.offset + done, `unexpected end of archive inside "${entry.name}"`);
    done += bytesRead;
  }
  return bytes;
}

async function walk(fh: FileHandle, fileSize: number, until?: (entry: TarEntry) => boolean): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  const header = Buffer.alloc(BLOCK);
  let position = 0;
  let longName: string | null = null;
  let pax: Record<string, string> = {};
  while (position + BLOCK <= fileSize) {
    await readFully(fh, header, position);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    if (!checksumOk(header)) throw new TarError(position, 'not a tar archive, or a damaged one: bad header checksum');
    const type = String.fromCharCode(header[156] || 0x30);
    let size = parseSize(header.subarray(124, 136), position);
    if (pax.size !== undefined) {
      const paxSize = Number(pax.size);
      if (Number.isSafeInteger(paxSize) && paxSize >= 0) size = paxSize;
    }
    const dataOffset = position + BLOCK;
    const next = dataOffset + Math.ceil(size / BLOCK) * BLOCK;
    if (dataOffset + size > fileSize) throw new TarError(position, 'unexpected end of archive (truncated?)');

    if (type === 'L' || type === 'x' || type === 'g') {
      // A name or a few pax records: a header claiming more is damage, not something to load.
      if (size > MAX_HEADER_DATA) throw new TarError(position, `a ${size}-byte extended header is too large`);
      const data = Buffer.alloc(size);
      await readFully(fh, data, dataOffset);
      if (type === 'L') longName = cString(data);
      else if (type === 'x') pax = parsePax(data);
      // 'g' (global pax header) holds nothing we need.
      position = next;
      continue;
    }
    if (type === 'K') {
      position = next;
      continue;
    }

    let name = pax.path ?? longName ?? headerName(header);
    name = name.replace(/^(\.\/)+/, '');
    const kind = type === '0' || type === '7' ? 'file' : type === '5' ? 'directory' : 'other';
    const entry: TarEntry = { name: kind === 'directory' ? name.replace(/\/+$/, '') : name, type: kind, offset: dataOffset, size };
    if (name) entries.push(entry);
    longName = null;
    pax = {};
    position = next;
    if (until?.(entry)) break;
  }
  return entries;
}

async function readFully(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new TarError(position + done, 'unexpected end of archive (truncated?)');
    done += bytesRead;
  }
}

function checksumOk(block: Uint8Array): boolean {
  const stored = parseOctal(block.subarray(148, 156));
  if (stored === null) return false;
  let unsigned = 0;
  let signed = 0;
  for (let i = 0; i < BLOCK; i++) {
    const b = i >= 148 && i < 156 ? 0x20 : block[i];
    unsigned += b;
    signed += b > 127 ? b - 256 : b;
  }
  return stored === unsigned || stored === signed;
}

function parseOctal(field: Uint8Array): number | null {
  let value = 0;
  let digits = 0;
  for (const b of field) {
    if (b === 0 || b === 0x20) {
      if (digits) break;
      continue;
    }
    if (b < 0x30 || b > 0x37) return null;
    value = value * 8 + (b - 0x30);
    digits++;
  }
  return digits ? value : 0;
}

function parseSize(field: Uint8Array, at: number): number {
  if (field[0] & 0x80) {
    // GNU base-256: big-endian binary in the remaining bits.
    let value = field[0] & 0x7f;
    for (let i = 1; i < field.length; i++) value = value * 256 + field[i];
    if (!Number.isSafeInteger(value)) throw new TarError(at, 'entry size too large');
    return value;
  }
  const value = parseOctal(field);
  if (value === null) throw new TarError(at, 'bad entry size in tar header');
  return value;
}

function cString(bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  return Buffer.from(bytes.subarray(0, nul < 0 ? bytes.length : nul)).toString('utf8');
}

function headerName(header: Buffer): string {
  const name = cString(header.subarray(0, 100));
  const magic = header.toString('latin1', 257, 263);
  if (magic === 'ustar\u000000' || magic.startsWith('ustar\u0000')) {
    const prefix = cString(header.subarray(345, 500));
    if (prefix) return `${prefix}/${name}`;
  }
  return name;
}

/** pax records: "<length> <key>=<value>\n" … */
function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let i = 0;
  while (i < data.length) {
    const space = data.indexOf(0x20, i);
    if (space < 0) break;
    const length = Number(data.toString('latin1', i, space));
    if (!Number.isSafeInteger(length) || length <= 0 || i + length > data.length) break;
    const record = data.toString('utf8', space + 1, i + length - 1); // without the trailing \n
    const eq = record.indexOf('=');
    if (eq > 0) out[record.slice(0, eq)] = record.slice(eq + 1);
    i += length;
  }
  return out;
}
