import { canonicalSkypeChatId } from '../collector/identity/skype-ids.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import tarStream from 'tar-stream';
import { skypeExport, skypeExportTuning, normalizeId, orderOfTimes, parseTime } from '../collector/sources/skype-export/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { listTar } from '../collector/sources/kit/archive/tar.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { adapterReader, byChat as groupByChat, ofType, rejectsDamagedJson } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { needsFile } from './helpers/requires.js';

const TINY = resolve(process.cwd(), 'test/fixtures/skype/tiny');
const DEMO = resolve(process.cwd(), 'demo/skype-export');
const FEDORZIMA = resolve(process.cwd(), '../shared/fixtures/skype/export-json-fedorzima/messages.json');

const { readAll, rejects } = adapterReader(skypeExport);
const byChat = (events: SourceEvent[]) => groupByChat(events, { once: true });

/** Packs files into a tar with tar-stream (independent of our reader). */
async function makeTar(file: string, entries: { name: string; data: Buffer }[]): Promise<void> {
  const pack = tarStream.pack();
  const done = pipeline(pack, createWriteStream(file));
  for (const entry of entries) {
    await new Promise<void>((ok, fail) => pack.entry({ name: entry.name, size: entry.data.length }, entry.data, (err) => (err ? fail(err) : ok())));
  }
  pack.finalize();
  await done;
}

function folderEntries(folder: string, prefix = ''): { name: string; data: Buffer }[] {
  const media = readdirSync(join(folder, 'media')).sort();
  return [
    { name: `${prefix}messages.json`, data: readFileSync(join(folder, 'messages.json')) },
    ...media.map((name) => ({ name: `${prefix}media/${name}`, data: readFileSync(join(folder, 'media', name)) })),
  ];
}

// ------------------------------------------------------------------------------------------------

test('parseTime reads 0–3+ fraction digits and agrees with Date.parse', () => {
  for (const s of ['2021-09-01T18:29:33.92Z', '2021-09-01T18:29:33Z', '2021-09-01T18:29:33.1Z', '2021-09-01T18:29:33.104Z', '2021-09-01T18:29:33.1049Z', '2000-02-29T23:59:59.999Z']) {
    assert.equal(parseTime(s), Date.parse(s), s);
  }
  assert.equal(parseTime('2021-09-01T20:29:33.92+02:00'), Date.parse('2021-09-01T18:29:33.92Z'));
  for (const s of ['', 'not a time', '2021-13-01T00:00:00Z', '2021-09-01T18:29:33.Z', '1630520973']) assert.ok(Number.isNaN(parseTime(s)), s);
});

test('person ids always carry their prefix', () => {
  assert.equal(normalizeId('usernameA'), '8:usernameA');
  assert.equal(normalizeId('8:usernameA'), '8:usernameA');
  assert.equal(normalizeId('live:.cid.123'), '8:live:.cid.123');
  assert.equal(normalizeId('28:0d5d6cff-595d-49d7'), '28:0d5d6cff-595d-49d7');
  assert.equal(normalizeId('https://client-s.gateway.messenger.live.com/v1/users/ME/contacts/8:bob'), '8:bob');
  assert.equal(normalizeId(' bob '), '8:bob');
  assert.equal(normalizeId(''), null);
  assert.equal(normalizeId(null), null);
});

test('emission order: newest-first files reversed, oldest-first kept, anything else sorted', () => {
  assert.deepEqual(orderOfTimes([5, 4, 4, 1]), [3, 2, 1, 0], 'ties keep the order they were written in');
  assert.deepEqual(orderOfTimes([1, 2, 2, 5]), [0, 1, 2, 3]);
  assert.deepEqual(orderOfTimes([3, 1, 2, 2]), [1, 3, 2, 0], 'sorted by time, ties newest-first as written');
  assert.deepEqual(orderOfTimes([5, NaN, 1]), [1, 2, 0], 'time-less messages first (they are only reported)');
});

