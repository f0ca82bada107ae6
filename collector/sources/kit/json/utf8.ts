import { isUtf8 } from 'node:buffer';

/** Invalid UTF-8 at `offset` (absolute byte offset of the first byte of the bad sequence). */
export class Utf8Error extends Error {
  constructor(readonly offset: number) {
    super(`invalid UTF-8 at byte ${offset}`);
    this.name = 'Utf8Error';
  }
}

/**
 * Validates a byte stream as UTF-8, chunk by chunk, with chunk boundaries anywhere (even inside a
 * multi-byte character). The fast path is Node's native `isUtf8` (several GB/s); only a chunk that
 * fails is walked byte by byte, to name the exact offset of the first bad sequence.
 */
export class Utf8Validator {
  /** An incomplete character at the end of the previous chunk (copied: at most 3 bytes). */
  private pending: Buffer | null = null;
  private pendingOffset = 0;
  /** Bytes seen so far: the absolute offset of the next chunk's first byte. */
  private offset = 0;

  push(chunk: Uint8Array): void {
    const base = this.offset;
    this.offset += chunk.length;
    let from = 0;
    if (this.pending) {
      const pending = this.pending;
      const need = sequenceLength(pending[0]) - pending.length;
      const take = Math.min(need, chunk.length);
      const joined = Buffer.concat([pending, chunk.subarray(0, take)]);
      if (take < need) {
        // Still incomplete (tiny chunks): its bytes so far must at least be continuation bytes.
        for (let i = pending.length; i < joined.length; i++) {
          if ((joined[i] & 0xc0) !== 0x80) throw new Utf8Error(this.pendingOffset);
        }
        this.pending = joined;
        return;
      }
      if (!isUtf8(joined)) throw new Utf8Error(this.pendingOffset);
      this.pending = null;
      from = take;
    }
    const cut = completeUpTo(chunk, from);
    if (cut > from && !isUtf8(chunk.subarray(from, cut))) {
      throw new Utf8Error(base + from + firstInvalid(chunk.subarray(from, cut)));
    }
    if (cut < chunk.length) {
      this.pending = Buffer.from(chunk.subarray(cut));
      this.pendingOffset = base + cut;
    }
  }

  /** The stream ended: an incomplete character left over is an error. */
  end(): void {
    if (this.pending) throw new Utf8Error(this.pendingOffset);
  }
}

/** Length of the sequence a lead byte starts (1 for ASCII and for bytes that cannot lead). */
function sequenceLength(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

/** Index after the last complete character of `bytes` (from `from`): an incomplete tail is held back. */
function completeUpTo(bytes: Uint8Array, from: number): number {
  const end = bytes.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last character.
  for (let i = end - 1; i >= from && i >= end - 4; i--) {
    const b = bytes[i];
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    const length = sequenceLength(b);
    return i + length > end ? i : end;
  }
  return end;
}

/** Offset of the first invalid sequence in `bytes` (the slow path, after isUtf8 said no). */
export function firstInvalid(bytes: Uint8Array): number {
  const n = bytes.length;
  let i = 0;
  while (i < n) {
    const b = bytes[i];
    if (b < 0x80) {
      i++;
      continue;
    }
    let length: number;
    let min: number;
    let max = 0xbf;
    if (b >= 0xc2 && b <= 0xdf) {
      length = 2;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      min = b === 0xe0 ? 0xa0 : 0x80; // no overlongs
      if (b === 0xed) max = 0x9f; // no surrogates
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      min = b === 0xf0 ? 0x90 : 0x80;
      if (b === 0xf4) max = 0x8f; // ≤ U+10FFFF
    } else {
      return i;
    }
    if (i + length > n) return i;
    const second = bytes[i + 1];
    if (second < min || second > max) return i;
    for (let k = 2; k < length; k++) if ((bytes[i + k] & 0xc0) !== 0x80) return i;
    i += length;
  }
  return n;
}
