import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { mediaHash, writeFixture } from './helpers/fixture-db.js';
import { tinyPng } from './helpers/png.js';
import { TimeFormatter } from '../site/render/time.js';

/**
 * Attachments on archive pages: each file once (one icon, one size), a file the export did not
 * contain named with its size and "not included in the export" — never a link to the chat
 * service's host, so an archive opened offline requests nothing remote — and photos with an alt
 * text that says what they are. Permalinks have an accessible name with the date.
 */

const ALICE = { nativeId: '8:live:alice', displayName: 'Alice Martin' };
const PHOTO = tinyPng(4, 3);
const PDF = Buffer.from('%PDF-1.4\n%fixture\n');
/** The site's date for 3 Sep 2021 (default language and zone). */
const DAY = new TimeFormatter('UTC', 'en').date(Date.UTC(2021, 8, 3, 16));

/** Files only known by a URL on the service that held them, one per service. */
const REMOTE = [
  ['clip.mp4', 'https://api.asm.skype.com/v1/objects/0-weu-d1-abc/views/video'],
  ['notes.txt', 'https://files.slack.com/files-pri/T1-F1/notes.txt'],
  ['song.ogg', 'https://cdn.discordapp.com/attachments/1/2/song.ogg'],
];

async function site(authors: 'show' | 'hide' = 'show'): Promise<string> {
  const db = join(scratchDir('cc-attach-'), 'db.sqlite');
  writeFixture(
    db,
    [
      {
        nativeId: '19:files@thread.skype',
        title: 'Files',
        members: [ALICE],
        messages: [
          ...REMOTE.map(([name, url], i) => ({
            nativeId: `r${i}`,
            author: ALICE.nativeId,
            authorName: ALICE.displayName,
            time: `2021-09-03T16:0${i}:00Z`,
            markup: 'skype',
            // A Skype export names the file in the body too: the adapter also lists it as an attachment.
            body: `<URIObject type="Video.1/Message" uri="${url}"><OriginalName v="${name}"/><FileSize v="12345678"/></URIObject>`,
            attachments: [{ name, size: 12345678, url }],
          })),
          {
            nativeId: 'pdf',
            author: ALICE.nativeId,
            authorName: ALICE.displayName,
            time: '2021-09-03T16:10:00Z',
            markup: 'skype',
            body: `<files alt=""><file index="0" size="${PDF.length}">report.pdf</file></files>`,
            attachments: [{ name: 'report.pdf', size: PDF.length, type: 'application/pdf', hash: mediaHash(PDF) }],
          },
          {
            nativeId: 'photo',
            author: ALICE.nativeId,
            authorName: ALICE.displayName,
            time: '2021-09-03T16:11:00Z',
            body: '',
            attachments: [{ name: 'IMG_0001.png', size: PHOTO.length, type: 'image/png', hash: mediaHash(PHOTO) }],
          },
        ],
      },
    ],
    [
      { name: 'report.pdf', type: 'application/pdf', bytes: PDF },
      { name: 'IMG_0001.png', type: 'image/png', bytes: PHOTO },
    ],
  );
  const { out } = await buildInto(db, { authors, search: false });
  return out;
}

function page(out: string): string {
  const pages = archivePages(listFiles(out));
  assert.equal(pages.length, 1, pages.join(', '));
  return read(out, pages[0]);
}

test('a file the export did not contain: its name and size once, "not included in the export", no link to the service', async () => {
  const html = page(await site());
  for (const [name, url] of REMOTE) {
    const host = new URL(url).host;
    assert.ok(!html.includes(host), `no reference to ${host}`);
    assert.equal(html.split(name).length - 1, 1, `${name} is shown once`);
    const entry = new RegExp(`<span class="cc-file cc-missing">${name.replace('.', '\\.')}</span> <span class="cc-size">12 MB</span> <span class="cc-note">not included in the export</span>`);
    assert.match(html, entry, name);
  }
  assert.ok(!html.includes("11.8 MB"), "one size: the Skype line (11.8 MB) is not repeated beside the list (12 MB)");
  assert.ok(!html.includes('📎'), 'the icon comes from CSS alone');
  assert.equal(html.split('report.pdf').length - 1, 2, 'the stored file once: its link and its name (href + text)');
});

test('no page of the site refers to a remote host for anything it loads', async () => {
  const out = await site();
  for (const file of listFiles(out).filter((f) => f.endsWith('.html') || f.endsWith('.css'))) {
    const body = read(out, file);
    assert.doesNotMatch(body, /\b(?:src|srcset|poster|data)\s*=\s*"(?:https?:)?\/\//i, `${file}: a remote resource`);
    assert.doesNotMatch(body, /url\(\s*["']?(?:https?:)?\/\//i, `${file}: a remote url()`);
    assert.doesNotMatch(body, /<link[^>]+href="(?:https?:)?\/\//i, `${file}: a remote stylesheet`);
  }
});

test('a photo says what it is: who sent it and when, not its file name (no name when authors are hidden)', async () => {
  const shown = page(await site('show'));
  const alt = /<img [^>]*alt="([^"]*)"/.exec(shown)?.[1];
  assert.equal(alt, `Photo from Alice Martin, ${DAY}`);
  const hidden = page(await site('hide'));
  assert.equal(/<img [^>]*alt="([^"]*)"/.exec(hidden)?.[1], `Photo, ${DAY}`);
  assert.ok(!hidden.includes('Alice'));
});

test('a permalink is announced with its time and date, not just "16:11"', async () => {
  const html = page(await site());
  const labels = [...html.matchAll(/<a class="cc-permalink" href="#m[0-9a-f]+" aria-label="([^"]+)">/g)].map((m) => m[1]);
  assert.equal(labels.length, REMOTE.length + 2);
  assert.ok(labels.includes(`Permalink: 16:11, ${DAY}`), labels.join(' | '));
});
