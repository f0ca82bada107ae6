import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCorpus, parseSize, plainRecords, writeSkypeExport, type CorpusOptions } from '../bench/corpus.js';
import { eleventyError } from '../bench/reference/plain-eleventy.js';
import { tempDir } from './helpers/temp.js';

interface SkypeMessage {
  id: string;
  originalarrivaltime: string;
  from: string;
  content: string;
  messagetype: string;
  properties: { edittime: string } | null;
}
interface SkypeExport {
  userId: string;
  exportDate: string;
  conversations: { id: string; threadProperties: { members: unknown } | null; MessageList: SkypeMessage[] }[];
}

const SMALL: CorpusOptions = { messages: 200, chats: 5, authors: 30, seed: 7 };

test('a small Skype export has the real structure and exactly the requested messages', async () => {
  const file = join(tempDir('bench-corpus-test-'), 'messages.json');
  const written = await writeSkypeExport(file, SMALL);
  const text = readFileSync(file, 'utf8');
  assert.equal(written.bytes, Buffer.byteLength(text));
  assert.ok(!text.includes('\n'), 'single line like real exports');
  const data = JSON.parse(text) as SkypeExport;
  assert.equal(data.userId, '8:live:benchuser');
  assert.equal(data.conversations.length, 5);
  const messages = data.conversations.flatMap((c) => c.MessageList);
  assert.equal(messages.length, 200);
  assert.equal(written.messages, 200);
  for (const conversation of data.conversations) {
    const times = conversation.MessageList.map((m) => Date.parse(m.originalarrivaltime));
    assert.deepEqual(times, [...times].sort((a, b) => b - a), `newest first in ${conversation.id}`);
    if (conversation.threadProperties) {
      const members = conversation.threadProperties.members;
      assert.equal(typeof members, 'string', 'members is a JSON-encoded string');
      assert.ok(Array.isArray(JSON.parse(members as string)));
    }
  }
  assert.match(text, /"version":\d+\.0,/, 'versions look like floats');
});

test('identical bot lines (same author, second and body) are distinct messages', async () => {
  const file = join(tempDir('bench-corpus-test-'), 'messages.json');
  await writeSkypeExport(file, SMALL);
  const data = JSON.parse(readFileSync(file, 'utf8')) as SkypeExport;
  let identicalPairs = 0;
  for (const { MessageList: list } of data.conversations) {
    for (let i = 1; i < list.length; i++) {
      const [a, b] = [list[i - 1]!, list[i]!];
      if (a.from === b.from && a.content === b.content && a.originalarrivaltime.slice(0, 19) === b.originalarrivaltime.slice(0, 19)) {
        identicalPairs++;
        assert.notEqual(a.id, b.id);
      }
    }
  }
  assert.ok(identicalPairs >= 2, `expected a bot burst, found ${identicalPairs} identical pairs`);
});

test('the same seed gives a byte-identical file, another seed a different one', async () => {
  const dir = tempDir('bench-corpus-test-');
  await writeSkypeExport(join(dir, 'a.json'), SMALL);
  await writeSkypeExport(join(dir, 'b.json'), SMALL);
  await writeSkypeExport(join(dir, 'c.json'), { ...SMALL, seed: 8 });
  const a = readFileSync(join(dir, 'a.json'));
  assert.ok(a.equals(readFileSync(join(dir, 'b.json'))));
  assert.ok(!a.equals(readFileSync(join(dir, 'c.json'))));
});

test('plain records are the same messages as the export', () => {
  const records = [...plainRecords(createCorpus(SMALL))];
  assert.equal(records.length, 200);
  for (const record of records) {
    assert.equal(typeof record.chat, 'string');
    assert.equal(typeof record.chatTitle, 'string');
    assert.equal(typeof record.author, 'string');
    assert.ok(Number.isInteger(record.time));
    assert.equal(typeof record.text, 'string');
  }
});

test('parseSize reads the benchmark sizes', () => {
  assert.equal(parseSize('10k'), 10_000);
  assert.equal(parseSize('100k'), 100_000);
  assert.equal(parseSize('1M'), 1_000_000);
  assert.equal(parseSize('5M'), 5_000_000);
  assert.equal(parseSize('200'), 200);
  assert.throws(() => parseSize('ten'), RangeError);
});

test("a failed reference build reports Eleventy's own error, not its stack trace's tail", () => {
  const stderr = [
    '[11ty] Problem writing Eleventy templates:',
    '[11ty] Cannot create a string longer than 0x1fffffe8 characters',
    '[11ty] ',
    '[11ty] Original error stack trace: Error: Cannot create a string longer than 0x1fffffe8 characters',
    '[11ty]     at Object.slice (node:buffer:654:37)',
    '[11ty]     at TemplateData.getJson (file:///x/node_modules/@11ty/eleventy/src/Data/TemplateData.js:466:15)',
    '',
  ].join('\n');
  assert.equal(eleventyError(stderr), 'Cannot create a string longer than 0x1fffffe8 characters');
  assert.equal(eleventyError('[11ty] Eleventy Fatal Error (CLI):\n[11ty] out of memory\n'), 'out of memory');
  assert.equal(eleventyError('Killed\n'), 'Killed');
});
