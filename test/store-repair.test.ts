import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { importPaths, type ImportSummary } from '../collector/import/index.js';
import { KnownKeys } from '../collector/store/known-keys.js';
import { openStore } from '../collector/store/open.js';
import { MEDIA_TWINS_REPAIR } from '../collector/store/repair.js';
import { buildSite } from '../site/build.js';
import { STAMP_FILE } from '../site/output/stamp.js';
import type { BuildResult } from '../site/build.js';
import { FORMAT_SAMPLES, type SampleMessage } from './helpers/format-samples.js';
import { listFiles } from './helpers/site.js';
import { tempDir } from './helpers/temp.js';

/**
 * Databases imported before MARKUP_VERSION 3 hold a WhatsApp media message exported with its file
 * and again as "<Media omitted>" as two rows; the first import by today's code merges them
 * (collector/store/repair.ts, schema migration 6) into the row with the file, and both published
 * anchors keep leading to it. The old database is made as the old code left it: both forms stored
 * as rows of their own, the omitted one with its note as text (markup version 2), at schema 5.
 */

const sample = FORMAT_SAMPLES.find((s) => s.format === 'whatsapp')!;
const CHAT = 'whatsapp-repair';
const T0 = Date.UTC(2024, 0, 1, 8, 0);

function say(id: number, time: number, body: string, author = 'alice'): SampleMessage {
  return { id: String(1000 + id), author, authorName: author.toUpperCase(), time, body };
}

function exportOf(root: string, messages: SampleMessage[], files: string[] = []): string {
  const into = mkdtempSync(join(root, 'x-'));
  const path = sample.write(into, [{ id: CHAT, title: 'Repair', messages: [...messages].sort((a, b) => a.time - b.time) }]);
  for (const name of files) {
    mkdirSync(dirname(sample.mediaFile!(path, name)), { recursive: true });
    writeFileSync(sample.mediaFile!(path, name), `the bytes of ${name}`);
  }
  return path;
}

async function importAll(file: string, paths: string[], mergeToleranceMs?: number): Promise<ImportSummary> {
  const db = openStore(file);
  try {
    return await importPaths(db, paths, { format: sample.format, mergeToleranceMs });
  } finally {
    db.close();
  }
}

/**
 * The exports imported as the code before MARKUP_VERSION 3 stored them: each export's messages
 * as they came (no omitted form paired with its file form: their texts differed), the omitted
 * rows' text their note and caption, the markup version 2 and the schema 5.
 */
async function importedByOldCode(file: string, paths: string[], published?: () => Promise<void>): Promise<void> {
  for (const path of paths) await importAll(file, [path], 0);
  // Built by today's site (it reads no older schema), as the old one built it: no anchor alias yet.
  await published?.();
  leftAsOldCode(file);
}

/** The stored rows made as the code before MARKUP_VERSION 3 left them (see importedByOldCode). */
function leftAsOldCode(file: string): void {
  const db = new Database(file);
  try {
    const omitted = db.prepare(`SELECT id, body FROM message_rows WHERE kind = 'media' AND (attachments IS NULL OR attachments NOT LIKE '%"hash"%')`).all() as { id: number; body: string }[];
    for (const row of omitted) {
      const [note, ...caption] = row.body.split('\n');
      const old = [note.replace(/[<>]/g, '').trim(), ...caption].join('\n');
      db.prepare(`UPDATE message_rows SET text = ? WHERE id = ?`).run(old, row.id);
    }
    db.exec(`UPDATE meta SET value = '2' WHERE key = 'markup_version'; DELETE FROM meta WHERE key = '${MEDIA_TWINS_REPAIR}'; DROP TABLE anchor_aliases; PRAGMA user_version = 5`);
  } finally {
    db.close();
  }
}

interface MediaRow {
  id: number;
  anchor: string;
  key: string;
  attachments: string | null;
  text: string;
}

/** Every row of these tables, in order: equal strings, equal contents. */
function rowsOf(file: string, tables: readonly string[]): string {
  const db = new Database(file, { readonly: true });
  try {
    return JSON.stringify(tables.map((t) => db.prepare(`SELECT * FROM ${t} ORDER BY 1, 2`).raw().all()), (_k, v) => (Buffer.isBuffer(v) ? v.toString('hex') : v));
  } finally {
    db.close();
  }
}

