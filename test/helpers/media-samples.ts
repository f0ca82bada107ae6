import { readFileSync } from 'node:fs';
import type { Page } from 'playwright-core';

/**
 * Small real media files for tests that play them in a browser: an Ogg Opus voice note written
 * here byte by byte (what Telegram and WhatsApp keep voice notes as), and MP4 video and audio
 * recorded by Chromium itself (no encoder on the machine). The MP4 files are recorded once, by
 * `record-media.ts`, and kept in `test/fixtures/media/`: recording in the test made it wait on
 * the machine's audio and MediaRecorder, which has no timeout of its own.
 */

/** Ogg's CRC-32: polynomial 0x04C11DB7, not reflected, initial value and final XOR 0. */
const CRC_TABLE = new Uint32Array(256).map((_, i) => {
  let r = i << 24;
  for (let k = 0; k < 8; k++) r = r & 0x80000000 ? (r << 1) ^ 0x04c11db7 : r << 1;
  return r >>> 0;
});

function oggCrc(bytes: Buffer): number {
  let crc = 0;
  for (const b of bytes) crc = ((crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ b) & 0xff]) >>> 0;
  return crc;
}

/** One Ogg page holding whole packets (each under 255 bytes). */
function oggPage(packets: Buffer[], granule: bigint, sequence: number, flags: number): Buffer {
  const header = Buffer.alloc(27);
  header.write('OggS', 0, 'latin1');
  header[5] = flags;
  header.writeBigInt64LE(granule, 6);
  header.writeUInt32LE(0x63636363, 14); // stream serial
  header.writeUInt32LE(sequence, 18);
  header[26] = packets.length;
  const page = Buffer.concat([header, Buffer.from(packets.map((p) => p.length)), ...packets]);
  page.writeUInt32LE(oggCrc(page), 22);
  return page;
}

/** A mono Ogg Opus file of `frames` × 20 ms of silence; `comments` (`ARTIST=…`) in its OpusTags. */
export function oggOpus(frames = 25, comments: string[] = []): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12);
  const vendor = Buffer.from('chatchannels test');
  const u32 = (n: number): Buffer => Buffer.from(new Uint32Array([n]).buffer);
  const entries = comments.flatMap((c) => [u32(Buffer.byteLength(c)), Buffer.from(c)]);
  const tags = Buffer.concat([Buffer.from('OpusTags'), u32(vendor.length), vendor, u32(comments.length), ...entries]);
  // TOC 0xF8: CELT-only, fullband, 20 ms, mono, one frame; 0xFF 0xFE: a silent frame.
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  return Buffer.concat([
    oggPage([head], 0n, 0, 0x02),
    oggPage([tags], 0n, 1, 0),
    oggPage(Array.from({ length: frames }, () => silence), BigInt(frames * 960), 2, 0x04),
  ]);
}

/** An ID3v2.3 tag with one text frame (TPE1, the artist). */
function id3v2(artist: string): Buffer {
  const text = Buffer.concat([Buffer.from([0]), Buffer.from(artist, 'latin1')]);
  const frame = Buffer.alloc(10);
  frame.write('TPE1', 0, 'latin1');
  frame.writeUInt32BE(text.length, 4);
  const size = frame.length + text.length;
  const header = Buffer.from([0x49, 0x44, 0x33, 3, 0, 0, (size >> 21) & 0x7f, (size >> 14) & 0x7f, (size >> 7) & 0x7f, size & 0x7f]);
  return Buffer.concat([header, frame, text]);
}

/**
 * An MP3 of `frames` silent frames (MPEG-1 Layer III, 128 kbit/s, 44.1 kHz, mono: 417 bytes, ~26
 * ms each), with `artist` in an ID3v2 tag before them and an ID3v1 tag after them when given.
 */
export function mp3(frames = 40, artist?: string): Buffer {
  const frame = Buffer.alloc(417);
  frame.set([0xff, 0xfb, 0x90, 0xc0]);
  const audio = Buffer.concat(Array.from({ length: frames }, () => frame));
  if (artist === undefined) return audio;
  const v1 = Buffer.alloc(128);
  v1.write('TAG', 0, 'latin1');
  v1.write(artist.slice(0, 30), 33, 'latin1');
  return Buffer.concat([id3v2(artist), audio, v1]);
}

/** A WAV of `ms` of 8 kHz 16-bit mono silence, with `artist` in a LIST INFO chunk (IART) before the data when given. */
export function wav(ms = 500, artist?: string): Buffer {
  const chunk = (id: string, body: Buffer): Buffer => {
    const head = Buffer.alloc(8);
    head.write(id, 0, 'latin1');
    head.writeUInt32LE(body.length, 4);
    return Buffer.concat([head, body, body.length & 1 ? Buffer.alloc(1) : Buffer.alloc(0)]);
  };
  const fmt = Buffer.alloc(16);
  fmt.writeUInt16LE(1, 0); // PCM
  fmt.writeUInt16LE(1, 2);
  fmt.writeUInt32LE(8000, 4);
  fmt.writeUInt32LE(16000, 8);
  fmt.writeUInt16LE(2, 12);
  fmt.writeUInt16LE(16, 14);
  const info = artist === undefined ? [] : [chunk('LIST', Buffer.concat([Buffer.from('INFO'), chunk('IART', Buffer.from(`${artist}\0`, 'latin1'))]))];
  const body = Buffer.concat([Buffer.from('WAVE'), chunk('fmt ', fmt), ...info, chunk('data', Buffer.alloc(16 * ms))]);
  return Buffer.concat([chunk('RIFF', body).subarray(0, 8), body]);
}

