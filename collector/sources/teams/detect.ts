import { readHead, statOrNull } from '../kit/files.js';
import { jsonFilesIn } from '../kit/json-files.js';

/** How much of a file is sniffed: a message's keys come within its first few KB. */
const HEAD_BYTES = 64 << 10;

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
  const info = await statOrNull(path);
  if (!info) return false;
  if (!info.isDirectory()) return info.isFile() && isMessageFile(path);
  for (const file of await jsonFilesIn(path, { limit: 32 })) if (await isMessageFile(file)) return true;
  return false;
}