function mediaRows(file: string): MediaRow[] {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare(`SELECT id, anchor, key, attachments, text FROM messages WHERE kind = 'media' ORDER BY time, id`).all() as MediaRow[];
  } finally {
    db.close();
  }
}

/** The archive page (site path) an anchor map of the built site sends `anchor` to, if any. */
function pageOfAnchor(out: string, anchor: string): string | undefined {
  for (const file of listFiles(out).filter((f) => /\/anchors\/[^/]+\.js$/.test(f))) {
    const map = JSON.parse(readFileSync(join(out, file), 'utf8').replace(/^ccAnchorMap\(/, '').replace(/\);\s*$/, '')) as Record<string, string>;
    for (const [page, list] of Object.entries(map)) if (list.split(',').includes(anchor.slice(1))) return `${file.slice(0, file.indexOf('/anchors/'))}/${page}`;
  }
  return undefined;
}

/** The `class` of the message element that holds an element with id `anchor` on the page. */
function messageOf(html: string, anchor: string): string | undefined {
  const at = html.indexOf(`id="${anchor}"`);
  if (at < 0) return undefined;
  const start = html.lastIndexOf('<div class="cc-msg', at);
  const next = [html.indexOf('<div class="cc-msg', at), html.indexOf('</article>', at)].filter((i) => i >= 0);
  return html.slice(start, Math.min(...next, html.length));
}

test('whatsapp: a media message stored twice by an older version (with its file, and as "<Media omitted>") is merged into the row with the file, both anchors leading to it', async () => {
  for (const caption of ['', '\nthe view']) {
    for (const fileFirst of [true, false]) {
      const how = `${caption ? 'with a caption' : 'no caption'}, ${fileFirst ? 'with its file first' : 'omitted first'}`;
      const root = tempDir();
      const name = 'IMG-20240101-WA0001.jpg';
      const rest = [say(2, T0 + 60_000, 'nice', 'bob')];
      const full = exportOf(root, [say(1, T0, `${name} (file attached)${caption}`), ...rest], [name]);
      const bare = exportOf(root, [say(1, T0, `<Media omitted>${caption}`), ...rest]);
      const file = join(root, 'old.sqlite');
      // A site published from the old database: both anchors are on it.
      const site = join(root, 'site');
      let first: BuildResult | undefined;
      await importedByOldCode(file, fileFirst ? [full, bare] : [bare, full], async () => {
        first = await buildSite({ db: file, out: site, search: false, quiet: true });
      });
      const before = mediaRows(file);
      assert.equal(before.length, 2, `${how}: the old code's two rows`);
      const [withFile, omitted] = before[0].attachments?.includes('"hash"') ? before : [before[1], before[0]];
      for (const anchor of [withFile.anchor, omitted.anchor]) assert.ok(pageOfAnchor(site, anchor), `${how}: ${anchor} published`);

      const summary = await importAll(file, [bare]);
      assert.equal(summary.mergedMessages, 1, `${how}: the pair merged`);
      const after = mediaRows(file);
      assert.equal(after.length, 1, `${how}: one message`);
      assert.equal(after[0].id, withFile.id, `${how}: the row with the file is kept`);
      assert.match(after[0].attachments ?? '', /"hash"/, how);
      assert.doesNotMatch(after[0].text, /omitted/i, how);
      const db = new Database(file, { readonly: true });
      try {
        assert.equal(db.prepare(`SELECT message_id FROM message_aliases WHERE key = ?`).pluck().get(omitted.key), withFile.id, `${how}: the removed row's key names the kept one`);
        assert.equal(db.prepare(`SELECT message_id FROM anchor_aliases WHERE anchor = ?`).pluck().get(omitted.anchor), withFile.id, `${how}: and its anchor`);
        assert.equal(db.prepare(`SELECT count(*) FROM meta WHERE key = ?`).pluck().get(MEDIA_TWINS_REPAIR), 0);
        // The anchor stays taken: no later message of the chat is given it.
        const chatId = db.prepare(`SELECT chat_id FROM message_rows WHERE id = ?`).pluck().get(withFile.id) as number;
        assert.equal(KnownKeys.stored(chatId, KnownKeys.statements(db)).anchorTaken(omitted.anchor), true, how);
      } finally {
        db.close();
      }

      // An incremental build of the published site, and a full one: both anchors lead to the message.
      const second = await buildSite({ db: file, out: site, search: false, quiet: true, since: first!.changeSeq });
      assert.equal(second.incremental, true);
      const fresh = join(root, 'fresh');
      await buildSite({ db: file, out: fresh, search: false, quiet: true });
      for (const out of [site, fresh]) {
        const page = pageOfAnchor(out, withFile.anchor);
        assert.ok(page, `${how}: the kept anchor is in the maps`);
        assert.equal(pageOfAnchor(out, omitted.anchor), page, `${how}: the old anchor's map names the kept message's page`);
        const html = readFileSync(join(out, page, 'index.html'), 'utf8');
        const message = messageOf(html, omitted.anchor);
        assert.ok(message, `${how}: the page has an element with the old anchor`);
        assert.match(message, new RegExp(`id="${withFile.anchor}"`), `${how}: inside the kept message`);
        assert.equal(html.split(`id="${omitted.anchor}"`).length, 2, `${how}: once`);
        assert.doesNotMatch(html, /Media omitted/, `${how}: the omitted form is gone`);
      }
      // The build record (output/stamp.ts) is written by full builds only: a `since` build leaves none.
      for (const f of listFiles(fresh).filter((f) => !f.startsWith('search/') && f !== STAMP_FILE)) {
        assert.ok(readFileSync(join(site, f)).equals(readFileSync(join(fresh, f))), `${how}: ${f} is the same after the incremental build`);
      }
      // Redacting the old anchor redacts the message it now names.
      const redacted = join(root, 'redacted');
      await buildSite({ db: file, out: redacted, search: false, quiet: true, redact: [omitted.anchor] });
      const page = pageOfAnchor(redacted, withFile.anchor)!;
      assert.match(messageOf(readFileSync(join(redacted, page, 'index.html'), 'utf8'), withFile.anchor)!, /cc-redacted/, `${how}: redacted by its old anchor`);

      // A second run changes nothing.
      const digest = rowsOf(file, ['message_rows', 'message_aliases', 'anchor_aliases', 'media', 'meta', 'changes']);
      for (const path of [bare, full]) {
        const again = await importAll(file, [path]);
        assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, `${how}: a re-import changes nothing`);
      }
      assert.equal(rowsOf(file, ['message_rows', 'message_aliases', 'anchor_aliases', 'media', 'meta', 'changes']), digest, how);
    }
  }
});

