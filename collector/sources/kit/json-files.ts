import { readdir } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The `.json` files of an export folder and its subfolders, sorted by path: not hidden entries,
 * not symbolic links (an export must not pull in files from elsewhere), at most `depth` levels
 * down and at most `limit` files (a detect() needs only a few, whatever the folder's size).
 * `skipFolder` leaves out folders of media.
 */
export async function jsonFilesIn(
  root: string,
  { limit = Infinity, depth = 6, skipFolder = () => false }: { limit?: number; depth?: number; skipFolder?: (name: string) => boolean } = {},
): Promise<string[]> {
  const found: string[] = [];
  const walk = async (dir: string, level: number): Promise<void> => {
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
      if (entry.isDirectory()) {
        if (level < depth && !skipFolder(entry.name)) await walk(full, level + 1);
      } else if (entry.isFile() && entry.name.toLowerCase().endsWith('.json')) {
        found.push(full);
      }
    }
  };
  await walk(root, 0);
  return found;
}
