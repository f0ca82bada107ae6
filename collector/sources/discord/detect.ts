import { jsonFilesIn } from '../kit/json-files.js';
import { readHead, statOrNull } from '../kit/files.js';

/** Finding DiscordChatExporter JSON files: a file's head, and the exports in a folder. */

/** How much of a file detect() reads: guild and channel (a topic can be long) come before messages. */
const HEAD_BYTES = 64 << 10;
/** How deep a folder is searched for exports. */
const MAX_FOLDER_DEPTH = 6;

export async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
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
  const found = await jsonFilesIn(root, { limit, depth: MAX_FOLDER_DEPTH, skipFolder: (name) => name.endsWith('_Files') });
  return found.sort();
}
