import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readHead } from '../kit/files.js';

/** How much of a file is sniffed: a message's keys come within its first few KB. */
const HEAD_BYTES = 64 << 10;
/** How deep a folder is searched (the export tool's `teams/<team>/…`, `users/<user>/…`). */
const MAX_FOLDER_DEPTH = 6;

/**
 * The start of a file of Teams messages: a JSON list, or a Graph page (`{"value": [`), whose
 * objects have `createdDateTime` and a `body` object, in any key case. Skype's and Telegram's
 * messages have string bodies or none, Matrix events `origin_server_ts`, so none matches.
 */
export function looksLikeMessages(head: Buffer): boolean {
  const text = head.toString('utf8');
  return /^\uFEFF?\s*[[{]/.test(text) && /"createdDateTime"\s*:/i.test(text) && /"body"\s*:\s*\{/i.test(text);
}

export async function isMessageFile(file: string): Promise<boolean> {
  try {
    return looksLikeMessages(await readHead(file, HEAD_BYTES));
  } catch {
    return false;
  }
}

export async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (!info.isDirectory()) return info.isFile() && isMessageFile(path);
  for (const file of await jsonFiles(path, 32)) if (await isMessageFile(file)) return true;
  return false;
}

/** The `.json` files of a folder and its subfolders (not hidden ones, not symbolic links), sorted; at most `limit`. */
export async function jsonFiles(root: string, limit = Infinity): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, depth: number): Promise<void> => {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const entry of entries) {
      if (found.length >= limit || entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory() && depth < MAX_FOLDER_DEPTH) await walk(full, depth + 1);
      else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) found.push(full);
    }
  };
  await walk(root, 0);
  return found;
}
