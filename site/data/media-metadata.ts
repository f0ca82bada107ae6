import { crc32 } from 'node:zlib';
import { isHeif, stripHeif } from './heif-metadata.js';
import { isoBoxes } from './iso-boxes.js';
import { isMatroska, stripMatroska } from './matroska-metadata.js';
import { isFramedAudio, isOgg, isWav, stripFramedAudio, stripOgg, stripWav } from './sound-metadata.js';

/**
 * A published photo without the metadata that can name people: EXIF (Artist, Copyright,
 * CameraOwnerName, XPAuthor… and the GPS position), XMP (dc:creator), IPTC (By-line), comments
 * and PNG text chunks. Used with authors hidden or pseudonymized (session.ts published(), writeMedia), where no
 * published byte may carry a name. Lossless: the pixels' bytes are copied as they are; only whole
 * metadata segments or chunks go, so a photo looks the same, colour profile included.
 *
 * JPEG, PNG and WebP keep their EXIF orientation (a phone's portrait photo would otherwise lie on
 * its side, and not match its thumbnail), as new EXIF with that tag alone. A JPEG ends at its end
 * marker: the second pictures and motion-photo videos phones append after it go. GIFs lose their comments and application blocks other
 * than looping and colour profiles. Videos and sound in ISO base media files (MP4, MOV, 3GP,
 * M4A) lose their user data and metadata boxes (`udta`, `meta`, XMP): a phone's video names its
 * place there (`©xyz`, the QuickTime location key), its device, sometimes its owner. HEIC and
 * AVIF pictures lose their EXIF and XMP items (heif-metadata.ts), sound files (MP3, AAC, Ogg
 * Opus/Vorbis, WAV) their tags (sound-metadata.ts), WebM and Matroska their tags, titles and
 * attachments (matroska-metadata.ts). Anything else (documents…) is returned as is: `unchanged`.
 * A file of a kind read here whose structure cannot be followed is `unreadable`: the caller does
 * not publish it, as what it holds cannot be vouched for.
 */
export type Stripped = { kind: 'stripped' | 'unchanged'; data: Buffer } | { kind: 'unreadable' };

/** The published types whose files are read here: one that is not what it says is unreadable. */
const READ_TYPES = new Set([
  'image/jpeg', 'image/png', 'image/webp', 'image/gif', 'video/mp4', 'video/quicktime', 'video/3gpp', 'audio/mp4',
  'audio/mpeg', 'audio/aac', 'audio/ogg', 'audio/wav', 'video/webm', 'video/x-matroska',
  'image/avif', 'image/heic', 'image/heif',
]);

/** Text people wrote: published as typed, like a message. */
const TEXT_TYPES = new Set(['text/plain', 'text/csv', 'text/markdown', 'application/json', 'text/vcard']);
/** Published types that hold nothing but what a reader sees: text, and formats with no place for metadata (BMP, icons, AMR voice notes). */
const BARE_TYPES = new Set([...TEXT_TYPES, 'image/bmp', 'image/vnd.microsoft.icon', 'audio/amr']);
const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Whether a file of a bare type is what its type says: a PDF called `notes.txt`, or an icon
 * holding a PNG (with its text chunks), is not.
 */
function isBare(type: string, data: Buffer): boolean {
  if (TEXT_TYPES.has(type)) {
    // Text people wrote: UTF-8 without NULs or other controls (a page break, an escape at most), and not a PDF in disguise.
    if (data.toString('latin1', 0, 5) === '%PDF-' || /[\x00-\x08\x0e-\x1a\x1c-\x1f]/.test(data.toString('latin1'))) return false;
    try {
      utf8.decode(data);
      return true;
    } catch {
      return false;
    }
  }
  if (type === 'image/bmp') return data.toString('latin1', 0, 2) === 'BM';
  if (type === 'audio/amr') return data.toString('latin1', 0, 5) === '#!AMR';
  if (type === 'image/vnd.microsoft.icon') {
    if (data.length < 6 || data.readUInt32BE(0) !== 0x00000100) return false;
    const count = data.readUInt16LE(4);
    for (let i = 0; i < count; i++) {
      const entry = 6 + 16 * i;
      if (entry + 16 > data.length) return false;
      const at = data.readUInt32LE(entry + 12);
      if (at + 8 > data.length || isPng(data.subarray(at, at + 8))) return false; // bitmaps only
    }
    return true;
  }
  return false;
}

