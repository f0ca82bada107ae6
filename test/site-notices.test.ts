import assert from 'node:assert/strict';
import { test } from 'node:test';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
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
