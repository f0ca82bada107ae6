import { createCipheriv, type Cipher } from 'node:crypto';
import type { AuthorMode } from '../options.js';
import { secretDigest } from '../output/seal.js';

/**
 * How a message's identity is published: its anchor (`id="m…"`, `#m…` links, anchor maps, search
 * results) and its feed entry id.
 *
 * The stored anchor is `m` + a prefix of the message key (collector/identity/key.ts), and the key
 * is an unkeyed hash of the chat, the author, the time and, for sources without message ids
 * (WhatsApp, IRC), the text. A page with authors hidden shows all of those but the author, so a
 * stored anchor would let anyone confirm a guessed author offline. With authors hidden or
 * pseudonymized the site therefore publishes a keyed permutation of each stored anchor's hex
 * digits instead:
 * - keyed with `pseudonymSalt` when set (like pseudonyms and chat folders: the same for a given
 *   salt across builds and databases), else with the database's random `meta.database_id`, which
 *   the site never shows (the same for every build of this database);
 * - a permutation, so two stored anchors never publish as one and no state decides who gets the
 *   shorter anchor: uniqueness within a chat carries over, lengths too, and a published anchor
 *   never changes for a given key;
 * - invertible, so option `redact` accepts the anchors and entry ids the reader sees on the site.
 * With authors shown, anchors and entry ids are published as stored.
 *
 * The permutation is a Feistel network over the hex digits whose round functions are AES-128
 * under a key per length and round. Anchors of ANCHOR_MIN digits (all but a few colliding ones)
 * take a fast path whose round functions are tabulated once (permuteShort): one AES call per
 * anchor and round costs ~10 µs an anchor, too slow for a million of them. Other lengths (and
 * feed entry ids, whole keys) go through a balanced network of 8 rounds (as NIST SP 800-38G's
 * FF3-1 has), one AES call per round.
 */
export interface PublicAnchors {
  /** Whether anything is rewritten (authors not shown). */
  readonly keyed: boolean;
  /** The published form of a stored anchor (`m` + hex digits). */
  shown(anchor: string): string;
  /**
   * What a published anchor or feed entry key stands for, as stored (option `redact`): none when
   * `entry` has neither shape.
   */
  storedForms(entry: string): string[];
  /** The published form of a message key (feed entry ids). */
  shownKey(key: string): string;
}

/** Published as stored (authors shown). */
export const STORED_ANCHORS: PublicAnchors = {
  keyed: false,
  shown: (anchor) => anchor,
  storedForms: () => [],
  shownKey: (key) => key,
};

/** Rounds of the balanced network (any length but the fast path's). */
const ROUNDS = 8;
/** The anchors of the fast path: `m` + this many hex digits (collector/identity/key.ts ANCHOR_MIN). */
const TABLE_DIGITS = 10;
const SOURCE_BITS = 12;
const TARGET_BITS = TABLE_DIGITS * 4 - SOURCE_BITS;
const SHORT_ROUNDS = 24;
const HEX = /^[0-9a-f]+$/;

/** The secret's purpose string in secretDigest (output/seal.ts): its own, so no other key equals it. */
const PURPOSE = 'anchors';

/**
 * The site's anchors for these options: stored ones with authors shown, else keyed ones. Throws
 * when authors are not shown and there is no secret to key them with (no salt, and a database no
 * import has opened since ids exist): publishing guessable anchors would break the promise.
 */
export function publicAnchors(mode: AuthorMode, salt: string, databaseId: string | null): PublicAnchors {
  if (mode === 'show') return STORED_ANCHORS;
  if (!salt && !databaseId) {
    throw new Error(
      `authors "${mode}" needs a secret to key the published anchors with: set pseudonymSalt (--pseudonym-salt), or run any import on this database once (it gives the database its id)`,
    );
  }
  const secret = salt ? `salt\u0000${salt}` : `database\u0000${databaseId}`;
  let cipher = ciphers.get(secret);
  if (!cipher) ciphers.set(secret, (cipher = new AnchorPermutation(secret)));
  return cipher;
}

/** One per secret and thread: the tables are built once. */
const ciphers = new Map<string, AnchorPermutation>();

class AnchorPermutation implements PublicAnchors {
  readonly keyed = true;
  private readonly aes = new Map<number, Cipher>();
  private tables: Uint32Array[] | null = null;
  private readonly block = Buffer.alloc(16);

  constructor(private readonly secret: string) {}

  shown(anchor: string): string {
    return `m${this.permute(anchor.slice(1), true)}`;
  }

  storedForms(entry: string): string[] {
    const hex = entry[0] === 'm' ? entry.slice(1) : entry;
    if (hex.length < 2 || hex.length % 2 !== 0 || hex.length > 64 || !HEX.test(hex)) return [];
    const stored = this.permute(hex, false);
    return entry[0] === 'm' ? [`m${stored}`] : hex.length >= TABLE_DIGITS ? [stored] : [];
  }

  shownKey(key: string): string {
    return this.permute(key, true);
  }