/**
 * Whether a file published as `type` (media-name.ts publishedMediaType) can be published with
 * authors hidden or pseudonymized: its metadata is removed here, or it has none. Documents (a
 * PDF's author, Office properties, tracked changes' names), archives (a tar names its files'
 * owners), TIFF pictures and other files are not: session.ts withholds
 * them unless the site's `publishUncleanedMedia` option says otherwise.
 */
export function publishableWithoutMetadata(type: string): boolean {
  return READ_TYPES.has(type) || BARE_TYPES.has(type);
}

/**
 * `type`: the type the file is published as (media-name.ts publishedMediaType). A file of one of
 * the types read here whose bytes are none of them (a JPEG with a stray byte after its start,
 * which some decoders show all the same) is unreadable rather than published as it came.
 */
export function withoutMetadata(data: Buffer, type?: string): Stripped {
  const strip = STRIPPERS.find(([is]) => is(data))?.[1];
  let stripped: Buffer | null | undefined;
  try {
    stripped = strip ? strip(data) : undefined;
  } catch {
    // A reader's bug on some hostile file: that file is not published, the build goes on.
    return { kind: 'unreadable' };
  }
  if (stripped === undefined) return type !== undefined && (READ_TYPES.has(type) || (BARE_TYPES.has(type) && !isBare(type, data))) ? { kind: 'unreadable' } : { kind: 'unchanged', data };
  return stripped === null ? { kind: 'unreadable' } : { kind: 'stripped', data: stripped };
}

/**
 * The kinds read here, by their first bytes, each with its stripper: the file without its
 * metadata, null when its structure cannot be followed, undefined when it is not that kind after
 * all (ISO media without a movie). (Detectors declared as constants below are called through a
 * function: this table is built before they are.)
 */
const STRIPPERS: [(data: Buffer) => boolean, (data: Buffer) => Buffer | null | undefined][] = [
  [(b) => isJpeg(b), stripJpeg],
  [(b) => isPng(b), stripPng],
  [(b) => isWebp(b), stripWebp],
  [(b) => isGif(b), stripGif],
  [isHeif, stripHeif],
  [(b) => isMovie(b), stripMovie],
  [isMatroska, stripMatroska],
  [isOgg, stripOgg],
  [isWav, stripWav],
  [isFramedAudio, stripFramedAudio],
];

const isJpeg = (b: Buffer): boolean => b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const isPng = (b: Buffer): boolean => b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE);
const isWebp = (b: Buffer): boolean => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';
const isGif = (b: Buffer): boolean => b.length >= 6 && /^GIF8[79]a$/.test(b.toString('latin1', 0, 6));
/** ISO base media (MP4, MOV, 3GP, M4A): a first box any of these files starts with. */
const isMovie = (b: Buffer): boolean => b.length >= 8 && ['ftyp', 'moov', 'mdat', 'wide', 'free', 'skip'].includes(b.toString('latin1', 4, 8));

function stripJpeg(data: Buffer): Buffer | null {
  const parts: Buffer[] = [data.subarray(0, 2)];
  let orientation = 1;
  let scanned = false;
  let i = 2;
  for (;;) {
    if (i >= data.length) {
      if (!scanned) return null; // no image data: not a picture a browser shows
      break; // cut after its image data, before the end marker: what is there is pixels
    }
    if (data[i] !== 0xff) return null;
    let marker = i + 1;
    while (marker < data.length && data[marker] === 0xff) marker++; // fill bytes
    if (marker >= data.length) return null;
    const code = data[marker];
    const start = marker + 1;
    if (code === 0xd9) {
      if (!scanned) return null;
      // End of image. What follows it goes: a phone's second picture (multi-picture, depth,
      // HDR gain map) or motion-photo video, each with its own metadata.
      parts.push(data.subarray(i, start));
      break;
    }
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) return null; // standalone markers only inside a scan
    if (start + 2 > data.length) return null;
    const end = start + data.readUInt16BE(start);
    if (end > data.length || end < start + 2) return null;
    if (code === 0xe1) orientation = exifOrientation(data.subarray(start + 2, end)) ?? orientation;
    const payload = data.subarray(start + 2, end);
    if (code === 0xe0) {
      const jfif = jfifWithoutThumbnail(payload);
      if (jfif) parts.push(jfif);
    } else if (!isJpegMetadata(code, payload)) parts.push(data.subarray(i, end));
    i = end;
    if (code === 0xda) {
      // A scan's entropy-coded data runs to the next marker: 0xFF followed by neither a stuffed
      // zero nor a restart marker (a progressive JPEG has several scans, segments between them).
      scanned = true;
      let j = i;
      for (;;) {
        j = data.indexOf(0xff, j);
        if (j < 0 || j + 1 >= data.length) {
          j = data.length;
          break;
        }
        const next = data[j + 1];
        if (next === 0x00 || (next >= 0xd0 && next <= 0xd7)) j += 2;
        else break;
      }
      parts.push(data.subarray(i, j));
      i = j;
    }
  }
  if (orientation !== 1) parts.splice(firstAfterApp0(parts), 0, orientationSegment(orientation));
  return Buffer.concat(parts);
}

