import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isZipFile, openZip } from '../kit/archive/zip.js';
import { isObject } from '../kit/fields.js';
import { readHead } from '../kit/files.js';
import { linesEntry, linesFileRank } from './input.js';
import { parseJsonText } from '../kit/json/parse.js';

/** How much of a file is sniffed: the version line comes first and is short. */
const HEAD_BYTES = 4096;

/**
 * A bulk export starts with its version line, `{"type":"version","version":1,…}` (Mattermost's
 * importer refuses anything else): the first line must parse to an object of type "version".
 * No other format's file starts so.
 */
export function isVersionLine(head: Buffer): boolean {
  let text = head.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const end = text.indexOf('\n');
  const line = (end === -1 ? text : text.slice(0, end)).trim();
  if (!line.startsWith('{') || !/"type"\s*:\s*"version"/.test(line)) return false;
  try {
    const value = parseJsonText(line) as unknown;
    return isObject(value) && value.type === 'version';
  } catch {
    return false;
  }
}

export async function detect(path: string): Promise<boolean> {
  try {
    const info = await stat(path);
    if (info.isDirectory()) {
      for (const name of await readdir(path)) {
        if (linesFileRank(name) >= 0 && isVersionLine(await readHead(join(path, name), HEAD_BYTES))) return true;
      }
      return false;
    }
    if (!info.isFile()) return false;
    if (await isZipFile(path)) return await zipHasExport(path);
    return isVersionLine(await readHead(path, HEAD_BYTES));
  } catch {
    return false;
  }
}

async function zipHasExport(path: string): Promise<boolean> {
  const zip = await openZip(path);
  try {
    const entry = linesEntry(zip);
    if (!entry) return false;
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of await zip.stream(entry)) {
      chunks.push(chunk as Buffer);
      size += (chunk as Buffer).length;
      if (size >= HEAD_BYTES) break;
    }
    return isVersionLine(Buffer.concat(chunks).subarray(0, HEAD_BYTES));
  } finally {
    zip.close();
  }
}
