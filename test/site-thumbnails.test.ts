import assert from 'node:assert/strict';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { buildSite } from '../site/build.js';
import { archiveThreading } from '../site/render/archive-threads.js';
import { launchBrowser } from './helpers/browser.js';
import { mediaHash, writeFixture, type FixtureMedia, type FixtureMessage } from './helpers/fixture-db.js';
import { archivePages, buildInto, listFiles, read, serveDir } from './helpers/site.js';
import { bilevelPng } from './helpers/png.js';
import { scratchDir } from './helpers/temp.js';
import { needsTools } from './helpers/requires.js';

/**
 * Photos on archive pages (and chat landing pages) are shown as WebP thumbnails made with
 * @11ty/eleventy-img, at most 320 px on a page (640 px in the file), with width and height
 * attributes, linking the file itself. Thumbnails are the same bytes from the same database, on
 * either thread; a rebuild reuses those in the output; a photo that sharp cannot or should not
 * decode is linked like any other file.
 */

const require = createRequire(import.meta.url);
const sharp = createRequire(require.resolve('@11ty/eleventy-img'))('sharp') as typeof import('sharp');
const ALICE = { nativeId: '8:live:alice', displayName: 'Alice Martin' };
const BOB = { nativeId: '8:live:bob', displayName: 'Bob Okafor' };

/** A smooth RGB gradient with stripes: compresses like a photo, not like a flat colour. */
function pixels(width: number, height: number): Buffer {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0, i = 0; y < height; y++) {
    for (let x = 0; x < width; x++, i += 3) {
      raw[i] = (x * 255) / width;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = ((x >> 4) + (y >> 4)) % 2 ? 200 : 40;
    }
  }
  return raw;
}

function photo(width: number, height: number) {
  return sharp(pixels(width, height), { raw: { width, height, channels: 3 } });
}

interface Case {
  name: string;
  type: string | null;
  bytes: Buffer;
  /** The thumbnail file's size, or null: no thumbnail. */
  thumb: [number, number] | null;
  /** The width and height attributes on the page. */
  shown?: [number, number];
}

let cases: Case[];

