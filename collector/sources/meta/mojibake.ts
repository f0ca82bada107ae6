/**
 * Meta's "Download your information" JSON writes every string's UTF-8 bytes as `\u00XX` escapes,
 * one per byte: "é" arrives as "\u00c3\u00a9" (the two characters "Ã©"), an emoji as four. The
 * exact inverse: read the string's code units as Latin-1 bytes and decode them as UTF-8, but only
 * when every code unit is below 0x100 (one byte each) and the bytes are valid UTF-8. Any other
 * string is already text and is returned as it is: one with a character above U+00FF cannot be
 * such bytes, and a lone "é" (0xE9) is no valid UTF-8.
 */
const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function repairMojibake(text: string): string {
  let high = false;
  for (let i = 0; i < text.length; i++) {
    const unit = text.charCodeAt(i);
    if (unit > 0xff) return text;
    if (unit >= 0x80) high = true;
  }
  // ASCII is the same either way.
  if (!high) return text;
  try {
    return UTF8.decode(Buffer.from(text, 'latin1'));
  } catch {
    return text;
  }
}

/** A string field repaired, or null when it is not a non-empty string. */
export function repaired(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? repairMojibake(value) : null;
}
