import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isZipFile, openZip } from '../kit/archive/zip.js';
import { isFile, readHead } from '../kit/files.js';
import { chatRoot, zipGroups } from './input.js';

/** A message's first keys come within the first few KB of messages.json. */
const HEAD_BYTES = 64 << 10;

/**
 * The start of a Google Chat messages.json: `{"messages": [` whose first message has Takeout's
 * prose date fields or topic id. Skype's messages.json starts with `userId`/`conversations`,
 * Slack's, Teams' and Discord's files have other keys, so none matches.
 */
export function looksLikeMessages(head: Buffer): boolean {
  const text = head.toString('utf8');
  return /^\uFEFF?\s*\{\s*"messages"\s*:\s*\[/.test(text) && /"(?:created_date|updated_date|deleted_date|topic_id)"\s*:\s*"/.test(text);
}

async function isMessagesFile(file: string): Promise<boolean> {
  try {
    return looksLikeMessages(await readHead(file, HEAD_BYTES));
  } catch {
    return false;
  }
}

export async function detect(path: string): Promise<boolean> {
  const info = await stat(path).catch(() => null);
  if (!info) return false;
  if (info.isFile()) {
    if (!(await isZipFile(path))) return isMessagesFile(path);
    try {
      const zip = await openZip(path); // the central directory only
      zip.close();
      return zipGroups(zip.entries).length > 0;
    } catch {
      return false;
    }
  }
  if (!info.isDirectory()) return false;
  if (await isFile(join(path, 'messages.json'))) return isMessagesFile(join(path, 'messages.json'));
  const root = await chatRoot(path);
  if (!root) return false;
  // A few groups are enough: a group has messages.json, or only group_info.json when it is empty.
  const groups = (await readdir(join(root, 'Groups'), { withFileTypes: true })).filter((e) => e.isDirectory()).slice(0, 8);
  for (const g of groups) {
    if (await isMessagesFile(join(root, 'Groups', g.name, 'messages.json'))) return true;
    if (await isFile(join(root, 'Groups', g.name, 'group_info.json'))) return true;
  }
  return false;
}
