/**
 * Is it a WhatsApp export: a text whose first non-empty line is a message header naming a real
 * time, or a zip holding one (found by findChatEntry, which the input also uses).
 */
import { open, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { isZipFile, openZip, type ZipArchive, type ZipEntry } from '../kit/archive/zip.js';
import { stripLeadingMarks } from '../../markup/whatsapp-grammar.js';
import { chatNameOf } from './names.js';
import { DATE_ORDERS, parseHeader, resolveDate, wallTime } from './lines.js';

/** The first header must come within this many lines / bytes, else the file is no chat export. */
export const HEAD_LINES = 20;
export const HEAD_BYTES = 64 << 10;
/** Bytes of a file detect() looks at. */
const SNIFF_BYTES = 4096;

export async function detect(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    if (await isZipFile(path)) {
      const zip = await openZip(path);
      try {
        return (await findChatEntry(zip)) !== null;
      } finally {
        zip.close();
      }
    }
    const fh = await open(path, 'r');
    try {
      const buf = Buffer.alloc(SNIFF_BYTES);
      const { bytesRead } = await fh.read(buf, 0, SNIFF_BYTES, 0);
      return looksLikeChat(buf.subarray(0, bytesRead));
    } finally {
      await fh.close();
    }
  } catch {
    return false;
  }
}

/** The first non-empty line of the head of a file is a header that names a real time. */
function looksLikeChat(head: Buffer): boolean {
  const text = head.toString('utf8').replace(/^\uFEFF/, '');
  const lines = text.split('\n');
  if (head.length >= SNIFF_BYTES) lines.pop(); // cut mid-line
  for (const raw of lines.slice(0, HEAD_LINES)) {
    const line = stripLeadingMarks(raw.replace(/\r$/, ''));
    if (line.trim() === '') continue;
    const header = parseHeader(line);
    if (!header) return false;
    return DATE_ORDERS.some((order) => {
      const date = resolveDate(header.fields, order);
      return date !== null && Number.isFinite(wallTime(header, date));
    });
  }
  return false;
}

/** First bytes of a zip entry, without inflating the rest. */
async function entryHead(zip: ZipArchive, entry: ZipEntry): Promise<Buffer> {
  const stream = await zip.stream(entry);
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of stream) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= SNIFF_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, SNIFF_BYTES);
}

export function isJunk(name: string): boolean {
  return name.startsWith('__MACOSX/') || basename(name).startsWith('._') || basename(name) === '.DS_Store';
}

/**
 * The chat's text in a zip: `_chat.txt` (iOS) or `WhatsApp Chat with X.txt` (Android) first, the
 * shallowest first, then any `.txt`; the first whose head reads as a chat (an attached .txt
 * document is not one). Null when none does.
 */
export async function findChatEntry(zip: ZipArchive): Promise<ZipEntry | null> {
  const rank = (e: ZipEntry) => (basename(e.name) === '_chat.txt' || chatNameOf(basename(e.name)) !== null ? 0 : 1);
  const candidates = zip.entries
    .filter((e) => !e.isDirectory && /\.txt$/i.test(e.name) && !isJunk(e.name))
    .sort((a, b) => rank(a) - rank(b) || a.name.split('/').length - b.name.split('/').length || (a.name < b.name ? -1 : 1));
  for (const entry of candidates.slice(0, 8)) {
    if (looksLikeChat(await entryHead(zip, entry))) return entry;
  }
  return null;
}
