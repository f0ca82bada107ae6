import { readdir, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipError, type ZipArchive, type ZipEntry } from '../kit/archive/zip.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';
import { readFileCapped, readHead, statInput } from '../kit/files.js';
import { MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import { SourceError, type SourceWarning } from '../types.js';

/**
 * Where a Meta export's JSON files and media are: a "Download your information" zip or folder
 * (the whole export, its `messages/` or inbox folder, or one thread folder), one JSON file, or the
 * end-to-end encrypted Messenger download (JSON files beside a `media/` folder). Everything is
 * named by its path inside the input (`messages/inbox/alice_123/message_1.json`).
 */

/** `message_1.json` … : one thread's files, message_1 the newest. */
export const MESSAGE_FILE = /^message_(\d{1,9})\.json$/;
/** Folders a DYI export keeps threads in, and the folders on the way to them. */
const BOXES = new Set(['inbox', 'archived_threads', 'filtered_threads', 'message_requests', 'e2ee_cutover']);
const ON_THE_WAY = new Set(['messages', 'your_facebook_activity', 'your_instagram_activity', 'your_activity_across_facebook', ...BOXES]);
/** How much of a JSON file detection reads. */
const HEAD_BYTES = 64 * 1024;

export interface JsonFile {
  /** The path inside the input, for warnings. */
  where: string;
  size: number;
  /** `N` of message_N.json (0 for other names). */
  n: number;
  read(): Promise<Buffer>;
}

export interface Thread {
  /** The thread folder inside the input, as path segments ([] when it is the input itself). */
  dir: string[];
  /** The thread folder's own name on disk or in the zip ('' when unknown): media paths pass through it. */
  name: string;
  /** message_N.json files, newest (lowest N) first; an end-to-end encrypted thread has one file of another name. */
  files: JsonFile[];
}

export interface MediaRef {
  size: number;
  read(limit: number): Promise<Buffer | Refusal>;
}

export interface MetaInput {
  /** The path named in errors. */
  file: string;
  /** The input is one JSON file (a damaged one is then an error, not a skipped file). */
  single: boolean;
  /** The location says Instagram (`your_instagram_activity/`, an `instagram-…` download). */
  instagram: boolean;
  threads: Thread[];
  /** A file the export names (segments inside the input), or null when the input does not hold it. */
  media(path: string[], label: string): Promise<MediaRef | null>;
  /** Warnings about the container (names stored twice in a zip, files refused in a folder). */
  summary(): SourceWarning[];
  close(): void;
}

// ---------------------------------------------------------------------------------------------
// Detection

/** What a JSON file's first bytes say it is. */
export function sniffJson(head: string): 'dyi' | 'e2ee' | null {
  if (/"sender_name"\s*:/.test(head) && /"timestamp_ms"\s*:/.test(head)) return 'dyi';
  if (/"participants"\s*:\s*\[\s*\{\s*"name"\s*:/.test(head) && /"thread_path"\s*:/.test(head)) return 'dyi';
  if (/"threadName"\s*:/.test(head) || (/"senderName"\s*:/.test(head) && /"isUnsent"\s*:/.test(head))) return 'e2ee';
  return null;
}

/** Whether a path holds Meta messages, and whether its location says Instagram; null when not Meta. */
export async function sniff(path: string): Promise<{ instagram: boolean } | null> {
  let input: MetaInput;
  try {
    input = await openInput(path, 0, () => undefined, true);
  } catch {
    return null;
  }
  input.close();
  return input.threads.length ? { instagram: input.instagram } : null;
}

function saysInstagram(segments: readonly string[]): boolean {
  return segments.some((s) => s === 'your_instagram_activity' || /^instagram-/i.test(s));
}

// ---------------------------------------------------------------------------------------------
// Opening

/**
 * The input at `path`. `warn` receives media files skipped for their size; `probe`: for
 * detection (a folder's or zip's JSON files are sniffed, not required).
 */
export async function openInput(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void, probe = false): Promise<MetaInput> {
  const info = await statInput(path);
  const located = saysInstagram(resolve(path).split(sep));
  let input: MetaInput;
  if (info.isDirectory()) input = await openFolder(path, maxMediaBytes, warn);
  else if (await isZipFile(path)) input = await openZipInput(path);
  else if (info.isFile()) input = await openFile(path, maxMediaBytes, warn, probe);
  else throw new SourceError(path, null, 'not a file or folder');
  input.instagram ||= located;
  if (!input.threads.length && !probe) {
    input.close();
    throw new SourceError(path, null, 'not a Messenger or Instagram export: no messages/inbox/<thread>/message_1.json, and no JSON file of messages');
  }
  return input;
}

async function openFile(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void, probe: boolean): Promise<MetaInput> {
  const head = (await readHead(path, HEAD_BYTES)).toString('utf8');
  // Detection wants the shape; an import told the format reads the file and says what is wrong.
  if (probe && !sniffJson(head)) return emptyInput(path);
  const folder = dirname(path);
  const name = basename(path);
  const m = MESSAGE_FILE.exec(name);
  const size = (await stat(path)).size;
  const file: JsonFile = { where: name, size, n: m ? Number(m[1]) : 0, read: () => readFileCapped(path, MAX_JSON_FILE_BYTES) };
  // A message_N.json lives in its thread's folder, whose name its media paths pass through.
  const thread: Thread = { dir: [], name: m ? basename(folder) : '', files: [file] };
  return folderInput(path, folder, [thread], maxMediaBytes, warn, true);
}

async function openFolder(path: string, maxMediaBytes: number, warn: (position: string, message: string) => void): Promise<MetaInput> {
  const threads: Thread[] = [];
  await findThreads(path, [], basename(resolve(path)), 0, threads);
  if (!threads.length) {
    // The end-to-end encrypted download: JSON files (one per chat) beside media/.
    for (const entry of (await readdir(path, { withFileTypes: true })).filter((e) => e.isFile() && e.name.endsWith('.json')).sort(byName)) {
      const full = join(path, entry.name);
      if (sniffJson((await readHead(full, HEAD_BYTES)).toString('utf8')) !== 'e2ee') continue;
      const size = (await stat(full)).size;
      threads.push({ dir: [], name: '', files: [{ where: entry.name, size, n: 0, read: () => readFileCapped(full, MAX_JSON_FILE_BYTES) }] });
    }
  }
  return folderInput(path, path, threads, maxMediaBytes, warn, false);
}

/** Thread folders (holding message_N.json) at or below `dir`, only along the folders an export has on the way. */
async function findThreads(dir: string, segments: string[], name: string, depth: number, out: Thread[]): Promise<void> {
  let entries;
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch {
    return;
  }
  const files = entries.filter((e) => e.isFile() && MESSAGE_FILE.test(e.name));
  if (files.length) {
    const list: JsonFile[] = [];
    for (const f of files) {
      const full = join(dir, f.name);
      list.push({ where: [...segments, f.name].join('/'), size: (await stat(full)).size, n: Number(MESSAGE_FILE.exec(f.name)![1]), read: () => readFileCapped(full, MAX_JSON_FILE_BYTES) });
    }
    out.push({ dir: segments, name, files: list.sort((a, b) => a.n - b.n) });
    return;
  }
  if (depth >= 4) return;
  const inBox = BOXES.has(name);
  for (const e of entries.filter((e) => e.isDirectory()).sort(byName)) {
    if (inBox || ON_THE_WAY.has(e.name)) await findThreads(join(dir, e.name), [...segments, e.name], e.name, depth + 1, out);
  }
}

function folderInput(
  file: string,
  root: string,
  threads: Thread[],
  maxMediaBytes: number,
  warn: (position: string, message: string) => void,
  single: boolean,
): MetaInput {
  const folder = new ExportFolder(root, maxMediaBytes, warn);
  return {
    file,
    single,
    instagram: threads.some((t) => saysInstagram(t.dir)),
    threads,
    async media(path, label) {
      const full = join(root, ...path);
      // Refusals (a link out, a FIFO) are counted by the folder for its warning.
      const size = await folder.size(full, label);
      if (size === 'missing') return null;
      if (typeof size === 'string') return { size: 0, read: async () => size };
      return { size, read: () => folder.read(full, label) };
    },
    summary: () => folder.summary(),
    close() {},
  };
}

function emptyInput(file: string): MetaInput {
  return { file, single: true, instagram: false, threads: [], media: async () => null, summary: () => [], close() {} };
}

async function openZipInput(path: string): Promise<MetaInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw err instanceof ZipError ? new SourceError(path, null, err.message) : err;
  }
  const byName = new Map<string, ZipEntry>();
  const threads = new Map<string, Thread>();
  for (const entry of zip.entries) {
    if (entry.isDirectory || entry.name.startsWith('__MACOSX/')) continue;
    byName.set(entry.name, entry);
    const segments = entry.name.split('/');
    const m = MESSAGE_FILE.exec(segments[segments.length - 1]);
    if (!m) continue;
    const dir = segments.slice(0, -1);
    const key = dir.join('/');
    let thread = threads.get(key);
    if (!thread) threads.set(key, (thread = { dir, name: dir[dir.length - 1] ?? '', files: [] }));
    thread.files.push({ where: entry.name, size: entry.size, n: Number(m[1]), read: () => readEntry(zip, path, entry, MAX_JSON_FILE_BYTES) });
  }
  const list = [...threads.values()].sort((a, b) => byName2(a.dir.join('/'), b.dir.join('/')));
  for (const t of list) t.files.sort((a, b) => a.n - b.n);
  if (!list.length) {
    // The end-to-end encrypted download: JSON files at the top (or in one folder) beside media/.
    for (const entry of zip.entries.filter((e) => !e.isDirectory && /^(?:[^/]+\/)?[^/]+\.json$/.test(e.name) && !e.name.startsWith('__MACOSX/'))) {
      if (sniffJson(await zipHead(zip, entry)) !== 'e2ee') continue;
      const dir = entry.name.split('/').slice(0, -1);
      list.push({ dir, name: '', files: [{ where: entry.name, size: entry.size, n: 0, read: () => readEntry(zip, path, entry, MAX_JSON_FILE_BYTES) }] });
    }
  }
  return {
    file: path,
    single: false,
    instagram: list.some((t) => saysInstagram(t.dir)),
    threads: list,
    async media(segments) {
      const entry = byName.get(segments.join('/'));
      return entry ? { size: entry.size, read: (limit) => readEntry(zip, path, entry, limit) } : null;
    },
    summary: () => duplicateWarnings(zip),
    close: () => zip.close(),
  };
}

async function readEntry(zip: ZipArchive, path: string, entry: ZipEntry, limit: number): Promise<Buffer> {
  try {
    return await zip.read(entry, limit);
  } catch (err) {
    // A damaged entry means a damaged archive: the import stops and rolls back.
    if (err instanceof ZipError) throw new SourceError(path, `entry ${entry.name}`, err.message.replace(`${entry.name}: `, ''));
    throw err;
  }
}

/** The first bytes of a zip entry, inflated (for detection; '' when unreadable). */
async function zipHead(zip: ZipArchive, entry: ZipEntry): Promise<string> {
  try {
    const stream = await zip.stream(entry);
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      size += chunk.length;
      if (size >= HEAD_BYTES) break;
    }
    stream.destroy();
    return Buffer.concat(chunks).subarray(0, HEAD_BYTES).toString('utf8');
  } catch {
    return '';
  }
}

