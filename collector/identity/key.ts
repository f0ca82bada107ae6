import { hash } from 'node:crypto';

/**
 * A message's key: a hash of its immutable properties only, so the same message imported twice,
 * from overlapping exports, or after an edit maps to the same row.
 *
 *   key = sha256(chat native id, author id, original time, identity, occurrence)[:128 bits]
 *
 * `identity` is the source's stable message id when it has one (Skype, Telegram, Slack, Discord),
 * else the original body (WhatsApp, IRC). `occurrence` numbers messages whose other inputs are all
 * equal, in source order (0, 1, 2…): a bot that says the same thing twice in the same second keeps
 * both lines, and re-reading the same source reproduces the same numbers.
 */
export interface KeyInput {
  chat: string;
  author: string;
  time: number;
  identity: string;
}

export const KEY_HEX_CHARS = 32;

/** The hash of everything but the occurrence: used to count occurrences. */
export function identityBase(input: KeyInput): string {
  return `${input.chat}\u0000${input.author}\u0000${input.time}\u0000${input.identity}`;
}

export function messageKey(input: KeyInput, occurrence = 0): string {
  return keyFromBase(identityBase(input), occurrence);
}

export function keyFromBase(base: string, occurrence: number): string {
  // crypto.hash (one shot) is twice as fast as createHash().update().digest() on short inputs.
  return hash('sha256', occurrence === 0 ? base : `${base}\u0000#${occurrence}`, 'hex').slice(0, KEY_HEX_CHARS);
}

/**
 * A native id that numbers repeats by their place (MessageRecord.positional): `id` for the first,
 * `id#n` for the n-th repeat; the keys of stored messages are made from it, so the form is fixed.
 */
export function repeatId(id: string, n: number): string {
  return n === 0 ? id : `${id}#${n}`;
}

/** The id and repeat number of a positional native id (repeatId's inverse). */
export function repeatOf(nativeId: string): { id: string; n: number } {
  const m = /^(.*)#([1-9]\d*)$/s.exec(nativeId);
  return m ? { id: m[1], n: Number(m[2]) } : { id: nativeId, n: 0 };
}

/** The first anchor tried for a key; the store lengthens it while it collides within the chat. */
export const ANCHOR_MIN = 10;

export function anchorFor(key: string, length = ANCHOR_MIN): string {
  return `m${key.slice(0, length)}`;
}
