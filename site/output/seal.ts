import { createCipheriv, createDecipheriv, createHash, createHmac } from 'node:crypto';

/**
 * Sealing what the published output must keep for the next build but must not show: the build
 * stamp's database facts (stamp.ts) and the search base index's (search/build.ts). The key is
 * derived from a secret the database holds and the site never shows, its random
 * `meta.database_id`, and from the purpose, so one seal cannot stand for another.
 *
 * AES-256-GCM with a 16-byte tag. The nonce is an HMAC of the plaintext (as in SIV), so that
 * equal contents give equal bytes (a resumed build must leave what a full build leaves) and only
 * equal contents do. The JSON is padded with spaces to a multiple of PAD bytes: the seal's
 * length would otherwise tell how many digits its numbers have.
 */
const PAD = 256;
const NONCE = 12;
const TAG = 16;

/** sha256 of a purpose and a secret: a key, or an id that names the secret without showing it. */
export function secretDigest(purpose: string, secret: string): Buffer {
  return createHash('sha256').update(`chatchannels ${purpose}\u0000${secret}`).digest();
}

/** `value` as JSON, sealed under `secret` for `purpose`: base64 of nonce, tag and ciphertext. */
export function sealJson(secret: string, purpose: string, value: unknown): string {
  const json = Buffer.from(JSON.stringify(value));
  const plain = Buffer.alloc(Math.ceil((json.length + 1) / PAD) * PAD, ' ');
  json.copy(plain);
  const nonce = createHmac('sha256', secretDigest(`${purpose} nonce`, secret)).update(plain).digest().subarray(0, NONCE);
  const cipher = createCipheriv('aes-256-gcm', secretDigest(`${purpose} key`, secret), nonce, { authTagLength: TAG });
  const body = Buffer.concat([cipher.update(plain), cipher.final()]);
  return Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64');
}

/** What sealJson sealed under `secret` for `purpose`, or undefined when it does not open (another secret, damaged). */
export function openJson(secret: string, purpose: string, sealed: string): unknown {
  const bytes = Buffer.from(sealed, 'base64');
  if (bytes.length <= NONCE + TAG) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', secretDigest(`${purpose} key`, secret), bytes.subarray(0, NONCE), { authTagLength: TAG });
    decipher.setAuthTag(bytes.subarray(NONCE, NONCE + TAG));
    return JSON.parse(Buffer.concat([decipher.update(bytes.subarray(NONCE + TAG)), decipher.final()]).toString('utf8'));
  } catch {
    return undefined;
  }
}
