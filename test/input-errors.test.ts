import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { readEvents } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { detectAdapter, adapterByName } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { folderEntries, writeZip } from './helpers/archives.js';
import { fileURLToPath } from 'node:url';

const SLACK = fileURLToPath(new URL('../../test/fixtures/slack/workspace', import.meta.url));

/** Inputs that cannot be read say why: which zip entry, which encoding. */

const readAll = (format: string, path: string): Promise<SourceEvent[]> => readEvents(adapterByName(format)!, path);

async function detectError(path: string): Promise<string> {
  try {
    await detectAdapter(path);
  } catch (err) {
    assert.ok(err instanceof SourceError, String(err));
    return err.message;
  }
  assert.fail(`${path} was detected`);
}

const WA = '[01.02.20, 10:00:00] Alice: hello\n[01.02.20, 10:01:00] Bob: hi\n';

test('a zip with an entry escaping the archive is not recognized, and the error says which entry and why', async () => {
  const dir = tempDir();
  for (const bad of ['../x.txt', 'a/../../x.txt', '/etc/x.txt']) {
    const zip = join(dir, `bad-${bad.length}.zip`);
    writeZip(zip, [
      { name: '_chat.txt', data: WA },
      { name: bad, data: 'boo' },
    ]);
    const message = await detectError(zip);
    assert.ok(message.startsWith(zip), message);
    assert.match(message, /not a recognized chat export/);
    assert.ok(message.includes(`zip entry ${JSON.stringify(bad)} escapes the archive`), message);
    // With the format named, the same reason.
    await assert.rejects(readAll('whatsapp', zip), (err: Error) => err.message.includes(`zip entry ${JSON.stringify(bad)} escapes the archive`));
  }
});

test('duplicate zip entries: a warning names the entry and says the last copy is read (Slack, WhatsApp)', async () => {
  const dir = tempDir();
  const wa = join(dir, 'WhatsApp Chat - Dup.zip');
  writeZip(wa, [
    { name: '_chat.txt', data: '[01.02.20, 10:00:00] Alice: first copy\n' },
    { name: '_chat.txt', data: WA },
  ]);
  const events = await readAll('whatsapp', wa);
  assert.deepEqual(
    events.flatMap((e) => (e.type === 'message' ? [e.message.body] : [])),
    ['hello', 'hi'],
  );
  const warnings = events.flatMap((e) => (e.type === 'warning' ? [`${e.warning.position}: ${e.warning.message}`] : []));
  assert.ok(warnings.some((w) => /^_chat\.txt: the archive holds 2 entries named "_chat\.txt": the last one is read/.test(w)), warnings.join('\n'));

  const entries = folderEntries(SLACK);
  const dup = join(dir, 'slack-dup.zip');
  writeZip(dup, [{ name: 'users.json', data: '[]' }, ...entries]);
  const slackEvents = await readAll('slack', dup);
  assert.ok(slackEvents.some((e) => e.type === 'message' && e.message.authorName === 'alice'), 'the last copy of users.json (the real one) was read');
  const slackWarnings = slackEvents.flatMap((e) => (e.type === 'warning' ? [`${e.warning.position}: ${e.warning.message}`] : []));
  assert.ok(slackWarnings.some((w) => w.includes('the archive holds 2 entries named "users.json": the last one is read')), slackWarnings.join('\n'));
});

function utf16(text: string, order: 'le' | 'be', bom: boolean): Buffer {
  const le = Buffer.from((bom ? '\uFEFF' : '') + text, 'utf16le');
  if (order === 'le') return le;
  const be = Buffer.alloc(le.length);
  for (let i = 0; i + 1 < le.length; i += 2) {
    be[i] = le[i + 1];
    be[i + 1] = le[i];
  }
  return be;
}

test('UTF-16 files (LE or BE, with or without a BOM) are named as UTF-16 with advice to save as UTF-8, never as garbage', async () => {
  const dir = tempDir();
  const texts: [string, string, string][] = [
    ['whatsapp', 'WhatsApp Chat with Bob.txt', WA],
    ['irc', '#chan.log', '--- Log opened Thu Jun 02 10:00:00 2016\n10:00 <alice> hi\n'],
    ['telegram', 'result.json', '{"name": "x", "type": "personal_chat", "id": 1, "messages": []}'],
    ['discord', 'export.json', '{"guild": {}, "channel": {}, "messages": []}'],
  ];
  let cases = 0;
  for (const [format, name, text] of texts) {
    for (const order of ['le', 'be'] as const) {
      for (const bom of [true, false]) {
        const sub = join(dir, `${format}-${order}-${bom}`);
        mkdirSync(sub);
        const file = join(sub, name);
        writeFileSync(file, utf16(text, order, bom));
        const message = await detectError(file);
        const label = `${format} ${order} bom=${bom}: ${message}`;
        assert.ok(message.startsWith(file), label);
        assert.match(message, new RegExp(`UTF-16 \\(${order === 'le' ? 'little' : 'big'}-endian\\).*save it as UTF-8`), label);
        if (format !== 'irc') {
          // With the format named, the reader says it too.
          await assert.rejects(readAll(format, file), (err: Error) => /UTF-16/.test(err.message) && err.message.includes(file), label);
        }
        cases++;
      }
    }
  }
  assert.equal(cases, 16);
});
