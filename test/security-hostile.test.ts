import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Browser, BrowserContext } from 'playwright-core';
import Database from 'better-sqlite3';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { buildSite } from '../site/build.js';
import { PUBLISHED_MEDIA_TYPES, SERVER_EXECUTABLE } from '../site/data/media-name.js';
import { launchBrowser } from './helpers/browser.js';
import { parseFeeds } from './helpers/feed-check.js';
import { adapterSamples, AUTHORS, ordinaryChats, type FormatSample, type SampleChat } from './helpers/format-samples.js';
import { listFiles, serveDir } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { TRAP_NAMES, XSS_VECTORS } from './helpers/xss-vectors.js';
import { hasFile, needsTools } from './helpers/requires.js';

/**
 * The same XSS corpus (test/helpers/xss-vectors.ts) in bodies, author names and chat titles of
 * every source format, plus chats whose ids are paths, reserved names, NUL or 1,000 characters,
 * imported by the real importer and built by `buildSite`. Then every built page runs in headless
 * Chromium with traps for everything a payload could call: zero calls, dialogs, navigations or
 * requests off the site allowed. Feeds must satisfy feedparser (bozo 0) although bodies hold
 * NUL, VT, U+FFFE and `]]>`, and the build must write nothing outside its output folder.
 * (test/site-browser.test.ts does the same for a database written directly; this suite goes
 * through each adapter and converter.)
 */

const HOSTILE_IDS = [
  '../../../../escape',
  '/etc/passwd',
  '..\\..\\windows\\system32',
  'nul\u0000byte',
  '%2e%2e%2fencoded',
  '.',
  'x'.repeat(1000),
  `19:<script>__pwned('chat-id')</script>@thread.skype`,
];
const RESERVED = ['CON', 'nul', 'Com1', 'LPT9.txt', 'aux', 'PRN'];
const FEED_BODY = (format: string) => `FEED-${format}: NUL\u0000 VT\u000b FF\u000c FFFE\ufffe FFFF\uffff lone\ud800 ]]> <![CDATA[ x ]]> end`;

function hostileChats(format: string, index: number): SampleChat[] {
  const t0 = Date.UTC(2023, 4, 1, 12, 0);
  const main: SampleChat = {
    id: `19:hostile-${format}@thread.skype`,
    title: `Hostile ${format} <script>__pwned('title')</script>"><img src=x onerror=__pwned('title-attr')>`,
    messages: XSS_VECTORS.map((vector, i) => ({
      id: `${7000 + i}`,
      author: AUTHORS[i % AUTHORS.length],
      authorName: i % 3 === 0 ? vector : `Name ${i}`,
      time: t0 + i * 60_000,
      body: `V${i}-${format}: ${vector}`,
    })),
  };
  main.messages.push({ id: '7999', author: 'alice', authorName: 'Alice', time: t0 + 100 * 60_000, body: FEED_BODY(format) });
  const ids = [...HOSTILE_IDS, RESERVED[index % RESERVED.length]];
  const others = ids.map((id, n): SampleChat => ({
    id,
    title: id,
    messages: [
      { id: `${8000 + n}`, author: 'bob', authorName: 'Bob', time: t0 + n * 60_000, body: `hostile id chat ${n} of ${format}` },
    ],
  }));
  return [main, ...others];
}

function writeAll(sample: FormatSample, dir: string, chats: SampleChat[]): string[] {
  if (sample.multiChat) return [sample.write(dir, chats)];
  return chats.map((chat, i) => {
    const sub = join(dir, String(i));
    mkdirSync(sub, { recursive: true });
    return sample.write(sub, [chat]);
  });
}

/** Every file and folder under `dir` with its size and mtime. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string): void => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const full = join(d, entry.name);
      const info = statSync(full);
      out.set(relative(dir, full).split(sep).join('/') + (entry.isDirectory() ? '/' : ''), `${info.size}:${info.mtimeMs}`);
      if (entry.isDirectory()) walk(full);
    }
  };
  walk(dir);
  return out;
}


/** Elements only the site's own chrome may have, and never inside a message. */
const ACTIVE = '^(iframe|frame|object|embed|applet|base|form|style|link|img|video|audio|input|button|select|textarea|template|noscript)$';

