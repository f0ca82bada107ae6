// @ts-check
/*
 * chatchannels search: raw DEFLATE (RFC 1951) decoding for the data files: canonical Huffman codes
 * read through a small lookup table (the next 9 bits), longer codes bit by bit. Synchronous, so a
 * file is usable the moment its script runs — DecompressionStream takes several task hops per
 * file, and on a busy page each hop waits behind layout and other scripts. The engine uses it for
 * all but the largest files (bytes.js INFLATE_IN_SCRIPT), the manifest included.
 */
const LENGTH_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LENGTH_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const CODE_LENGTH_ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

/** Codes up to this many bits are read through a table; longer (rare) ones bit by bit. */
const TABLE_BITS = 9;

/**
 * A canonical Huffman code from code lengths: a table over the next `bits` input bits (least
 * significant first; entry = symbol << 4 | code length, 0 for the start of a longer code), and
 * per-length counts with the symbols in code order for the longer codes (as zlib's puff.c).
 * @param {Uint8Array} lengths
 * @param {number} from
 * @param {number} n
 * @returns {Huffman}
 */
function huffman(lengths, from, n) {
  var max = 0;
  var count = new Uint16Array(16);
  for (var i = 0; i < n; i++) {
    var l = lengths[from + i];
    count[l]++;
    if (l > max) max = l;
  }
  count[0] = 0;
  var offset = new Uint16Array(16);
  for (i = 1; i < 16; i++) offset[i] = offset[i - 1] + count[i - 1];
  var symbols = new Uint16Array(n);
  for (i = 0; i < n; i++) if (lengths[from + i]) symbols[offset[lengths[from + i]]++] = i;
  var bits = Math.min(max, TABLE_BITS);
  var size = 1 << bits;
  var table = new Int32Array(size);
  // Codes in canonical order: by length, then by symbol (the order of `symbols`).
  for (var code = 0, at = 0, len = 1; len <= bits; len++) {
    for (var k = 0; k < count[len]; k++, code++, at++) {
      var reversed = 0;
      for (var b = 0; b < len; b++) reversed = (reversed << 1) | ((code >> b) & 1);
      for (var j = reversed; j < size; j += 1 << len) table[j] = (symbols[at] << 4) | len;
    }
    code <<= 1;
  }
  return { bits: bits, table: table, count: count, symbols: symbols };
}

/** @typedef {{ bits: number, table: Int32Array, count: Uint16Array, symbols: Uint16Array }} Huffman */

/** @type {{ lit: Huffman, dist: Huffman } | null} */
let fixed = null;
function fixedCodes() {
  if (!fixed) {
    var l = new Uint8Array(320);
    for (var i = 0; i < 144; i++) l[i] = 8;
    for (; i < 256; i++) l[i] = 9;
    for (; i < 280; i++) l[i] = 7;
    for (; i < 288; i++) l[i] = 8;
    for (; i < 320; i++) l[i] = 5;
    fixed = { lit: huffman(l, 0, 288), dist: huffman(l, 288, 32) };
  }
  return fixed;
}

/**
 * The bytes a raw DEFLATE stream encodes.
 * @param {Uint8Array} input
 * @returns {Uint8Array}
 */
