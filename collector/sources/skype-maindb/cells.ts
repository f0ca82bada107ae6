/** Reading main.db's untyped cells: any cell may hold any type in a damaged or hand-made file. */

/** A string with something besides white space, trimmed; else null. */
export function nonBlank(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  return trimmed ? trimmed : null;
}

/** A number above zero (or a string holding one), else null. */
export function positive(value: unknown): number | null {
  const n = Number(value);
  return value != null && Number.isFinite(n) && n > 0 ? n : null;
}

/** A space-separated list of skypenames or numbers (identities, participants). */
export function splitNames(list: string | null | undefined): string[] {
  if (!list) return [];
  return list.split(/\s+/).filter(Boolean);
}

/** Before `type` existed only chatmsg_type did: 3 was a said message. */
export function legacyType(chatmsgType: number | null): number | null {
  if (chatmsgType === 3) return 61;
  return null;
}

/** A guid blob as lower-case hex (a text one as written, lower-cased); null when empty. */
export function hexOf(value: Buffer | string | null | undefined): string | null {
  if (value == null) return null;
  if (Buffer.isBuffer(value)) return value.length ? value.toString('hex') : null;
  const text = String(value).trim();
  return text ? text.toLowerCase() : null;
}
