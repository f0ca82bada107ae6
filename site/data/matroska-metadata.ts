/**
 * WebM and Matroska files without the places a name can be written (media-metadata.ts
 * withoutMetadata, privacy modes): tags, attachments (cover pictures, fonts), chapter names, the
 * segment's title, file names and writing apps, tracks' names, anything else not known to carry
 * no text. Each becomes a Void element of the same size, so no offset moves: the seek index and
 * cues still point where they did, and the frames' bytes are untouched. The whole file is walked
 * by an allow-list of elements (SEGMENT_SCHEMA) — clusters too, also where the recorder did not
 * know their size (a browser's MediaRecorder writes them so). A codec whose private data holds
 * comments (Vorbis, FLAC) or that browsers do not play, compressed or encrypted tracks, and
 * anything that cannot be followed make the file null: not published.
 */

const EBML_HEADER = 0x1a45dfa3;
const DOC_TYPE = 0x4282;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const TRACK_ENTRY = 0xae;
const CODEC_ID = 0x86;
const CONTENT_ENCODINGS = 0x6d80;
const VOID = 0xec;
const CRC32 = 0xbf;

/**
 * What is kept, as a tree of element ids: 'leaf' for a number, a date, an id, a codec's settings
 * or frames; a map for a master element whose children are read in turn. A child not in its
 * parent's map — a title, a name, an app, a tag, an attachment, a chapter — becomes a Void element
 * of its size; every Void's contents are zeroed (a Void can hold anything).
 */
type Schema = Map<number, Schema | 'leaf'>;
const leaves = (...ids: number[]): [number, 'leaf'][] => ids.map((id) => [id, 'leaf']);

const EBML_HEADER_SCHEMA: Schema = new Map<number, Schema | 'leaf'>(leaves(0x4286, 0x42f7, 0x42f2, 0x42f3, DOC_TYPE, 0x4287, 0x4285));
const SEEK_HEAD: Schema = new Map<number, Schema | 'leaf'>([[0x4dbb, new Map<number, Schema | 'leaf'>(leaves(0x53ab, 0x53ac))]]);
/** Info: the timestamp scale, duration and date. Title, MuxingApp, WritingApp, file names, ids… go. */
const INFO: Schema = new Map<number, Schema | 'leaf'>(leaves(0x2ad7b1, 0x4489, 0x4461));
const COLOUR: Schema = new Map<number, Schema | 'leaf'>([...leaves(0x55b1, 0x55b2, 0x55b3, 0x55b4, 0x55b5, 0x55b6, 0x55b7, 0x55b8, 0x55b9, 0x55ba, 0x55bb, 0x55bc, 0x55bd), [0x55d0, new Map<number, Schema | 'leaf'>(leaves(0x55d1, 0x55d2, 0x55d3, 0x55d4, 0x55d5, 0x55d6, 0x55d7, 0x55d8, 0x55d9, 0x55da))]]);
const VIDEO: Schema = new Map<number, Schema | 'leaf'>([
  ...leaves(0x9a, 0x9d, 0x53b8, 0x53c0, 0xb0, 0xba, 0x54aa, 0x54bb, 0x54cc, 0x54dd, 0x54b0, 0x54ba, 0x54b2, 0x54b3, 0x2eb524),
  [0x55b0, COLOUR],
  [0x7670, new Map<number, Schema | 'leaf'>(leaves(0x7671, 0x7673, 0x7674, 0x7675))],
]);
const AUDIO: Schema = new Map<number, Schema | 'leaf'>(leaves(0xb5, 0x78b5, 0x9f, 0x6264, 0x52f1));
/** TrackEntry: numbers, flags, codec and its settings. Name, CodecName, language… go; ContentEncodings make the file unreadable (tracksReadable). */
const TRACK: Schema = new Map<number, Schema | 'leaf'>([
  ...leaves(0xd7, 0x73c5, 0x83, 0xb9, 0x88, 0x55aa, 0x55ab, 0x55ac, 0x55ad, 0x55ae, 0x55af, 0x9c, 0x6de7, 0x6df8, 0x23e383, 0x234e7a, 0x23314f, 0x55ee, CODEC_ID, 0x63a2, 0x56aa, 0x56bb, 0xaa, 0x7446),
  [0xe0, VIDEO],
  [0xe1, AUDIO],
]);
const TRACKS: Schema = new Map<number, Schema | 'leaf'>([[TRACK_ENTRY, TRACK]]);
const CUES: Schema = new Map<number, Schema | 'leaf'>([[0xbb, new Map<number, Schema | 'leaf'>([...leaves(0xb3), [0xb7, new Map<number, Schema | 'leaf'>(leaves(0xf7, 0xf1, 0xf0, 0xb2, 0x5378, 0xea, 0xdb))]])]]);
/** Cluster: timestamps, positions and the frames, with their additions (a VP8 picture's alpha channel). */
const BLOCK_ADDITIONS: Schema = new Map<number, Schema | 'leaf'>([[0xa6, new Map<number, Schema | 'leaf'>(leaves(0xee, 0xa5))]]);
const CLUSTER_SCHEMA: Schema = new Map<number, Schema | 'leaf'>([...leaves(0xe7, 0x5854, 0xa7, 0xab, 0xa3, 0xaf), [0xa0, new Map<number, Schema | 'leaf'>([...leaves(0xa1, 0x9b, 0xfa, 0xfb, 0xa4, 0x75a2), [0x75a1, BLOCK_ADDITIONS]])]]);
/**
 * Leaves that hold data: frames and their additions, a codec's settings and state, and the two
 * strings checked against their few allowed values (DocType, CodecID). Every other leaf is a
 * number or a date: more than 8 bytes there is no number, and makes the file unreadable.
 */