/**
 * Where a media `uri` of a thread is inside the input, as segments, or null when the input does not
 * hold it. DYI uris are relative to the export's root (`messages/inbox/alice_123/photos/1.jpg`,
 * `your_instagram_activity/messages/…`), whatever part of the export was given: the root is where
 * the thread's folder path meets the uri's first folder, or, when only the thread's folder was
 * given, the uri continues below that folder's name. The end-to-end encrypted download names files
 * beside its JSON (`media/…`). A `..` or an absolute path names nothing of the export.
 */
export function mediaPath(thread: Thread, uri: string, e2ee: boolean): string[] | null {
  const parts = uri.replace(/\\/g, '/').split('/').filter((p) => p !== '' && p !== '.');
  if (!parts.length || parts.includes('..') || /^[a-z]:$/i.test(parts[0]) || uri.startsWith('/')) return null;
  if (e2ee) return [...thread.dir, ...parts];
  const meet = thread.dir.lastIndexOf(parts[0]);
  if (meet >= 0) return [...thread.dir.slice(0, meet), ...parts];
  const below = thread.name ? parts.lastIndexOf(thread.name) : -1;
  if (below >= 0 && below < parts.length - 1) return [...thread.dir, ...parts.slice(below + 1)];
  return null;
}

function byName(a: { name: string }, b: { name: string }): number {
  return byName2(a.name, b.name);
}

function byName2(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
