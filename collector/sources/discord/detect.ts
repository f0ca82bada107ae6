import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { readHead } from '../kit/files.js';

/** Finding DiscordChatExporter JSON files: a file's head, and the exports in a folder. */

/** How much of a file detect() reads: guild and channel (a topic can be long) come before messages. */
const HEAD_BYTES = 64 << 10;
/** How deep a folder is searched for exports. */
const MAX_FOLDER_DEPTH = 6;

export async function detect(path: string): Promise<boolean> {
  let info;
  try {
    info = await stat(path);
  } catch {
    return false;
  }
  if (info.isDirectory()) {
    for (const file of await jsonFiles(path, 16)) if (await looksLikeExport(file)) return true;
    return false;
  }
  return info.isFile() && looksLikeExport(path);
}

/**
 * The start of a DiscordChatExporter JSON file: an object with `"guild": {`, `"channel": {` and
 * `"messages": [`. Skype (`"conversations"`) and Telegram (`"messages"` but no guild) never match.
 */
export function looksLikeExportHead(head: Buffer): boolean {
  const text = head.toString('utf8');
  return /^\uFEFF?\s*\{/.test(text) && /"guild"\s*:\s*\{/.test(text) && /"channel"\s*:\s*\{/.test(text) && /"messages"\s*:\s*\[/.test(text);
}

export async function looksLikeExport(file: string): Promise<boolean> {
  try {
    return looksLikeExportHead(await readHead(file, HEAD_BYTES));
  } catch {
    return false;
  }
}

/**
 * The `.json` files in a folder and its subfolders (not media folders, hidden ones, symlinks),
 * sorted; at most `limit` of them (detect() needs only a few, whatever the folder's size).
 */
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
      if (found.length >= limit) return;
      if (entry.name.startsWith('.')) continue;
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (depth < MAX_FOLDER_DEPTH && !entry.name.endsWith('_Files')) await walk(full, depth + 1);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        found.push(full);
      }
    }
  };
  await walk(root, 0);
  return found.sort();
}