test('the repair merges what an import merges and nothing else: two pictures of one export stay two; two omitted pictures meet their two files', async () => {
  const root = tempDir();
  const names = ['IMG-20240101-WA0001.jpg', 'IMG-20240101-WA0002.jpg', 'IMG-20240101-WA0003.jpg'];
  // One export with media: the third picture not downloaded on the phone (omitted there too).
  const full = exportOf(root, [say(1, T0, `${names[0]} (file attached)`), say(2, T0, `${names[1]} (file attached)`), say(3, T0 + 60_000, '<Media omitted>')], names.slice(0, 2));
  // One without: all three omitted.
  const bare = exportOf(root, [say(1, T0, '<Media omitted>'), say(2, T0, '<Media omitted>'), say(3, T0 + 60_000, '<Media omitted>')]);
  const file = join(root, 'old.sqlite');
  await importedByOldCode(file, [full, bare]);
  // The new code, from an empty database: what the repair must come to.
  const expected = join(root, 'new.sqlite');
  await importAll(expected, [full, bare]);
  const counts = (f: string) => {
    const rows = mediaRows(f);
    return { rows: rows.length, withFile: rows.filter((r) => r.attachments?.includes('"hash"')).length };
  };
  assert.deepEqual(counts(expected), { rows: 3, withFile: 2 });
  assert.equal(counts(file).rows, 5, 'the old code: the two omitted forms of the pictures with files stored apart');
  const summary = await importAll(file, [bare]);
  assert.equal(summary.mergedMessages, 2);
  assert.deepEqual(counts(file), counts(expected));
});