/**
 * Runs in the page. Lists everything executable or foreign that is not the site's chrome, and
 * the chrome's own active elements. An active element is known by where it sits and what it is
 * (its ancestors' tags and classes, its tag and attribute names): the site has a few (the search
 * form, a <style>, a <noscript>); content that escaped its escaping would put one where the
 * chrome never does, or inside a message.
 */
function inspectPage({ chrome, active }: { chrome: string[]; active: string }): { problems: string[]; active: string[] } {
  const isActive = new RegExp(active);
  const signature = (el: Element): string => {
    const path: string[] = [];
    for (let e: Element | null = el; e; e = e.parentElement) path.unshift(`${e.localName}.${Array.from(e.classList).sort().join('.')}`);
    return `${path.join('>')}[${Array.from(el.attributes).map((a) => a.name).sort().join(',')}]`;
  };
  const allowed = new Set(chrome);
  const problems: string[] = [];
  const seen: string[] = [];
  for (const el of Array.from(document.querySelectorAll('*'))) {
    // The activity pictures and who-talks bars (site/render/activity/) are the site's own SVG,
    // outside any message; SVG anywhere else (a name's cell included) is still foreign.
    const ourPicture = el.closest('.cc-main .cc-activity svg, .cc-main .cc-who svg.cc-who-bar') !== null && !el.closest('.cc-log, .cc-latest, .cc-msg');
    if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml' && !ourPicture) problems.push(`foreign element <${el.localName}>`);
    if (isActive.test(el.localName)) {
      seen.push(signature(el));
      if (el.closest('.cc-msg') || !allowed.has(signature(el))) problems.push(`element ${signature(el)}`);
    }
    if (el.localName === 'meta' && el.hasAttribute('http-equiv')) problems.push('meta http-equiv');
    for (const attr of Array.from(el.attributes)) {
      if (/^on/i.test(attr.name)) problems.push(`${el.localName} ${attr.name}`);
      if (/^(href|src|action|formaction|srcdoc|xlink:href|data)$/i.test(attr.name)) {
        let scheme = '';
        try {
          scheme = new URL(attr.value, document.baseURI).protocol;
        } catch {
          scheme = 'invalid:';
        }
        if (attr.name === 'srcdoc' || /^(javascript|vbscript|data):$/.test(scheme)) problems.push(`${el.localName} ${attr.name}=${attr.value.slice(0, 60)}`);
      }
    }
  }
  for (const script of Array.from(document.scripts)) {
    if (!script.src || new URL(script.src).origin !== location.origin) problems.push(`script ${script.src || script.textContent?.slice(0, 60)}`);
  }
  return { problems, active: seen };
}

/** The chrome's active elements, from a site built from an ordinary export of the first format. */
async function siteChrome(browser: Browser): Promise<string[]> {
  const dir = scratchDir('cc-sec-chrome-');
  const { adapter, sample } = samples[0];
  const store = openStore(join(dir, 'plain.sqlite'));
  try {
    await importPaths(store, [sample.write(dir, ordinaryChats().slice(0, 1))], { format: adapter.format });
  } finally {
    store.close();
  }
  const site = join(dir, 'out');
  await buildSite({ db: join(dir, 'plain.sqlite'), out: site, quiet: true });
  const server = await serveDir(site);
  const page = await browser.newPage();
  const found = new Set<string>();
  try {
    for (const file of listFiles(site).filter((f) => f.endsWith('.html'))) {
      await page.goto(server.url + file.replace(/index\.html$/, ''), { waitUntil: 'load' });
      for (const sig of (await page.evaluate(inspectPage, { chrome: [], active: ACTIVE })).active) found.add(sig);
    }
  } finally {
    await page.close();
    await server.close();
  }
  return [...found];
}

const samples = adapterSamples().filter((a) => a.sample) as { adapter: { format: string }; sample: FormatSample }[];
const skip = needsTools('chromium');

