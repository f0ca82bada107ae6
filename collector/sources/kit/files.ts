import { open, stat, type FileHandle } from 'node:fs/promises';
import type { Stats } from 'node:fs';
import { formatLimit } from './limits.js';
import { SourceError } from '../types.js';

/** Small file reads the adapters share: their `detect` checks (never reading a whole file), and exact reads. */

/** The first `length` bytes of a file (fewer if it is shorter). */
export async function readHead(path: string, length: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(length);
    const { bytesRead } = await fh.read(buf, 0, length, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fh.close();
  }
}

/** Whether `path` is a regular file (false when it does not exist). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** Fills `buf` from `position` of an open file; a file that ends first is an error naming the byte. */
export async function readAt(fh: FileHandle, buf: Buffer, position: number): Promise<void> {
  let done = 0;
  while (done < buf.length) {
    const { bytesRead } = await fh.read(buf, done, buf.length - done, position + done);
    if (bytesRead === 0) throw new Error(`unexpected end of file at byte ${position + done}`);
    done += bytesRead;
  }
}

/**
 * Bytes `start` to `start + size` of an open file in chunks of `chunkBytes`, each next chunk read
 * while the caller works on the current one (the disk overlapped with the parsing). Stopped early,
 * it waits for the read in flight, so the caller may close the file right after.
 */
export async function* chunksAhead(fh: FileHandle, start: number, size: number, chunkBytes: number): AsyncGenerator<Buffer> {
  const readChunk = (from: number): Promise<Buffer> | null => {
    if (from >= size) return null;
    const chunk = Buffer.allocUnsafe(Math.min(chunkBytes, size - from));
    return readAt(fh, chunk, start + from).then(() => chunk);
  };
  let done = 0;
  let ahead = readChunk(0);
  try {
    while (ahead) {
      const chunk = await ahead;
      done += chunk.length;
      ahead = readChunk(done);
      yield chunk;
    }
  } finally {
    await ahead?.catch(() => undefined);
  }
}

/**
 * Why the JSON at `start` of an open file is not an object — `empty`, `a JSON list`, `not a JSON
 * object` or UTF-16 text — or null when it is one: a cheap early refusal of what is no export at all (a PNG, a zip…).
 */
export async function notAJsonObject(fh: FileHandle, start: number, size: number): Promise<string | null> {
  const head = Buffer.alloc(Math.min(size, 64));
  await readAt(fh, head, start);
  const utf16 = utf16Of(head);
  if (utf16) return utf16Text(utf16);
  const first = head.toString('latin1').replace(/^\u00EF\u00BB\u00BF/, '').trimStart()[0];
  if (first === '{') return null;
  return first === undefined ? 'empty' : first === '[' ? 'a JSON list' : 'not a JSON object';
}

/** A file larger than a caller reads into memory. */
export class FileTooLarge extends Error {
  constructor(
    readonly size: number,
    readonly limit: number,
  ) {
    super(`${size} bytes, over the limit of ${formatLimit(limit)} read into memory`);
    this.name = 'FileTooLarge';
  }
}

/** A whole file (as long as it is when opened), refused (FileTooLarge) when over `limit` bytes. */
export async function readFileCapped(path: string, limit: number): Promise<Buffer> {
  const fh = await open(path, 'r');
  try {
    const { size } = await fh.stat();
    if (size > limit) throw new FileTooLarge(size, limit);
    const buf = Buffer.allocUnsafe(size);
    await readAt(fh, buf, 0);
    return buf;
  } finally {
    await fh.close();
  }
}

/**
 * Whether a file's first bytes are UTF-16 text, which no export format uses but editors on Windows
 * save ("Unicode"): a byte-order mark, or — without one — NUL bytes in every other position, as
 * the ASCII characters of any real text leave them.
 */
export function utf16Of(head: Uint8Array): 'little-endian' | 'big-endian' | null {
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe && !(head.length >= 4 && head[2] === 0 && head[3] === 0)) return 'little-endian';
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return 'big-endian';
  const pairs = Math.min(head.length >> 1, 512);
  if (pairs < 4) return null;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < pairs; i++) {
    if (head[2 * i] === 0) evenNul++;
    if (head[2 * i + 1] === 0) oddNul++;
  }
  if (oddNul >= pairs * 0.9 && evenNul <= pairs * 0.1) return 'little-endian';
  if (evenNul >= pairs * 0.9 && oddNul <= pairs * 0.1) return 'big-endian';
  return null;
}

/** What to tell the user of a UTF-16 file. */
export function utf16Advice(order: 'little-endian' | 'big-endian'): string {
  return `the file is ${utf16Text(order)}`;
}

function utf16Text(order: 'little-endian' | 'big-endian'): string {
  return `UTF-16 (${order}) text; save it as UTF-8 and import it again`;
}

/** What `stat` says of a path, or null when there is nothing to say (missing, unreadable): a detect() answers "not mine". */
export async function statOrNull(path: string): Promise<Stats | null> {
  try {
    return await stat(path);
  } catch {
    return null;
  }
}

/** What `stat` says of an input path; a path that is not there is a SourceError naming it. */
export async function statInput(path: string): Promise<Stats> {
  const info = await statOrNull(path);
  if (!info) throw new SourceError(path, null, 'no such file or folder');
  return info;
}
