import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import sharp from 'sharp';
import { serveSite } from '../site/serve.js';
import { launchBrowser } from './helpers/browser.js';
import { needsTools } from './helpers/requires.js';
import { scratchDir } from './helpers/temp.js';
import { mediaHash, writeFixture, type FixtureMedia } from './helpers/fixture-db.js';
import { mp3, mp4Samples, namedWebm, oggOpus, wav } from './helpers/media-samples.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';

/**
 * Videos and voice notes the export contained play on the page, as in the chat app: a
 * `<video controls>` / `<audio controls>` with the file's type (the download link stays), served
 * under their inert published names with `nosniff` — which Chromium must still play. Sticker
 * placeholders ("😊 Sticker", "Sticker: wave") are text at the message's size.
 */

const ANN = { nativeId: '8:live:ann', displayName: 'Ann Lee' };
const CHAT = '19:media@thread.skype';

/** name → the type the page must announce (the one the site serves the published name with). */
const PLAYED: [string, string, 'video' | 'audio'][] = [
  ['clip.mp4', 'video/mp4', 'video'],
  ['film.webm', 'video/webm', 'video'],
  ['voice.ogg', 'audio/ogg', 'audio'],
  ['note.opus', 'audio/ogg', 'audio'],
  ['memo.m4a', 'audio/mp4', 'audio'],
  ['song.mp3', 'audio/mpeg', 'audio'],
  ['take.wav', 'audio/wav', 'audio'],
];

function writeSite(db: string, media: Record<string, Buffer>): void {
  const files: FixtureMedia[] = Object.entries(media).map(([name, bytes]) => ({ name, bytes }));
  writeFixture(
    db,
    [
      {
        nativeId: CHAT,
        title: 'Media',
        members: [ANN],
        messages: [
          ...files.map((f, i) => ({
            nativeId: `m${i}`,
            author: ANN.nativeId,
            authorName: ANN.displayName,
            time: Date.UTC(2024, 0, 1, 10, i),
            body: f.name,
            // A type only where the source gave one: the published name decides otherwise.
            attachments: [{ name: f.name, size: f.bytes.length, hash: mediaHash(f.bytes), ...(f.name.endsWith('.ogg') ? { type: 'audio/ogg' } : {}) }],
          })),
          { nativeId: 'tg-sticker', author: ANN.nativeId, authorName: ANN.displayName, time: Date.UTC(2024, 0, 1, 11), markup: 'telegram', body: JSON.stringify({ text: '', media_type: 'sticker', sticker_emoji: '😊', file: '(File not included. Change data exporting settings to download.)' }) },
          { nativeId: 'dc-sticker', author: ANN.nativeId, authorName: ANN.displayName, time: Date.UTC(2024, 0, 1, 11, 1), markup: 'discord', body: JSON.stringify({ content: 'look', stickers: ['wave'] }) },
        ],
      },
    ],
    files,
  );
}

test('video and audio files are players with their type; the download link stays; other files stay links', async () => {
  const db = join(scratchDir('cc-media-'), 'db.sqlite');
  const voice = oggOpus();
  writeSite(db, { 'clip.mp4': Buffer.from('video bytes'), 'voice.ogg': voice, 'note.opus': Buffer.concat([voice, Buffer.from('x')]), 'memo.m4a': Buffer.from('audio bytes'), 'film.webm': Buffer.from('webm bytes'), 'song.mp3': mp3(), 'take.wav': wav(), 'report.pdf': Buffer.from('%PDF-1.4\n') });
  const { out } = await buildInto(db);
  const html = archivePages(listFiles(out)).map((p) => read(out, p)).join('\n');
  for (const [name, type, tag] of PLAYED) {
    const player = new RegExp(`<${tag} controls preload="metadata"[^>]*><source src="([^"]*/${name.replace('.', '\\.')})" type="${type}">`);
    const match = player.exec(html);
    assert.ok(match, `${name}: no <${tag}> with type ${type}`);
    assert.ok(html.includes(`<a class="cc-file" href="${match[1]}" download>${name}</a>`), `${name}: the download link is kept`);
  }
  assert.doesNotMatch(html, /<(video|audio)[^>]*>(?:(?!<\/\1>).)*report\.pdf/s, 'a PDF is no player');
  assert.match(html, /<a class="cc-file" href="[^"]*report\.pdf" download>report\.pdf<\/a>/);
});

