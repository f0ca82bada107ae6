// @ts-check
/*
 * chatchannels search: the bytes of the data files (layouts: site/search/shards.ts). A payload is
 * base64 of raw-deflated bytes, or of the bytes themselves after `~` (site/search/bytes.ts); in
 * it, numbers are LEB128 varints (signed ones zigzag) and strings length-prefixed UTF-8.
 */
import { inflateRaw } from './inflate.js';

const decoder = new TextDecoder();

/** Reads a payload from position `i` on. */
export class Reader {
  /** @param {Uint8Array} bytes */
  constructor(bytes) {
    this.b = bytes;
    this.i = 0;
  }

  /** An unsigned varint (up to 2^53: arithmetic, not 32-bit bit operations). */
  uint() {
    const b = this.b;
    let byte = b[this.i++];
    if (byte < 0x80) return byte;
    let v = byte & 0x7f;
    let scale = 128;
    do {
      byte = b[this.i++];
      v += (byte & 0x7f) * scale;
      scale *= 128;
    } while (byte >= 0x80);
    return v;
  }

  /** A signed (zigzag) varint. */
  int() {
    const v = this.uint();
    return v % 2 === 1 ? -(v + 1) / 2 : v / 2;
  }

  string() {
    const n = this.uint();
    const s = decoder.decode(this.b.subarray(this.i, this.i + n));
    this.i += n;
    return s;
  }

  /**
   * Skips n varints.
   * @param {number} n
   */
  skip(n) {
    const b = this.b;
    let i = this.i;
    while (n > 0) if (b[i++] < 0x80) n--;
    this.i = i;
  }
}

/**
 * @param {string} text
 * @returns {Uint8Array<ArrayBuffer>}
 */
function fromBase64(text) {
  if (typeof Uint8Array.fromBase64 === 'function') return Uint8Array.fromBase64(text);
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Payloads up to this many deflated bytes are inflated in script, at once: the manifest (about
 * 22 KB at a million messages) and nearly every other file. Through DecompressionStream a file
 * takes several task hops, each waiting behind layout and other scripts on a busy page, and the
 * manifest gates every query; inflating it in script costs a few ms. Larger ones (a few big
 * buckets) are left to the native stream.
 */
const INFLATE_IN_SCRIPT = 65536;

/**
 * Inflates a data file's payload: at once (inflate.js) up to INFLATE_IN_SCRIPT, larger ones with
 * the native DecompressionStream.
 * @param {Uint8Array<ArrayBuffer>} bytes
 * @returns {Promise<Uint8Array>}
 */
function inflate(bytes) {
  if (bytes.length <= INFLATE_IN_SCRIPT || typeof DecompressionStream === 'undefined') {
    try {
      return Promise.resolve(inflateRaw(bytes));
    } catch (error) {
      return Promise.reject(error);
    }
  }
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('deflate-raw'));
  return new Response(stream).arrayBuffer().then((buffer) => new Uint8Array(buffer));
}

/**
 * A data file's payload, decoded.
 * @param {string} text
 */
export function decodePayload(text) {
  if (text.charAt(0) === '~') return Promise.resolve(fromBase64(text.slice(1)));
  return inflate(fromBase64(text));
}