export function inflateRaw(input) {
  var inPos = 0;
  var bitBuf = 0;
  var bitCount = 0;
  var out = new Uint8Array(Math.max(1024, input.length * 4));
  var outPos = 0;

  /**
   * @param {string} what
   * @returns {never}
   */
  function fail(what) {
    throw new Error('search data: corrupt deflate stream (' + what + ')');
  }
  /** @param {number} need */
  function bits(need) {
    while (bitCount < need) {
      if (inPos >= input.length) fail('unexpected end');
      bitBuf |= input[inPos++] << bitCount;
      bitCount += 8;
    }
    var v = bitBuf & ((1 << need) - 1);
    bitBuf >>>= need;
    bitCount -= need;
    return v;
  }
  /**
   * @param {Huffman} h
   * @returns {number}
   */
  function decode(h) {
    while (bitCount < h.bits && inPos < input.length) {
      bitBuf |= input[inPos++] << bitCount;
      bitCount += 8;
    }
    var entry = h.table[bitBuf & ((1 << h.bits) - 1)];
    var len = entry & 15;
    if (len !== 0) {
      if (len > bitCount) fail('unexpected end');
      bitBuf >>>= len;
      bitCount -= len;
      return entry >> 4;
    }
    // A code longer than the table: canonical decoding, one bit at a time.
    var code = 0, first = 0, index = 0;
    for (len = 1; len < 16; len++) {
      code |= bits(1);
      var count = h.count[len];
      if (code - count < first) return h.symbols[index + (code - first)];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    fail('bad code');
  }
  /** @param {number} n */
  function room(n) {
    if (outPos + n <= out.length) return;
    var size = out.length * 2;
    while (size < outPos + n) size *= 2;
    var next = new Uint8Array(size);
    next.set(out.subarray(0, outPos));
    out = next;
  }
  function stored() {
    bitBuf = 0;
    bitCount = 0;
    if (inPos + 4 > input.length) fail('unexpected end');
    var len = input[inPos] | (input[inPos + 1] << 8);
    var nlen = input[inPos + 2] | (input[inPos + 3] << 8);
    inPos += 4;
    if (len !== (~nlen & 0xffff)) fail('stored block length');
    if (inPos + len > input.length) fail('unexpected end');
    room(len);
    out.set(input.subarray(inPos, inPos + len), outPos);
    outPos += len;
    inPos += len;
  }
  /**
   * @param {Huffman} lit
   * @param {Huffman} dist
   */
  function codes(lit, dist) {
    for (;;) {
      var symbol = decode(lit);
      if (symbol < 256) {
        if (outPos === out.length) room(1);
        out[outPos++] = symbol;
      } else if (symbol === 256) {
        return;
      } else {
        symbol -= 257;
        if (symbol >= 29) fail('bad length');
        var len = LENGTH_BASE[symbol] + bits(LENGTH_EXTRA[symbol]);
        var d = decode(dist);
        if (d >= 30) fail('bad distance');
        var distance = DIST_BASE[d] + bits(DIST_EXTRA[d]);
        if (distance > outPos) fail('distance too far back');
        room(len);
        for (var k = 0; k < len; k++, outPos++) out[outPos] = out[outPos - distance];
      }
    }
  }
  function dynamic() {
    var nlen = bits(5) + 257;
    var ndist = bits(5) + 1;
    var ncode = bits(4) + 4;
    if (nlen > 286 || ndist > 30) fail('bad counts');
    var lengths = new Uint8Array(320);
    for (var i = 0; i < ncode; i++) lengths[CODE_LENGTH_ORDER[i]] = bits(3);
    var lencode = huffman(lengths, 0, 19);
    lengths = new Uint8Array(320);
    var at = 0;
    while (at < nlen + ndist) {
      var symbol = decode(lencode);
      if (symbol < 16) {
        lengths[at++] = symbol;
        continue;
      }
      var repeat, value = 0;
      if (symbol === 16) {
        if (at === 0) fail('repeat with no length');
        value = lengths[at - 1];
        repeat = 3 + bits(2);
      } else if (symbol === 17) {
        repeat = 3 + bits(3);
      } else {
        repeat = 11 + bits(7);
      }
      if (at + repeat > nlen + ndist) fail('too many lengths');
      while (repeat--) lengths[at++] = value;
    }
    codes(huffman(lengths, 0, nlen), huffman(lengths, nlen, ndist));
  }

  var last;
  do {
    last = bits(1);
    var type = bits(2);
    if (type === 0) stored();
    else if (type === 1) codes(fixedCodes().lit, fixedCodes().dist);
    else if (type === 2) dynamic();
    else fail('bad block type');
  } while (!last);
  return out.subarray(0, outPos);
}
