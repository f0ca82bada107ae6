import { constants } from 'node:fs';
import { open, realpath, type FileHandle } from 'node:fs/promises';
import { isAbsolute, relative } from 'node:path';
import { readAt } from './files.js';
import { mediaTooLarge } from './media-files.js';
import type { SourceWarning } from '../types.js';

/**
 * The one way adapters open a file an export folder names (a photo, an attachment): only a
 * regular file whose real path is inside the folder's real path, and never more bytes than the
 * media cap. A symbolic link in an export (to ~/.ssh/id_rsa, /proc/self/environ) must not be
 * read and published; a FIFO would hang the import, a device never end; a 1 GB video would not
 * fit in a database row. What is refused is counted for one warning per kind at the end.
 */
export type Refusal = 'missing' | 'outside' | 'special' | 'too large';

// Non-blocking: opening a FIFO for reading would wait for a writer. No-follow: the real path was
// resolved just before, a link swapped in meanwhile is refused.
const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOFOLLOW ?? 0);

export class ExportFolder {
  private realRoot: Promise<string> | null = null;
  private readonly refused = new Map<'outside' | 'special', { count: number; first: string }>();

  /**
   * `warn` receives the files skipped for their size (each named, with its size); the folder's
   * other refusals are counted for `summary()`.
   */
  constructor(
    readonly root: string,
    readonly maxBytes: number,
    private readonly warn: (position: string, message: string) => void,
  ) {}

  /** The bytes of `path` (a file in the folder, `label` its name in warnings), or why not. */
  async read(path: string, label: string): Promise<Buffer | Refusal> {
    const fh = await this.open(path, label);
    if (typeof fh === 'string') return fh;
    try {
      const { size } = await fh.stat();
      if (size > this.maxBytes) {
        this.warn(label, mediaTooLarge(size, this.maxBytes));
        return 'too large';
      }
      const bytes = Buffer.allocUnsafe(size);
      await readAt(fh, bytes, 0);
      return bytes;
    } catch {
      return 'missing'; // vanished or unreadable meanwhile
    } finally {
      await fh.close();
    }
  }

  /** The size of a regular file inside the folder, or why it cannot be read. */
  async size(path: string, label: string): Promise<number | Refusal> {
    const fh = await this.open(path, label);
    if (typeof fh === 'string') return fh;
    try {
      return (await fh.stat()).size;
    } finally {
      await fh.close();
    }
  }

  /** One warning per kind of refusal (links leading outside, special files), counting them. */
  summary(): SourceWarning[] {
    const out: SourceWarning[] = [];
    const outside = this.refused.get('outside');
    if (outside) out.push({ position: outside.first, message: `${files(outside.count)} leading outside the export folder (symbolic links) not read` });
    const special = this.refused.get('special');
    if (special) out.push({ position: special.first, message: `${files(special.count)} that ${special.count === 1 ? 'is' : 'are'} not a regular file (a folder, FIFO, device or socket) not read` });
    return out;
  }

  private async open(path: string, label: string): Promise<FileHandle | Refusal> {
    let real: string;
    let root: string;
    try {
      real = await realpath(path);
      root = await (this.realRoot ??= realpath(this.root));
    } catch {
      return 'missing';
    }
    const rel = relative(root, real);
    if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return this.refuse('outside', label);
    let fh: FileHandle;
    try {
      fh = await open(real, OPEN_FLAGS);
    } catch (err) {
      // ELOOP: a link swapped in after realpath.
      return (err as NodeJS.ErrnoException).code === 'ELOOP' ? this.refuse('outside', label) : 'missing';
    }
    try {
      if ((await fh.stat()).isFile()) return fh;
    } catch {
      // fall through: not readable as a file
    }
    await fh.close();
    return this.refuse('special', label);
  }

  private refuse(kind: 'outside' | 'special', label: string): Refusal {
    const tally = this.refused.get(kind);
    if (tally) tally.count++;
    else this.refused.set(kind, { count: 1, first: label });
    return kind;
  }
}

function files(n: number): string {
  return n === 1 ? '1 file' : `${n} files`;
}