test('detect: the tar, the folder, messages.json; not other files', async () => {
  const dir = tempDir();
  assert.equal(await skypeExport.detect(TINY), true);
  assert.equal(await skypeExport.detect(join(TINY, 'messages.json')), true);
  assert.equal(await skypeExport.detect(DEMO), true);
  const tar = join(dir, 'export.tar');
  await makeTar(tar, folderEntries(TINY));
  assert.equal(await skypeExport.detect(tar), true);
  const otherTar = join(dir, 'other.tar');
  await makeTar(otherTar, [{ name: 'readme.txt', data: Buffer.from('hi') }]);
  assert.equal(await skypeExport.detect(otherTar), false);
  writeFileSync(join(dir, 'other.json'), JSON.stringify({ name: 'Telegram', messages: [] }));
  assert.equal(await skypeExport.detect(join(dir, 'other.json')), false);
  writeFileSync(join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  assert.equal(await skypeExport.detect(join(dir, 'image.png')), false);
  assert.equal(await skypeExport.detect(dir), false, 'a folder without messages.json');
  assert.equal(await skypeExport.detect(join(dir, 'missing.json')), false);
});

test('the tiny fixture: chats, order, normalization, edits, deletions, quotes, files, warnings', async () => {
  const events = await readAll(TINY);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], ['19:tiny@thread.skype', '8:alice|8:carol', '48:calllogs'], 'empty and broken conversations are not chats; a dialog is named by both people');

  const group = chats.get('19:tiny@thread.skype')!;
  assert.deepEqual(group.chat, {
    nativeId: '19:tiny@thread.skype',
    title: 'Tiny group',
    kind: 'group',
    members: [{ nativeId: '8:alice' }, { nativeId: '8:bob' }],
    owner: '8:alice', // the export's userId: whose archive this is
  });
  assert.deepEqual(
    group.messages.map((m) => m.nativeId),
    ['1001', '1002', '1003', '1004', '1005'],
    'oldest first; the messages without time or sender are skipped',
  );
  const [hello, file, mystery, deleted, reply] = group.messages;
  assert.deepEqual(hello, {
    nativeId: '1001',
    authorId: '8:alice',
    authorName: null,
    time: Date.parse('2021-09-02T10:00:01.100Z'),
    kind: 'text',
    body: 'hello, "world" \\o/ — ünïcödé ✓',
    markup: 'skype',
    editedAt: null,
    deleted: false,
    replyToKey: null,
    attachments: undefined,
  });
  assert.equal(file.kind, 'file');
  assert.equal(file.editedAt, 1630576810000);
  assert.equal(file.authorId, '8:alice', '"alice" and "8:alice" are one person');
  const notes = readFileSync(join(TINY, 'media/0-tiny-file.1.txt'));
  assert.deepEqual(file.attachments, [
    {
      name: 'notes & plans.txt',
      size: 22,
      type: 'text/plain',
      url: 'https://api.asm.skype.com/v1/objects/0-tiny-file',
      hash: createHash('sha256').update(notes).digest('hex'),
    },
  ]);
  assert.equal(mystery.kind, 'event', 'an unknown type is imported, as an event');
  assert.equal(mystery.authorId, '8:bob');
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.body, '');
  assert.equal(reply.authorName, 'Bob');
  assert.equal(
    reply.replyToKey,
    messageKey({ chat: '19:tiny@thread.skype', author: '8:alice', time: hello.time, identity: '1001' }, 0),
    'a quote points at the key the quoted message gets (its exact time, found by id)',
  );

  const carol = chats.get('8:alice|8:carol')!;
  assert.deepEqual(carol.chat, {
    nativeId: '8:alice|8:carol',
    title: null,
    kind: 'direct',
    members: [{ nativeId: '8:carol', displayName: 'Carol' }, { nativeId: '8:alice' }],
    owner: '8:alice',
  }, 'fields after MessageList are read too');
  assert.deepEqual(carol.messages.map((m) => m.nativeId), ['2001', '2002'], 'an oldest-first list is kept as it is');
  assert.equal(
    carol.messages[1].replyToKey,
    messageKey({ chat: '19:elsewhere@thread.skype', author: '8:dave', time: 1627000000 * 1000, identity: '999' }, 0),
    'a quote from elsewhere falls back to the quote’s own second',
  );
  assert.equal(carol.messages[0].time, Date.parse('2021-08-01T08:00:00.700Z'));
  assert.equal(carol.messages[1].time, Date.parse('2021-08-01T08:01:00.070Z'));

  const calls = chats.get('48:calllogs')!;
  assert.equal(calls.chat.kind, 'channel');
  assert.deepEqual(calls.messages.map((m) => m.nativeId), ['3001', '3002', '3003'], 'an unordered list is sorted');
  assert.ok(calls.messages.every((m) => m.kind === 'call'));

  const warnings = ofType(events, 'warning').map((e) => e.warning);
  const find = (re: RegExp) => warnings.filter((w) => re.test(w.message));
  assert.equal(find(/no sender/).length, 1);
  assert.match(find(/no sender/)[0].position, /^conversation 19:tiny@thread\.skype, message 3 \(messages\.json byte \d+\)$/);
  assert.equal(find(/no valid time/).length, 1);
  assert.match(find(/no valid time/)[0].position, /message 5/);
  assert.equal(find(/members/).length, 1, 'garbage in threadProperties.members');
  assert.equal(find(/not an object/).length, 1, 'the null conversation');
  const unknown = find(/unknown type/);
  assert.equal(unknown.length, 1);
  assert.match(unknown[0].message, /^1 message of unknown type "Custom\/Thing" imported as event$/);

  // The file was emitted before the message that needs it; the orphan at the end.
  const media = ofType(events, 'media');
  assert.deepEqual(media.map((m) => m.media.name), ['notes & plans.txt', '0-tiny-orphan.1.png']);
  assert.ok(events.indexOf(media[0]) < events.findIndex((e) => e.type === 'message' && e.message.nativeId === '1002'));
  assert.equal(media[0].hash, file.attachments![0].hash);
  assert.equal(media[0].media.type, 'text/plain');
  assert.ok(events.indexOf(media[1]) > events.findLastIndex((e) => e.type === 'message'));

  const progress = ofType(events, 'progress');
  const size = readFileSync(join(TINY, 'messages.json')).length;
  assert.deepEqual(progress.at(-1), { type: 'progress', done: size, total: size });
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done >= progress[i - 1].done, 'progress never goes back');
});

