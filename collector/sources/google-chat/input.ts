import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipError, type ZipArchive, type ZipEntry } from '../kit/archive/zip.js';
import { SourceError, type SourceWarning } from '../types.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';
import { FileTooLarge, isFile, readFileCapped, statInput } from '../kit/files.js';
import { MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import { mediaTooLarge } from '../kit/media-files.js';

/**
 * Where a Google Chat export's files are. Takeout writes `Takeout/Google Chat/Groups/<DM id |
 * Space id>/{messages.json, group_info.json, attachments…}` and `…/Users/User <id>/user_info.json`
 * (the account's owner). Accepted: the Takeout zip (read in place, never unpacked), the Takeout
 * or `Google Chat` folder, one group folder, or one messages.json (its folder is its group's).
 * Attachments of folders are read through ExportFolder, of zips with the same size cap.
 */
export interface GroupInput {
  /** The group folder's name: `DM 9Xq…`, `Space AAAA…` in Takeout (a renamed folder: anything). */
  folder: string;
  /** messages.json as warnings name it (inside the imported folder or zip). */
  label: string;
  /** The file errors name, and the position prefix inside it (`entry …, ` in a zip). */
  file: string;
  at: string;
  size: number;
  messages(): Promise<Buffer>;
  /** group_info.json, or null when the group has none. */
  info(): Promise<Buffer | null>;
  /** An attachment by its name on disk, or why it cannot be read. */
  attachment(name: string): Promise<Buffer | Refusal>;
}

export interface TakeoutInput {
  groups: GroupInput[];
  /** user_info.json of the export's owner, when the input has one. */
  owner: Buffer | null;
  /** The container's warnings: files refused (links out, devices), names stored twice in a zip. */
  summary(): SourceWarning[];
  close(): void;
}

const CHAT_ROOTS = ['', 'Google Chat', join('Takeout', 'Google Chat')];
/** `…Google Chat/Groups/<group>/messages.json` in a zip: the prefix up to `Groups/` and the group. */
const ZIP_MESSAGES = /^((?:.*\/)?Google Chat\/)Groups\/([^/]+)\/messages\.json$/;

export async function openInput(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void): Promise<TakeoutInput> {
  const info = await statInput(path);
  if (info.isDirectory()) return openFolder(path, maxMediaBytes, warn);
  if (await isZipFile(path)) return openZipInput(path, maxMediaBytes, warn);
  const folder = new ExportFolder(dirname(path), maxMediaBytes, warn);
  const group = folderGroup(dirname(path), basename(path), folder, path);
  group.size = info.size;
  return { groups: [group], owner: null, summary: () => folder.summary(), close: () => undefined };
}

/** The folder holding `Groups/` (and `Users/`) under a Takeout, `Google Chat` or its own folder; null if none. */
export async function chatRoot(path: string): Promise<string | null> {
  for (const sub of CHAT_ROOTS) {
    const groups = join(path, sub, 'Groups');
    if ((await stat(groups).catch(() => null))?.isDirectory()) return join(path, sub);
  }
  return null;
}

async function openFolder(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void): Promise<TakeoutInput> {
  if (await isFile(join(path, 'messages.json'))) {
    const folder = new ExportFolder(path, maxMediaBytes, warn);
    const group = folderGroup(path, 'messages.json', folder, join(path, 'messages.json'));
    group.size = (await stat(join(path, 'messages.json'))).size;
    return { groups: [group], owner: null, summary: () => folder.summary(), close: () => undefined };
  }
  const root = await chatRoot(path);
  if (!root) throw new SourceError(path, null, 'not a Google Chat export: the folder has no Groups folder (Takeout/Google Chat/Groups) and no messages.json');
  const folder = new ExportFolder(root, maxMediaBytes, warn);
  const groups: GroupInput[] = [];
  for (const name of await sortedDirs(join(root, 'Groups'))) {
    const dir = join(root, 'Groups', name);
    if (await isFile(join(dir, 'messages.json'))) groups.push(folderGroup(dir, join('Groups', name, 'messages.json'), folder, join(dir, 'messages.json')));
  }
  for (const g of groups) g.size = (await stat(join(root, g.label))).size;
  let owner: Buffer | null = null;
  for (const user of await sortedDirs(join(root, 'Users'))) {
    const file = join(root, 'Users', user, 'user_info.json');
    if (!owner && (await isFile(file))) owner = await readFileCapped(file, MAX_JSON_FILE_BYTES).catch(() => null);
  }
  return { groups, owner, summary: () => folder.summary(), close: () => undefined };
}

function folderGroup(dir: string, label: string, folder: ExportFolder, messages: string): GroupInput {
  const name = basename(dir);
  return {
    folder: name,
    label,
    file: messages,
    at: '',
    size: 0,
    messages: () => readJsonFile(messages, label),
    info: async () => ((await isFile(join(dir, 'group_info.json'))) ? readJsonFile(join(dir, 'group_info.json'), join(dirname(label), 'group_info.json')) : null),
    attachment: (file) => folder.read(join(dir, file), join(dirname(label), file)),
  };
}

async function readJsonFile(file: string, label: string): Promise<Buffer> {
  try {
    return await readFileCapped(file, MAX_JSON_FILE_BYTES);
  } catch (err) {
    throw new SourceError(file, null, err instanceof FileTooLarge ? err.message : `${label}: cannot be read (${(err as Error).message})`);
  }
}

async function sortedDirs(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isDirectory() && !e.name.startsWith('.')).map((e) => e.name).sort();
}

