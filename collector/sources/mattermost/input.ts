import { statInput } from '../kit/files.js';
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, posix } from 'node:path';
import type { Readable } from 'node:stream';
import { duplicateWarnings, isZipFile, type ZipArchive, type ZipEntry, openZipInput } from '../kit/archive/zip.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';
import { MAX_MEDIA_BYTES_LIMIT } from '../kit/media-files.js';
import { SourceError, type SourceWarning } from '../types.js';

/**
 * Where a bulk export's lines and files are. Mattermost's exporter (`mmctl export create`) writes a
 * zip with `import.jsonl` at its root and the attached files under `data/`, each at the path its
 * post names (`data/<path>`, as Mattermost's importer resolves them; a path that leaves `data/` is
 * refused there and here). Accepted: that zip, the folder it unpacks to, or the `.jsonl` alone
 * (its files then looked up in `data/` beside it). Older exporters and converters name the file
 * `export.jsonl` or anything `.jsonl`.
 */
export interface ExportInput {
  /** The path named in errors. */
  file: string;
  /** Prefix for positions inside it: `import.jsonl ` inside a zip or folder. */
  where: string;
  /** The lines' size in bytes (uncompressed). */
  size: number;
  lines(): Promise<AsyncIterable<Buffer>>;
  /** An attached file by the path a post names, if the export has it. */
  attachment(path: string): Promise<MediaRef | null>;
  /** Warnings about the container: names stored twice in a zip, files a folder refused. */
  summary(): SourceWarning[];
  close(): void;
}

export interface MediaRef {
  size: number;
  /** The bytes, or why they were refused; more than `limit` refused (a zip entry may lie about its size). */
  read(limit: number): Promise<Buffer | Refusal>;
}

/** The line files of an export, best first. */
export function linesFileRank(name: string): number {
  const base = basename(name).toLowerCase();
  return base === 'import.jsonl' ? 0 : base === 'export.jsonl' ? 1 : base.endsWith('.jsonl') ? 2 : -1;
}

export async function openInput(path: string): Promise<ExportInput> {
  const info = await statInput(path);
  if (info.isDirectory()) {
    const names = (await readdir(path)).filter((n) => linesFileRank(n) >= 0).sort((a, b) => linesFileRank(a) - linesFileRank(b) || (a < b ? -1 : 1));
    if (!names.length) throw new SourceError(path, null, 'not a Mattermost bulk export: the folder has no .jsonl file (import.jsonl)');
    return folderInput(join(path, names[0]), path, `${names[0]} `);
  }
  if (await isZipFile(path)) return zipInput(path);
  return folderInput(path, dirname(path), '');
}

function folderInput(file: string, root: string, where: string): Promise<ExportInput> {
  // Only files inside the folder (no links out of it, no FIFOs); the reader checks sizes.
  const folder = new ExportFolder(root, MAX_MEDIA_BYTES_LIMIT, () => undefined);
  return stat(file).then((info) => ({
    file: where ? root : file,
    where,
    size: info.size,
    lines: async () => createReadStream(file, { highWaterMark: 1 << 20 }),
    attachment: async (name) => {
      for (const rel of candidates(name)) {
        const full = join(root, ...rel.split('/'));
        const size = await folder.size(full, rel);
        if (size === 'missing') continue;
        return { size: typeof size === 'number' ? size : 0, read: async () => (typeof size === 'number' ? folder.read(full, rel) : size) };
      }
      return null;
    },
    summary: () => folder.summary(),
    close: () => undefined,
  }));
}

async function zipInput(path: string): Promise<ExportInput> {
  const zip = await openZipInput(path);
  const entry = linesEntry(zip);
  if (!entry) {
    zip.close();
    throw new SourceError(path, null, 'not a Mattermost bulk export: the archive has no .jsonl file (import.jsonl)');
  }
  // Paths in the export are relative to the folder of the lines file.
  const base = entry.name.includes('/') ? entry.name.slice(0, entry.name.lastIndexOf('/') + 1) : '';
  const byName = new Map(zip.entries.filter((e) => !e.isDirectory).map((e) => [e.name, e]));
  return {
    file: path,
    where: `${entry.name} `,
    size: entry.size,
    lines: async () => (await zip.stream(entry)) as Readable,
    attachment: async (name) => {
      for (const rel of candidates(name)) {
        const e = byName.get(base + rel);
        if (e) return { size: e.size, read: (limit) => zip.read(e, limit) };
      }
      return null;
    },
    summary: () => duplicateWarnings(zip),
    close: () => zip.close(),
  };
}

/** The lines file of a zip: at its root, else in one folder (a zipped export folder). */
export function linesEntry(zip: ZipArchive): ZipEntry | null {
  const found = zip.entries
    .filter((e) => !e.isDirectory && linesFileRank(e.name) >= 0 && e.name.split('/').length <= 2 && !e.name.startsWith('__MACOSX/'))
    .sort((a, b) => a.name.split('/').length - b.name.split('/').length || linesFileRank(a.name) - linesFileRank(b.name) || (a.name < b.name ? -1 : 1));
  return found[0] ?? null;
}

/**
 * Where an attachment's path may be, relative to the export's root: under `data/` (the exporter's
 * layout), else as written (hand-made exports that include `data/` in the path). Paths that leave
 * the root, absolute paths, backslashes and NULs are none.
 */
export function candidates(path: string): string[] {
  if (!path || /[\\\0]/.test(path) || path.startsWith('/')) return [];
  const inData = posix.normalize(`data/${path}`);
  const asIs = posix.normalize(path);
  return [inData, asIs].filter((p, i, all) => p !== '.' && !p.startsWith('../') && p !== '..' && all.indexOf(p) === i && (i === 0 ? p.startsWith('data/') : true));
}