test('the same export as a .tar (either member order, a top folder, ./ names) reads the same', async () => {
  const dir = tempDir();
  const reference = (await readAll(TINY)).filter((e) => e.type !== 'progress');
  const entries = folderEntries(TINY);
  const variants: Record<string, { name: string; data: Buffer }[]> = {
    'json-first.tar': entries,
    'media-first.tar': [...entries.slice(1), entries[0]],
    'folder.tar': folderEntries(TINY, 'skype-export-2021/'),
    'dot.tar': folderEntries(TINY, './'),
  };
  for (const [name, list] of Object.entries(variants)) {
    const tar = join(dir, name);
    await makeTar(tar, list);
    const events = (await readAll(tar)).filter((e) => e.type !== 'progress');
    // Warnings name the position: in a tar, inside which member.
    const strip = (list: SourceEvent[]) =>
      list.map((e) => (e.type === 'warning' ? { ...e, warning: { ...e.warning, position: e.warning.position.replace(/\((?:[^ ]*messages\.json )?byte/, '(byte') } } : e));
    assert.deepEqual(strip(events), strip(reference), name);
  }
});

test('tar reader: long names (pax), sizes, offsets', async () => {
  const dir = tempDir();
  const long = `media/${'x'.repeat(150)}.1.jpg`;
  const tar = join(dir, 'long.tar');
  const data = Buffer.alloc(1000, 7);
  await makeTar(tar, [{ name: 'a.txt', data: Buffer.from('abc') }, { name: long, data }]);
  const entries = await listTar(tar);
  assert.deepEqual(entries.map((e) => [e.name, e.size]), [['a.txt', 3], [long, 1000]]);
  assert.deepEqual(readFileSync(tar).subarray(entries[1].offset, entries[1].offset + 1000), data);
});

test('tiny read sizes (chunk and block boundaries everywhere) change nothing', async () => {
  // Warnings come out when they are found, which depends on the chunking: compared as a set.
  const strip = (events: SourceEvent[]) => ({
    events: events.filter((e) => e.type !== 'progress' && e.type !== 'warning'),
    warnings: ofType(events, 'warning').map((e) => JSON.stringify(e.warning)).sort(),
  });
  const expected = { tiny: strip(await readAll(TINY)), demo: strip(await readAll(DEMO)) };
  const saved = { ...skypeExportTuning };
  try {
    for (const [chunkBytes, blockBytes, blockMessages] of [[7, 64, 256], [1, 1, 256], [4096, 300, 256], [4096, 300, 1], [64, 4096, 3]]) {
      Object.assign(skypeExportTuning, { chunkBytes, blockBytes, blockMessages });
      const what = `chunk ${chunkBytes}, block ${blockBytes}, ${blockMessages} messages a block`;
      assert.deepEqual(strip(await readAll(TINY)), expected.tiny, what);
      if (chunkBytes > 1) assert.deepEqual(strip(await readAll(DEMO)), expected.demo, `demo: ${what}`);
    }
  } finally {
    Object.assign(skypeExportTuning, saved);
  }
});

test('messages.json given alone still finds media/ beside it', async () => {
  const events = await readAll(join(TINY, 'messages.json'));
  assert.equal(ofType(events, 'media').length, 2);
});

test('amsreferences without a URIObject, and several files for one id: named from metadata, the largest linked', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'media'));
  const small = Buffer.alloc(10, 1);
  const large = Buffer.alloc(30, 2);
  writeFileSync(join(dir, 'media/0-x.1.jpg'), small);
  writeFileSync(join(dir, 'media/0-x.2.jpg'), large);
  writeFileSync(join(dir, 'media/0-x.json'), JSON.stringify({ filename: '../holiday.jpg' }));
  writeFileSync(
    join(dir, 'messages.json'),
    JSON.stringify({
      userId: 'me',
      conversations: [
        {
          id: '8:you',
          MessageList: [
            { id: '1', originalarrivaltime: '2022-01-01T00:00:00Z', messagetype: 'RichText/Media_Album', content: 'album', from: 'you', amsreferences: ['0-x', '0-missing'] },
          ],
        },
      ],
    }),
  );
  const events = await readAll(dir);
  const media = ofType(events, 'media');
  assert.deepEqual(media.map((m) => [m.media.name, m.media.bytes.length]), [['0-x.1.jpg', 10], ['holiday.jpg', 30]]);
  const [message] = ofType(events, 'message');
  assert.deepEqual(message.message.attachments, [
    { name: 'holiday.jpg', hash: createHash('sha256').update(large).digest('hex'), size: 30, type: 'image/jpeg' },
  ]);
  assert.ok(events.indexOf(media[1]) < events.indexOf(message));
});

