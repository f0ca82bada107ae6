import { open } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type yauzl from 'yauzl';
import { formatLimit } from '../limits.js';
import { SourceError } from '../../types.js';

/**
 * Zip archives (Slack workspace exports, WhatsApp "Export chat" with media) read in place: the
 * central directory gives every entry without unpacking anything, and an entry is inflated only
 * when an adapter asks for it, as a stream. yauzl validates names (no absolute paths or `..`)
 * and sizes (an entry that inflates to more than its header says stops there); its errors become
 * ZipError with the archive's name. An entry is read into memory only up to a limit the caller
 * names: a few MB of zip can inflate to gigabytes.
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
  /** One entry per name: of an entry stored twice, the last copy (the one unpacking would leave). */
  readonly entries: readonly ZipEntry[];
  /** Names stored more than once, with how often: for a warning (which copy is used is said above). */
  readonly duplicates: ReadonlyMap<string, number>;
  /** The entry's bytes, inflated, as a stream. */
  stream(entry: ZipEntry): Promise<Readable>;
  /**
   * The entry's bytes, inflated, in memory; an entry larger than `limit` bytes is refused with a
   * ZipError naming it and the limit, before anything is inflated.
   */
  read(entry: ZipEntry, limit: number): Promise<Buffer>;
  close(): void;
}

/** Refusal of an entry larger than what a caller reads into memory. */
export class ZipEntryTooLarge extends ZipError {
  constructor(
    file: string,
    readonly entry: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(file, `${entry}: ${size} bytes inflated, over the limit of ${formatLimit(limit)} read into memory`);
    this.name = 'ZipEntryTooLarge';
  }
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
  // Loaded on first use: detection and the other formats never open a zip.
  const { default: unzip } = await import('yauzl');
  const zip = await new Promise<yauzl.ZipFile>((resolve, reject) =>
    unzip.open(path, { lazyEntries: true, autoClose: false, decodeStrings: true, validateEntrySizes: true }, (err, z) =>
      err ? reject(new ZipError(path, `not a readable zip archive: ${err.message}`)) : resolve(z),
    ),
  );
  const byName = new Map<string, { entry: ZipEntry; source: yauzl.Entry }>();
  const duplicates = new Map<string, number>();
  try {
    await new Promise<void>((resolve, reject) => {
      zip.on('entry', (entry: yauzl.Entry) => {
        const name = entry.fileName;
        const seen = byName.get(name);
        if (seen) {
          duplicates.set(name, (duplicates.get(name) ?? 1) + 1);
          byName.delete(name); // re-added: the last copy, in archive order
        }
        byName.set(name, { entry: { name, size: entry.uncompressedSize, isDirectory: name.endsWith('/') }, source: entry });
        zip.readEntry();
      });
      zip.on('end', () => resolve());
      zip.on('error', (err: Error) => reject(new ZipError(path, nameProblem(err.message) ?? `damaged zip archive: ${err.message}`)));
      zip.readEntry();
    });
  } catch (err) {
    zip.close();
    throw err;
  }
  const raw = new Map([...byName.values()].map(({ entry, source }) => [entry, source]));
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

  async function read(entry: ZipEntry, limit: number): Promise<Buffer> {
    if (entry.size > limit) throw new ZipEntryTooLarge(path, entry.name, entry.size, limit);
    // yauzl stops an entry that inflates past its declared size; counting here keeps the cap even so.
    const chunks: Buffer[] = [];
    let size = 0;
    try {
      for await (const chunk of await stream(entry)) {
        size += (chunk as Buffer).length;
        if (size > limit) throw new ZipEntryTooLarge(path, entry.name, size, limit);
        chunks.push(chunk as Buffer);
      }
    } catch (err) {
      throw err instanceof ZipError ? err : new ZipError(path, `${entry.name}: ${(err as Error).message}`);
    }
    return Buffer.concat(chunks);
  }

  return { entries, duplicates, stream, read, close: () => zip.close() };
}

/** yauzl's refusal of an entry name, said as what it means: the entry would land outside the archive's folder. */
function nameProblem(message: string): string | null {
  const m = /^(invalid relative path|absolute path|invalid characters in fileName): (.*)$/s.exec(message);
  if (!m) return null;
  const why = m[1] === 'invalid characters in fileName' ? 'has a backslash in its name' : 'escapes the archive (a path outside its folder)';
  return `zip entry ${JSON.stringify(m[2])} ${why}: unsafe archive, nothing read`;
}

/** The warning for names stored more than once: which copy is read. */
export function duplicateWarnings(zip: ZipArchive): { position: string; message: string }[] {
  return [...zip.duplicates].map(([name, count]) => ({
    position: name,
    message: `the archive holds ${count} entries named "${name}": the last one is read (as unpacking the archive would leave it)`,
  }));
}

/** An export's zip opened for an adapter: an unsafe or damaged zip is a SourceError naming the file. */
export async function openZipInput(path: string): Promise<ZipArchive> {
  try {
    return await openZip(path);
  } catch (err) {
    if (err instanceof ZipError) throw new SourceError(path, null, err.message);
    throw err;
  }
}
