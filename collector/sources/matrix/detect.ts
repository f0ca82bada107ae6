import { join } from 'node:path';
import { isZipFile, openZip, type ZipArchive, type ZipEntry } from '../kit/archive/zip.js';
import { isFile, readHead, statOrNull } from '../kit/files.js';
import { jsonFilesIn } from '../kit/json-files.js';

/** How much of a file is sniffed: an event's keys come within its first few KB. */
export const HEAD_BYTES = 64 << 10;

/**
 * The start of Matrix JSON: Element's export (`room_name`, `exported_by`), a `/sync` response
 * (`next_batch`, `rooms`), a `/messages` page (`chunk`, `start`), or events (a list, a `/messages` page's `chunk`, one event) with their
 * `origin_server_ts`, `event_id` or `sender`, and `type`. No other format's messages carry
 * `origin_server_ts`.
 */
export function looksLikeMatrix(head: Buffer): boolean {
  const text = head.toString('utf8');
  if (!/^\uFEFF?\s*[[{]/.test(text)) return false;
  if (/"room_name"\s*:/.test(text) && /"exported_by"\s*:/.test(text)) return true;
  if (/"next_batch"\s*:/.test(text) && /"rooms"\s*:/.test(text)) return true;
  // A /messages page, even one with no events (the end of a room's history).
  if (/"chunk"\s*:\s*\[/.test(text) && /"(?:start|end)"\s*:\s*"/.test(text)) return true;
  return /"origin_server_ts"\s*:/.test(text) && /"(?:event_id|sender)"\s*:/.test(text) && /"type"\s*:\s*"/.test(text);
}

export async function isMatrixFile(file: string): Promise<boolean> {
  try {
    return looksLikeMatrix(await readHead(file, HEAD_BYTES));
  } catch {
    return false;
  }
}

/** Element's zip: `<name>/export.json` (or `export.json`) beside `images/`, `files/`…; null if none. */
export function exportEntry(zip: ZipArchive): ZipEntry | null {
  return zip.entries.find((e) => !e.isDirectory && /^(?:[^/]+\/)?export\.json$/.test(e.name)) ?? null;
}

/** The first bytes of a zip entry, inflating no more than that. */
export async function entryHead(zip: ZipArchive, entry: ZipEntry): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  const stream = await zip.stream(entry);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      chunks.push(chunk);
      length += chunk.length;
      if (length >= HEAD_BYTES) break;
    }
  } finally {
    stream.destroy();
  }
  return Buffer.concat(chunks).subarray(0, HEAD_BYTES);
}

export async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
  if (info.isDirectory()) {
    if (await isFile(join(path, 'export.json'))) return isMatrixFile(join(path, 'export.json'));
    for (const file of await jsonFilesIn(path, { limit: 32 })) if (await isMatrixFile(file)) return true;
    return false;
  }
  if (!info.isFile()) return false;
  if (!(await isZipFile(path))) return isMatrixFile(path);
  let zip: ZipArchive | null = null;
  try {
    zip = await openZip(path);
    const entry = exportEntry(zip);
    return entry !== null && looksLikeMatrix(await entryHead(zip, entry));
  } catch {
    return false;
  } finally {
    zip?.close();
  }
}