/**
 * Whether a JPEG segment is metadata that goes: every APPn but APP0 (JFIF, rebuilt without its
 * thumbnail: jfifWithoutThumbnail), APP2 holding an ICC profile (not the multi-picture index,
 * whose pictures go) and APP14 (Adobe: how to read the colours); and comments.
 */
function isJpegMetadata(code: number, payload: Buffer): boolean {
  if (code === 0xfe) return true;
  if (code < 0xe0 || code > 0xef) return false;
  // Adobe's: exactly its fixed fields, nothing a name could hide in.
  if (code === 0xee) return !(payload.length === 12 && payload.toString('latin1', 0, 5) === 'Adobe');
  return !(code === 0xe2 && payload.toString('latin1', 0, 12) === 'ICC_PROFILE\u0000');
}

/** APP0 as a JFIF header alone (its thumbnail, and JFXX extensions, go); null: not JFIF, dropped. */
function jfifWithoutThumbnail(payload: Buffer): Buffer | null {
  if (payload.length < 14 || payload.toString('latin1', 0, 5) !== 'JFIF\u0000') return null;
  const segment = Buffer.alloc(18);
  segment.writeUInt16BE(0xffe0, 0);
  segment.writeUInt16BE(16, 2);
  payload.copy(segment, 4, 0, 12); // identifier, version, units, densities
  return segment; // thumbnail width and height 0
}

/** Where a new APP1 goes: after SOI and a JFIF APP0, as the JFIF and EXIF specs both want it. */
function firstAfterApp0(parts: Buffer[]): number {
  return parts.length > 1 && parts[1][1] === 0xe0 ? 2 : 1;
}

/** The Orientation tag (0x0112) of IFD0 in an APP1 payload, if it is EXIF and has one (1–8). */
function exifOrientation(payload: Buffer): number | null {
  if (payload.length < 14 || payload.toString('latin1', 0, 6) !== 'Exif\u0000\u0000') return null;
  return tiffOrientation(payload.subarray(6));
}

/** A WebP EXIF chunk's TIFF data: some writers put the JPEG APP1's `Exif\0\0` before it. */
function exifTiff(payload: Buffer): Buffer {
  return payload.toString('latin1', 0, 6) === 'Exif\u0000\u0000' ? payload.subarray(6) : payload;
}

/** The Orientation tag (0x0112) of IFD0 in EXIF's TIFF data, if it has one (1–8). */
function tiffOrientation(tiff: Buffer): number | null {
  if (tiff.length < 8) return null;
  const little = tiff.toString('latin1', 0, 2) === 'II';
  if (!little && tiff.toString('latin1', 0, 2) !== 'MM') return null;
  const u16 = (at: number): number => (little ? tiff.readUInt16LE(at) : tiff.readUInt16BE(at));
  const u32 = (at: number): number => (little ? tiff.readUInt32LE(at) : tiff.readUInt32BE(at));
  const ifd = u32(4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(ifd);
  for (let e = 0; e < count; e++) {
    const at = ifd + 2 + e * 12;
    if (at + 12 > tiff.length) return null;
    if (u16(at) === 0x0112 && u16(at + 2) === 3) {
      const value = u16(at + 8);
      return value >= 1 && value <= 8 ? value : null;
    }
  }
  return null;
}

/** EXIF's TIFF data holding only IFD0's Orientation (big-endian). */
function orientationTiff(orientation: number): Buffer {
  const tiff = Buffer.alloc(26);
  tiff.write('MM\u0000*', 0, 'latin1');
  tiff.writeUInt32BE(8, 4); // IFD0 right after the TIFF header
  tiff.writeUInt16BE(1, 8); // one entry
  tiff.writeUInt16BE(0x0112, 10); // Orientation
  tiff.writeUInt16BE(3, 12); // SHORT
  tiff.writeUInt32BE(1, 14); // one value
  tiff.writeUInt16BE(orientation, 18); // in the value field, left-justified
  tiff.writeUInt32BE(0, 22); // no next IFD
  return tiff;
}

/** A PNG chunk: length, type, data, CRC of type and data. */
function pngChunk(type: string, payload: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + payload.length);
  chunk.writeUInt32BE(payload.length, 0);
  chunk.write(type, 4, 'latin1');
  payload.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + payload.length)), 8 + payload.length);
  return chunk;
}