test('--chat: unwanted chats are skipped with their media', async () => {
  const events = await readAll(TINY, { wantChat: (id) => id === '8:carol' });
  assert.deepEqual(ofType(events, 'chat').map((e) => e.chat.nativeId), ['8:alice|8:carol'], '--chat takes the id the export uses');
  assert.equal(ofType(events, 'message').length, 2);
  assert.equal(ofType(events, 'media').length, 0, 'media of skipped chats (and orphans) are left out');
});

test('bad input is a SourceError naming the file and position', async () => {
  const dir = tempDir();
  const png = join(dir, 'photo.png');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]));
  await rejects(png, (err) => {
    assert.equal(err.file, png);
    assert.match(err.message, /not a Skype export/);
  });

  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ name: 'Some chat', messages: [{ text: 'hi' }] }));
  await rejects(other, (err) => assert.match(err.message, /no "conversations" list/));
  const list = join(dir, 'list.json');
  writeFileSync(list, '[1,2,3]');
  await rejects(list, (err) => assert.match(err.message, /JSON list/));
  const wrongShape = join(dir, 'wrong.json');
  writeFileSync(wrongShape, '{"conversations": {"id": 1}}');
  await rejects(wrongShape, (err) => assert.match(err.message, /"conversations" is not a list/));

  // Truncated anywhere: the error names the end of the file; invalid UTF-8 in the middle of a message: the exact byte.
  const whole = readFileSync(join(TINY, 'messages.json'));
  await rejectsDamagedJson(rejects, whole, dir, [10, 400, Math.floor(whole.length / 2), whole.length - 3], whole.indexOf('ünïcödé'));

  // Broken JSON inside a message (found when the message is read).
  const garbled = join(dir, 'garbled.json');
  writeFileSync(garbled, whole.toString('utf8').replace('"id": "1003", "displayName": "Bob"', '"id": "1003", "displayName": Bob'));
  await rejects(garbled, (err) => assert.match(err.message, /invalid JSON/));

  // In a tar, the position names the member.
  const tar = join(dir, 'truncated.tar');
  await makeTar(tar, [{ name: 'messages.json', data: whole.subarray(0, 500) }]);
  await rejects(tar, (err) => {
    assert.equal(err.file, tar);
    assert.equal(err.position, 'messages.json byte 500');
  });
  const cut = join(dir, 'cut.tar');
  const tarBytes = readFileSync(tar);
  writeFileSync(cut, tarBytes.subarray(0, 700));
  await rejects(cut, (err) => assert.match(err.message, /truncated/));
  const noJson = join(dir, 'nojson.tar');
  await makeTar(noJson, [{ name: 'media/x.1.jpg', data: Buffer.from('x') }]);
  await rejects(noJson, (err) => assert.match(err.message, /no messages\.json/));
});