/** The zip's `Google Chat/Groups/*` messages files, or null when it holds none (detect()). */
export function zipGroups(entries: readonly ZipEntry[]): { prefix: string; group: string; entry: ZipEntry }[] {
  return entries.flatMap((entry) => {
    const m = ZIP_MESSAGES.exec(entry.name);
    return m && !entry.isDirectory ? [{ prefix: m[1], group: m[2], entry }] : [];
  });
}

async function openZipInput(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void): Promise<TakeoutInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw err instanceof ZipError ? new SourceError(path, null, err.message) : err;
  }
  const byName = new Map(zip.entries.map((e) => [e.name, e]));
  const read = async (entry: ZipEntry, limit: number): Promise<Buffer> => {
    try {
      return await zip.read(entry, limit);
    } catch (err) {
      throw err instanceof ZipError ? new SourceError(path, `entry ${entry.name}`, err.message.replace(`${entry.name}: `, '')) : err;
    }
  };
  const found = zipGroups(zip.entries).sort((a, b) => (a.entry.name < b.entry.name ? -1 : 1));
  if (!found.length) {
    zip.close();
    throw new SourceError(path, null, 'not a Google Chat export: the zip has no Google Chat/Groups/<group>/messages.json');
  }
  const groups = found.map(({ prefix, group, entry }): GroupInput => {
    const at = (name: string) => byName.get(`${prefix}Groups/${group}/${name}`);
    return {
      folder: group,
      label: entry.name,
      file: path,
      at: `entry ${entry.name}, `,
      size: entry.size,
      messages: () => read(entry, MAX_JSON_FILE_BYTES),
      info: async () => (at('group_info.json') ? read(at('group_info.json')!, MAX_JSON_FILE_BYTES) : null),
      attachment: async (name) => {
        const file = name.includes('/') ? undefined : at(name);
        if (!file || file.isDirectory) return 'missing';
        if (file.size > maxMediaBytes) {
          warn(file.name, mediaTooLarge(file.size, maxMediaBytes));
          return 'too large';
        }
        return read(file, maxMediaBytes);
      },
    };
  });
  const users = zip.entries.find((e) => e.name.startsWith(`${found[0].prefix}Users/`) && e.name.endsWith('/user_info.json'));
  const owner = users ? await read(users, MAX_JSON_FILE_BYTES).catch(() => null) : null;
  return { groups, owner, summary: () => duplicateWarnings(zip), close: () => zip.close() };
}
