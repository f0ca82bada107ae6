/**
 * Sound files without their tags, for privacy modes (media-metadata.ts withoutMetadata): an MP3's
 * ID3 artist and comments, an Ogg voice note's Opus or Vorbis comments, a WAV's INFO and broadcast
 * originator chunks. Lossless: the audio frames' bytes are copied as they are. Each reader walks
 * the whole file (frames, pages or chunks), so a file that is anything but audio and the tags
 * named here is null: not published, as what it holds cannot be vouched for. Null also for what
 * is rarer than it is worth reading: free-format MP3, chained or multiplexed Ogg, RF64, a WAV
 * whose data size runs past its end. (FLAC is not read: its frames carry no length, so what
 * follows them could not be told from audio without decoding them.)
 */

const ascii = (data: Buffer, from: number, to: number): string => data.toString('latin1', from, to);

/** An ID3v2 tag's size from its syncsafe size field (four 7-bit bytes), or null. */
function syncsafe(data: Buffer, at: number): number | null {
  let size = 0;
  for (let i = at; i < at + 4; i++) {
    if (data[i] & 0x80) return null;
    size = size * 128 + data[i];
  }
  return size;
}

/** Where `data` starts after its leading ID3v2 tags, or null when one runs past the file. */
function afterLeadingTags(data: Buffer): number | null {
  let start = 0;
  while (data.length - start >= 10 && ascii(data, start, start + 3) === 'ID3') {
    const size = syncsafe(data, start + 6);
    if (size === null) return null;
    start += 10 + size + (data[start + 5] & 0x10 ? 10 : 0);
    if (start > data.length) return null;
  }
  return start;
}

/**
 * The part of `data` between leading ID3v2 tags and trailing ID3v1, ID3v2 (with footer), APE and
 * Lyrics3 tags, or null when a tag's size runs past the file.
 */
function withoutTags(data: Buffer): { start: number; end: number } | null {
  const start = afterLeadingTags(data);
  if (start === null) return null;
  let end = data.length;
  for (let cut = true; cut && end > start; ) {
    cut = false;
    if (end - start >= 128 && ascii(data, end - 128, end - 125) === 'TAG') {
      end -= 128;
      if (end - start >= 227 && ascii(data, end - 227, end - 223) === 'TAG+') end -= 227;
      cut = true;
    } else if (end - start >= 32 && ascii(data, end - 32, end - 24) === 'APETAGEX') {
      const whole = data.readUInt32LE(end - 20) + (data.readUInt32LE(end - 12) & 0x80000000 ? 32 : 0);
      if (whole < 32 || whole > end - start) return null;
      end -= whole;
      cut = true;
    } else if (end - start >= 20 && ascii(data, end - 10, end - 7) === '3DI') {
      const size = syncsafe(data, end - 4);
      if (size === null || size + 20 > end - start) return null;
      end -= size + 20;
      cut = true;
    } else if (end - start >= 15 && ascii(data, end - 9, end) === 'LYRICS200') {
      const digits = ascii(data, end - 15, end - 9);
      if (!/^\d{6}$/.test(digits) || Number(digits) + 15 > end - start) return null;
      end -= Number(digits) + 15;
      cut = true;
    } else if (end - start >= 20 && ascii(data, end - 9, end) === 'LYRICSEND') {
      const from = data.lastIndexOf('LYRICSBEGIN', end - 9, 'latin1');
      if (from < start) return null;
      end = from;
      cut = true;
    }
  }
  return end > start ? { start, end } : null;
}

