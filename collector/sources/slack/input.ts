/**
 * Opening a Slack export: the `.zip` download, read in place (collector/archive/zip.ts), or its
 * unpacked folder. Both give the top-level files by name and each conversation folder's day files
 * in date order; a zip is never unpacked, each day file is inflated when its turn comes.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipError, type ZipArchive, type ZipEntry } from '../kit/archive/zip.js';
import { FileTooLarge, readFileCapped, statInput } from '../kit/files.js';
import { MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import { SourceError, type SourceWarning } from '../types.js';

/** The conversation lists, in the order their chats are emitted. */
export const LISTS = [
  { file: 'channels.json', kind: 'channel', folderBy: 'name' },
  { file: 'groups.json', kind: 'channel', folderBy: 'name' },
  { file: 'mpims.json', kind: 'group', folderBy: 'name' },
  { file: 'dms.json', kind: 'direct', folderBy: 'id' },
] as const;
export const DAY_FILE = /^\d{4}-\d\d-\d\d\.json$/;

/** users.json beside at least one conversation list. */
export function looksLikeExport(names: Set<string>): boolean {
  return names.has('users.json') && LISTS.some((l) => names.has(l.file));
}

/** The folder prefix of the export inside a zip ('' or `name/`), or null if it holds none. */
export function zipRoot(entries: readonly ZipEntry[]): string | null {
  const byFolder = new Map<string, Set<string>>();
  for (const entry of entries) {
    if (entry.isDirectory || entry.name.startsWith('__MACOSX/')) continue;
    const m = /^((?:[^/]+\/)?)([^/]+\.json)$/.exec(entry.name);
    if (!m) continue;
    let names = byFolder.get(m[1]);
    if (!names) byFolder.set(m[1], (names = new Set()));
    names.add(m[2]);
  }
  if (byFolder.has('') && looksLikeExport(byFolder.get('')!)) return '';
  const folders = [...byFolder.keys()].filter((f) => f && looksLikeExport(byFolder.get(f)!)).sort();
  return folders[0] ?? null;
}

export interface DayFile {
  /** Name shown in warnings: the entry's path inside the export, e.g. `general/2016-01-14.json`. */
  where: string;
  size: number;
  read(): Promise<Buffer>;
}

export interface ExportInput {
  /** The path named in errors. */
  file: string;
  /** The export's folder inside a zip (`name/`), so that warnings name whole entries; '' otherwise. */
  prefix: string;
  /** A top-level file's bytes, or null when the export has none (a SourceError over MAX_JSON_FILE_BYTES). */
  readMeta(name: string): Promise<Buffer | null>;
  /** What the container itself is worth a warning for (names stored twice in the zip). */
  warnings: SourceWarning[];
  /** Every folder holding day files. */
  folders(): Promise<string[]>;
  /** A folder's day files in name (date) order; [] when it does not exist. */
  dayFiles(folder: string): Promise<DayFile[]>;
  close(): void;
}

export async function openInput(path: string): Promise<ExportInput> {
  const info = await statInput(path);
  if (info.isDirectory()) return openFolder(path);
  if (!(await isZipFile(path))) throw new SourceError(path, null, 'not a Slack export: neither a zip archive nor a folder');
  return openZipInput(path);
}

async function openFolder(path: string): Promise<ExportInput> {
  const top = await readdir(path, { withFileTypes: true });
  const names = new Set(top.filter((d) => d.isFile()).map((d) => d.name));
  if (!looksLikeExport(names)) {
    throw new SourceError(path, null, 'not a Slack export: the folder has no users.json beside channels.json (or groups, mpims, dms.json)');
  }
  const folders = new Set(top.filter((d) => d.isDirectory()).map((d) => d.name));
  const dayNames = async (folder: string): Promise<string[]> =>
    folders.has(folder)
      ? (await readdir(join(path, folder), { withFileTypes: true })).filter((d) => d.isFile() && DAY_FILE.test(d.name)).map((d) => d.name).sort()
      : [];
  return {
    file: path,
    prefix: '',
    async readMeta(name) {
      if (!names.has(name)) return null;
      try {
        return await readFileCapped(join(path, name), MAX_JSON_FILE_BYTES);
      } catch (err) {
        if (err instanceof FileTooLarge) throw new SourceError(path, name, err.message);
        throw err;
      }
    },
    warnings: [],
    async folders() {
      const out: string[] = [];
      for (const folder of folders) if ((await dayNames(folder)).length) out.push(folder);
      return out;
    },
    async dayFiles(folder) {
      const out: DayFile[] = [];
      for (const day of await dayNames(folder)) {
        const file = join(path, folder, day);
        out.push({ where: `${folder}/${day}`, size: (await stat(file)).size, read: () => readFileCapped(file, MAX_JSON_FILE_BYTES) });
      }
      return out;
    },
    close() {},
  };
}

async function openZipInput(path: string): Promise<ExportInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw err instanceof ZipError ? new SourceError(path, null, err.message) : err;
  }
  const root = zipRoot(zip.entries);
  if (root === null) {
    zip.close();
    throw new SourceError(path, null, 'not a Slack export: the archive has no users.json beside channels.json (or groups, mpims, dms.json), at the top or in one folder');
  }
  const meta = new Map<string, ZipEntry>();
  const days = new Map<string, ZipEntry[]>();
  for (const entry of zip.entries) {
    if (entry.isDirectory || !entry.name.startsWith(root)) continue;
    const parts = entry.name.slice(root.length).split('/');
    if (parts.length === 1) meta.set(parts[0], entry);
    else if (parts.length === 2 && DAY_FILE.test(parts[1])) {
      const list = days.get(parts[0]);
      if (list) list.push(entry);
      else days.set(parts[0], [entry]);
    }
  }
  const read = async (entry: ZipEntry): Promise<Buffer> => {
    try {
      return await zip.read(entry, MAX_JSON_FILE_BYTES);
    } catch (err) {
      // A damaged entry means a damaged archive: the import stops and rolls back.
      if (err instanceof ZipError) throw new SourceError(path, `entry ${entry.name}`, err.message.replace(`${entry.name}: `, ''));
      throw err;
    }
  };
  return {
    file: path,
    prefix: root,
    async readMeta(name) {
      const entry = meta.get(name);
      return entry ? read(entry) : null;
    },
    warnings: duplicateWarnings(zip),
    async folders() {
      return [...days.keys()];
    },
    async dayFiles(folder) {
      const list = days.get(folder) ?? [];
      return list
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))
        .map((entry) => ({ where: entry.name, size: entry.size, read: () => read(entry) }));
    },
    close: () => zip.close(),
  };
}
