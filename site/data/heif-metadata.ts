import { isoBoxes, type IsoBox } from './iso-boxes.js';

/**
 * HEIF and AVIF pictures without their metadata, for privacy modes (media-metadata.ts
 * withoutMetadata). A HEIF file's `meta` box is the picture itself: items (the image, its
 * thumbnail, EXIF, XMP) listed in `iinf`, their bytes located by `iloc`. What is kept is
 * allow-listed: EXIF items (Artist, camera owner, GPS) are overwritten with an empty EXIF block and
 * XMP items with an empty XMP packet, padded to their own length; other non-picture items are
 * zeroed; item and handler names are blanked; boxes and properties not known to describe the
 * picture become free space; bytes of `mdat`/`idat` no item points at are zeroed. Nothing moves,
 * and readers that parse EXIF (libavif refuses a picture whose EXIF has no TIFF header) still open
 * it. Orientation is not lost: HEIF keeps it in `irot`/`imir` properties, not in EXIF. Picture
 * sequences (a `moov` beside the `meta`), a primary item that is not a picture kind known here,
 * items stored by reference to other items, two items under one id, and anything that cannot be
 * followed are null: not published.
 */

/** ftyp brands of HEIF and AVIF pictures and picture sequences (ISO/IEC 23008-12, AV1 image format). */
const HEIF_BRANDS = new Set(['mif1', 'mif2', 'msf1', 'heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'avif', 'avis']);

export function isHeif(data: Buffer): boolean {
  if (data.length < 16 || data.toString('latin1', 4, 8) !== 'ftyp') return false;
  const end = Math.min(data.readUInt32BE(0), data.length);
  if (HEIF_BRANDS.has(data.toString('latin1', 8, 12))) return true;
  for (let at = 16; at + 4 <= end; at += 4) if (HEIF_BRANDS.has(data.toString('latin1', at, at + 4))) return true;
  return false;
}

interface Item {
  type: string;
  contentType: string;
  /** The item's name string (without its terminating zero). */
  name: [number, number];
}

/** A zero-terminated string at `at` within `end`: its end, or -1. */
function stringEnd(data: Buffer, at: number, end: number): number {
  const zero = data.indexOf(0, at);
  return zero < 0 || zero >= end ? -1 : zero;
}

function readItems(data: Buffer, iinf: IsoBox): Map<number, Item> | null {
  const version = data[iinf.data];
  const first = iinf.data + 4 + (version === 0 ? 2 : 4);
  const entries = isoBoxes(data, first, iinf.end, false);
  if (!entries) return null;
  const items = new Map<number, Item>();
  for (const infe of entries) {
    if (infe.type !== 'infe' || infe.data + 4 > infe.end) return null;
    const v = data[infe.data];
    if (v < 2) return null; // versions 0 and 1 (no item types): not from a HEIF writer
    let at = infe.data + 4;
    const id = v === 2 ? data.readUInt16BE(at) : data.readUInt32BE(at);
    at += (v === 2 ? 2 : 4) + 2; // item_ID, item_protection_index
    if (at + 4 > infe.end) return null;
    const type = data.toString('latin1', at, at + 4);
    at += 4;
    const nameEnd = stringEnd(data, at, infe.end);
    if (nameEnd < 0) return null;
    let contentType = '';
    if (type === 'mime') {
      const typeEnd = stringEnd(data, nameEnd + 1, infe.end);
      if (typeEnd < 0) return null;
      contentType = data.toString('latin1', nameEnd + 1, typeEnd);
    }
    if (items.has(id)) return null; // one id, two items: which one a reader takes is anyone's guess
    items.set(id, { type, contentType, name: [at, nameEnd] });
  }
  return items;
}

/** Each item's extents as [file offset, length], from `iloc` (construction methods 0 and 1 only). */
function readLocations(data: Buffer, iloc: IsoBox, idat: IsoBox | undefined): Map<number, [number, number][]> | null {
  const version = data[iloc.data];
  if (version > 2) return null;
  let at = iloc.data + 4;
  if (at + 2 > iloc.end) return null;
  const offsetSize = data[at] >> 4;
  const lengthSize = data[at] & 15;
  const baseSize = data[at + 1] >> 4;
  const indexSize = version > 0 ? data[at + 1] & 15 : 0;
  at += 2;
  const read = (size: number): number => {
    if (![0, 4, 8].includes(size) || at + size > iloc.end) throw new RangeError('iloc');
    const value = size === 0 ? 0 : size === 4 ? data.readUInt32BE(at) : Number(data.readBigUInt64BE(at));
    at += size;
    return value;
  };
  try {
    const count = version < 2 ? (at += 2, data.readUInt16BE(at - 2)) : read(4);
    const locations = new Map<number, [number, number][]>();
    for (let i = 0; i < count; i++) {
      const id = version < 2 ? (at += 2, data.readUInt16BE(at - 2)) : read(4);
      const method = version > 0 ? (at += 2, data.readUInt16BE(at - 2) & 15) : 0;
      at += 2; // data_reference_index
      const base = read(baseSize);
      const extentCount = (at += 2, data.readUInt16BE(at - 2));
      if (at > iloc.end || method > 1 || (method === 1 && !idat)) return null;
      const origin = method === 1 ? idat!.data : 0;
      const extents: [number, number][] = [];
      for (let e = 0; e < extentCount; e++) {
        read(indexSize);
        const offset = origin + base + read(offsetSize);
        const length = read(lengthSize);
        const limit = method === 1 ? idat!.end : data.length;
        if (length === 0 || offset + length > limit) return null;
        extents.push([offset, length]);
      }
      if (locations.has(id)) return null;
      locations.set(id, extents);
    }
    return locations;
  } catch {
    return null;
  }
}

/** An empty EXIF item: the offset of its TIFF header (0), then a little-endian TIFF with one empty IFD. */
const EMPTY_EXIF = Buffer.from([0, 0, 0, 0, 0x49, 0x49, 0x2a, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
const EMPTY_XMP = Buffer.from('<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/"/><?xpacket end="w"?>', 'latin1');

/** Writes `content` over an item's extents, then `pad` to their end. */
function overwrite(out: Buffer, extents: [number, number][], content: Buffer, pad: number): void {
  let written = 0;
  for (const [offset, length] of extents) {
    out.fill(pad, offset, offset + length);
    if (written < content.length) written += content.copy(out, offset, written, Math.min(content.length, written + length));
  }
}

/** Top-level boxes of a HEIF picture; any other (user data, XMP `uuid`…) becomes free space. */
const TOP_KEPT = new Set(['ftyp', 'meta', 'mdat', 'free', 'skip']);
/** Boxes of `meta` kept; any other (an `xml ` box…) becomes free space. */
const META_KEPT = new Set(['hdlr', 'pitm', 'iloc', 'iinf', 'iref', 'iprp', 'idat', 'dinf', 'grpl']);
/** Item properties kept (`iprp`/`ipco`): how to decode and show the picture. Others (`udes`, a user description…) become free space, so the indexes that associate properties with items still hold. */
const PROPERTIES_KEPT = new Set(['ispe', 'pixi', 'colr', 'hvcC', 'av1C', 'irot', 'imir', 'clap', 'pasp', 'auxC', 'a1op', 'lsel', 'a1lx', 'rloc', 'clli', 'mdcv', 'cclv', 'amve', 'iscl', 'ipma']);
/** Item types that are pictures or parts of one; EXIF and XMP are emptied; any other item's bytes are zeroed. */
const PICTURE_ITEMS = new Set(['hvc1', 'av01', 'grid', 'iovl', 'iden', 'tmap', 'hvt1']);

/** A box made `free`, its contents zeroed: the same size, so nothing after it moves. */
function free(out: Buffer, box: IsoBox): void {
  out.write('free', box.start + 4, 'latin1');
  out.fill(0, box.data, box.end);
}

export function stripHeif(data: Buffer): Buffer | null {
  const top = isoBoxes(data, 0, data.length, true);
  if (!top || top.some((b) => b.type === 'moov')) return null;
  const metas = top.filter((b) => b.type === 'meta');
  if (metas.length !== 1) return null;
  const children = isoBoxes(data, metas[0].data + 4, metas[0].end, false);
  const iinf = children?.find((b) => b.type === 'iinf');
  const iloc = children?.find((b) => b.type === 'iloc');
  const pitm = children?.find((b) => b.type === 'pitm');
  if (!children || !iinf || !iloc || !pitm || pitm.data + 6 > pitm.end) return null;
  const idat = children.find((b) => b.type === 'idat');
  const items = readItems(data, iinf);
  const locations = items && readLocations(data, iloc, idat);
  if (!items || !locations) return null;
  const primary = data[pitm.data] === 0 ? data.readUInt16BE(pitm.data + 4) : data.readUInt32BE(pitm.data + 4);
  if (!PICTURE_ITEMS.has(items.get(primary)?.type ?? '')) return null;
  const out = Buffer.from(data);
  for (const box of top) if (!TOP_KEPT.has(box.type)) free(out, box);
  for (const box of children) if (!META_KEPT.has(box.type)) free(out, box);
  // The handler's name (a string after its fixed fields).
  const hdlr = children.find((b) => b.type === 'hdlr');
  if (hdlr && hdlr.data + 24 < hdlr.end) out.fill(0, hdlr.data + 24, hdlr.end);
  const iprp = children.find((b) => b.type === 'iprp');
  for (const box of (iprp && isoBoxes(data, iprp.data, iprp.end, false)) ?? []) {
    if (box.type === 'ipma') continue;
    if (box.type !== 'ipco') {
      free(out, box);
      continue;
    }
    const properties = isoBoxes(data, box.data, box.end, false);
    if (!properties) return null;
    for (const property of properties) if (!PROPERTIES_KEPT.has(property.type)) free(out, property);
  }
  // What item data may hold: the pictures' bytes, each item's own extents. Bytes of mdat and idat no item covers are zeroed.
  const covered: [number, number][] = [];
  for (const [id, item] of items) {
    out.fill(0x20, item.name[0], item.name[1]);
    const extents = locations.get(id) ?? [];
    const length = extents.reduce((sum, [, l]) => sum + l, 0);
    const xmp = item.type === 'mime' && /xml|rdf/i.test(item.contentType);
    if (item.type === 'Exif') {
      if (length < EMPTY_EXIF.length) return null;
      overwrite(out, extents, EMPTY_EXIF, 0);
    } else if (xmp) overwrite(out, extents, length >= EMPTY_XMP.length ? EMPTY_XMP : Buffer.alloc(0), 0x20);
    else if (!PICTURE_ITEMS.has(item.type)) overwrite(out, extents, Buffer.alloc(0), 0);
    covered.push(...extents);
  }
  for (const box of [...top.filter((b) => b.type === 'mdat'), ...(idat ? [idat] : [])]) zeroUncovered(out, box.data, box.end, covered);
  return out;
}

/** Zeroes the bytes from `from` to `to` that none of the extents covers. */
function zeroUncovered(out: Buffer, from: number, to: number, extents: [number, number][]): void {
  const inside = extents.filter(([offset, length]) => offset < to && offset + length > from).sort((a, b) => a[0] - b[0]);
  let at = from;
  for (const [offset, length] of inside) {
    if (offset > at) out.fill(0, at, offset);
    at = Math.max(at, offset + length);
  }
  if (at < to) out.fill(0, at, to);
}
