import type { ByteRange } from '../kit/json/scanner.js';
import { fnv1a } from '../../store/fingerprint.js';
import { daysFromCivil, parseTime } from './time.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * Pass 1 reads each message's time and id straight from the bytes the scanner probed (no string is
 * made for real exports' plain ASCII values): the time orders the conversation, the id's hash finds
 * the exact time of a quoted message.
 */

/**
 * The text of a probed JSON string (its bytes, quotes included), decoded cheaply: plain ASCII
 * without escapes (every real id and time) is read as Latin-1, anything else through JSON.parse.
 */
function probeText(r: ByteRange | undefined): string | null {
  if (!r) return null;
  const { buf, start, end } = r;
  for (let i = start + 1; i < end - 1; i++) {
    const b = buf[i];
    if (b >= 0x80 || b === 0x5c) {
      try {
        const v = parseJsonText(buf.toString('utf8', start, end)) as unknown;
        return typeof v === 'string' ? v : null;
      } catch {
        return null;
      }
    }
  }
  return buf.toString('latin1', start + 1, end - 1);
}

/**
 * A message's time from its probed `originalarrivaltime` bytes. The usual form is read straight
 * from the bytes (the same arithmetic as parseTime); anything else is decoded and parsed.
 */
export function timeOfProbe(r: ByteRange | undefined): number {
  if (!r) return NaN;
  const { buf } = r;
  const s = r.start + 1; // after the opening quote
  const n = r.end - 1 - s; // length without the quotes
  if (n >= 20 && n <= 24 && buf[s + 4] === 0x2d && buf[s + 7] === 0x2d && buf[s + 10] === 0x54 && buf[s + 13] === 0x3a && buf[s + 16] === 0x3a && buf[s + n - 1] === 0x5a) {
    const year = byteDigits(buf, s, 4);
    const month = byteDigits(buf, s + 5, 2);
    const day = byteDigits(buf, s + 8, 2);
    const hour = byteDigits(buf, s + 11, 2);
    const minute = byteDigits(buf, s + 14, 2);
    const second = byteDigits(buf, s + 17, 2);
    let ms = 0;
    let ok = true;
    if (n > 20) {
      const fraction = n - 21;
      ok = buf[s + 19] === 0x2e && fraction >= 1;
      ms = ok ? byteDigits(buf, s + 20, fraction) : -1;
      if (fraction < 3) ms *= fraction === 1 ? 100 : 10;
    }
    if (ok && year >= 0 && month >= 1 && month <= 12 && day >= 1 && day <= 31 && hour >= 0 && hour <= 23 && minute >= 0 && minute <= 59 && second >= 0 && second <= 60 && ms >= 0) {
      return daysFromCivil(year, month, day) * 86_400_000 + hour * 3_600_000 + minute * 60_000 + second * 1000 + ms;
    }
  }
  const text = probeText(r);
  return text === null ? NaN : parseTime(text);
}

function byteDigits(buf: Buffer, at: number, count: number): number {
  let v = 0;
  for (let i = at; i < at + count; i++) {
    const d = buf[i] - 0x30;
    if (d < 0 || d > 9) return -1;
    v = v * 10 + d;
  }
  return v;
}

/** A hash of a message's probed `id` (its text's UTF-16 units, as hash32), to find quoted messages. */
export function hashOfProbe(r: ByteRange | undefined): number {
  if (!r) return 0;
  const { buf, start, end } = r;
  let h = 0x811c9dc5;
  for (let i = start + 1; i < end - 1; i++) {
    const b = buf[i];
    if (b >= 0x80 || b === 0x5c) {
      const text = probeText(r);
      return text === null ? 0 : hash32(text);
    }
    h ^= b;
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
}

/** FNV-1a of a text's UTF-16 units, as a signed 32-bit integer (stored in an Int32Array). */
export function hash32(text: string): number {
  return fnv1a(text) | 0;
}
