import { deflateRawSync, inflateRawSync } from 'node:zlib';

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

/** Marks a payload stored as is (base64 never starts with it). */
export const STORED_MARK = '~';

/**
 * A data file: a script that hands its payload (base64) to the client. Scripts, not JSON, because
 * `fetch` of a local file fails in Chromium when the site is opened from disk. The payload is
 * raw-deflated, because static hosts (and file://) rarely compress on the fly — unless that saves
 * less than a fifth (term buckets: their varints barely compress): then it is stored as is, marked
 * STORED_MARK, and the browser has nothing to inflate.
 */
export function dataScript(key: string, payload: Uint8Array, level: number): string {
  const packed = deflateRawSync(payload, { level });
  const text =
    packed.length <= payload.length * 0.8
      ? Buffer.from(packed.buffer, packed.byteOffset, packed.byteLength).toString('base64')
      : STORED_MARK + Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('base64');
  return `${DATA_CALLBACK}(${JSON.stringify(key)},"${text}");\n`;
}

/** Reads what ByteWriter writes. */
export class ByteReader {
  i = 0;
  private static readonly decoder = new TextDecoder();

  constructor(readonly b: Uint8Array) {}

  uint(): number {
    let byte = this.b[this.i++];
    if (byte < 0x80) return byte;
    let v = byte & 0x7f;
    let scale = 128;
    do {
      if (this.i >= this.b.length) throw new RangeError('search data: truncated varint');
      byte = this.b[this.i++];
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    return v;
  }

  int(): number {
    const v = this.uint();
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  }

  string(): string {
    const n = this.uint();
    if (this.i + n > this.b.length) throw new RangeError('search data: truncated string');
    const s = ByteReader.decoder.decode(this.b.subarray(this.i, this.i + n));
    this.i += n;
    return s;
  }

  /** Skips n varints. */
  skip(n: number): void {
    while (n > 0) if (this.b[this.i++] < 0x80) n--;
  }
}

/** The payload of a data script (`ccSearchData("key","base64");`), still deflated. */
export function payloadOf(script: string, key: string): string {
  const prefix = `${DATA_CALLBACK}(${JSON.stringify(key)},"`;
  if (!script.startsWith(prefix)) throw new Error(`search data file ${key}: unexpected content`);
  return script.slice(prefix.length, script.lastIndexOf('"'));
}

/** A data script's payload, inflated (empty when the script carries none). */
export function decodeDataScript(script: string, key: string): Uint8Array {
  const payload = payloadOf(script, key);
  if (payload === '') return new Uint8Array(0);
  if (payload.startsWith(STORED_MARK)) return new Uint8Array(Buffer.from(payload.slice(1), 'base64'));
  return inflateRawSync(Buffer.from(payload, 'base64'));
}