/** The recorded MP4 video and audio in `test/fixtures/media/` (the tests run from the root). */
export function mp4Samples(): { video: Buffer; audio: Buffer } {
  return { video: readFileSync('test/fixtures/media/clip.mp4'), audio: readFileSync('test/fixtures/media/memo.m4a') };
}

/** What one recording holds: the canvas changing colour, the tone, or both. */
interface Take {
  mimeType: string;
  video: boolean;
  audio: boolean;
}

/**
 * Recordings of 600 ms each by Chromium's MediaRecorder on `page` (which must allow audio: a click
 * gives it the user activation), of a canvas changing colour and a tone.
 */
async function record(page: Page, takes: Take[]): Promise<Buffer[]> {
  await page.setContent('<button id="go">record</button>');
  await page.click('#go');
  const recorded = await page.evaluate(async (takes) => {
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d')!;
    let frame = 0;
    const timer = setInterval(() => {
      g.fillStyle = `hsl(${(frame++ * 40) % 360} 80% 50%)`;
      g.fillRect(0, 0, 64, 48);
    }, 30);
    const context = new AudioContext();
    await context.resume();
    const tone = context.createOscillator();
    const sound = context.createMediaStreamDestination();
    tone.connect(sound);
    tone.start();
    const results: string[] = [];
    for (const take of takes) {
      const stream = new MediaStream([...(take.video ? canvas.captureStream(30).getVideoTracks() : []), ...(take.audio ? sound.stream.getAudioTracks() : [])]);
      const bytes = await new Promise<Uint8Array>((resolve, reject) => {
        const recorder = new MediaRecorder(stream, { mimeType: take.mimeType });
        const parts: Blob[] = [];
        recorder.ondataavailable = (e) => parts.push(e.data);
        recorder.onerror = () => reject(new Error(`recording ${take.mimeType} failed`));
        recorder.onstop = async () => resolve(new Uint8Array(await new Blob(parts).arrayBuffer()));
        recorder.start();
        setTimeout(() => recorder.stop(), 600);
      });
      let binary = '';
      for (const b of bytes) binary += String.fromCharCode(b);
      results.push(btoa(binary));
    }
    clearInterval(timer);
    tone.stop();
    await context.close();
    return results;
  }, takes);
  return recorded.map((base64) => Buffer.from(base64, 'base64'));
}

/** An MP4 video (a canvas changing colour) and an MP4 audio file (a tone), recorded by Chromium on `page`. */
export async function recordMp4(page: Page): Promise<{ video: Buffer; audio: Buffer }> {
  const [video, audio] = await record(page, [
    { mimeType: 'video/mp4', video: true, audio: false },
    { mimeType: 'audio/mp4', video: false, audio: true },
  ]);
  return { video, audio };
}

/** A WebM of both (VP8 and Opus), recorded by Chromium on `page`. Kept as `test/fixtures/media/clip.webm`. */
export async function recordWebm(page: Page): Promise<Buffer> {
  return (await record(page, [{ mimeType: 'video/webm;codecs=vp8,opus', video: true, audio: true }]))[0];
}

/** An EBML element: id bytes, then the size as an 8-byte number, then the data. */
function ebml(id: number[], ...children: Buffer[]): Buffer {
  const data = Buffer.concat(children);
  const size = Buffer.alloc(8);
  size.writeBigUInt64BE((1n << 56n) | BigInt(data.length));
  return Buffer.concat([Buffer.from(id), size, data]);
}

/**
 * Chromium's recorded WebM (`test/fixtures/media/clip.webm`) with `name` as the segment's title (where its MuxingApp and WritingApp
 * were: same length, nothing moves) and as an ARTIST tag, an attachment's name and a chapter
 * name after the clusters (the segment's size grown to hold them).
 */
export function namedWebm(name: string): Buffer {
  const clip = readFileSync('test/fixtures/media/clip.webm');
  const apps = Buffer.concat([Buffer.from([0x4d, 0x80, 0x86]), Buffer.from('Chrome'), Buffer.from([0x57, 0x41, 0x86]), Buffer.from('Chrome')]);
  const at = clip.indexOf(apps);
  if (at < 0) throw new Error('clip.webm: no MuxingApp and WritingApp "Chrome" to replace');
  const title = Buffer.concat([Buffer.from([0x7b, 0xa9, 0x8f]), Buffer.from(name.slice(0, 15).padEnd(15))]);
  const tags = ebml([0x12, 0x54, 0xc3, 0x67], ebml([0x73, 0x73], ebml([0x67, 0xc8], ebml([0x45, 0xa3], Buffer.from('ARTIST')), ebml([0x44, 0x87], Buffer.from(name)))));
  const attachments = ebml([0x19, 0x41, 0xa4, 0x69], ebml([0x61, 0xa7], ebml([0x46, 0x6e], Buffer.from(`${name}.jpg`)), ebml([0x46, 0x5c], Buffer.alloc(16))));
  const chapters = ebml([0x10, 0x43, 0xa7, 0x70], ebml([0x45, 0xb9], ebml([0xb6], ebml([0x80], ebml([0x85], Buffer.from(name))))));
  const named = Buffer.concat([clip.subarray(0, at), title, clip.subarray(at + apps.length), tags, attachments, chapters]);
  const segmentSize = named.indexOf(Buffer.from([0x18, 0x53, 0x80, 0x67])) + 4;
  if (named[segmentSize] !== 0x01) throw new Error('clip.webm: the segment size is not 8 bytes long');
  named.writeBigUInt64BE((1n << 56n) | BigInt(named.length - segmentSize - 8), segmentSize);
  return named;
}
