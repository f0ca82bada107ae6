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

/** A mono Ogg Opus file of `frames` × 20 ms of silence. */
export function oggOpus(frames = 25): Buffer {
  const head = Buffer.alloc(19);
  head.write('OpusHead', 0, 'latin1');
  head[8] = 1; // version
  head[9] = 1; // channels
  head.writeUInt16LE(312, 10); // pre-skip
  head.writeUInt32LE(48000, 12);
  const vendor = Buffer.from('chatchannels test');
  const tags = Buffer.concat([Buffer.from('OpusTags'), Buffer.from(new Uint32Array([vendor.length]).buffer), vendor, Buffer.alloc(4)]);
  // TOC 0xF8: CELT-only, fullband, 20 ms, mono, one frame; 0xFF 0xFE: a silent frame.
  const silence = Buffer.from([0xf8, 0xff, 0xfe]);
  return Buffer.concat([
    oggPage([head], 0n, 0, 0x02),
    oggPage([tags], 0n, 1, 0),
    oggPage(Array.from({ length: frames }, () => silence), BigInt(frames * 960), 2, 0x04),
  ]);
}

/** The recorded MP4 video and audio in `test/fixtures/media/` (the tests run from the root). */
export function mp4Samples(): { video: Buffer; audio: Buffer } {
  return { video: readFileSync('test/fixtures/media/clip.mp4'), audio: readFileSync('test/fixtures/media/memo.m4a') };
}

/**
 * An MP4 video (a canvas changing colour) and an MP4 audio file (a tone), recorded by Chromium's
 * MediaRecorder on `page` (which must allow audio: a click gives it the user activation).
 */
export async function recordMp4(page: Page): Promise<{ video: Buffer; audio: Buffer }> {
  await page.setContent('<button id="go">record</button>');
  await page.click('#go');
  const recorded = await page.evaluate(async () => {
    const record = (stream: MediaStream, mimeType: string, ms: number): Promise<string> =>
      new Promise((resolve, reject) => {
        const recorder = new MediaRecorder(stream, { mimeType });
        const parts: Blob[] = [];
        recorder.ondataavailable = (e) => parts.push(e.data);
        recorder.onerror = () => reject(new Error(`recording ${mimeType} failed`));
        recorder.onstop = async () => {
          const bytes = new Uint8Array(await new Blob(parts).arrayBuffer());
          let binary = '';
          for (const b of bytes) binary += String.fromCharCode(b);
          resolve(btoa(binary));
        };
        recorder.start();
        setTimeout(() => recorder.stop(), ms);
      });
    const canvas = document.createElement('canvas');
    canvas.width = 64;
    canvas.height = 48;
    const g = canvas.getContext('2d')!;
    let frame = 0;
    const timer = setInterval(() => {
      g.fillStyle = `hsl(${(frame++ * 40) % 360} 80% 50%)`;
      g.fillRect(0, 0, 64, 48);
    }, 30);
    const video = await record(canvas.captureStream(30), 'video/mp4', 600);
    clearInterval(timer);
    const context = new AudioContext();
    await context.resume();
    const tone = context.createOscillator();
    const out = context.createMediaStreamDestination();
    tone.connect(out);
    tone.start();
    const audio = await record(out.stream, 'audio/mp4', 600);
    tone.stop();
    await context.close();
    return { video, audio };
  });
  return { video: Buffer.from(recorded.video, 'base64'), audio: Buffer.from(recorded.audio, 'base64') };
}
