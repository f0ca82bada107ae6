/**
 * Where an export's text and media are: the .txt with its media beside it in the folder, or a zip
 * read in place; and the text's bytes chunk by chunk, split into lines, with read and encoding
 * failures as SourceErrors naming the input.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { duplicateWarnings, isZipFile, openZipInput as openExportZip, ZipError, type ZipEntry } from '../kit/archive/zip.js';
import { ExportFolder, type Refusal } from '../kit/export-folder.js';
import { MAX_MEDIA_BYTES_LIMIT } from '../kit/media-files.js';
import { TextLineError } from '../kit/text-lines.js';
import { SourceError, type SourceWarning } from '../types.js';
import { findChatEntry, isJunk } from './detect.js';

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const whatsappTuning = {
  chunkBytes: 1 << 20,
};

export interface MediaRef {
  name: string;
  size: number;
  /** The bytes, or why the folder refused them (counted by the folder); over `limit` refused (a zip entry may lie about its size). */
  read(limit: number): Promise<Buffer | Refusal>;
}

export interface ChatInput {
  /** The path named in errors. */
  file: string;
  /** Prefix for positions inside it: `_chat.txt ` in a zip. */
  where: string;
  /** The text's file name, and the zip's (null for a .txt). */
  textName: string;
  zipName: string | null;
  /** The text's size in bytes (uncompressed). */
  size: number;
  /** A fresh stream over the text, from its start. */
  text(): Promise<AsyncIterable<Buffer>>;
  /** The media file an attachment marker names, if the export has it. */
  media(name: string): Promise<MediaRef | null>;
  /** An unzipped export's folder: what it refused to read is reported at the end. */
  folder: ExportFolder | null;
  /** Where missing media would have been, for the warning: "the archive" or "the folder". */
  mediaPlace: string;
  /** What the container itself is worth a warning for (names stored twice in the zip). */
  warnings: SourceWarning[];
  close(): void;
}

export async function openInput(path: string): Promise<ChatInput> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new SourceError(path, null, 'no such file');
  }
  if (!info.isFile()) throw new SourceError(path, null, 'not a file: give the exported chat, its .txt or its .zip');
  if (await isZipFile(path)) return openZipInput(path);
  // Only files that are in the folder (no links out of it, no FIFOs); sizes are checked by the reader.
  const folder = new ExportFolder(dirname(path), MAX_MEDIA_BYTES_LIMIT, () => undefined);
  return {
    file: path,
    where: '',
    textName: basename(path),
    zipName: null,
    size: info.size,
    text: async () => createReadStream(path, { highWaterMark: whatsappTuning.chunkBytes }),
    // An unzipped export keeps its media beside the text.
    media: async (name) => {
      if (!isPlainName(name)) return null;
      const file = join(folder.root, name);
      const size = await folder.size(file, name);
      if (size === 'missing') return null;
      return { name, size: typeof size === 'number' ? size : 0, read: async () => (typeof size === 'number' ? folder.read(file, name) : size) };
    },
    folder,
    mediaPlace: 'the folder',
    warnings: [],
    close: () => undefined,
  };
}

async function openZipInput(path: string): Promise<ChatInput> {
  const zip = await openExportZip(path);
  try {
    const entry = await findChatEntry(zip);
    if (!entry) throw new SourceError(path, null, 'not a WhatsApp export: the archive has no chat text (_chat.txt or "WhatsApp Chat with ….txt")');
    const media = new Map<string, ZipEntry>();
    for (const e of zip.entries) {
      if (e.isDirectory || e === entry || isJunk(e.name)) continue;
      const name = basename(e.name);
      if (!media.has(name)) media.set(name, e);
    }
    return {
      file: path,
      where: `${entry.name} `,
      textName: basename(entry.name),
      zipName: basename(path),
      size: entry.size,
      text: async () => zip.stream(entry),
      media: async (name) => {
        const e = media.get(name);
        return e ? { name, size: e.size, read: (limit) => zip.read(e, limit) } : null;
      },
      folder: null,
      mediaPlace: 'the archive',
      warnings: duplicateWarnings(zip),
      close: () => zip.close(),
    };
  } catch (err) {
    zip.close();
    if (err instanceof SourceError) throw err;
    // Reading a candidate's first bytes failed inside yauzl (bad deflate data…).
    throw new SourceError(path, null, err instanceof ZipError ? err.message : `damaged archive: ${(err as Error)?.message ?? String(err)}`);
  }
}

/** One path segment, as attachment markers name files: nothing that could leave the folder. */
function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !/[/\\\0]/.test(name);
}

/** The text's bytes, chunk by chunk; read failures become SourceErrors naming the input. */
export async function* textChunks(input: ChatInput): AsyncGenerator<Buffer> {
  let stream: AsyncIterable<Buffer>;
  try {
    stream = await input.text();
  } catch (err) {
    throw readError(input, err);
  }
  try {
    for await (const chunk of stream) yield chunk as Buffer;
  } catch (err) {
    throw readError(input, err);
  }
}

function readError(input: ChatInput, err: unknown): unknown {
  if (err instanceof SourceError) return err;
  if (err instanceof ZipError) return new SourceError(input.file, input.where.trim() || null, err.message);
  if ((err as NodeJS.ErrnoException)?.code && !input.zipName) return new SourceError(input.file, null, `cannot read: ${(err as Error).message}`);
  // A damaged zip entry (bad deflate data, wrong size or CRC) fails inside yauzl's stream.
  if (input.zipName) return new SourceError(input.file, input.where.trim(), `damaged archive entry: ${(err as Error)?.message ?? String(err)}`);
  return err;
}

/** Runs the line splitter, turning bad bytes into a SourceError with line and byte offset. */
export function splitLines(input: ChatInput, step: () => void): void {
  try {
    step();
  } catch (err) {
    if (err instanceof TextLineError) throw new SourceError(input.file, `${input.where}line ${err.line} (byte ${err.offset})`, err.reason);
    throw err;
  }
}
