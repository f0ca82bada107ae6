import { createReadStream } from 'node:fs';
import { open, stat, type FileHandle } from 'node:fs/promises';
import tarStream from 'tar-stream';

/**
 * A tar file's table of contents, read with `tar-stream`: the library decodes every header (ustar,
 * GNU long names and base-256 sizes, pax) as the file streams past, and the entries' data are
 * drained, never kept. An entry's bytes are then read in place by offset (`readEntry`, or any
 * positioned read of the file), so a multi-GB Skype export is never unpacked or copied, and the
 * entries can be visited in any order. Listing streams the whole file once (bench figure
 * `tar.list`: hundreds of MB/s, far below the import's own cost per byte).
 *
 * Compressed tars are not supported (Skype's export is a plain `.tar`).
 */

export interface TarEntry {
  /** Path inside the archive, `/`-separated, without a leading `./`. */
  name: string;
  /** 'file' | 'directory' | 'other' (links, devices…): only files are ever read. */
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
const READ_CHUNK = 1 << 20;

/** Is this file a tar archive (its first header decodes, whatever follows)? Reads only its start. */
export async function isTar(path: string): Promise<boolean> {
  let found = false;
  try {
    await scan(path, () => (found = true));
  } catch {
    // not a tar, or damaged after its first header: the caller's listTar says where
  }
  return found;
}

/**
 * Lists the entries of a tar file. `until` stops early once it returns true for an entry (detect()
 * uses it to find messages.json without walking a huge archive to the end).
 */
export async function listTar(path: string, until?: (entry: TarEntry) => boolean): Promise<TarEntry[]> {
  const entries: TarEntry[] = [];
  await scan(path, (header, at, fileSize) => {
    const offset = at + BLOCK;
    const size = header.size;
    if (!Number.isSafeInteger(size) || size < 0) throw new TarError(at, 'bad entry size in tar header');
    // Checked here, not when the data runs out: the error names the entry's header.
    if (offset + size > fileSize) throw new TarError(at, 'unexpected end of archive (truncated?)');
    const name = header.name.replace(/^(\.\/)+/, '');
    const type = header.type === 'file' || header.type === 'contiguous-file' ? 'file' : header.type === 'directory' ? 'directory' : 'other';
    const entry: TarEntry = { name: type === 'directory' ? name.replace(/\/+$/, '') : name, type, offset, size };
    if (name) entries.push(entry);
    return until?.(entry) ?? false;
  });
  return entries;
}

/**
 * Streams the file through tar-stream's extractor, handing `visit` each entry's decoded header and
 * the offset of that header (after any pax or long-name header) until it returns true; the data
 * are drained unread.
 */
async function scan(path: string, visit: (header: tarStream.Header, at: number, fileSize: number) => boolean): Promise<void> {
  const { size: fileSize } = await stat(path);
  // Archives without the ustar magic (v7) are accepted: the header checksum still has to match.
  // (An option of tar-stream's extract that its bundled typings leave out.)
  const extract = tarStream.extract({ allowUnknownFormat: true } as Parameters<typeof tarStream.extract>[0]);
  const input = createReadStream(path, { highWaterMark: READ_CHUNK });
  input.on('error', (err) => extract.destroy(err));
  input.pipe(extract);
  /** Where the header after the last entry starts: damage found there is reported at it. */
  let next = 0;
  try {
    for await (const stream of extract) {
      if (visit(stream.header, stream.offset, fileSize)) break;
      stream.resume();
      next = stream.offset + BLOCK + Math.ceil(stream.header.size / BLOCK) * BLOCK;
    }
  } catch (err) {
    if (err instanceof TarError) throw err;
    // The end-of-archive marker (zero blocks) cut short: every entry is whole, nothing is lost.
    if (/Unexpected end of data/.test((err as Error).message) && (await zerosFrom(path, next, fileSize))) return;
    throw libraryError(err as Error, next, fileSize);
  } finally {
    input.destroy();
    extract.destroy();
  }
}

async function zerosFrom(path: string, from: number, to: number): Promise<boolean> {
  if (to < from || to - from >= 2 * BLOCK) return false; // inside an entry, or more than a cut end marker
  const fh = await open(path, 'r');
  try {
    const bytes = Buffer.alloc(to - from);
    const { bytesRead } = await fh.read(bytes, 0, bytes.length, from);
    return bytesRead === bytes.length && bytes.every((b) => b === 0);
  } finally {
    await fh.close();
  }
}

/** tar-stream's errors carry no position: the header after the last good entry, or the end. */
function libraryError(err: Error, next: number, fileSize: number): Error {
  const message = err.message ?? String(err);
  if ('code' in err && typeof err.code === 'string') return err; // the file itself (EIO, EISDIR…)
  if (/^Invalid tar header/.test(message)) return new TarError(next, 'not a tar archive, or a damaged one: bad header checksum');
  if (/Unexpected end of data/.test(message)) return new TarError(fileSize, 'unexpected end of archive (truncated?)');
  if (/Header exceeds max size/.test(message)) return new TarError(next, 'an extended (pax or long-name) header is too large');
  return new TarError(next, `damaged tar archive: ${message}`);
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
