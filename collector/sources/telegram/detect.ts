import { join } from 'node:path';
import { own } from '../../own.js';
import { isFile, readHead, statOrNull } from '../kit/files.js';
import { CHAT_TYPES } from './chat.js';

/** Recognising a Telegram export from the head of its result.json. */

const HEAD_BYTES = 4096;
const FULL_EXPORT_SECTIONS = ['personal_information', 'chats', 'left_chats', 'profile_pictures', 'contacts', 'frequent_contacts', 'sessions'];

export async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
  if (info.isDirectory()) {
    const json = join(path, 'result.json');
    return (await isFile(json)) && looksLikeExport(await readHead(json, HEAD_BYTES));
  }
  return info.isFile() && looksLikeExport(await readHead(path, HEAD_BYTES));
}

/**
 * The head of a Telegram export, judged by the root object's own keys only: a full export starts
 * with "about" and has Telegram's sections; one chat has a Telegram chat type, a numeric id and a
 * "messages" list. Skype ("conversations"), Discord ("guild", "channel") and Slack files have none
 * of these at their top level, whatever their messages contain.
 */
export function looksLikeExport(head: Buffer): boolean {
  const keys = topLevelKeys(head.toString('utf8'));
  if (!keys) return false;
  const first = keys.keys().next().value;
  if (first === 'about' && keys.get('about')!.startsWith('"') && FULL_EXPORT_SECTIONS.some((k) => keys.has(k))) return true;
  const type = keys.get('type');
  return (
    type !== undefined &&
    /^"[a-z_]+"$/.test(type) &&
    own(CHAT_TYPES, type.slice(1, -1)) !== undefined &&
    /^-?\d/.test(keys.get('id') ?? '') &&
    (keys.get('messages') ?? '').startsWith('[')
  );
}

/**
 * The keys of the root object in a JSON head, each with the start of its value (a string value
 * whole when it ends within 64 characters, else its first character), in order; null when the
 * head is not an object. Nested values are stepped over, strings skipped with their escapes.
 */
function topLevelKeys(text: string): Map<string, string> | null {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  while (i < text.length && /\s/.test(text[i])) i++;
  if (text[i] !== '{') return null;
  const keys = new Map<string, string>();
  let depth = 0;
  let expectKey = false;
  let key: string | null = null;
  for (; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      let j = i + 1;
      while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
      if (j >= text.length) break;
      if (depth === 1) {
        if (expectKey) {
          key = text.slice(i + 1, j);
          expectKey = false;
        } else if (key !== null) {
          keys.set(key, j - i < 66 ? text.slice(i, j + 1) : '"');
          key = null;
        }
      }
      i = j;
    } else if (c === '{' || c === '[') {
      if (depth === 1 && key !== null) {
        keys.set(key, c);
        key = null;
      }
      depth++;
      if (depth === 1) expectKey = true;
    } else if (c === '}' || c === ']') {
      depth--;
      if (depth === 0) break;
    } else if (c === ',' && depth === 1) {
      expectKey = true;
    } else if (depth === 1 && key !== null && !/[\s:]/.test(c)) {
      keys.set(key, text.slice(i, i + 24));
      key = null;
    }
  }
  return keys;
}