const DATA_LEAVES = new Set([0xa3, 0xa1, 0xaf, 0xa5, 0xa4, 0x63a2, CODEC_ID, DOC_TYPE]);
/** Segment: Tags, Attachments and Chapters are not in it, so they go whole. */
const SEGMENT_SCHEMA: Schema = new Map<number, Schema | 'leaf'>([[0x114d9b74, SEEK_HEAD], [0x1549a966, INFO], [0x1654ae6b, TRACKS], [CLUSTER, CLUSTER_SCHEMA], [0x1c53bb6b, CUES]]);
/** Ids that end a cluster of unknown size: the segment's own children. */
const LEVEL_1 = new Set([...SEGMENT_SCHEMA.keys(), 0x1254c367, 0x1941a469, 0x1043a770]);

/** Codecs whose private data is a decoder's settings, not text; browsers play them. */
const SAFE_CODEC = /^(V_VP8|V_VP9|V_AV1|V_MPEG4\/ISO\/AVC|V_MPEGH\/ISO\/HEVC|A_OPUS|A_AAC(\/.*)?|A_PCM\/(INT\/LIT|INT\/BIG|FLOAT\/IEEE)|A_MPEG\/L3)$/;

interface Element {
  id: number;
  /** Where the element starts, its data starts and ends (end null: size unknown). */
  start: number;
  data: number;
  end: number | null;
}

function readElement(bytes: Buffer, at: number, limit: number): Element | null {
  const first = bytes[at];
  const idLength = first & 0x80 ? 1 : first & 0x40 ? 2 : first & 0x20 ? 3 : first & 0x10 ? 4 : 0;
  if (!idLength || at + idLength >= limit) return null;
  let id = 0;
  for (let i = 0; i < idLength; i++) id = id * 256 + bytes[at + i];
  const sizeAt = at + idLength;
  const lead = bytes[sizeAt];
  let sizeLength = 1;
  while (sizeLength <= 8 && !(lead & (0x80 >> (sizeLength - 1)))) sizeLength++;
  if (sizeLength > 8 || sizeAt + sizeLength > limit) return null;
  let size = lead & (0xff >> sizeLength);
  let unknown = size === 0xff >> sizeLength;
  for (let i = 1; i < sizeLength; i++) {
    size = size * 256 + bytes[sizeAt + i];
    unknown &&= bytes[sizeAt + i] === 0xff;
  }
  const data = sizeAt + sizeLength;
  if (unknown) return { id, start: at, data, end: null };
  return data + size > limit ? null : { id, start: at, data, end: data + size };
}

