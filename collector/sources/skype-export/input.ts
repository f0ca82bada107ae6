import { open, readdir, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { isTar, listTar, readEntry, TarError, type TarEntry } from '../kit/archive/tar.js';
import { SourceError } from '../types.js';
import { isFile, statInput } from '../kit/files.js';
import type { SourceWarning } from '../types.js';
import { MAX_MEDIA_BYTES_LIMIT } from '../kit/media-files.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';

/**
 * Where an export's messages.json and media are: in the `.tar` download (read in place through its
 * table of contents, never unpacked), in its unpacked folder, or messages.json alone.
 */

export function isMessagesJson(entry: TarEntry): boolean {
  return entry.type === 'file' && (entry.name === 'messages.json' || entry.name.endsWith('/messages.json'));
}

// ---------------------------------------------------------------------------------------------
// Input: where messages.json and media are

export interface MediaRef {
  /** File name (no folder), e.g. `0-weu-d1-abc.1.jpg`. */
  name: string;
  size: number;
  /** The bytes, or why the export folder refused them (counted by the folder). */
  read(): Promise<Buffer | Refusal>;
}

export interface ExportInput {
  /** The path named in errors. */
  file: string;
  /** Prefix for positions inside it, e.g. `messages.json ` inside a tar. */
  where: string;
  fh: FileHandle;
  jsonStart: number;
  jsonSize: number;
  /** Progress total: the whole input file. */
  totalSize: number;
  /** Media files by AMS id (the part of the name before the first dot). */
  media: Map<string, MediaRef[]>;
  /** Metadata files `<AMS id>.json` by AMS id. */
  metadata: Map<string, MediaRef>;
  /** An unpacked export's folder: what it refused to read is reported at the end. */
  folder: ExportFolder | null;
  /** A tar's media entries that are not files (links, devices): never read, reported at the end. */
  notFiles: SourceWarning[];
  /** What the input should be, for errors saying it is not (`a Skype export`). */
  what: string;
}

/**
 * Opens an export for reading. `what` names the kind of export in errors ("not a Skype export:
 * …"): other exports in the same shape (Teams "Export your data") pass their own.
 */
export async function openInput(path: string, what: string): Promise<ExportInput> {
  const info = await statInput(path);
  if (info.isDirectory()) {
    const json = join(path, 'messages.json');
    if (!(await isFile(json))) throw new SourceError(path, null, `not ${what}: the folder has no messages.json`);
    return openJson(json, path, what);
  }
  if (await isTar(path)) return openTar(path, what);
  return openJson(path, path, what);
}

async function openJson(json: string, label: string, what: string): Promise<ExportInput> {
  const fh = await open(json, 'r');
  const size = (await fh.stat()).size;
  const media = new Map<string, MediaRef[]>();
  const metadata = new Map<string, MediaRef>();
  const mediaDir = join(dirname(json), 'media');
  // Only files really in the export's folder (not through a link, not FIFOs or devices); sizes
  // are held to the media limit by the reader.
  const folder = new ExportFolder(dirname(json), MAX_MEDIA_BYTES_LIMIT, () => undefined);
  let names: string[] = [];
  try {
    names = (await readdir(mediaDir, { withFileTypes: true })).filter((d) => !d.isDirectory()).map((d) => d.name);
  } catch {
    // no media folder: messages.json alone
  }
  for (const name of names.sort()) {
    const file = join(mediaDir, name);
    const size = await folder.size(file, `media/${name}`);
    if (typeof size !== 'number') continue; // missing meanwhile, or refused (and counted)
    addMedia(media, metadata, { name, size, read: () => folder.read(file, `media/${name}`) });
  }
  return { file: label, where: label === json ? '' : 'messages.json ', fh, jsonStart: 0, jsonSize: size, totalSize: size, media, metadata, folder, what, notFiles: [] };
}

async function openTar(path: string, what: string): Promise<ExportInput> {
  let entries: TarEntry[];
  try {
    entries = await listTar(path);
  } catch (err) {
    if (err instanceof TarError) throw new SourceError(path, `byte ${err.offset}`, err.message.replace(/ \(at byte \d+\)$/, ''));
    throw err;
  }
  const candidates = entries.filter(isMessagesJson).sort((a, b) => a.name.split('/').length - b.name.split('/').length);
  const json = candidates[0];
  if (!json) throw new SourceError(path, null, `not ${what}: the archive has no messages.json`);
  const fh = await open(path, 'r');
  const size = (await fh.stat()).size;
  const root = json.name.slice(0, json.name.length - 'messages.json'.length);
  const media = new Map<string, MediaRef[]>();
  const metadata = new Map<string, MediaRef>();
  // A link's target would be some other file (a hard link's bytes are another entry's, a symbolic
  // link's a path outside the archive): links, FIFOs and devices are counted, never read.
  const others = entries.filter((e) => e.type === 'other' && e.name.startsWith(`${root}media/`));
  const notFiles: SourceWarning[] = others.length
    ? [{ position: others[0].name, message: `${others.length} media ${others.length === 1 ? 'entry that is' : 'entries that are'} not a regular file (a link, FIFO or device) not read` }]
    : [];
  for (const entry of entries) {
    if (entry.type !== 'file' || !entry.name.startsWith(`${root}media/`)) continue;
    const name = entry.name.slice(root.length + 'media/'.length);
    if (!name || name.includes('/')) continue;
    addMedia(media, metadata, { name, size: entry.size, read: () => readEntry(fh, entry) });
  }
  return { file: path, where: `${json.name} `, fh, jsonStart: json.offset, jsonSize: json.size, totalSize: size, media, metadata, folder: null, what, notFiles };
}

function addMedia(media: Map<string, MediaRef[]>, metadata: Map<string, MediaRef>, ref: MediaRef): void {
  const dot = ref.name.indexOf('.');
  const id = dot < 0 ? ref.name : ref.name.slice(0, dot);
  if (/^[^.]+\.json$/.test(ref.name)) {
    metadata.set(id, ref);
    return;
  }
  const list = media.get(id);
  if (list) list.push(ref);
  else media.set(id, [ref]);
}

/** A byte offset in messages.json, as positions name it (`messages.json byte 123` in a tar). */
export function at(input: ExportInput, offset: number): string {
  return `${input.where}byte ${offset}`;
}

/** Bad input at a byte offset of messages.json: the import stops there. */
export function inputError(input: ExportInput, offset: number, message: string): SourceError {
  return new SourceError(input.file, at(input, offset), message);
}