before(async () => {
  const big = await photo(3000, 2000).jpeg({ quality: 90 }).toBuffer();
  cases = [
    { name: 'big.jpg', type: 'image/jpeg', bytes: big, thumb: [640, 426], shown: [320, 213] },
    // A phone held upright: stored landscape, EXIF orientation 6 says "turn right".
    { name: 'upright.jpg', type: 'image/jpeg', bytes: await photo(1200, 800).withMetadata({ orientation: 6 }).jpeg().toBuffer(), thumb: [426, 640], shown: [213, 320] },
    { name: 'screenshot.png', type: 'image/png', bytes: await photo(400, 2400).png().toBuffer(), thumb: [106, 640], shown: [53, 320] },
    { name: 'small.gif', type: 'image/gif', bytes: await photo(100, 60).gif().toBuffer(), thumb: [100, 60], shown: [100, 60] },
    { name: 'photo.webp', type: 'image/webp', bytes: await photo(800, 600).webp().toBuffer(), thumb: [640, 480], shown: [320, 240] },
    { name: 'photo.avif', type: 'image/avif', bytes: await photo(500, 500).avif({ effort: 0 }).toBuffer(), thumb: [320, 320], shown: [320, 320] },
    // No type from the export: a photo by its name.
    { name: 'untyped.png', type: null, bytes: await photo(700, 350).png().toBuffer(), thumb: [640, 320], shown: [320, 160] },
    // What sharp cannot or should not decode: the file is linked instead.
    { name: 'truncated.jpg', type: 'image/jpeg', bytes: big.subarray(0, big.length >> 1), thumb: null },
    { name: 'drawing.png', type: 'image/png', bytes: Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" width="90000" height="90000"><rect width="10" height="10"/></svg>'), thumb: null },
    { name: 'huge.png', type: 'image/png', bytes: bilevelPng(8000, 7000), thumb: null },
    { name: 'old.bmp', type: 'image/bmp', bytes: Buffer.concat([Buffer.from('BM'), Buffer.alloc(60)]), thumb: null },
    { name: 'noise.jpg', type: 'image/jpeg', bytes: Buffer.from('not a photo at all, only words'), thumb: null },
  ];
});

function message(c: Case, i: number, who = ALICE): FixtureMessage {
  return {
    nativeId: `p${i}-${c.name}`,
    author: who.nativeId,
    authorName: who.displayName,
    time: Date.UTC(2021, 8, 3, 10, i),
    body: '',
    attachments: [{ name: c.name, size: c.bytes.length, ...(c.type ? { type: c.type } : {}), hash: mediaHash(c.bytes) }],
  };
}

function media(list: Case[]): FixtureMedia[] {
  return list.map((c) => ({ name: c.name, ...(c.type ? { type: c.type } : {}), bytes: c.bytes }));
}

/** Two chats, the photos split between them, the first photo in both. */
function writePhotos(db: string): void {
  const half = Math.ceil(cases.length / 2);
  writeFixture(
    db,
    [
      { nativeId: '19:photos@thread.skype', title: 'Photos', members: [ALICE], messages: cases.slice(0, half).map((c, i) => message(c, i)) },
      { nativeId: '19:more@thread.skype', title: 'More photos', members: [BOB], messages: [cases[0], ...cases.slice(half)].map((c, i) => message(c, i, BOB)) },
    ],
    media(cases),
  );
}

function thumbPath(c: Case): string {
  return `media/thumbs/${mediaHash(c.bytes)}-640.webp`;
}

/** The attachment markup of a case in a page. */
function markupOf(html: string, c: Case): string {
  const hash = mediaHash(c.bytes);
  const found = html.match(new RegExp(`<a class="cc-[a-z]+" href="[^"]*media/${hash}/[^"]*"[^>]*>.*?</a>`))?.[0];
  assert.ok(found, `${c.name} is on the page`);
  return found;
}

describe('photo thumbnails', () => {
  let out: string;
  let pages: string;

  before(async () => {
    const db = join(scratchDir('cc-thumbs-'), 'db.sqlite');
    writePhotos(db);
    ({ out } = await buildInto(db, { search: false }));
    pages = archivePages(listFiles(out))
      .map((p) => read(out, p))
      .join('\n');
  });

  test('a photo shows its thumbnail, at most 320 px, with its size, and links the file (JPEG, PNG, GIF, WebP, AVIF, rotated, tall)', async () => {
    const photos = cases.filter((c) => c.thumb);
    assert.equal(photos.length, 7);
    for (const c of photos) {
      const html = markupOf(pages, c);
      const img = html.match(/^<a class="cc-image" href="([^"]+)"><img src="([^"]+)" width="(\d+)" height="(\d+)" loading="lazy" alt="Photo from [^"]+"><\/a>$/);
      assert.ok(img, `${c.name}: ${html}`);
      assert.match(img[1], new RegExp(`media/${mediaHash(c.bytes)}/${c.name.replace('.', '\\.')}$`), `${c.name} links the file itself`);
      assert.ok(img[2].endsWith(thumbPath(c)), `${c.name} shows its thumbnail: ${img[2]}`);
      assert.deepEqual([Number(img[3]), Number(img[4])], c.shown, `${c.name}: width and height`);
      const file = readFileSync(join(out, thumbPath(c)));
      const meta = await sharp(file).metadata();
      assert.equal(meta.format, 'webp', c.name);
      assert.deepEqual([meta.width, meta.height], c.thumb, `${c.name}: thumbnail size`);
      assert.equal(meta.exif, undefined, `${c.name}: no EXIF (location, camera) in the thumbnail`);
    }
    const big = cases[0];
    assert.ok(statSync(join(out, thumbPath(big))).size * 3 < big.bytes.length, 'the thumbnail is a fraction of the photo');
  });

  test('a photo sharp cannot or should not decode is linked as a file: truncated, SVG named .png, BMP, 56 megapixels, not an image', () => {
    const broken = cases.filter((c) => !c.thumb);
    assert.equal(broken.length, 5);
    const thumbs = listFiles(out).filter((f) => f.startsWith('media/thumbs/'));
    for (const c of broken) {
      const html = markupOf(pages, c);
      assert.match(html, new RegExp(`^<a class="cc-file" href="[^"]*media/${mediaHash(c.bytes)}/[^"]+" download>${c.name.replace('.', '\\.')}</a>$`), c.name);
      assert.ok(!thumbs.includes(thumbPath(c)), `${c.name} has no thumbnail`);
    }
    assert.deepEqual(thumbs, cases.filter((c) => c.thumb).map(thumbPath).sort(), 'one thumbnail per photo, nothing else');
  });

  test('chat landing pages show the same thumbnails', () => {
    const landing = listFiles(out)
      .filter((f) => /^chats\/[^/]+\/index\.html$/.test(f))
      .map((f) => read(out, f))
      .join('\n');
    for (const c of cases.filter((c) => c.thumb)) assert.match(markupOf(landing, c), new RegExp(`<img src="[^"]*${thumbPath(c)}" width="${c.shown![0]}"`), c.name);
  });
});

describe('thumbnails are made once, the same bytes every time', () => {
  test('the same database gives the same site, on one thread or two (both may make a shared photo)', async () => {
    const db = join(scratchDir('cc-thumbs-same-'), 'db.sqlite');
    writePhotos(db);
    const one = (await buildInto(db, { search: false })).out;
    const saved = archiveThreading.minMessages;
    archiveThreading.minMessages = 0;
    let two: string;
    try {
      two = (await buildInto(db, { search: false })).out;
    } finally {
      archiveThreading.minMessages = saved;
    }
    const files = listFiles(one);
    assert.deepEqual(listFiles(two), files);
    assert.ok(files.filter((f) => f.startsWith('media/thumbs/')).length === 7);
    for (const f of files) assert.ok(readFileSync(join(one, f)).equals(readFileSync(join(two, f))), `${f} differs`);
  });

  test('a rebuild finds the thumbnails in the output and does not make them again (full and incremental)', async () => {
    const dir = scratchDir('cc-thumbs-again-');
    const db = join(dir, 'db.sqlite');
    writePhotos(db);
    const out = join(dir, 'site');
    const first = await buildSite({ db, out, search: false, quiet: true });
    const thumbs = listFiles(out).filter((f) => f.startsWith('media/thumbs/'));
    const stamp = (): string[] =>
      thumbs.map((f) => {
        const s = statSync(join(out, f));
        return `${f} ${s.ino} ${s.mtimeMs}`;
      });
    const before = stamp();
    await buildSite({ db, out, search: false, quiet: true });
    assert.deepEqual(stamp(), before, 'a full build into the same folder');
    // A new message with a photo already shown: its page is written again, the thumbnail is not.
    writeFixture(db, [{ nativeId: '19:photos@thread.skype', title: 'Photos', messages: [{ ...message(cases[1], 59), nativeId: 'again' }] }], media([cases[1]]));
    const shown = (): number => archivePages(listFiles(out)).reduce((n, p) => n + read(out, p).split(thumbPath(cases[1])).length - 1, 0);
    assert.equal(shown(), 1);
    const second = await buildSite({ db, out, search: false, quiet: true, since: first.changeSeq });
    assert.equal(second.incremental, true);
    assert.equal(shown(), 2, 'the page was written again, with the thumbnail');
    assert.deepEqual(stamp(), before, 'an incremental build');
  });
});

describe('thumbnails leave with their pages', () => {
  test('a thumbnail no published page shows any more is removed from the output (the manifest lists it)', async () => {
    const dir = scratchDir('cc-thumbs-gone-');
    const db = join(dir, 'db.sqlite');
    writePhotos(db);
    const out = join(dir, 'site');
    await buildSite({ db, out, search: false, quiet: true });
    const thumbs = (): string[] => listFiles(out).filter((f) => f.startsWith('media/thumbs/'));
    assert.equal(thumbs().length, 7);
    // 'More photos' alone shows untyped.png; big.jpg is in both chats.
    await buildSite({ db, out, search: false, quiet: true, exclude: ['19:more@thread.skype'] });
    const untyped = cases.find((c) => c.name === 'untyped.png')!;
    assert.deepEqual(thumbs(), cases.filter((c) => c.thumb && c !== untyped).map(thumbPath).sort());
  });
});

const skip = needsTools('chromium');
describe('no layout shift', { skip }, () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  before(async () => {
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
  });

  test('a thumbnail has its size before it loads, on a wide screen and a phone', async () => {
    const db = join(scratchDir('cc-thumbs-shift-'), 'db.sqlite');
    writePhotos(db);
    const { out } = await buildInto(db, { search: false });
    const server = await serveDir(out, '/');
    const page = archivePages(listFiles(out)).find((p) => read(out, p).includes('big.jpg'))!;
    try {
      for (const viewport of [
        { width: 1280, height: 900 },
        { width: 390, height: 844 },
      ]) {
        const context = await browser.newContext({ viewport });
        try {
          const tab = await context.newPage();
          // Thumbnails wait until every box has been measured.
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          await tab.route('**/media/thumbs/**', async (route) => {
            await held;
            await route.continue();
          });
          await tab.goto(server.url + page.replace(/index\.html$/, ''), { waitUntil: 'domcontentloaded' });
          const boxes = () =>
            tab.$$eval('.cc-image img', (imgs) => imgs.map((img) => [img.getAttribute('src'), Math.round(img.getBoundingClientRect().width), Math.round(img.getBoundingClientRect().height)]));
          const before = await boxes();
          release();
          await tab.waitForFunction(() => Array.from(document.querySelectorAll<HTMLImageElement>('.cc-image img')).every((img) => img.complete && img.naturalWidth > 0));
          const loaded = await boxes();
          assert.deepEqual(before, loaded, `${viewport.width} px: sizes before and after loading`);
          for (const [src, width, height] of loaded) assert.ok((width as number) > 0 && (height as number) > 0, `${src} has a size`);
        } finally {
          await context.close();
        }
      }
    } finally {
      await server.close();
    }
  });
});

