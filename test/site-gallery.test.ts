import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, posix } from 'node:path';
import { after, before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { buildSite } from '../site/build.js';
import { galleryPaging } from '../site/data/gallery.js';
import { isChatFile } from '../site/render/links.js';
import { formatSize } from '../site/render/attachments.js';
import { launchBrowser } from './helpers/browser.js';
import { scanForLeaks, secretsOf } from './helpers/leak-scan.js';
import { oggOpus } from './helpers/media-samples.js';
import { tinyPng } from './helpers/png.js';
import { needsTools } from './helpers/requires.js';
import { buildInto, listFiles, read, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * The media gallery (`chats/<slug>/media/`, site/render/gallery.ts), from a real import of a
 * Telegram export written here (photos as PNGs, a video, a voice message, files among them an SVG
 * and an HTML page) and a real build: every photo once, as the archive pages' own thumbnail, by
 * month, linking to its message's anchor; videos and audio as tiles; other files listed with name,
 * size and type; nothing from the export shown inline but thumbnails; no gallery for a chat
 * without media; redacted messages and excluded authors left out; names hidden as the `authors`
 * option says; the same bytes on a rebuild and after an incremental one; year pages for a large
 * gallery, whose paths stay as media arrive; axe-core finds nothing.
 */

interface Item {
  id: number;
  /** UTC ms. */
  time: number;
  from: 'ada' | 'bob' | 'eve';
  text?: string;
  photo?: { name: string; bytes: Buffer };
  file?: { name: string; bytes: Buffer; mime: string; mediaType?: string };
}

const PEOPLE = { ada: ['Ada Quartermain', 'user1001'], bob: ['Bob Featherstone', 'user1002'], eve: ['Eve Blackwood', 'user1003'] } as const;

/** Distinct PNGs: a gradient per colour. */
const png = (i: number, w = 120, h = 90): Buffer => tinyPng(w, h, [(i * 53) % 200, (i * 97) % 200, (i * 31) % 200]);
const svg = Buffer.from('<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>');
const html = Buffer.from('<!doctype html><script>alert(3)</script><p>a page');
const truncated = png(99, 300, 200).subarray(0, 80);

const at = (y: number, m: number, d: number, h = 12): number => Date.UTC(y, m - 1, d, h);

/** The trip chat: photos over two years, a video, a voice note, files. */
function tripItems(): Item[] {
  return [
    { id: 1, time: at(2022, 11, 5), from: 'ada', text: 'first snow', photo: { name: 'snow.png', bytes: png(1) } },
    { id: 2, time: at(2022, 11, 6), from: 'bob', text: 'the plan', file: { name: 'plan.txt', bytes: Buffer.from('day 1: walk\nday 2: walk more\n'), mime: 'text/plain' } },
    { id: 3, time: at(2022, 12, 24), from: 'bob', photo: { name: 'tree.png', bytes: png(2, 90, 160) } },
    { id: 4, time: at(2023, 2, 1), from: 'ada', text: 'hello', file: undefined },
    { id: 5, time: at(2023, 2, 2), from: 'ada', file: { name: 'clip.mp4', bytes: Buffer.from('not really a video, only bytes'), mime: 'video/mp4', mediaType: 'video_file' } },
    { id: 6, time: at(2023, 2, 3), from: 'bob', file: { name: 'voice.ogg', bytes: oggOpus(10), mime: 'audio/ogg', mediaType: 'voice_message' } },
    { id: 7, time: at(2023, 2, 3, 14), from: 'bob', photo: { name: 'lake.png', bytes: png(3, 200, 100) } },
    { id: 8, time: at(2023, 2, 4), from: 'ada', file: { name: 'drawing.svg', bytes: svg, mime: 'image/svg+xml' } },
    { id: 9, time: at(2023, 2, 4, 13), from: 'ada', file: { name: 'page.html', bytes: html, mime: 'text/html' } },
    { id: 10, time: at(2023, 2, 5), from: 'bob', file: { name: 'cut.png', bytes: truncated, mime: 'image/png' } },
    { id: 11, time: at(2023, 3, 9), from: 'ada', photo: { name: 'summit.png', bytes: png(4) } },
    { id: 12, time: at(2023, 3, 9, 13), from: 'eve', photo: { name: 'eves.png', bytes: png(5) } },
    { id: 13, time: at(2023, 3, 10), from: 'bob', text: 'a photo to take back', photo: { name: 'oops.png', bytes: png(6) } },
  ];
}

/** Writes a Telegram Desktop full export (result.json and its files) of these chats. */
function writeTelegram(dir: string, chats: { id: number; name: string; items: Item[] }[]): string {
  mkdirSync(dir, { recursive: true });
  const list = chats.map((chat, c) => ({
    name: chat.name,
    type: 'private_group',
    id: chat.id,
    messages: chat.items.map((item) => {
      const [from, fromId] = PEOPLE[item.from];
      const message: Record<string, unknown> = {
        id: item.id,
        type: 'message',
        date: new Date(item.time).toISOString().slice(0, 19),
        date_unixtime: String(item.time / 1000),
        from,
        from_id: fromId,
        text: item.text ?? '',
        text_entities: item.text ? [{ type: 'plain', text: item.text }] : [],
      };
      if (item.photo) {
        const path = `chats/chat_00${c + 1}/photos/${item.photo.name}`;
        mkdirSync(join(dir, dirname(path)), { recursive: true });
        writeFileSync(join(dir, path), item.photo.bytes);
        Object.assign(message, { photo: path, photo_file_size: item.photo.bytes.length, width: 120, height: 90 });
      }
      if (item.file) {
        const path = `chats/chat_00${c + 1}/files/${item.file.name}`;
        mkdirSync(join(dir, dirname(path)), { recursive: true });
        writeFileSync(join(dir, path), item.file.bytes);
        Object.assign(message, { file: path, file_name: item.file.name, file_size: item.file.bytes.length, mime_type: item.file.mime });
        if (item.file.mediaType) message.media_type = item.file.mediaType;
      }
      return message;
    }),
  }));
  const result = {
    about: 'Here is the data you requested.',
    personal_information: { user_id: 1001, first_name: 'Ada', last_name: 'Quartermain' },
    chats: { about: 'This page lists all chats from this export.', list },
  };
  writeFileSync(join(dir, 'result.json'), JSON.stringify(result, null, 1));
  return dir;
}

const QUIET: Item[] = [
  { id: 1, time: at(2023, 1, 10), from: 'ada', text: 'no pictures here' },
  { id: 2, time: at(2023, 1, 11), from: 'bob', text: 'none at all' },
];

async function importInto(db: string, path: string): Promise<void> {
  const store = openStore(db);
  try {
    await importPaths(store, [path]);
  } finally {
    store.close();
  }
}

async function tripDb(items = tripItems()): Promise<{ db: string; dir: string }> {
  const dir = scratchDir('cc-gallery-');
  const db = join(dir, 'chats.sqlite');
  await importInto(db, writeTelegram(join(dir, 'export'), [
    { id: 3001, name: 'Mountain trip', items },
    { id: 3002, name: 'Quiet room', items: QUIET },
  ]));
  return { db, dir };
}

/** Slug folder of a chat by its title (from the landing pages). */
function chatFolder(out: string, title: string): string {
  const folder = listFiles(out)
    .filter((f) => /^chats\/[^/]+\/index\.html$/.test(f))
    .find((f) => read(out, f).includes(`<h1>${title}</h1>`));
  assert.ok(folder, `${title} has a landing page`);
  return dirname(folder);
}

function galleryPages(out: string, folder: string): string[] {
  return listFiles(out).filter((f) => f.startsWith(`${folder}/media/`) && f.endsWith('index.html'));
}

/** Every href/src of a page, resolved against the page's folder, without its fragment. */
function resolveLink(page: string, href: string): { file: string; fragment: string } {
  const [path, fragment = ''] = decodeURIComponent(href).split('#');
  const target = posix.normalize(posix.join(posix.dirname(page), path));
  return { file: target.endsWith('/') || path === '' ? posix.join(target, path === '' ? posix.basename(page) : 'index.html') : target, fragment };
}

function tiles(page: string): string[] {
  return [...page.matchAll(/<li><a class="cc-tile[^"]*" href="[^"]*">.*?<\/a><\/li>/g)].map((m) => m[0]);
}

const thumbOf = (bytes: Buffer): string => `media/thumbs/${createHash('sha256').update(bytes).digest('hex')}-640.webp`;
const require = createRequire(import.meta.url);

describe('media gallery of an imported Telegram export', () => {
  let db: string;
  let out: string;
  let folder: string;
  let pages: string[];
  let content: string;

  before(async () => {
    ({ db } = await tripDb());
    ({ out } = await buildInto(db, { search: false }));
    folder = chatFolder(out, 'Mountain trip');
    pages = galleryPages(out, folder);
    content = pages.map((p) => read(out, p)).join('\n');
  });

  test('one page, media/, linked from the landing page; a chat without media has neither', () => {
    assert.deepEqual(pages, [`${folder}/media/index.html`]);
    assert.match(read(out, `${folder}/index.html`), /<a class="cc-gallery-link" href="media\/">Media<\/a>/);
    const quiet = chatFolder(out, 'Quiet room');
    assert.deepEqual(galleryPages(out, quiet), []);
    assert.ok(!read(out, `${quiet}/index.html`).includes('cc-gallery-link'));
  });

  test('every photo once, as the thumbnail the archive pages show, with alt text naming its author and date', () => {
    const photos = tripItems().filter((i) => i.photo);
    assert.equal(photos.length, 6);
    const archive = listFiles(out).filter((f) => f.startsWith(`${folder}/20`)).map((f) => read(out, f)).join('\n');
    for (const item of photos) {
      const thumb = thumbOf(item.photo!.bytes);
      assert.equal(content.split(thumb).length - 1, 1, `${item.photo!.name} once in the gallery`);
      assert.ok(archive.includes(thumb), `${item.photo!.name}: the archive page shows the same thumbnail`);
      assert.ok(existsSync(join(out, thumb)), `${item.photo!.name}: its thumbnail is on disk`);
      const [name] = PEOPLE[item.from];
      const date = new Intl.DateTimeFormat('en', { timeZone: 'UTC', day: 'numeric', month: 'short', year: 'numeric' }).format(item.time);
      assert.match(content, new RegExp(`src="[^"]*${thumb}" width="\\d+" height="\\d+" loading="lazy" alt="Photo from ${name}, ${date}"`));
    }
    assert.equal(tiles(content).filter((t) => t.includes('<img')).length, 6, 'six photo tiles, no other image');
  });

  test('newest first, by month, each tile linking to an existing anchor of its message on its archive page', () => {
    const months = [...content.matchAll(/<h2 id="cc-media-([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(months, ['2023-03', '2023-02', '2022-12', '2022-11']);
    const page = pages[0];
    const hrefs = [...content.matchAll(/<a class="cc-(?:tile[^"]*|file-message)" href="([^"]+)"/g)].map((m) => m[1]);
    assert.equal(hrefs.length, 12, 'six photos, a video, a voice note, four files');
    for (const href of hrefs) {
      const { file, fragment } = resolveLink(page, href);
      assert.match(fragment, /^m[0-9a-f]+$/, href);
      assert.ok(existsSync(join(out, file)), `${href} → ${file} exists`);
      assert.ok(read(out, file).includes(`id="${fragment}"`), `${file} has the anchor ${fragment}`);
    }
  });

  test('videos and audio are tiles with name and type; no player, no poster', () => {
    const video = tiles(content).find((t) => t.includes('clip.mp4'));
    assert.ok(video);
    assert.match(video, /cc-tile-video.*<span class="cc-tile-name" title="clip.mp4"><bdi>clip\.mp4<\/bdi><\/span><span class="cc-tile-type">video\/mp4 · /);
    const voice = tiles(content).find((t) => t.includes('voice.ogg'));
    assert.ok(voice);
    assert.match(voice, /cc-tile-audio.*<bdi>voice\.ogg<\/bdi>.*audio\/ogg · /);
    assert.doesNotMatch(content, /<(video|audio|source)\b/);
  });

  test('other files as a list with name, size and type, linking the published (inert) file; SVG and HTML never inline', () => {
    const rows = [...content.matchAll(/<li><a class="cc-file" href="([^"]+)" download><bdi>([^<]+)<\/bdi><\/a> <span class="cc-size">([^<]+)<\/span> <span class="cc-type">([^<]+)<\/span>/g)];
    const byName = new Map(rows.map((m) => [m[2], { href: m[1], size: m[3], type: m[4] }]));
    assert.deepEqual([...byName.keys()].sort(), ['cut.png', 'drawing.svg', 'page.html', 'plan.txt']);
    const items = tripItems();
    for (const [name, row] of byName) {
      const item = items.find((i) => i.file?.name === name)!;
      assert.equal(row.size, formatSize(item.file!.bytes.length), name);
      assert.equal(row.type, item.file!.mime, name);
      const { file } = resolveLink(pages[0], row.href);
      assert.ok(readFileSync(join(out, file)).equals(item.file!.bytes), `${name}: links its published file`);
    }
    assert.match(byName.get('drawing.svg')!.href, /drawing\.svg\.bin$/);
    assert.match(byName.get('page.html')!.href, /page\.html\.bin$/);
    // (The page's own script, the theme's, is in its head: only the content is the export's.)
    const main = [...content.matchAll(/<main[^]*?<\/main>/g)].map((m) => m[0]).join('\n');
    assert.doesNotMatch(main, /<(svg|script|iframe|object|embed)\b/i);
    assert.doesNotMatch(main, /<img[^>]+src="[^"]*media\/[0-9a-f]{64}\//, 'no image is shown from its file: thumbnails only');
  });

  test("the gallery's query reads only messages with attachments, through their partial index", async () => {
    const { ArchiveReader } = await import('../site/data/reader.js');
    const reader = new ArchiveReader(db, { excludeAuthors: ['telegram:user1003'] });
    try {
      const plan = (reader.db.prepare(`EXPLAIN QUERY PLAN SELECT anchor FROM message_rows WHERE chat_id = 1 AND attachments IS NOT NULL ORDER BY time DESC, id DESC`).all() as { detail: string }[])
        .map((r) => r.detail)
        .join(' | ');
      assert.match(plan, /USING INDEX messages_chat_media/);
      assert.doesNotMatch(plan, /TEMP B-TREE/, 'no sort: the index gives the order');
    } finally {
      reader.close();
    }
  });

  test('the same database builds the same gallery bytes', async () => {
    const again = (await buildInto(db, { search: false })).out;
    assert.deepEqual(listFiles(again), listFiles(out));
    for (const f of listFiles(out)) assert.ok(readFileSync(join(again, f)).equals(readFileSync(join(out, f))), `${f} differs`);
  });

  test('redacted messages and excluded authors leave the gallery; authors hidden or pseudonymized are not named', async () => {
    const sql = new Database(db, { readonly: true });
    const redact = sql.prepare(`SELECT anchor FROM messages WHERE text = 'a photo to take back'`).pluck().get() as string;
    const eve = sql.prepare(`SELECT native_id FROM people WHERE display_name = ?`).pluck().get(PEOPLE.eve[0]) as string;
    sql.close();
    assert.ok(redact && eve);
    const hidden = (await buildInto(db, { search: false, redact: [redact], excludeAuthors: [eve] })).out;
    const gallery = galleryPages(hidden, folder).map((p) => read(hidden, p)).join('\n');
    assert.ok(!gallery.includes(thumbOf(tripItems()[12].photo!.bytes)), 'the redacted photo is gone');
    assert.ok(!gallery.includes(thumbOf(tripItems()[11].photo!.bytes)), "the excluded author's photo is gone");
    assert.equal(tiles(gallery).filter((t) => t.includes('<img')).length, 4);
    assert.ok(!gallery.includes('Eve'));

    const secrets = secretsOf(db);
    for (const authors of ['hide', 'pseudonymize'] as const) {
      const site = (await buildInto(db, { search: false, authors })).out;
      const media = listFiles(site).filter((f) => /^chats\/[^/]+\/media\/index\.html$/.test(f));
      assert.equal(media.length, 1, `${authors}: the gallery is published`);
      const page = read(site, media[0]);
      const leaks = scanForLeaks(site, secrets);
      assert.deepEqual(leaks.map((l) => `${l.file}: ${l.secret}`), [], authors);
      const alts = [...page.matchAll(/alt="([^"]*)"/g)].map((m) => m[1]);
      assert.equal(alts.length, 6);
      for (const alt of alts) assert.match(alt, authors === 'hide' ? /^Photo, \w+ \d+, \d{4}$/ : /^Photo from Person [0-9a-f]+, /, alt);
      if (authors === 'hide') assert.doesNotMatch(page, /\bfrom\b/, 'no "from …" when authors are hidden');
    }
  });
});

describe('media gallery over time', () => {
  test('an incremental build adds a new photo to the gallery, the same bytes as a full build', async () => {
    const { db, dir } = await tripDb();
    const incremental = join(dir, 'incremental');
    const first = await buildSite({ db, out: incremental, search: false, quiet: true });
    const folder = chatFolder(incremental, 'Mountain trip');
    const quiet = chatFolder(incremental, 'Quiet room');
    const fresh = { name: 'sunrise.png', bytes: png(7) };
    const later = [...tripItems(), { id: 14, time: at(2023, 4, 2), from: 'bob' as const, photo: fresh }];
    // A later export of the same chats: one new message with a photo, and the quiet room's first.
    const quietPhoto = { name: 'window.png', bytes: png(8) };
    await importInto(db, writeTelegram(join(dir, 'export-2'), [
      { id: 3001, name: 'Mountain trip', items: later },
      { id: 3002, name: 'Quiet room', items: [...QUIET, { id: 3, time: at(2023, 1, 12), from: 'ada', photo: quietPhoto }] },
    ]));
    const second = await buildSite({ db, out: incremental, search: false, quiet: true, since: first.changeSeq });
    assert.equal(second.incremental, true);
    const gallery = read(incremental, `${folder}/media/index.html`);
    assert.ok(gallery.includes(thumbOf(fresh.bytes)), 'the new photo is in the gallery');
    assert.match(gallery, /<h2 id="cc-media-2023-04">/);
    assert.ok(read(incremental, `${quiet}/media/index.html`).includes(thumbOf(quietPhoto.bytes)), 'a chat that gets its first photo gets a gallery');
    assert.match(read(incremental, `${quiet}/index.html`), /cc-gallery-link/);

    const full = join(dir, 'full');
    await buildSite({ db, out: full, search: false, quiet: true });
    const files = listFiles(full);
    assert.deepEqual(listFiles(incremental), files);
    for (const f of files) assert.ok(readFileSync(join(incremental, f)).equals(readFileSync(join(full, f))), `${f} has the same bytes`);
  });

  test('a large gallery has a page per year, every item on one of them, and those paths stay as media arrive', async () => {
    const saved = { ...galleryPaging };
    galleryPaging.maxItems = 5;
    galleryPaging.latest = 3;
    try {
      const { db, dir } = await tripDb();
      const out = join(dir, 'site');
      await buildSite({ db, out, search: false, quiet: true });
      const folder = chatFolder(out, 'Mountain trip');
      const pages = galleryPages(out, folder);
      assert.deepEqual(pages, [`${folder}/media/2022/index.html`, `${folder}/media/2023/index.html`, `${folder}/media/index.html`]);
      const years = pages.filter((p) => /\/\d{4}\//.test(p)).map((p) => read(out, p)).join('\n');
      for (const item of tripItems()) {
        const needle = item.photo ? thumbOf(item.photo.bytes) : item.file ? `<bdi>${item.file.name}</bdi>` : null;
        if (needle) assert.equal(years.split(needle).length - 1, 1, `${item.photo?.name ?? item.file?.name} once on the year pages`);
      }
      const overview = read(out, `${folder}/media/index.html`);
      assert.match(overview, /<a href="2022\/">2022<\/a> <span class="cc-count">3 items<\/span>/);
      assert.match(overview, /<a href="2023\/">2023<\/a> <span class="cc-count">9 items<\/span>/);
      assert.equal(tiles(overview).length, 3, 'the newest photos');
      assert.match(read(out, `${folder}/media/2023/index.html`), /<span aria-current="page">2023<\/span>/);
      // What a stopped build's journal may remove from a chat's folder names every file the plugin writes there.
      for (const f of listFiles(out).filter((f) => f.startsWith('chats/'))) assert.ok(isChatFile(f), `${f}: a file of the plugin's (render/links.ts)`);

      // Media of a new year arrive: the published pages keep their paths.
      await importInto(db, writeTelegram(join(dir, 'export-2'), [
        { id: 3001, name: 'Mountain trip', items: [...tripItems(), { id: 14, time: at(2024, 1, 2), from: 'ada', photo: { name: 'new-year.png', bytes: png(9) } }] },
        { id: 3002, name: 'Quiet room', items: QUIET },
      ]));
      await buildSite({ db, out, search: false, quiet: true });
      const after = galleryPages(out, folder);
      for (const p of pages) assert.ok(after.includes(p), `${p} is still there`);
      assert.ok(after.includes(`${folder}/media/2024/index.html`));
    } finally {
      Object.assign(galleryPaging, saved);
    }
  });
});

describe('media gallery in a browser', { skip: needsTools('chromium') }, () => {
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let server: Awaited<ReturnType<typeof serveDir>>;
  let paths: string[];

  before(async () => {
    const { db } = await tripDb();
    // The one-page gallery (with the search box in the header), and the same gallery by year.
    const { out } = await buildInto(db, {});
    const saved = { ...galleryPaging };
    galleryPaging.maxItems = 5;
    let split: string;
    try {
      split = (await buildInto(db, { search: false })).out;
    } finally {
      Object.assign(galleryPaging, saved);
    }
    const folder = chatFolder(out, 'Mountain trip');
    server = await serveDir(out, '/');
    paths = [`${folder}/media/`];
    splitServer = await serveDir(split, '/');
    splitPaths = galleryPages(split, folder).map((f) => `${dirname(f)}/`);
    browser = await launchBrowser();
  });
  let splitServer: Awaited<ReturnType<typeof serveDir>>;
  let splitPaths: string[];
  after(async () => {
    await browser?.close();
    await server?.close();
    await splitServer?.close();
  });

  for (const scheme of ['light', 'dark'] as const) {
    test(`axe-core: no violations on the gallery pages, ${scheme} scheme`, async () => {
      const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
      const context = await browser.newContext({ colorScheme: scheme });
      const problems: string[] = [];
      try {
        const page = await context.newPage();
        for (const url of [...paths.map((p) => server.url + p), ...splitPaths.map((p) => splitServer.url + p)]) {
          await page.goto(url);
          await page.addScriptTag({ content: AXE });
          const violations = (await page.evaluate(async () => {
            const axe = (window as unknown as { axe: { run(ctx: unknown): Promise<{ violations: { id: string; nodes: { target: unknown }[] }[] }> } }).axe;
            return (await axe.run(document)).violations.map((v) => `${v.id}: ${JSON.stringify(v.nodes.slice(0, 4).map((n) => n.target))}`);
          })) as string[];
          for (const v of violations) problems.push(`${url}: ${v}`);
          // Every thumbnail loads (lazy ones too: decode() asks for them).
          await page.evaluate(() => Promise.all(Array.from(document.images).map((img) => img.decode().catch(() => {}))));
          const still = await page.evaluate(() => Array.from(document.images).filter((img) => img.naturalWidth === 0).map((img) => img.src));
          assert.deepEqual(still, [], `${url}: every thumbnail loads`);
        }
      } finally {
        await context.close();
      }
      assert.deepEqual(problems, []);
    });
  }
});