test('a 10 MB message is imported whole', async () => {
  const dir = tempDir();
  const big = 'All work and no play makes Jack a dull boy. 日本語 '.repeat(200_000);
  const doc = {
    userId: '8:me',
    conversations: [
      {
        id: '8:you',
        displayName: null,
        MessageList: [
          { id: '2', originalarrivaltime: '2021-01-01T00:00:02Z', messagetype: 'RichText', content: 'after', from: '8:me' },
          { id: '1', originalarrivaltime: '2021-01-01T00:00:01Z', messagetype: 'RichText', content: big, from: 'you' },
        ],
      },
    ],
  };
  const file = join(dir, 'messages.json');
  writeFileSync(file, JSON.stringify(doc));
  assert.ok(readFileSync(file).length > 10_000_000);
  const messages = ofType(await readAll(file), 'message').map((e) => e.message);
  assert.equal(messages.length, 2);
  assert.equal(messages[0].body, big);
  assert.equal(messages[1].body, 'after');
});

test('a consumer that stops early closes the export', async () => {
  for await (const event of skypeExport.read(DEMO, {})) {
    if (event.type === 'message') break;
  }
  // Reading it again works (nothing left locked or half-read).
  assert.ok(ofType(await readAll(DEMO), 'message').length > 0);
});

test('the demo export: every message, every chat, all three media files, no warnings', async () => {
  const source = JSON.parse(readFileSync(join(DEMO, 'messages.json'), 'utf8')) as { userId: string; conversations: { id: string; MessageList: { messagetype: string }[] }[] };
  const events = await readAll(DEMO);
  assert.deepEqual(ofType(events, 'warning'), []);
  const chats = byChat(events);
  const idOf = (c: { id: string }) => canonicalSkypeChatId(c.id, source.userId);
  assert.deepEqual([...chats.keys()], source.conversations.map(idOf));
  for (const c of source.conversations) assert.equal(chats.get(idOf(c))!.messages.length, c.MessageList.length, c.id);
  const media = ofType(events, 'media');
  assert.equal(media.length, 3);
  const messages = ofType(events, 'message').map((e) => e.message);
  const kinds = new Set(messages.map((m) => m.kind));
  for (const kind of ['text', 'event', 'call', 'media', 'file', 'poll', 'notice']) assert.ok(kinds.has(kind as MessageRecord['kind']), kind);
  assert.ok(messages.some((m) => m.deleted));
  assert.ok(messages.some((m) => m.editedAt));
  assert.ok(messages.some((m) => m.replyToKey));
  const hashes = new Set(media.map((m) => m.hash));
  assert.equal(messages.filter((m) => m.attachments?.some((a) => a.hash && hashes.has(a.hash))).length, 3);
  // The two identical bot lines in the same second.
  const bot = messages.filter((m) => m.authorId.startsWith('28:0d5d') && m.body.includes('waiting for approval'));
  assert.equal(bot.length, 2);
  assert.equal(bot[0].time, bot[1].time);
});

test('the fedorzima export: counts match the source', { skip: needsFile(FEDORZIMA) }, async () => {
  const source = JSON.parse(readFileSync(FEDORZIMA, 'utf8')) as { userId: string; conversations: { id: string; MessageList: unknown[] }[] };
  const events = await readAll(FEDORZIMA);
  const chats = byChat(events);
  assert.equal(chats.size, source.conversations.length);
  for (const c of source.conversations) {
    assert.equal(chats.get(canonicalSkypeChatId(c.id, source.userId))!.messages.length, c.MessageList.length);
  }
  assert.deepEqual(ofType(events, 'warning'), []);
  const authors = new Set(ofType(events, 'message').map((e) => e.message.authorId));
  assert.deepEqual([...authors].sort(), ['8:usernameA', '8:usernameB', '8:usernameC']);
});