describe('sharp is loaded only for chats with attachments', () => {
  /**
   * Builds `db` on two threads in a process of its own and says whether sharp was loaded: the
   * archive worker needs it on the main thread first, but loading it costs ~15 MB and ~0.2 s.
   */
  function sharpLoadedByBuild(db: string): boolean {
    const build = new URL('../site/build.js', import.meta.url).href;
    const threads = new URL('../site/render/archive-threads.js', import.meta.url).href;
    const script = `
      import { createRequire } from 'node:module';
      const { buildSite } = await import(${JSON.stringify(build)});
      (await import(${JSON.stringify(threads)})).archiveThreading.minMessages = 0;
      await buildSite({ db: ${JSON.stringify(db)}, out: ${JSON.stringify(join(dirname(db), 'site'))}, search: false, quiet: true });
      const loaded = Object.keys(createRequire(import.meta.url).cache).some((p) => /[\\\\/]node_modules[\\\\/]sharp[\\\\/]/.test(p));
      console.log(JSON.stringify({ loaded }));`;
    // A file, not --eval: the worker thread inherits the process's flags (--input-type would fail it).
    const file = join(dirname(db), 'build.mjs');
    writeFileSync(file, script);
    const run = spawnSync(process.execPath, [file], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    return (JSON.parse(run.stdout.trim().split('\n').pop()!) as { loaded: boolean }).loaded;
  }

  test('two chats without attachments (a stored file no message names): not loaded', () => {
    const db = join(scratchDir('cc-thumbs-nosharp-'), 'db.sqlite');
    const said = (who: typeof ALICE, i: number): FixtureMessage => ({ nativeId: `t${i}`, author: who.nativeId, authorName: who.displayName, time: Date.UTC(2021, 8, 3, 10, i), body: `hello ${i}` });
    const photo = cases.find((c) => c.thumb)!;
    writeFixture(
      db,
      [
        { nativeId: '19:talk@thread.skype', title: 'Talk', members: [ALICE], messages: [0, 1, 2].map((i) => said(ALICE, i)) },
        { nativeId: '19:more@thread.skype', title: 'More talk', members: [BOB], messages: [3, 4].map((i) => said(BOB, i)) },
      ],
      media([photo]),
    );
    assert.equal(sharpLoadedByBuild(db), false);
  });

  test('chats with photos: loaded (before the worker), and their thumbnails made', () => {
    const db = join(scratchDir('cc-thumbs-sharp-'), 'db.sqlite');
    writePhotos(db);
    assert.equal(sharpLoadedByBuild(db), true);
    assert.ok(listFiles(join(dirname(db), 'site')).some((f) => f.startsWith('media/thumbs/')));
  });
});