test('Chromium plays the published video and audio files served with nosniff, tags removed with authors hidden; sticker placeholders are text-sized', { skip: needsTools('chromium') }, async (t) => {
  const browser = await launchBrowser();
  const dir = scratchDir('cc-media-play-');
  const db = join(dir, 'db.sqlite');
  try {
    const { video, audio } = mp4Samples();
    // Tagged: with authors hidden, each is published without its tags (data/media-metadata.ts) and must still play, as long.
    writeSite(db, { 'clip.mp4': video, 'voice.ogg': oggOpus(), 'note.opus': oggOpus(30, ['ARTIST=Ann Lee']), 'memo.m4a': audio, 'film.webm': namedWebm('Ann Lee'), 'song.mp3': mp3(40, 'Ann Lee'), 'take.wav': wav(700, 'Ann Lee'), 'photo.avif': await sharp({ create: { width: 16, height: 12, channels: 3, background: '#2a8' } }).withExif({ IFD0: { Artist: 'Ann Lee' } }).avif().toBuffer() });
    const durations = new Map<string, number[]>();
    for (const authors of ['show', 'hide'] as const) {
      // With authors hidden every file is `file.<ext>`: the extensions here tell them apart.
      const named = (published: string): string => (authors === 'show' ? published : PLAYED.find(([name]) => name.endsWith(published.slice(4)))?.[0] ?? published);
      // Port 0: the system picks a free one. A port probed beforehand could be taken by a parallel test.
      const server = await serveSite({ db, out: join(dir, authors), port: 0, quiet: true, authors, pseudonymSalt: 'pepper' });
      try {
        const page = await browser.newPage();
        const served: Record<string, { type: string; nosniff: string | null }> = {};
        page.on('response', (r) => {
          if (/\/media\/[0-9a-f]+\//.test(r.url())) served[named(decodeURIComponent(r.url().split('/').pop()!))] = { type: r.headers()['content-type'], nosniff: r.headers()['x-content-type-options'] ?? null };
        });
        const archive = archivePages(listFiles(join(dir, authors)))[0];
        await page.goto(new URL(archive, server.url).href, { waitUntil: 'load' });
        const players = await page.$$eval('video, audio', (els) => els.map((e) => (e as HTMLMediaElement).querySelector('source')!.src.split('/').pop()!));
        assert.deepEqual(players.map((p) => named(decodeURIComponent(p))).sort(), PLAYED.map(([name]) => name).sort());
        // Every player reaches its metadata (duration known): the browser accepted the served bytes.
        await page.waitForFunction(() => Array.from(document.querySelectorAll<HTMLMediaElement>("video, audio")).every((m) => m.readyState >= 1 || m.error), null, { timeout: 15_000 });
        const states = await page.$$eval('video, audio', (els) => els.map((e) => {
          const m = e as HTMLMediaElement;
          return { name: decodeURIComponent(m.querySelector('source')!.src.split('/').pop()!), ready: m.readyState, error: m.error?.code ?? null, duration: m.duration };
        }));
        for (const s of states) {
          assert.ok(s.ready >= 1 && s.error === null && s.duration > 0, `${authors}: ${s.name} did not play: ${JSON.stringify(s)}`);
          durations.set(named(s.name), [...(durations.get(named(s.name)) ?? []), s.duration]);
        }
        for (const [name, type] of PLAYED) {
          assert.equal(served[name]?.type, type, `${authors}: ${name} served as ${served[name]?.type}`);
          assert.equal(served[name]?.nosniff, 'nosniff', name);
        }
        t.diagnostic(`${authors}: ${states.map((s) => `${s.name} ${s.duration.toFixed(2)} s`).join(', ')}`);
        // The AVIF photo's file (its EXIF item emptied with authors hidden) decodes.
        const photo = await page.$eval('a.cc-image', (a) => (a as HTMLAnchorElement).href);
        const width = await page.evaluate(async (src) => {
          const image = new Image();
          image.src = src;
          await image.decode();
          return image.naturalWidth;
        }, photo);
        assert.equal(width, 16, `${authors}: ${photo}`);

        // Placeholders for stickers are text like the rest of the message, not a 2× headline.
        const sizes = await page.$$eval('.cc-sticker', (els) => els.map((e) => [parseFloat(getComputedStyle(e).fontSize), parseFloat(getComputedStyle(e.closest('.cc-msg')!).fontSize)]));
        assert.equal(sizes.length, 2);
        for (const [sticker, message] of sizes) assert.ok(sticker <= message, `a sticker placeholder at ${sticker}px in a ${message}px message`);
        await page.close();
      } finally {
        await server.close();
      }
    }
    // (An MP3's length is estimated from its size: its tags counted as sound, ~10 ms here.)
    for (const [name, [shown, hidden]] of durations) assert.ok(Math.abs(hidden - shown) < 0.03, `${name}: ${shown} s shown, ${hidden} s without its tags`);
  } finally {
    await browser.close();
  }
});