// MPEG audio bitrates (kbit/s) by version (1; 2 and 2.5) and layer (I, II, III).
const BITRATES_V1 = [
  [0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448],
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384],
  [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320],
];
const BITRATES_V2 = [
  [0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
  [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];
const SAMPLE_RATES = { 3: [44100, 48000, 32000], 2: [22050, 24000, 16000], 0: [11025, 12000, 8000] } as Record<number, number[]>;

/** The length of the MPEG audio or ADTS (AAC) frame at `at`, or 0 when none starts there. */
function frameLength(data: Buffer, at: number): number {
  if (data.length - at < 7 || data[at] !== 0xff || (data[at + 1] & 0xe0) !== 0xe0) return 0;
  const b1 = data[at + 1];
  const layerBits = (b1 >> 1) & 3;
  if (layerBits === 0) {
    // ADTS: sync 0xFFF, layer 00; the frame length is in the header.
    if ((b1 & 0xf0) !== 0xf0) return 0;
    return ((data[at + 3] & 3) << 11) | (data[at + 4] << 3) | (data[at + 5] >> 5);
  }
  const version = (b1 >> 3) & 3;
  if (version === 1) return 0;
  const layer = 3 - layerBits; // 0: I, 1: II, 2: III
  const b2 = data[at + 2];
  const kbps = (version === 3 ? BITRATES_V1 : BITRATES_V2)[layer][b2 >> 4];
  const rate = SAMPLE_RATES[version][(b2 >> 2) & 3];
  if (!kbps || !rate) return 0; // free format, a bad index
  const padding = (b2 >> 1) & 1;
  if (layer === 0) return (Math.floor((12 * kbps * 1000) / rate) + padding) * 4;
  return Math.floor(((layer === 2 && version !== 3 ? 72 : 144) * kbps * 1000) / rate) + padding;
}

/** MP3 or AAC (ADTS): the frames without the tags around them; null unless frames fill the rest. */
export function stripFramedAudio(data: Buffer): Buffer | null {
  const part = withoutTags(data);
  if (!part) return null;
  let at = part.start;
  while (at < part.end) {
    const length = frameLength(data, at);
    if (length < 7) return null;
    // A last frame cut short (a recording that stopped) is dropped: what follows its header may be anything.
    if (at + length > part.end) break;
    at += length;
  }
  return at > part.start ? data.subarray(part.start, at) : null;
}

/**
 * Whether `data` is MP3 or AAC as stripFramedAudio reads it: frames, perhaps after ID3v2 tags
 * (a file that starts with a tag but is something else, FLAC say, is then unreadable there).
 */
export function isFramedAudio(data: Buffer): boolean {
  const start = afterLeadingTags(data);
  if (start === null || start >= data.length) return data.length >= 3 && ascii(data, 0, 3) === 'ID3';
  return frameLength(data, start) > 0 || start > 0;
}

// --- Ogg (Opus and Vorbis voice notes) ---

const OGG_CRC = new Uint32Array(256);
for (let i = 0; i < 256; i++) {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  OGG_CRC[i] = r >>> 0;
}

/** A page with its CRC computed (the field zeroed first, as the Ogg spec says). */
function withCrc(page: Buffer): Buffer {
  page.writeUInt32LE(0, 22);
  let crc = 0;
  for (let i = 0; i < page.length; i++) crc = ((crc << 8) ^ OGG_CRC[((crc >>> 24) ^ page[i]) & 0xff]) >>> 0;
  page.writeUInt32LE(crc, 22);
  return page;
}

interface OggPage {
  start: number;
  end: number;
  serial: number;
  /** Segment sizes (the lacing values) and where the body starts. */
  lacing: Buffer;
  body: number;
}

function oggPages(data: Buffer): OggPage[] | null {
  const pages: OggPage[] = [];
  for (let at = 0; at < data.length; ) {
    if (data.length - at < 27 || ascii(data, at, at + 4) !== 'OggS' || data[at + 4] !== 0) return null;
    const count = data[at + 26];
    const body = at + 27 + count;
    if (body > data.length) return null;
    const lacing = data.subarray(at + 27, body);
    let size = 0;
    for (const value of lacing) size += value;
    if (body + size > data.length) return null;
    pages.push({ start: at, end: body + size, serial: data.readUInt32LE(at + 14), lacing, body });
    at = body + size;
  }
  return pages;
}

/** Header packets after the first, each a new page sequence from `seq`: the granule 0 where a packet ends. */
function headerPages(packets: Buffer[], serial: number, seq: number): Buffer[] {
  const segments: number[] = [];
  for (const packet of packets) {
    for (let left = packet.length; ; left -= 255) {
      segments.push(Math.min(left, 255));
      if (left < 255) break;
    }
  }
  const bytes = Buffer.concat(packets);
  const pages: Buffer[] = [];
  let offset = 0;
  let continued = false;
  for (let first = 0; first < segments.length; first += 255) {
    const lacing = segments.slice(first, first + 255);
    const size = lacing.reduce((a, b) => a + b, 0);
    const ends = lacing.some((v) => v < 255);
    const page = Buffer.alloc(27 + lacing.length + size);
    page.write('OggS', 0, 'latin1');
    page[5] = continued ? 1 : 0;
    if (ends) page.writeBigUInt64LE(0n, 6);
    else page.writeBigInt64LE(-1n, 6); // no packet ends on this page
    page.writeUInt32LE(serial, 14);
    page.writeUInt32LE(seq++, 18);
    page[26] = lacing.length;
    Buffer.from(lacing).copy(page, 27);
    bytes.copy(page, 27 + lacing.length, offset, offset + size);
    offset += size;
    continued = lacing[lacing.length - 1] === 255;
    pages.push(withCrc(page));
  }
  return pages;
}

/** How many header packets each codec has, its comment packet, and a comment packet with nothing in it. */
const OGG_CODECS = [
  { id: 'OpusHead', comment: 'OpusTags', headers: 2, empty: Buffer.from('OpusTags\0\0\0\0\0\0\0\0', 'latin1') },
  { id: '\x01vorbis', comment: '\x03vorbis', headers: 3, empty: Buffer.from('\x03vorbis\0\0\0\0\0\0\0\0\x01', 'latin1') },
];

/** An Ogg Opus or Vorbis file whose comment packet (artist, title, any tag) is empty; null for anything else. */
export function stripOgg(data: Buffer): Buffer | null {
  const pages = oggPages(data);
  if (!pages || pages.length < 2 || !(data[pages[0].start + 5] & 2)) return null;
  const serial = pages[0].serial;
  if (pages.some((p) => p.serial !== serial)) return null; // several streams: not read here
  // The header packets, from the pages they fill (the first page holds the first packet alone).
  const packets: Buffer[] = [];
  let packet: Buffer[] = [];
  let codec: (typeof OGG_CODECS)[number] | undefined;
  let lastHeaderPage = -1;
  for (let p = 0; p < pages.length && lastHeaderPage < 0; p++) {
    const { lacing, body } = pages[p];
    let at = body;
    for (let s = 0; s < lacing.length; s++) {
      packet.push(data.subarray(at, at + lacing[s]));
      at += lacing[s];
      if (lacing[s] === 255) continue;
      packets.push(Buffer.concat(packet));
      packet = [];
      if (packets.length === 1) {
        codec = OGG_CODECS.find((c) => ascii(packets[0], 0, c.id.length) === c.id);
        if (!codec || s !== lacing.length - 1 || p !== 0) return null;
      } else if (packets.length === codec!.headers) {
        // Audio starts on a fresh page (both codecs' specs say so).
        if (s !== lacing.length - 1) return null;
        lastHeaderPage = p;
        break;
      }
    }
    if (p === 0 && packets.length !== 1) return null;
  }
  if (!codec || lastHeaderPage < 0 || ascii(packets[1], 0, codec.comment.length) !== codec.comment) return null;
  if (!audioOnly(data, pages.slice(lastHeaderPage + 1))) return null;
  const headers = headerPages([codec.empty, ...packets.slice(2)], serial, 1);
  const out: Buffer[] = [data.subarray(pages[0].start, pages[0].end), ...headers];
  const shift = headers.length - lastHeaderPage;
  for (let p = lastHeaderPage + 1; p < pages.length; p++) {
    const page = data.subarray(pages[p].start, pages[p].end);
    if (shift === 0) out.push(page);
    else {
      const moved = Buffer.from(page);
      moved.writeUInt32LE(moved.readUInt32LE(18) + shift, 18);
      out.push(withCrc(moved));
    }
  }
  return Buffer.concat(out);
}

/**
 * Whether these pages (after the headers) hold audio packets only: no second stream begun (a
 * chained file: another Opus or Vorbis file, comments and all, joined on), nothing after the
 * stream's end, no packet that is a header.
 */
function audioOnly(data: Buffer, pages: OggPage[]): boolean {
  let ended = false;
  for (const { start, lacing, body } of pages) {
    const flags = data[start + 5];
    if (ended || flags & 2) return false;
    ended = (flags & 4) !== 0;
    let packetStarts = (flags & 1) === 0;
    let at = body;
    for (const size of lacing) {
      if (packetStarts && size > 0) {
        const head = ascii(data, at, at + 8);
        if (head === 'OpusHead' || head === 'OpusTags' || (data[at] & 1 && head.slice(1, 7) === 'vorbis')) return false;
      }
      at += size;
      packetStarts = size < 255;
    }
  }
  return true;
}

export const isOgg = (data: Buffer): boolean => data.length >= 4 && ascii(data, 0, 4) === 'OggS';

// --- WAV ---

/** The chunks a WAV player needs; everything else (LIST INFO, id3, bext's originator, iXML…) goes. */
const WAV_KEPT = new Set(['fmt ', 'fact', 'data']);

export function stripWav(data: Buffer): Buffer | null {
  const kept: Buffer[] = [data.subarray(0, 12)];
  let at = 12;
  let hasData = false;
  while (at < data.length) {
    if (data.length - at < 8) return null;
    const id = ascii(data, at, at + 4);
    const size = data.readUInt32LE(at + 4);
    const end = at + 8 + size + (size & 1);
    // A chunk running past the end (a streaming recorder's 0xFFFFFFFF data size) could hide any
    // chunk inside what it claims: not read. A last chunk may lack its pad byte.
    if (at + 8 + size > data.length) return null;
    if (WAV_KEPT.has(id)) kept.push(data.subarray(at, Math.min(end, data.length)));
    if (id === 'data') hasData = true;
    at = end;
  }
  if (!hasData) return null;
  const out = Buffer.concat(kept);
  out.writeUInt32LE(out.length - 8, 4);
  return out;
}

export const isWav = (data: Buffer): boolean => data.length >= 12 && ascii(data, 0, 4) === 'RIFF' && ascii(data, 8, 12) === 'WAVE';