/** An APP1 EXIF segment holding only IFD0's Orientation. */
function orientationSegment(orientation: number): Buffer {
  const tiff = orientationTiff(orientation);
  const head = Buffer.alloc(10);
  head.writeUInt16BE(0xffe1, 0);
  head.writeUInt16BE(2 + 6 + tiff.length, 2); // the length counts itself, not the marker
  head.write('Exif\u0000\u0000', 4, 'latin1');
  return Buffer.concat([head, tiff]);
}

/** PNG chunks that carry words or EXIF: text, compressed text, international text, EXIF, time. */
/**
 * PNG chunks kept: the image, its colours and animation, nothing with text in it. Everything else
 * goes — text chunks, EXIF (its orientation alone comes back), times, C2PA credentials (`caBX`),
 * suggested palettes (named), any private chunk. The ICC profile stays, under a fixed name.
 */
const PNG_KEPT = new Set(['IHDR', 'PLTE', 'IDAT', 'IEND', 'tRNS', 'gAMA', 'cHRM', 'sRGB', 'cICP', 'mDCv', 'cLLi', 'sBIT', 'bKGD', 'hIST', 'pHYs', 'acTL', 'fcTL', 'fdAT']);

function stripPng(data: Buffer): Buffer | null {
  const parts: Buffer[] = [data.subarray(0, 8)];
  let i = 8;
  while (i < data.length) {
    if (i + 12 > data.length) return null;
    const end = i + 12 + data.readUInt32BE(i);
    if (end > data.length) return null;
    const type = data.toString('latin1', i + 4, i + 8);
    if (PNG_KEPT.has(type)) parts.push(data.subarray(i, end));
    else if (type === 'iCCP') {
      const name = data.indexOf(0, i + 8);
      if (name < 0 || name >= end - 4) return null;
      parts.push(pngChunk('iCCP', Buffer.concat([Buffer.from('ICC profile\u0000', 'latin1'), data.subarray(name + 1, end - 4)])));
    }
    // Its orientation stays, in an EXIF chunk of its own where the old one was (before the image data).
    const orientation = type === 'eXIf' ? tiffOrientation(data.subarray(i + 8, end - 4)) : null;
    if (orientation !== null && orientation !== 1) parts.push(pngChunk('eXIf', orientationTiff(orientation)));
    i = end;
    if (type === 'IEND') return Buffer.concat(parts);
  }
  return null; // no IEND: truncated
}

/** WebP chunks kept: the image, its alpha, animation and colour profile (EXIF comes back with its orientation alone). */
const WEBP_KEPT = new Set(['VP8 ', 'VP8L', 'VP8X', 'ALPH', 'ANIM', 'ANMF', 'ICCP']);