describe('hostile content in every source format', () => {
  let root: string;
  let db: string;
  let out: string;
  let before_: Map<string, string>;
  let after_: Map<string, string>;
  const importErrors: string[] = [];
  let browser: Browser | undefined;

  before(async () => {
    root = scratchDir('cc-sec-hostile-');
    db = join(root, 'archive.sqlite');
    const store = openStore(db);
    try {
      for (const [i, { adapter, sample }] of samples.entries()) {
        const dir = join(root, 'inputs', adapter.format);
        mkdirSync(dir, { recursive: true });
        const paths = writeAll(sample, dir, hostileChats(adapter.format, i));
        try {
          await importPaths(store, paths, { format: adapter.format });
        } catch (err) {
          importErrors.push(`${adapter.format}: ${(err as Error).stack}`);
        }
      }
    } finally {
      store.close();
    }
    // Nested, so that anything escaping the output folder lands where the snapshot sees it.
    out = join(root, 'site', 'out');
    before_ = snapshot(root);
    await buildSite({ db, out, quiet: true });
    after_ = snapshot(root);
  });
  after(async () => {
    await browser?.close();
  });

  test('every format imports its hostile input', () => {
    assert.ok(samples.length > 0);
    assert.deepEqual(importErrors, []);
  });

  test('the build writes nothing outside its output folder, and chat folders are slugs only', () => {
    const changed = [...after_].filter(([path, stamp]) => before_.get(path) !== stamp).map(([path]) => path);
    const removed = [...before_.keys()].filter((path) => !after_.has(path));
    assert.deepEqual(removed, []);
    // The build opens the database read-only; SQLite may still create its -wal and -shm sidecars.
    const outside = changed.filter((p) => !p.startsWith('site/') && !/^archive\.sqlite-(shm|wal)$/.test(p));
    assert.deepEqual(outside, []);
    assert.deepEqual(changed.filter((p) => p.startsWith('site/') && p !== 'site/' && !p.startsWith('site/out/')), []);
    const files = listFiles(out);
    for (const f of files) assert.ok(f.split('/').every((part) => part !== '..' && part !== '.' && part !== '' && !/[\\:\0*?"<>|]/.test(part)), f);
    const folders = new Set(files.filter((f) => f.startsWith('chats/')).map((f) => f.split('/')[1]));
    for (const folder of folders) {
      assert.match(folder, /^[a-z0-9]+(-[a-z0-9]+)*$/);
      assert.ok(folder.length <= 80, folder);
    }
    const conn = new Database(db, { readonly: true });
    const chats = conn.prepare('SELECT count(*) FROM chats').pluck().get() as number;
    conn.close();
    assert.equal(folders.size, chats, 'one folder per chat');
    assert.ok(chats >= samples.length * (HOSTILE_IDS.length + 2) * 0.5, `${chats} chats`);
  });

  test('feeds stay well-formed with NUL, VT, U+FFFE and ]]> in bodies (feedparser: bozo 0)', { skip: needsTools('feedparser') }, () => {
    const feeds = listFiles(out).filter((f) => f.endsWith('.xml'));
    assert.ok(feeds.length > samples.length, `${feeds.length} feeds`);
    const verdicts = parseFeeds(feeds.map((f) => join(out, f)));
    for (const v of verdicts) assert.equal(v.bozo, false, `${relative(out, v.file)}: ${v.exception}`);
    const all = verdicts.map((v) => v.text).join('\n');
    for (const { adapter } of samples) assert.ok(all.includes(`FEED-${adapter.format}: NUL`), `the control-character message of ${adapter.format} is in a feed`);
    assert.ok(all.includes(']]>'), 'a literal ]]> survives into feed content');
  });

  test('no page runs injected script, opens a dialog, navigates or loads anything off the site', { skip }, async (t) => {
    browser = await launchBrowser();
    const server = await serveDir(out);
    const origin = new URL(server.url).origin;
    let context: BrowserContext | undefined;
    try {
      context = await browser.newContext();
      const hits: string[] = [];
      await context.exposeFunction('__ccReport', (what: string) => hits.push(what));
      await context.addInitScript((names: readonly string[]) => {
        const w = window as unknown as Record<string, unknown>;
        for (const name of names) w[name] = (...args: unknown[]) => (w.__ccReport as (s: string) => void)(`${name}(${args.map(String).join(', ')}) on ${location.pathname}`);
      }, TRAP_NAMES);
      context.on('page', (p) => {
        p.on('dialog', (dialog) => {
          hits.push(`dialog ${dialog.type()}(${dialog.message()})`);
          void dialog.dismiss();
        });
        p.on('request', (request) => {
          const url = request.url();
          if (!url.startsWith(origin) && !/^(data|blob|about):/.test(url)) hits.push(`request ${url}`);
        });
      });
      const page = await context.newPage();
      const chrome = await siteChrome(browser);
      assert.ok(chrome.length > 0, 'the benign site has its own controls (search form…)');
      // The chats with hostile ids hold one harmless message: their landing pages (title, id,
      // latest message) are loaded, their archive pages are like any other's.
      const conn = new Database(db, { readonly: true });
      const small = new Set(conn.prepare('SELECT slug FROM chats c WHERE (SELECT count(*) FROM message_rows m WHERE m.chat_id = c.id) < 5').pluck().all() as string[]);
      conn.close();
      const pages = listFiles(out).filter((f) => f.endsWith('.html') && !(small.has(f.split('/')[1]) && /^chats\/[^/]+\/.+\/index\.html$/.test(f)));
      let text = '';
      const titles: string[] = [];
      for (const file of pages) {
        const url = server.url + file.replace(/index\.html$/, '');
        await page.goto(url, { waitUntil: 'load' });
        const { problems } = await page.evaluate(inspectPage, { chrome, active: ACTIVE });
        assert.deepEqual(problems, [], file);
        // What a reader would do: hover, focus and click everything (links excepted).
        await page.evaluate(() => {
          for (const el of Array.from(document.querySelectorAll('body *'))) {
            for (const type of ['mouseover', 'mouseenter', 'mousemove', 'focus', 'focusin', 'click', 'animationstart']) {
              if (type === 'click' && el.closest('a, button, summary')) continue;
              el.dispatchEvent(new Event(type, { bubbles: true }));
            }
          }
        });
        assert.equal(page.url().split('#')[0], url, `${file} navigated away`);
        text += `\n${await page.evaluate(() => document.body.innerText)}`;
        titles.push(await page.title());
      }
      await page.waitForTimeout(100); // timers a payload might have set
      assert.equal(page.url().split('#')[0].startsWith(origin), true);
      assert.deepEqual(hits, []);
      assert.ok(pages.length >= samples.length * 2, `${pages.length} pages`);
      t.diagnostic(`${XSS_VECTORS.length} vectors in ${samples.length} formats; ${pages.length} pages loaded in Chromium`);

      // Neutralized, not lost: every message is on a page; plain-text formats show the vector as text.
      for (const { adapter, sample } of samples) {
        const missing = XSS_VECTORS.map((_, i) => `V${i}-${adapter.format}:`).filter((marker) => !text.includes(marker));
        assert.deepEqual(missing, [], `${adapter.format}: messages missing from the pages`);
        if (!sample.markupBodies) {
          for (const vector of XSS_VECTORS.filter((v) => !/[\0-\x1f\ufffe\uffff\ud800]/.test(v))) {
            assert.ok(text.includes(vector.replace(/\s+/g, ' ').trim().slice(0, 30)), `${adapter.format} shows ${JSON.stringify(vector)} as text`);
          }
        }
      }
      assert.ok(titles.some((t) => t.includes(`<script>__pwned('title')</script>`)), 'a hostile chat title is escaped into <title>, not dropped');
    } finally {
      await context?.close();
      await server.close();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Media names: every format that carries files, and the suite's own exports with attachments

/** File names an export may carry that a browser or server would run, or that name no type. */
const MEDIA_NAMES = ['README', 'page.htm_', 'name.', 'x.svg', 'x.html', 'x.php5', 'x.phar', 'web.config', '.htaccess', 'index.html', 'shell.php.jpg', 'run.cgi', 'photo.png'];
const mediaBytes = (format: string, i: number) => Buffer.from(`<script>document.title='pwned'</script> ${format} ${i}`);

/** Writes an export of `format` whose messages attach files named MEDIA_NAMES; returns its path. */
const MEDIA_WRITERS: Record<string, (dir: string) => string> = {
  telegram(dir) {
    mkdirSync(join(dir, 'files'));
    MEDIA_NAMES.forEach((name, i) => writeFileSync(join(dir, 'files', name), mediaBytes('telegram', i)));
    const messages = MEDIA_NAMES.map((name, i) => ({ id: i + 1, type: 'message', date_unixtime: String(1672531200 + i * 60), from: 'Ann', from_id: 'user1', file: `files/${name}`, file_name: name, text: '' }));
    writeFileSync(join(dir, 'result.json'), JSON.stringify({ name: 'Files', type: 'personal_chat', id: 1, messages }));
    return dir;
  },
  discord(dir) {
    mkdirSync(join(dir, 'files.json_Files'));
    MEDIA_NAMES.forEach((name, i) => writeFileSync(join(dir, 'files.json_Files', name), mediaBytes('discord', i)));
    const author = { id: '100000000000000002', name: 'ann', discriminator: '0000', nickname: 'Ann', color: null, isBot: false, roles: [] };
    const messages = MEDIA_NAMES.map((name, i) => ({
      id: String(910000000000000001n + BigInt(i)),
      type: 'Default',
      timestamp: new Date(Date.UTC(2024, 2, 1, 8, i)).toISOString(),
      timestampEdited: null,
      isPinned: false,
      content: 'file',
      author,
      attachments: [{ id: String(i + 1), url: `files.json_Files\\${name}`, fileName: name, fileSizeBytes: mediaBytes('discord', i).length }],
      embeds: [],
      stickers: [],
      reactions: [],
      mentions: [],
    }));
    writeFileSync(
      join(dir, 'files.json'),
      JSON.stringify({ guild: { id: '900000000000000001', name: 'Guild' }, channel: { id: '900000000000000100', type: 'GuildTextChat', category: 'general', name: 'files' }, messages }),
    );
    return dir;
  },
  whatsapp(dir) {
    MEDIA_NAMES.forEach((name, i) => writeFileSync(join(dir, name), mediaBytes('whatsapp', i)));
    const lines = MEDIA_NAMES.map((name, i) => `[15.08.21, 09:${String(10 + i).padStart(2, '0')}:00] Dan: \u200e<attached: ${name}>`);
    writeFileSync(join(dir, '_chat.txt'), `${lines.join('\n')}\n`);
    return join(dir, '_chat.txt');
  },
  'skype-export'(dir) {
    mkdirSync(join(dir, 'media'));
    const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
    const MessageList = MEDIA_NAMES.map((name, i) => {
      const id = `0-files-${i}`;
      writeFileSync(join(dir, 'media', `${id}.1.bin`), mediaBytes('skype-export', i));
      writeFileSync(join(dir, 'media', `${id}.json`), JSON.stringify({ filename: name }));
      return {
        id: String(2000 + i),
        displayName: null,
        originalarrivaltime: new Date(Date.UTC(2021, 8, 2, 10, i)).toISOString(),
        messagetype: 'RichText/Media_GenericFile',
        content: `<URIObject uri="https://api.asm.skype.com/v1/objects/${id}" type="File.1" doc_id="${id}">file<OriginalName v="${escape(name)}"></OriginalName><FileSize v="50"></FileSize></URIObject>`,
        conversationid: '19:files@thread.skype',
        from: '8:alice',
        properties: null,
        amsreferences: [id],
      };
    }).reverse();
    const conversations = [{ id: '19:files@thread.skype', displayName: 'Files', properties: {}, threadProperties: { membercount: 1, members: '["8:alice"]', topic: 'Files' }, MessageList }];
    writeFileSync(join(dir, 'messages.json'), JSON.stringify({ userId: '8:alice', exportDate: '2021-09-03T00:00', conversations }));
    return dir;
  },
};

/** Whether a published media file name could run anywhere: see site/data/media-name.ts. */
function unpublishable(name: string): string | null {
  if (name.startsWith('.')) return 'a dot file';
  const parts = name.toLowerCase().split('.');
  if (parts.length < 2 || !Object.hasOwn(PUBLISHED_MEDIA_TYPES, parts.at(-1)!)) return 'no allow-listed extension';
  if (parts.slice(1, -1).some((p) => SERVER_EXECUTABLE.test(p))) return 'an executable inner extension';
  return null;
}

describe('published media names in every format that carries files', () => {
  test('hostile file names in each format are published under an allow-listed extension', async (t) => {
    const root = scratchDir('cc-sec-media-');
    const db = join(root, 'media.sqlite');
    const store = openStore(db);
    try {
      for (const [format, write] of Object.entries(MEDIA_WRITERS)) {
        const dir = join(root, 'inputs', format);
        mkdirSync(dir, { recursive: true });
        await importPaths(store, [write(dir)], { format, source: { whatsapp: { timeZone: 'UTC' } } });
      }
    } finally {
      store.close();
    }
    const out = join(root, 'out');
    await buildSite({ db, out, quiet: true });
    const published = listFiles(out).filter((f) => f.startsWith('media/')).map((f) => f.split('/')[2]);
    // Every file of every format made it (distinct bytes: one media file each).
    assert.equal(published.length, Object.keys(MEDIA_WRITERS).length * MEDIA_NAMES.length, published.join(', '));
    assert.deepEqual(published.map((name) => [name, unpublishable(name)]).filter(([, why]) => why), []);
    assert.equal(published.filter((name) => name === 'photo.png').length, Object.keys(MEDIA_WRITERS).length, 'a safe name is kept as it is');
    t.diagnostic(`${published.length} media files from ${Object.keys(MEDIA_WRITERS).join(', ')}`);
  });

  test('the suite’s exports with attachments keep their names, all allow-listed', async () => {
    const root = scratchDir('cc-sec-media-fixtures-');
    const db = join(root, 'fixtures.sqlite');
    const fixtures = fileURLToPath(new URL('../../test/fixtures/', import.meta.url));
    const inputs: [string, string][] = [
      ['skype-export', join(fixtures, 'skype/tiny')],
      ['telegram', join(fixtures, 'telegram/full')],
      ['discord', join(fixtures, 'discord/export')],
      ['whatsapp', join(fixtures, 'whatsapp/ios-group-chat.txt')],
      ['whatsapp', join(fixtures, 'whatsapp/WhatsApp Chat with Silvester 2020.txt')],
    ];
    const shared = join(fixtures, '../../../shared/fixtures/whatsapp/pustur-whatsapp-chat-parser-example.zip');
    if (hasFile(shared)) inputs.push(['whatsapp', shared]);
    const store = openStore(db);
    try {
      for (const [format, path] of inputs) await importPaths(store, [path], { format, source: { whatsapp: { timeZone: 'UTC' } } });
    } finally {
      store.close();
    }
    const out = join(root, 'out');
    await buildSite({ db, out, quiet: true });
    const published = listFiles(out).filter((f) => f.startsWith('media/')).map((f) => f.split('/')[2]).sort();
    assert.deepEqual(published.map((name) => [name, unpublishable(name)]).filter(([, why]) => why), []);
    for (const name of ['notes _ plans.txt', 'photo_1@14-03-2023_11-02-00.jpg', 'notes.txt', 'sticker.webp', 'photo.png', 'IMG-20201231-WA0001.jpg', '00000001-PHOTO-2021-08-15-09-02-30.jpg']) {
      assert.ok(published.includes(name), `${name} is published under its own name (published: ${published.join(', ')})`);
    }
  });
});

describe('files an export folder names are read only when they are regular files inside it', () => {
  const withMedia = samples.filter(({ sample }) => sample.mediaFile);
  const SECRET = 'TOP-SECRET-KEY-MATERIAL';

  test('the formats that carry files are covered', () => {
    assert.deepEqual(withMedia.map(({ sample }) => sample.format).sort(), ['discord', 'google-chat', 'instagram', 'mattermost', 'messenger', 'skype-export', 'telegram', 'whatsapp']);
  });

  for (const { adapter, sample } of withMedia) {
    test(`${adapter.format}: links leading out, FIFOs and folders are not read, with a counted warning; the rest imports`, { timeout: 120_000 }, async () => {
      const dir = scratchDir(`cc-links-${adapter.format}-`);
      const outside = join(dir, 'outside');
      mkdirSync(outside);
      writeFileSync(join(outside, 'secret.txt'), SECRET);
      writeFileSync(join(outside, 'good.txt'), SECRET);
      // One message per kind of file; the first is an ordinary file (the control: media do import).
      const names = ['good.txt', 'link-out.txt', 'link-dev.bin', 'link-proc.txt', 'fifo.bin', 'folder.jpg', 'link-in.txt'];
      const chat = ordinaryChats()[0];
      const messages = names.map((name, i) => ({ ...chat.messages[i % chat.messages.length], id: `${3000 + i}`, time: chat.messages[0].time + i * 60_000, body: `file ${i}`, attachment: name }));
      const written = (sub: string) => {
        mkdirSync(join(dir, sub), { recursive: true });
        return sample.write(join(dir, sub), [{ ...chat, messages }]);
      };
      const path = written('export');
      const at = (name: string) => {
        const file = sample.mediaFile!(path, name);
        mkdirSync(dirname(file), { recursive: true });
        return file;
      };
      writeFileSync(at('good.txt'), 'an ordinary attachment');
      symlinkSync(join(outside, 'secret.txt'), at('link-out.txt'));
      symlinkSync('/dev/zero', at('link-dev.bin'));
      symlinkSync('/proc/self/environ', at('link-proc.txt'));
      execFileSync('mkfifo', [at('fifo.bin')]);
      mkdirSync(at('folder.jpg'));
      symlinkSync(at('good.txt'), at('link-in.txt')); // leads inside: fine
      // The same export with its media folder a link to a folder outside (where a "good.txt" is the secret).
      const linkedPath = written('linked-folder');
      const mediaDir = dirname(sample.mediaFile!(linkedPath, 'good.txt'));
      const linkedFolder = mediaDir !== dirname(sample.mainFile(linkedPath)) && mediaDir !== linkedPath;
      if (linkedFolder) symlinkSync(outside, mediaDir);

      const db = join(dir, 'db.sqlite');
      const store = openStore(db);
      let warnings: string[];
      try {
        const summary = await importPaths(store, linkedFolder ? [path, linkedPath] : [path], { format: adapter.format, thread: false });
        warnings = summary.files.flatMap((f) => f.warnings.map((w) => `${w.position}: ${w.message}`));
      } finally {
        store.close();
      }
      const check = new Database(db, { readonly: true });
      try {
        const blobs = check.prepare('SELECT data FROM media').pluck().all() as Buffer[];
        assert.ok(blobs.some((b) => b.toString() === 'an ordinary attachment'), 'the ordinary attachment is stored');
        assert.ok(!blobs.some((b) => b.includes(SECRET) || b.includes('PATH=')), 'nothing from outside the export folder is stored');
        assert.ok(blobs.every((b) => b.length < 1 << 20), 'no device was read');
        const bodies = check.prepare('SELECT body FROM messages').pluck().all() as string[];
        // The second export holds the same messages: the same rows.
        assert.equal(bodies.length, names.length, 'every message is imported');
      } finally {
        check.close();
      }
      assert.ok(warnings.some((w) => /\d+ files? leading outside the export folder/.test(w)), `a warning counts the links out:\n${warnings.join('\n')}`);
      assert.ok(warnings.some((w) => /not a regular file/.test(w)), `a warning counts the special files:\n${warnings.join('\n')}`);
    });
  }
});
