/** Skype's ids as an export writes them, made the same as main.db's. */

/** Person ids always carry their type prefix: `usernameA` and `8:usernameA` are one person. */
export function normalizeId(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  // Fast path, the usual form: digits, ':', and no space or '/' at either end.
  let j = 0;
  while (j < value.length && value.charCodeAt(j) >= 0x30 && value.charCodeAt(j) <= 0x39) j++;
  if (j > 0 && j < value.length - 1 && value.charCodeAt(j) === 0x3a && value.charCodeAt(value.length - 1) > 0x20 && value.indexOf('/') < 0) {
    return value;
  }
  let id = value.trim();
  const contacts = id.lastIndexOf('/contacts/');
  if (contacts >= 0) id = id.slice(contacts + '/contacts/'.length);
  if (!id) return null;
  return /^\d+:/.test(id) ? id : `8:${id}`;
}