test('through the importer: the demo lands whole, quotes resolve, re-import adds nothing', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [DEMO]);
    const source = JSON.parse(readFileSync(join(DEMO, 'messages.json'), 'utf8')) as { conversations: { MessageList: unknown[] }[] };
    const total = source.conversations.reduce((n, c) => n + c.MessageList.length, 0);
    assert.equal(first.newMessages, total);
    assert.equal(first.chats, 4);
    assert.equal(first.media, 3);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), total);
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 3);
    const replies = scalar(db, 'SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL') as number;
    assert.ok(replies >= 3);
    assert.equal(
      scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'),
      0,
      'every quote in the demo points at a stored message',
    );
    assert.equal(scalar(db, `SELECT count(*) FROM people WHERE native_id LIKE '%live:.cid.7f3a2b9c41d05e68'`), 1, 'bare and 8: ids are one person');

    const again = await importPaths(db, [DEMO]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, total);

    // The same export as a tar: the same messages, nothing new.
    const tar = join(dir, 'demo.tar');
    await makeTar(tar, folderEntries(DEMO));
    const fromTar = await importPaths(db, [tar]);
    assert.equal(fromTar.newMessages, 0);
    assert.equal(fromTar.unchangedMessages, total);
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 3);
  } finally {
    db.close();
  }
});

test('a big generated export streams with flat memory and keeps every message', async () => {
  // Small enough for CI (~20 MB); bench/ measures the real thing.
  const dir = tempDir();
  const file = join(dir, 'messages.json');
  const chats = 5;
  const perChat = 12_000;
  const parts: string[] = ['{"userId":"8:me","exportDate":"2024-01-01T00:00","conversations":['];
  for (let c = 0; c < chats; c++) {
    const list: string[] = [];
    for (let i = perChat - 1; i >= 0; i--) {
      const t = new Date(Date.UTC(2020, 0, 1) + c * 1e9 + i * 61_000 + (i % 1000)).toISOString();
      list.push(JSON.stringify({ id: `${c}-${i}`, displayName: null, originalarrivaltime: t, messagetype: 'RichText', content: `message ${i} in chat ${c}: ${'lorem ipsum '.repeat(i % 30)}`, from: i % 2 ? 'me' : `8:friend${c}` }));
    }
    parts.push(`${c ? ',' : ''}{"id":"19:chat${c}@thread.skype","displayName":"Chat ${c}","MessageList":[${list.join(',')}]}`);
  }
  parts.push(']}');
  writeFileSync(file, parts.join(''));
  let count = 0;
  let last = -Infinity;
  let chat = '';
  for await (const e of skypeExport.read(file, {})) {
    if (e.type === 'chat') {
      chat = e.chat.nativeId;
      last = -Infinity;
    } else if (e.type === 'message') {
      assert.ok(e.message.time >= last, `${chat}: oldest first`);
      last = e.message.time;
      count++;
    }
  }
  assert.equal(count, chats * perChat);
});

// Keep the committed demo in step with its generator.
test('demo/make-demo.mjs output is committed as generated', { skip: needsFile(join(process.cwd(), 'demo/make-demo.mjs'), 'the demo generator') }, async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'demo'));
  copyFileSync(join(process.cwd(), 'demo/make-demo.mjs'), join(dir, 'demo/make-demo.mjs'));
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [join(dir, 'demo/make-demo.mjs')]);
  assert.deepEqual(readFileSync(join(dir, 'demo/skype-export/messages.json')), readFileSync(join(DEMO, 'messages.json')));
  for (const name of readdirSync(join(DEMO, 'media'))) {
    assert.deepEqual(readFileSync(join(dir, 'demo/skype-export/media', name)), readFileSync(join(DEMO, 'media', name)), name);
  }
});

test('past 200 warnings, the rest are counted in the one wording every format uses', async () => {
  const file = join(tempDir(), 'messages.json');
  const MessageList = Array.from({ length: 210 }, (_, i) => ({ id: `${i}`, originalarrivaltime: '2020-01-01T00:00:00.000Z', messagetype: 'RichText', content: 'x', from: '' }));
  writeFileSync(file, JSON.stringify({ userId: '8:alice', exportDate: '2020-02-01T00:00', conversations: [{ id: '8:bob', displayName: 'Bob', MessageList }] }));
  const warnings = ofType(await readAll(file), 'warning').map((e) => e.warning);
  assert.equal(warnings.length, 201);
  assert.match(warnings[0].message, /no sender/);
  assert.deepEqual(warnings[200], { position: file, message: '10 more warnings like the ones above were not listed' });
});
