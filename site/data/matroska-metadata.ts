/**
 * WebM and Matroska files without the places a name can be written (media-metadata.ts
 * withoutMetadata, privacy modes): tags, attachments (cover pictures, fonts), chapter names, the
 * segment's title, file names and writing apps, tracks' names. Each becomes a Void element of the
 * same size, so no offset moves: the seek index and cues still point where they did, and the
 * frames' bytes are untouched. The whole file is walked — clusters too, where the recorder did not
 * know their size (a browser's MediaRecorder writes them so) — and anything not known here to
 * carry no text makes the file null: not published. So does a codec whose private data holds
 * comments (Vorbis, FLAC) or that is not one browsers play.
 */

const EBML_HEADER = 0x1a45dfa3;
const SEGMENT = 0x18538067;
const CLUSTER = 0x1f43b675;
const INFO = 0x1549a966;
const TRACKS = 0x1654ae6b;
const TRACK_ENTRY = 0xae;
const CODEC_ID = 0x86;
const VOID = 0xec;
const CRC32 = 0xbf;

/** Segment children: kept (ids and positions only), cleaned, or voided whole. */
const SEGMENT_CHILDREN = new Map<number, 'keep' | 'info' | 'tracks' | 'cluster' | 'void'>([
  [0x114d9b74, 'keep'], // SeekHead
  [0x1c53bb6b, 'keep'], // Cues
  [VOID, 'keep'],
  [CRC32, 'keep'],
  [INFO, 'info'],
  [TRACKS, 'tracks'],
  [CLUSTER, 'cluster'],
  [0x1254c367, 'void'], // Tags
  [0x1941a469, 'void'], // Attachments
  [0x1043a770, 'void'], // Chapters
]);

/** Info children kept: numbers, dates and ids. Title, MuxingApp, WritingApp, file names… are voided. */
const INFO_KEPT = new Set([0x2ad7b1, 0x4489, 0x4461, 0x73a4, 0x3cb923, 0x3eb923, 0x4444, VOID, CRC32]);

/** TrackEntry children kept: numbers, flags, language, codec and its settings. Name, CodecName… are voided. */
const TRACK_KEPT = new Set([
  0xd7, 0x73c5, 0x83, 0xb9, 0x88, 0x55aa, 0x55ab, 0x55ac, 0x55ad, 0x55ae, 0x55af, 0x9c, 0x6de7, 0x6df8, 0x23e383, 0x234e7a,
  0x23314f, 0x55ee, 0x22b59c, 0x22b59d, CODEC_ID, 0x63a2, 0x56aa, 0x56bb, 0xe0, 0xe1, 0x6d80, 0xaa, 0x7446, VOID, CRC32,
]);

/** Cluster children (read one by one when a cluster's size is unknown). */
const CLUSTER_CHILDREN = new Set([0xe7, 0x5854, 0xa7, 0xab, 0xa3, 0xa0, 0xaf, VOID, CRC32]);

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

/** Voids the children of [from, to) not in `kept`; false when a child cannot be read. */
function cleanChildren(out: Buffer, from: number, to: number, kept: Set<number>, check?: (child: Element) => boolean): boolean {
  for (let at = from; at < to; ) {
    const child = readElement(out, at, to);
    if (!child || child.end === null) return false;
    if (!kept.has(child.id)) voidElement(out, child.start, child.end);
    else if (check && !check(child)) return false;
    at = child.end;
  }
  return true;
}

export function stripMatroska(data: Buffer): Buffer | null {
  const out = Buffer.from(data);
  const header = readElement(out, 0, out.length);
  if (!header || header.id !== EBML_HEADER || header.end === null) return null;
  const segment = readElement(out, header.end, out.length);
  if (!segment || segment.id !== SEGMENT) return null;
  const end = segment.end ?? out.length;
  if (end !== out.length) return null; // one segment, nothing after it
  for (let at = segment.data; at < end; ) {
    const child = readElement(out, at, end);
    const kind = child && SEGMENT_CHILDREN.get(child.id);
    if (!child || !kind) return null;
    if (child.end === null && kind !== 'cluster') return null;
    if (kind === 'void') voidElement(out, child.start, child.end!);
    else if (kind === 'info' && !cleanChildren(out, child.data, child.end!, INFO_KEPT)) return null;
    else if (kind === 'tracks') {
      const tracksOk = cleanChildren(out, child.data, child.end!, new Set([TRACK_ENTRY, VOID, CRC32]), (entry) => {
        if (entry.id !== TRACK_ENTRY) return true;
        let codec = '';
        const entryOk = cleanChildren(out, entry.data, entry.end!, TRACK_KEPT, (field) => {
          if (field.id === CODEC_ID) codec = out.toString('latin1', field.data, field.end!).replace(/\0+$/, '');
          return true;
        });
        return entryOk && SAFE_CODEC.test(codec);
      });
      if (!tracksOk) return null;
    } else if (kind === 'cluster' && child.end === null) {
      // Size unknown: its children, up to the next element of the segment's own.
      let inner = child.data;
      while (inner < end) {
        const block = readElement(out, inner, end);
        if (!block) return null;
        if (SEGMENT_CHILDREN.has(block.id) && block.id !== VOID && block.id !== CRC32) break;
        if (!CLUSTER_CHILDREN.has(block.id) || block.end === null) return null;
        inner = block.end;
      }
      at = inner;
      continue;
    }
    at = child.end!;
  }
  return out;
}

export const isMatroska = (data: Buffer): boolean => data.length >= 4 && data.readUInt32BE(0) === EBML_HEADER;