/** Overwrites an element with a Void element of the same length (at least 2 bytes: an id and a size). */
function voidElement(out: Buffer, from: number, to: number): void {
  const length = to - from;
  out.fill(0, from, to);
  out[from] = VOID;
  if (length - 2 <= 126) out[from + 1] = 0x80 | (length - 2);
  else out.writeBigUInt64BE((1n << 56n) | BigInt(length - 9), from + 1); // an 8-byte size: marker 0x01, then 7 bytes
}

/**
 * Cleans the children of [from, to) by `schema`; false when one cannot be read. `check` sees each
 * kept master child before its own children are cleaned (false: the file is not read).
 */
function clean(out: Buffer, from: number, to: number, schema: Schema, check?: (child: Element) => boolean): boolean {
  for (let at = from; at < to; ) {
    const child = readElement(out, at, to);
    if (!child || child.end === null) return false;
    const rule = schema.get(child.id);
    if (child.id === VOID) out.fill(0, child.data, child.end);
    else if (child.id === CRC32) {
      // A checksum of the parent as it was: kept (players do not check it), it names nothing.
    } else if (rule === undefined) voidElement(out, child.start, child.end);
    else if (rule === 'leaf') {
      if (child.end - child.data > 8 && !DATA_LEAVES.has(child.id)) return false;
    } else if ((check && !check(child)) || !clean(out, child.data, child.end, rule, check)) return false;
    at = child.end;
  }
  return true;
}

/** The children of a read element, or null when one cannot be read (or leaves its size unknown). */
function childrenOf(out: Buffer, parent: Element): Element[] | null {
  const children: Element[] = [];
  for (let at = parent.data; at < parent.end!; ) {
    const child = readElement(out, at, parent.end!);
    if (!child || child.end === null) return null;
    children.push(child);
    at = child.end;
  }
  return children;
}

/** A string element's text, without the zeros that may pad it ('' when absent). */
function textOf(out: Buffer, element: Element | undefined): string {
  return element ? out.toString('latin1', element.data, element.end!).replace(/\0+$/, '') : '';
}

/** Each track's codec must be one whose settings hold no text, and none may be compressed or encrypted (ContentEncodings). */
function tracksReadable(out: Buffer): (child: Element) => boolean {
  return (child) => {
    if (child.id !== TRACK_ENTRY) return true;
    const fields = childrenOf(out, child);
    if (!fields || fields.some((f) => f.id === CONTENT_ENCODINGS)) return false;
    return SAFE_CODEC.test(textOf(out, fields.find((f) => f.id === CODEC_ID)));
  };
}

export function stripMatroska(data: Buffer): Buffer | null {
  const out = Buffer.from(data);
  const header = readElement(out, 0, out.length);
  if (!header || header.id !== EBML_HEADER || header.end === null) return null;
  if (!clean(out, header.data, header.end, EBML_HEADER_SCHEMA)) return null;
  const docType = textOf(out, childrenOf(out, header)?.find((f) => f.id === DOC_TYPE));
  if (docType !== 'webm' && docType !== 'matroska') return null;
  const segment = readElement(out, header.end, out.length);
  if (!segment || segment.id !== SEGMENT) return null;
  const end = segment.end ?? out.length;
  if (end !== out.length) return null; // one segment, nothing after it
  const check = tracksReadable(out);
  for (let at = segment.data; at < end; ) {
    const child = readElement(out, at, end);
    if (!child) return null;
    if (child.end !== null) {
      // One child at a time, through the segment's own schema (its parent's range is the segment).
      if (!clean(out, child.start, child.end, SEGMENT_SCHEMA, check)) return null;
      at = child.end;
      continue;
    }
    if (child.id !== CLUSTER) return null; // only a cluster may leave its size unknown here
    // Its children, up to the next element of the segment's own.
    let inner = child.data;
    while (inner < end) {
      const block = readElement(out, inner, end);
      if (!block) return null;
      if (LEVEL_1.has(block.id)) break;
      if (block.end === null || !clean(out, block.start, block.end, CLUSTER_SCHEMA)) return null;
      inner = block.end;
    }
    at = inner;
  }
  return out;
}

export const isMatroska = (data: Buffer): boolean => data.length >= 4 && data.readUInt32BE(0) === EBML_HEADER;