/** WebP without its EXIF, XMP and unknown chunks, and the VP8X flags that announce them. */
function stripWebp(data: Buffer): Buffer | null {
  const parts: Buffer[] = [Buffer.from(data.subarray(0, 12))];
  const riffEnd = 8 + data.readUInt32LE(4);
  if (riffEnd > data.length) return null;
  let i = 12;
  let vp8x: Buffer | null = null;
  let exifKept = false;
  while (i < riffEnd) {
    if (i + 8 > riffEnd) return null;
    const size = data.readUInt32LE(i + 4);
    const end = i + 8 + size + (size % 2);
    if (end > riffEnd) return null;
    const type = data.toString('latin1', i, i + 4);
    if (type === 'VP8X' && size >= 10) {
      vp8x = Buffer.from(data.subarray(i, end));
      vp8x[8] &= ~(0x08 | 0x04); // EXIF and XMP flags (EXIF set again below if its orientation stays)
      parts.push(vp8x);
    } else if (type === 'EXIF') {
      const orientation = tiffOrientation(exifTiff(data.subarray(i + 8, i + 8 + size)));
      if (orientation !== null && orientation !== 1) {
        const tiff = orientationTiff(orientation);
        const head = Buffer.alloc(8);
        head.write('EXIF', 0, 'latin1');
        head.writeUInt32LE(tiff.length, 4);
        parts.push(head, tiff); // an even size: no padding
        exifKept = true;
      }
    } else if (WEBP_KEPT.has(type)) {
      parts.push(data.subarray(i, end));
    }
    i = end;
  }
  if (exifKept && vp8x) vp8x[8] |= 0x08;
  const out = Buffer.concat(parts);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

/**
 * GIF application blocks kept, by identifier: animation looping (Netscape's, and the older
 * ANIMEXTS) and an ICC colour profile. Others (XMP above all) go, as do comment blocks.
 */
const KEPT_GIF_APPS = new Set(['NETSCAPE2.0', 'ANIMEXTS1.0', 'ICCRGBG1012']);

function stripGif(data: Buffer): Buffer | null {
  if (data.length < 13) return null;
  const tableSize = (flags: number): number => (flags & 0x80 ? 3 << ((flags & 0x07) + 1) : 0);
  let i = 13 + tableSize(data[10]); // header, logical screen descriptor, global colour table
  const parts: Buffer[] = [data.subarray(0, i)];
  /** The end of the data sub-blocks starting at `at` (after their zero-length terminator), or -1. */
  const subBlocksEnd = (at: number): number => {
    while (at < data.length) {
      const size = data[at];
      at += 1 + size;
      if (size === 0) return at;
    }
    return -1;
  };
  while (i < data.length) {
    const introducer = data[i];
    if (introducer === 0x3b) {
      parts.push(data.subarray(i, i + 1)); // trailer: whatever follows it is not the picture
      return Buffer.concat(parts);
    }
    let end: number;
    let kept = true;
    if (introducer === 0x2c) {
      if (i + 10 > data.length) return null;
      const lzw = i + 10 + tableSize(data[i + 9]); // descriptor, local colour table, then LZW code size
      if (lzw >= data.length) return null;
      end = subBlocksEnd(lzw + 1);
    } else if (introducer === 0x21) {
      if (i + 2 >= data.length) return null;
      const label = data[i + 1];
      end = subBlocksEnd(i + 2);
      if (label === 0xfe) kept = false; // comment
      if (label === 0xff) kept = i + 3 + 11 <= data.length && data[i + 2] === 11 && KEPT_GIF_APPS.has(data.toString('latin1', i + 3, i + 14));
    } else {
      return null;
    }
    if (end < 0) return null;
    if (kept) parts.push(data.subarray(i, end));
    i = end;
  }
  return null; // no trailer: truncated
}

/** ISO base media boxes that hold metadata: user data, metadata (iTunes-style and QuickTime keys). */
const MOVIE_METADATA = new Set(['udta', 'meta']);
/** The uuid of an XMP box (Adobe's XMP specification, part 3). */
const XMP_UUID = 'be7acfcb97a942e89c71999491e3afac';
/** Boxes whose children are read: the movie and its tracks. */
const MOVIE_CONTAINERS = new Set(['moov', 'trak']);

/**
 * Each metadata box becomes a `free` box of the same size with zeroed contents, in a copy: every
 * other byte stays where it was, so the offsets a movie's sample tables hold into `mdat` stay
 * right and nothing else needs rewriting. HEIF and AVIF files (their top-level `meta` is the
 * picture, also beside the `moov` of an image sequence) and files with no `moov` are not movies:
 * undefined.
 */
function stripMovie(data: Buffer): Buffer | null | undefined {
  if (isHeif(data)) return undefined;
  let out: Buffer | null = null;
  let movie = false;
  const walk = (from: number, to: number, top: boolean): boolean => {
    const boxes = isoBoxes(data, from, to, top);
    if (!boxes) return false;
    for (const box of boxes) {
      if (top && box.type === 'moov') movie = true;
      const xmp = box.type === 'uuid' && box.end - box.data >= 16 && data.toString('hex', box.data, box.data + 16) === XMP_UUID;
      if (MOVIE_METADATA.has(box.type) || xmp) {
        out ??= Buffer.from(data);
        out.write('free', box.start + 4, 'latin1');
        out.fill(0, box.data, box.end);
      } else if (MOVIE_CONTAINERS.has(box.type) && !walk(box.data, box.end, false)) {
        return false;
      }
    }
    return true;
  };
  if (!walk(0, data.length, true)) return null;
  if (!movie) return undefined;
  return out ?? data;
}