test('a database with no pair to merge is left as it was by the repair', async () => {
  const root = tempDir();
  // Two pictures of one export a minute apart, one not downloaded: two messages of one source.
  const only = exportOf(root, [say(1, T0, 'IMG-20240101-WA0001.jpg (file attached)'), say(2, T0 + 60_000, '<Media omitted>'), say(3, T0 + 90_000, 'nice', 'bob')], ['IMG-20240101-WA0001.jpg']);
  // Another export of the chat's later messages, without media: a picture of its own.
  const later = exportOf(root, [say(3, T0 + 90_000, 'nice', 'bob'), say(4, T0 + 30 * 60_000, '<Media omitted>')]);
  const file = join(root, 'old.sqlite');
  await importedByOldCode(file, [only, later]);
  const db = new Database(file);
  // As the markup version 3 rerender leaves it, so that only the repair could change rows.
  db.prepare(`UPDATE message_rows SET text = '' WHERE kind = 'media' AND text LIKE 'Media omitted%'`).run();
  db.prepare(`UPDATE meta SET value = '3' WHERE key = 'markup_version'`).run();
  db.close();
  const tables = ['message_rows', 'message_aliases', 'changes', 'periods', 'media'];
  const before = rowsOf(file, tables);
  const summary = await importAll(file, [later]);
  assert.equal(summary.mergedMessages + summary.newMessages + summary.updatedMessages, 0);
  assert.equal(rowsOf(file, tables), before);
  assert.equal(mediaRows(file).length, 3);
});

test('the repair counts every source a kept row holds, not only its own: two captionless pictures of one minute in three overlapping exports stay two', async () => {
  const root = tempDir();
  // Phone 1's export with media: the first picture. Phone 2's: the first picture under its own
  // file name, the second one not downloaded. An export without media: both pictures.
  const one = exportOf(root, [say(1, T0, 'IMG-20240101-WA0001.jpg (file attached)')], ['IMG-20240101-WA0001.jpg']);
  const two = exportOf(root, [say(1, T0, 'IMG-20240101-WA0007.jpg (file attached)'), say(2, T0, '<Media omitted>')], ['IMG-20240101-WA0007.jpg']);
  const bare = exportOf(root, [say(1, T0, '<Media omitted>'), say(2, T0, '<Media omitted>')]);
  const file = join(root, 'old.sqlite');
  // The old code merged phone 2's first picture into phone 1's (same caption, a near match: an
  // alias), and stored phone 2's omitted second picture, and the bare export's second, apart.
  await importAll(file, [one]);
  await importAll(file, [two]);
  await importAll(file, [bare], 0);
  leftAsOldCode(file);
  // Phone 2's two pictures: the key of the first names phone 1's row (an alias), the second its own row.
  const twoKeys = (() => {
    const db = new Database(file, { readonly: true });
    try {
      const source = db.prepare(`SELECT id FROM sources WHERE path = ?`).pluck().get(resolve(two)) as number;
      return [...(db.prepare(`SELECT key FROM message_aliases`).pluck().all() as string[]), db.prepare(`SELECT key FROM message_rows WHERE source_id = ?`).pluck().get(source) as string];
    } finally {
      db.close();
    }
  })();
  assert.equal(twoKeys.length, 2);
  const before = mediaRows(file).length;
  assert.equal(before, 3);

  await importAll(file, [bare]);
  const db = new Database(file, { readonly: true });
  try {
    const rowOf = (key: string) =>
      (db.prepare(`SELECT id FROM message_rows WHERE key = ?`).pluck().get(key) ?? db.prepare(`SELECT message_id FROM message_aliases WHERE key = ?`).pluck().get(key)) as number | undefined;
    const [a, b] = twoKeys.map(rowOf);
    assert.ok(a !== undefined && b !== undefined);
    assert.notEqual(a, b, "phone 2's two pictures are still two messages");
  } finally {
    db.close();
  }
  // Imported from scratch by today's code: two messages; the repair may leave a double, never fewer.
  const expected = join(root, 'new.sqlite');
  await importAll(expected, [one, two, bare]);
  assert.equal(mediaRows(expected).length, 2);
  assert.ok(mediaRows(file).length >= 2, 'no picture lost');
});
