import { deflateRawSync } from 'node:zlib';

/**
 * A growable byte buffer with LEB128 varints: the building block of every search data file.
 * Numbers up to 2^53 are written with arithmetic (bit operations would truncate to 32 bits).
 */
export class ByteWriter {
  private buf: Uint8Array;
  length = 0;

  constructor(capacity = 1024) {
    this.buf = new Uint8Array(capacity);
  }

  private reserve(n: number): void {
    if (this.length + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.length));
    this.buf = next;
  }

  byte(b: number): void {
    this.reserve(1);
    this.buf[this.length++] = b;
  }

  /** Unsigned varint (0 ≤ v < 2^53). */
  uint(v: number): void {
    this.reserve(8);
    const buf = this.buf;
    let n = this.length;
    if (v < 0x80000000) {
      while (v >= 0x80) {
        buf[n++] = (v & 0x7f) | 0x80;
        v >>>= 7;
      }
    } else {
      while (v >= 0x80) {
        buf[n++] = (v % 128) + 128;
        v = Math.floor(v / 128);
      }
    }
    buf[n++] = v;
    this.length = n;
  }

  /** Signed varint (zigzag), |v| < 2^52. */
  int(v: number): void {
    this.uint(v >= 0 ? v * 2 : -v * 2 - 1);
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buf.set(data, this.length);
    this.length += data.length;
  }

  /** Length-prefixed UTF-8 string. */
  string(s: string): void {
    const data = Buffer.from(s, 'utf8');
    this.uint(data.length);
    this.bytes(data);
  }

  append(other: ByteWriter): void {
    this.bytes(other.view());
  }

  view(): Uint8Array {
    return this.buf.subarray(0, this.length);
  }

  reset(): void {
    this.length = 0;
  }
}

/** The global function every data file calls; the client defines it before loading any. */
export const DATA_CALLBACK = 'ccSearchData';

/**
 * A data file: a script that hands its payload (raw-deflated, base64) to the client. Scripts, not
 * JSON, because `fetch` of a local file fails in Chromium when the site is opened from disk; the
 * payload is compressed because static hosts (and file://) rarely compress on the fly.
 */
export function dataScript(key: string, payload: Uint8Array, level: number): string {
  const packed = deflateRawSync(payload, { level });
  return `${DATA_CALLBACK}(${JSON.stringify(key)},"${Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64')}");\n`;
}
