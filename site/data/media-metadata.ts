/**
 * A published photo without the metadata that can name people: EXIF (Artist, Copyright,
 * CameraOwnerName, XPAuthor… and the GPS position), XMP (dc:creator), IPTC (By-line), comments
 * and PNG text chunks. Used with authors hidden or pseudonymized (session.ts writeMedia), where no
 * published byte may carry a name. Lossless: the pixels' bytes are copied as they are; only whole
 * metadata segments or chunks go, so a photo looks the same, colour profile included.
 *
 * JPEG keeps its EXIF orientation (a phone's portrait photo would otherwise lie on its side), as a
 * new EXIF segment with that tag alone. PNG, WebP and JPEG are read; anything else (GIF, videos,
 * documents) is returned as is: `unchanged`. A JPEG, PNG or WebP whose structure cannot be
 * followed is `unreadable`: the caller does not publish it, as what it holds cannot be vouched for.
 */
export type Stripped = { kind: 'stripped' | 'unchanged'; data: Buffer } | { kind: 'unreadable' };

export function withoutMetadata(data: Buffer): Stripped {
  const stripped = isJpeg(data) ? stripJpeg(data) : isPng(data) ? stripPng(data) : isWebp(data) ? stripWebp(data) : undefined;
  if (stripped === undefined) return { kind: 'unchanged', data };
  return stripped === null ? { kind: 'unreadable' } : { kind: 'stripped', data: stripped };
}

const isJpeg = (b: Buffer): boolean => b.length >= 4 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const isPng = (b: Buffer): boolean => b.length >= 8 && b.subarray(0, 8).equals(PNG_SIGNATURE);
const isWebp = (b: Buffer): boolean => b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP';

/**
 * JPEG segments kept: APP0 (JFIF), APP2 (ICC profile, multi-picture index), APP14 (Adobe: how
 * to read the colours). Every other APPn (APP1 EXIF/XMP, APP13 IPTC…) and COM goes.
 */
const KEPT_APP = new Set([0xe0, 0xe2, 0xee]);

function stripJpeg(data: Buffer): Buffer | null {
  const parts: Buffer[] = [data.subarray(0, 2)];
  let orientation = 1;
  let i = 2;
  while (i < data.length) {
    if (data[i] !== 0xff) return null;
    let marker = i + 1;
    while (marker < data.length && data[marker] === 0xff) marker++; // fill bytes
    if (marker >= data.length) return null;
    const code = data[marker];
    const start = marker + 1;
    // Start of scan (the image data: copied to the end, whatever follows) or end of image.
    if (code === 0xda || code === 0xd9) {
      parts.push(data.subarray(i));
      break;
    }
    if (code === 0x01 || (code >= 0xd0 && code <= 0xd7)) return null; // no standalone markers before the scan
    if (start + 2 > data.length) return null;
    const end = start + data.readUInt16BE(start);
    if (end > data.length || end < start + 2) return null;
    if (code === 0xe1) orientation = exifOrientation(data.subarray(start + 2, end)) ?? orientation;
    const metadata = (code >= 0xe0 && code <= 0xef && !KEPT_APP.has(code)) || code === 0xfe;
    if (!metadata) parts.push(data.subarray(i, end));
    i = end;
  }
  if (i >= data.length) return null; // no scan: not an image a browser shows
  if (orientation !== 1) parts.splice(firstAfterApp0(parts), 0, orientationSegment(orientation));
  return Buffer.concat(parts);
}

/** Where a new APP1 goes: after SOI and a JFIF APP0, as the JFIF and EXIF specs both want it. */
function firstAfterApp0(parts: Buffer[]): number {
  return parts.length > 1 && parts[1][1] === 0xe0 ? 2 : 1;
}

/** The Orientation tag (0x0112) of IFD0 in an APP1 payload, if it is EXIF and has one (1–8). */
function exifOrientation(payload: Buffer): number | null {
  if (payload.length < 14 || payload.toString('latin1', 0, 6) !== 'Exif\u0000\u0000') return null;
  const tiff = payload.subarray(6);
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

/** An APP1 EXIF segment holding only IFD0's Orientation. */
function orientationSegment(orientation: number): Buffer {
  const segment = Buffer.alloc(36);
  segment.writeUInt16BE(0xffe1, 0);
  segment.writeUInt16BE(34, 2); // the length counts itself, not the marker
  segment.write('Exif\u0000\u0000MM\u0000*', 4, 'latin1');
  segment.writeUInt32BE(8, 14); // IFD0 right after the TIFF header
  segment.writeUInt16BE(1, 18); // one entry
  segment.writeUInt16BE(0x0112, 20); // Orientation
  segment.writeUInt16BE(3, 22); // SHORT
  segment.writeUInt32BE(1, 24); // one value
  segment.writeUInt16BE(orientation, 28); // in the value field, left-justified
  segment.writeUInt32BE(0, 32); // no next IFD
  return segment;
}

/** PNG chunks that carry words or EXIF: text, compressed text, international text, EXIF, time. */
const PNG_METADATA = new Set(['tEXt', 'zTXt', 'iTXt', 'eXIf', 'tIME']);

function stripPng(data: Buffer): Buffer | null {
  const parts: Buffer[] = [data.subarray(0, 8)];
  let i = 8;
  while (i < data.length) {
    if (i + 12 > data.length) return null;
    const end = i + 12 + data.readUInt32BE(i);
    if (end > data.length) return null;
    const type = data.toString('latin1', i + 4, i + 8);
    if (!PNG_METADATA.has(type)) parts.push(data.subarray(i, end));
    i = end;
    if (type === 'IEND') return Buffer.concat(parts);
  }
  return null; // no IEND: truncated
}

/** WebP's EXIF and XMP chunks, and the VP8X flags that announce them. */
function stripWebp(data: Buffer): Buffer | null {
  const parts: Buffer[] = [Buffer.from(data.subarray(0, 12))];
  const riffEnd = 8 + data.readUInt32LE(4);
  if (riffEnd > data.length) return null;
  let i = 12;
  while (i < riffEnd) {
    if (i + 8 > riffEnd) return null;
    const size = data.readUInt32LE(i + 4);
    const end = i + 8 + size + (size % 2);
    if (end > riffEnd) return null;
    const type = data.toString('latin1', i, i + 4);
    if (type === 'VP8X' && size >= 10) {
      const chunk = Buffer.from(data.subarray(i, end));
      chunk[8] &= ~(0x08 | 0x04); // EXIF and XMP flags
      parts.push(chunk);
    } else if (type !== 'EXIF' && type !== 'XMP ') {
      parts.push(data.subarray(i, end));
    }
    i = end;
  }
  const out = Buffer.concat(parts);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}
