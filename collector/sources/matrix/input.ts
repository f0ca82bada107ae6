import { open, readdir, stat } from 'node:fs/promises';
import { basename, join, relative } from 'node:path';
import { duplicateWarnings, isZipFile, openZip, ZipEntryTooLarge, ZipError, type ZipArchive } from '../kit/archive/zip.js';
import { SourceError, type SourceWarning } from '../types.js';
import { ExportFolder } from '../kit/export-folder.js';
import { chunksAhead, statInput } from '../kit/files.js';
import { lineAndColumnInFile } from '../kit/json-file.js';
import { jsonFilesIn } from '../kit/json-files.js';
import { mediaTooLarge } from '../kit/media-files.js';
import { exportEntry, isMatrixFile } from './detect.js';

/**
 * What an import reads: the JSON documents of events (one file; Element's `export.json` in its zip
 * or unpacked folder; the Matrix JSON files of a folder of saved responses) and the attachment
 * files Element's zip carries beside its `export.json` (`images/`, `videos/`, `audio/`, `files/`,
 * `stickers/`). A zip is read in place: each pass over `export.json` inflates it again.
 */
export interface Document {
  /** The file's name in warnings. */
  label: string;
  /** For errors: the path of the file (or of the zip). */
  file: string;
  size: number;
  chunks(chunkBytes: number): AsyncIterable<Buffer>;
  /** Where a byte offset is, for an error: line and column in a file, the entry and byte in a zip. */
  locate(offset: number): Promise<string>;
}

export interface AttachmentFile {
  /** `images/cat-14-11-2023 at 22-13-20.jpg`: the folder, then the name Element gave it. */
  path: string;
  /** Its bytes, or null when it is over `limit` or cannot be read (a warning says why). */
  read(limit: number): Promise<Buffer | null>;
}

export interface MatrixInput {
  documents: Document[];
  attachments: AttachmentFile[];
  /** What the folder refused to read (links out of it, special files), for the end. */
  summary(): SourceWarning[];
  close(): void;
}

const ATTACHMENT_FOLDERS = ['images', 'videos', 'audio', 'files', 'stickers'];

/** Where an input's warnings go: about a file skipped, an attachment not read. */
export type Warn = (position: string, message: string) => void;

export async function openInput(path: string, warn: Warn): Promise<MatrixInput> {
  const info = await statInput(path);
  if (info.isDirectory()) return openFolder(path, warn);
  if (await isZipFile(path)) return openZipInput(path, warn);
  return { documents: [fileDocument(path, basename(path), info.size)], attachments: [], summary: () => [], close: () => {} };
}

function fileDocument(file: string, label: string, size: number): Document {
  return {
    label,
    file,
    size,
    async *chunks(chunkBytes) {
      const fh = await open(file, 'r');
      try {
        yield* chunksAhead(fh, 0, size, chunkBytes);
      } finally {
        await fh.close();
      }
    },
    async locate(offset) {
      const fh = await open(file, 'r');
      try {
        return await lineAndColumnInFile(fh, offset);
      } finally {
        await fh.close();
      }
    },
  };
}

/** An unpacked Element export (`export.json` and its folders), else a folder of saved Matrix JSON files. */
async function openFolder(root: string, warn: Warn): Promise<MatrixInput> {
  const exported = join(root, 'export.json');
  const files = (await isMatrixFile(exported)) ? [exported] : await jsonFilesIn(root, { skipFolder: (name) => ATTACHMENT_FOLDERS.includes(name) });
  const documents: Document[] = [];
  for (const file of files) {
    const label = relative(root, file);
    if (!(await isMatrixFile(file))) warn(label, 'not Matrix events or an Element export; skipped');
    else documents.push(fileDocument(file, label, (await stat(file)).size));
  }
  if (!documents.length) throw new SourceError(root, null, 'not a Matrix export: the folder has no Element export.json and no files of Matrix events');
  const folder = new ExportFolder(root, Number.MAX_SAFE_INTEGER, warn);
  const attachments: AttachmentFile[] = [];
  if (files[0] === exported) {
    for (const dir of ATTACHMENT_FOLDERS) {
      const names = await readdir(join(root, dir)).catch(() => [] as string[]);
      for (const name of names.sort()) {
        const label = `${dir}/${name}`;
        attachments.push({
          path: label,
          async read(limit) {
            const size = await folder.size(join(root, dir, name), label);
            if (typeof size !== 'number') return null;
            if (size > limit) {
              warn(label, mediaTooLarge(size, limit));
              return null;
            }
            const bytes = await folder.read(join(root, dir, name), label);
            return typeof bytes === 'string' ? null : bytes;
          },
        });
      }
    }
  }
  return { documents, attachments, summary: () => folder.summary(), close: () => {} };
}

async function openZipInput(path: string, warn: Warn): Promise<MatrixInput> {
  let zip: ZipArchive;
  try {
    zip = await openZip(path);
  } catch (err) {
    throw err instanceof ZipError ? new SourceError(path, null, err.message) : err;
  }
  const entry = exportEntry(zip);
  if (!entry) {
    zip.close();
    throw new SourceError(path, null, 'not a Matrix export: the archive holds no export.json (Element’s "Export chat" as JSON)');
  }
  const root = entry.name.slice(0, -'export.json'.length);
  for (const w of duplicateWarnings(zip)) warn(w.position, w.message);
  const document: Document = {
    label: entry.name,
    file: path,
    size: entry.size,
    async *chunks() {
      const stream = await zip.stream(entry);
      try {
        yield* stream as AsyncIterable<Buffer>;
      } catch (err) {
        throw new SourceError(path, `entry ${entry.name}`, `damaged archive entry: ${(err as Error)?.message ?? String(err)}`);
      } finally {
        stream.destroy();
      }
    },
    locate: async (offset) => `${entry.name}, byte ${offset}`,
  };
  const attachments: AttachmentFile[] = zip.entries
    .filter((e) => !e.isDirectory && e.name.startsWith(root) && ATTACHMENT_FOLDERS.includes(e.name.slice(root.length).split('/')[0]))
    .map((e) => ({
      path: e.name.slice(root.length),
      async read(limit) {
        try {
          return await zip.read(e, limit);
        } catch (err) {
          if (err instanceof ZipEntryTooLarge) warn(e.name, mediaTooLarge(e.size, limit));
          else warn(e.name, `damaged archive entry: ${(err as Error).message}; not read`);
          return null;
        }
      },
    }));
  return { documents: [document], attachments, summary: () => [], close: () => zip.close() };
}
