import { createHash } from 'node:crypto';

/**
 * A chat's slug: its URL path segment and folder name in the site. Derived from the native id
 * only (never the title, which changes), so the same chat gets the same slug in every database.
 *
 * Shape: `<readable part>-<hash>`, lowercase [a-z0-9-] only. Lowercase because macOS and Windows
 * file systems fold case; the hash of the *exact* native id keeps ids that differ only in case or
 * punctuation apart, and makes Windows' reserved names (con, nul, com1…) impossible. The store
 * assigns it once and keeps it (it lengthens the hash in the astronomically rare collision).
 */
export const SLUG_MAX = 80;
const READABLE_MAX = 60;
const HASH_CHARS = 7;

export function slugFor(nativeId: string, hashChars = HASH_CHARS): string {
  const readable = readablePart(nativeId) || 'chat';
  return `${readable}-${base32(createHash('sha256').update(nativeId, 'utf8').digest()).slice(0, hashChars)}`;
}

function readablePart(nativeId: string): string {
  const core = nativeId
    // Skype's type prefix ("8:", "19:") and thread host suffixes carry no meaning for a reader.
    .replace(/^\d+:/, '')
    .replace(/@(p2p\.)?thread\.(skype|v2|tacv2)$/i, '');
  const folded = core
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return folded.slice(0, READABLE_MAX).replace(/-+$/, '');
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz234567';

/** RFC 4648 base32, lowercase, no padding: dense and safe for file names on any OS. */
export function base32(bytes: Uint8Array): string {
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += ALPHABET[(value << (5 - bits)) & 31];
  return out;
}
