import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import yauzl from 'yauzl';

/**
 * Zip archives (Slack workspace exports, WhatsApp "Export chat" with media) read in place: the
 * central directory gives every entry without unpacking anything, and an entry is inflated only
 * when an adapter asks for it, as a stream. yauzl validates names (no absolute paths or `..`)
 * and sizes; its errors become ZipError with the archive's name.
 */
export interface ZipEntry {
  /** Path inside the archive, always with `/` separators. */
  name: string;
  /** Uncompressed size in bytes. */
  size: number;
  isDirectory: boolean;
}

export class ZipError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'ZipError';
  }
}

export interface ZipArchive {
  readonly entries: readonly ZipEntry[];
  /** The entry's bytes, inflated, as a stream. */
  stream(entry: ZipEntry): Promise<Readable>;
  /** The entry's bytes, inflated, in memory (for small entries: JSON day files, media). */
  read(entry: ZipEntry): Promise<Buffer>;
  close(): void;
}

/** Whether the file starts like a zip archive (local header or empty-archive end record). */
export async function isZipFile(path: string): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, 'r');
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    return bytesRead === 4 && head[0] === 0x50 && head[1] === 0x4b && (head[2] === 3 || head[2] === 5) && (head[3] === 4 || head[3] === 6);
  } catch {
    return false;
  } finally {
    await handle?.close();
  }
}

export async function openZip(path: string): Promise<ZipArchive> {
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true }, (err, z) =>
      err ? reject(new ZipError(path, `not a readable zip archive: ${err.message}`)) : resolve(z),
    ),
  );
  const raw = new Map<ZipEntry, yauzl.Entry>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        raw.set({ name, size: entry.uncompressedSize, isDirectory: name.endsWith('/') }, entry);
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(new ZipError(path, `damaged zip archive: ${err.message}`)));
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw err;
  }
  const entries = [...raw.keys()];

  function stream(entry: ZipEntry): Promise<Readable> {
    const source = raw.get(entry);
    if (!source) return Promise.reject(new ZipError(path, `no entry ${entry.name}`));
    return new Promise((resolve, reject) =>
      zip.openReadStream(source, (err, s) =>
        err ? reject(new ZipError(path, `${entry.name}: ${err.message}`)) : resolve(s),
      ),
    );
  }

  async function read(entry: ZipEntry): Promise<Buffer> {
    const chunks: Buffer[] = [];
    try {
      for await (const chunk of await stream(entry)) chunks.push(chunk as Buffer);
    } catch (err) {
      throw err instanceof ZipError ? err : new ZipError(path, `${entry.name}: ${(err as Error).message}`);
    }
    return Buffer.concat(chunks);
  }

  return { entries, stream, read, close: () => zip.close() };
}
