import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { tinyPng } from './helpers/png.js';
import { tempDir } from './helpers/temp.js';

/**
 * Notices (IRC's `-nick- text`, Matrix's m.notice: what bots and services send) are set apart
 * from what people said, as the apps draw them: the message carries `cc-notice`.
 */
test('notices are drawn apart from messages (IRC -nick- lines)', async () => {
  const db = `${tempDir('cc-notices-')}/archive.sqlite`;
  const store = openStore(db);
  try {
    await importPaths(store, ['test/fixtures/irc/irssi/libera/#chat.log'], { source: { irc: { timeZone: 'UTC' } } });
  } finally {
    store.close();
  }
  const { out } = await buildInto(db);
  const html = archivePages(listFiles(out)).map((p) => read(out, p)).join('\n');
  const classesOf = (text: string): string => {
    const at = html.indexOf(text);
    assert.ok(at > 0, `"${text}" is on a page`);
    const open = html.lastIndexOf('<div class="cc-msg', at);
    return html.slice(open, html.indexOf('"', open + 12));
  };
  assert.match(classesOf('a channel notice'), /\bcc-notice\b/);
  assert.match(classesOf('This nickname is registered'), /\bcc-notice\b/);
  // What people said stays a plain message.
  const said = /<div class="cc-msg[^"]*"[^>]*>/g;
  const plain = [...html.matchAll(said)].filter((m) => !m[0].includes('cc-notice') && !m[0].includes('cc-system'));
  assert.ok(plain.length > 0);
});

/**
 * Reactions sit under everything a message shows, its pictures and files included (Discord,
 * Slack, Telegram… all draw them last); the converter puts them at the end of the body, and the
 * attachments come after the body.
 */
test('reactions come after a message’s attachments', async () => {
  const dir = tempDir('cc-reaction-order-');
  const exported = JSON.parse(readFileSync('test/fixtures/reactions/discord/lounge.json', 'utf8'));
  exported.messages[0].attachments = [{ id: '1', url: 'lounge_files/lunch.png', fileName: 'lunch.png', fileSizeBytes: 0 }];
  mkdirSync(join(dir, 'lounge_files'));
  writeFileSync(join(dir, 'lounge_files', 'lunch.png'), tinyPng(4, 4));
  writeFileSync(join(dir, 'lounge.json'), JSON.stringify(exported));
  const db = join(dir, 'archive.sqlite');
  const store = openStore(db);
  try {
    await importPaths(store, [join(dir, 'lounge.json')]);
  } finally {
    store.close();
  }
  const { out } = await buildInto(db);
  const html = archivePages(listFiles(out)).map((p) => read(out, p)).join('\n');
  const text = html.indexOf('Lunch at noon?');
  assert.ok(text > 0);
  const image = html.indexOf('class="cc-image"', text);
  const chips = html.indexOf('class="cc-reactions"', text);
  assert.ok(image > 0 && chips > 0, 'the message shows its picture and its reactions');
  assert.ok(chips > image, 'the reactions come after the picture');
});