  /** The permutation of an even number of lowercase hex digits (forward), or its inverse. */
  private permute(hex: string, forward: boolean): string {
    if (hex.length === TABLE_DIGITS) return this.permuteShort(hex, forward);
    if (hex.length % 2 !== 0 || hex.length > 64 || !HEX.test(hex)) throw new Error(`not an anchor's hex digits: ${JSON.stringify(hex)}`);
    const h = hex.length / 2;
    let left = nibbles(hex, 0, h);
    let right = nibbles(hex, h, hex.length);
    for (let r = 0; r < ROUNDS; r++) {
      const round = forward ? r : ROUNDS - 1 - r;
      if (forward) {
        const f = this.roundFunction(hex.length, round, right);
        for (let i = 0; i < h; i++) f[i] ^= left[i];
        left = right;
        right = f;
      } else {
        const f = this.roundFunction(hex.length, round, left);
        for (let i = 0; i < h; i++) f[i] ^= right[i];
        right = left;
        left = f;
      }
    }
    let out = '';
    for (const d of left) out += d.toString(16);
    for (const d of right) out += d.toString(16);
    return out;
  }

  /**
   * The fast path, an unbalanced Feistel network over the 40 bits: each round, the first 12 bits
   * (the source) pick an entry of the round's table, XORed into the other 28, and the 40 bits
   * rotate left by 12, so that every bit is a source 7 times over SHORT_ROUNDS. Tables of 4,096
   * entries stay in the processor's cache; tables over 20-bit halves (32 MiB) made each anchor
   * wait on memory 8 times, ~2 µs an anchor.
   */
  private permuteShort(hex: string, forward: boolean): string {
    const tables = (this.tables ??= this.buildTables());
    let source = 0;
    let target = 0;
    for (let i = 0; i < TABLE_DIGITS; i++) {
      const d = digit(hex.charCodeAt(i));
      if (d < 0) throw new Error(`not an anchor's hex digits: ${JSON.stringify(hex)}`);
      if (i < SOURCE_BITS / 4) source = (source << 4) | d;
      else target = (target << 4) | d;
    }
    if (forward) {
      for (let r = 0; r < SHORT_ROUNDS; r++) {
        const mixed = target ^ tables[r][source];
        target = ((mixed & 0xffff) << SOURCE_BITS) | source;
        source = mixed >>> (TARGET_BITS - SOURCE_BITS);
      }
    } else {
      for (let r = SHORT_ROUNDS - 1; r >= 0; r--) {
        const mixed = (source << (TARGET_BITS - SOURCE_BITS)) | (target >>> SOURCE_BITS);
        source = target & 0xfff;
        target = mixed ^ tables[r][source];
      }
    }
    return source.toString(16).padStart(SOURCE_BITS / 4, '0') + target.toString(16).padStart(TARGET_BITS / 4, '0');
  }

  /** The round function on one half (hex digits as numbers 0–15), as many digits out. */
  private roundFunction(digits: number, round: number, half: Uint8Array): Uint8Array {
    const block = this.block.fill(0);
    for (let i = 0; i < half.length; i++) block[i >> 1] |= i & 1 ? half[i] : half[i] << 4;
    const out = this.cipher(digits, round).update(block);
    const f = new Uint8Array(half.length);
    for (let i = 0; i < half.length; i++) f[i] = i & 1 ? out[i >> 1] & 15 : out[i >> 1] >> 4;
    return f;
  }

  /** The fast path's tables: AES of each 12-bit source under the round's key, cut to 28 bits. */
  private buildTables(): Uint32Array[] {
    const count = 1 << SOURCE_BITS;
    const input = Buffer.alloc(count * 16);
    for (let v = 0; v < count; v++) {
      input[v * 16] = v >>> 4;
      input[v * 16 + 1] = (v & 0xf) << 4;
    }
    const tables: Uint32Array[] = [];
    for (let r = 0; r < SHORT_ROUNDS; r++) {
      const out = this.cipher(0, r).update(input);
      const table = new Uint32Array(count);
      for (let v = 0; v < count; v++) {
        const o = v * 16;
        table[v] = (out[o] << 20) | (out[o + 1] << 12) | (out[o + 2] << 4) | (out[o + 3] >>> 4);
      }
      tables.push(table);
    }
    return tables;
  }

  /** AES-128-ECB under the key of this length (0: the fast path's network) and round. */
  private cipher(digits: number, round: number): Cipher {
    const id = digits * 64 + round;
    let aes = this.aes.get(id);
    if (!aes) {
      aes = createCipheriv('aes-128-ecb', secretDigest(`${PURPOSE} ${digits}/${round}`, this.secret).subarray(0, 16), null);
      aes.setAutoPadding(false);
      this.aes.set(id, aes);
    }
    return aes;
  }
}

/** The value of a lowercase hex digit's char code, or -1. */
function digit(code: number): number {
  return code >= 48 && code <= 57 ? code - 48 : code >= 97 && code <= 102 ? code - 87 : -1;
}

function nibbles(hex: string, from: number, to: number): Uint8Array {
  const out = new Uint8Array(to - from);
  for (let i = from; i < to; i++) out[i - from] = parseInt(hex[i], 16);
  return out;
}
