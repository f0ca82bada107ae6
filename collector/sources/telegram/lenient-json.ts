import { parseJsonText } from '../kit/json/parse.js';

/**
 * JSON.parse, also reading Telegram Desktop's `\xHH` escapes (control characters) as `\u00HH`;
 * `fail` decides what an unreadable text gives.
 */
export function parseLenient(text: string, fail: () => unknown): unknown {
  try {
    return parseJsonText(text);
  } catch {
    if (text.indexOf('\\x') === -1) return fail();
  }
  // Escapes are consumed pairwise from the left, so `\\x41` (an escaped backslash, then x41) stays.
  const fixed = text.replace(/\\(?:x([0-9A-Fa-f]{2})|[\s\S])/g, (whole, hex: string | undefined) => (hex ? `\\u00${hex}` : whole));
  try {
    return parseJsonText(fixed);
  } catch {
    return fail();
  }
}
