import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { discord, discordTuning, looksLikeExportHead, MessageIndex, parseTimestamp } from '../collector/sources/discord/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { openStore } from '../collector/store/open.js';
import { namedRefs } from '../collector/store/person-refs.js';
import { importPaths } from '../collector/import/index.js';
import { ftsTerms, syncFts } from '../collector/search/fts.js';
import { visibleRefs } from './helpers/person-refs.js';
import { adapterReader, byChat, ofType, rejectsDamagedJson } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { needsFile } from './helpers/requires.js';
import { archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { chip } from './helpers/reaction-chip.js';

const EXPORT = resolve(process.cwd(), 'test/fixtures/discord/export');
const THREAD = join(EXPORT, 'thread.json');
const SKYPE = resolve(process.cwd(), 'test/fixtures/skype/tiny/messages.json');
const SHARED = resolve(process.cwd(), '../shared/fixtures/discord/dcef-example-guild-general.json');
const noShared = needsFile(SHARED);

const THREAD_ID = 'discord:900000000000000100';
const ALICE = 'discord:100000000000000001';
const BOB = 'discord:100000000000000002';

const { readAll, rejects } = adapterReader(discord);

/** The converter's HTML for a record, people as `⟨discord:1|name⟩`. */
function html(m: MessageRecord): string {
  const out = renderBody(m.markup, m.body, { chat: THREAD_ID, kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], out.html);
  return visibleRefs(out.html);
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

// ------------------------------------------------------------------------------------------------

test('timestamps: any offset to UTC ms, 0–7 fraction digits', () => {
  assert.equal(parseTimestamp('2023-01-06T14:03:03.853+00:00'), Date.parse('2023-01-06T14:03:03.853Z'));
  assert.equal(parseTimestamp('2024-03-01T10:00:00.1234567+02:00'), Date.parse('2024-03-01T08:00:00.123Z'));
  assert.equal(parseTimestamp('2024-03-01T03:02:00.25-05:00'), Date.parse('2024-03-01T08:02:00.250Z'));
  assert.equal(parseTimestamp('2024-03-01T05:32:00+05:30'), Date.parse('2024-03-01T00:02:00Z'));
  assert.equal(parseTimestamp('2024-03-01T00:30:00.5+01:00'), Date.parse('2024-02-29T23:30:00.500Z'), 'across a (leap) day');
  assert.equal(parseTimestamp('2024-03-01T08:00:00Z'), Date.parse('2024-03-01T08:00:00Z'));
  assert.equal(parseTimestamp('2024-03-01T08:00:00'), Date.parse('2024-03-01T08:00:00Z'), 'no offset: read as UTC');
  for (const bad of ['', 'yesterday', '2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-01-01T24:00:00Z', '2024-01-01T00:00:00+25:00', '1673013783']) {
    assert.ok(Number.isNaN(parseTimestamp(bad)), bad);
  }
});

test('the reply index: 64-bit snowflakes, misses, duplicates, growth', () => {
  const index = new MessageIndex();
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const id = (1060926197556588725n + BigInt(i) * 4194304n + BigInt(i % 7)).toString();
    ids.push(id);
    index.add(id, 1000 + i, i % 5);
  }
  assert.equal(index.size, 20_000);
  for (const i of [0, 1, 255, 256, 12_345, 19_999]) {
    const k = index.find(ids[i]);
    assert.equal(index.timeOf(k), 1000 + i);
    assert.equal(index.authorOf(k), i % 5);
  }
  assert.equal(index.find('18446744073709551615'), -1);
  index.add('18446744073709551615', 1, 1);
  assert.equal(index.timeOf(index.find('18446744073709551615')), 1, 'the largest 64-bit id');
  index.add(ids[3], 99, 4);
  assert.equal(index.timeOf(index.find(ids[3])), 1003, 'the first message with an id wins');
  for (const odd of ['abc', '0123', '18446744073709551616', '', '-1']) {
    index.add(odd, 5, 0);
    assert.equal(index.find(odd), -1, odd);
  }
});

test('detect: export files and folders of them; not Skype, Telegram or other files', async () => {
  const dir = tempDir();
  assert.equal(await discord.detect(THREAD), true);
  assert.equal(await discord.detect(EXPORT), true);
  assert.equal(await discord.detect(join(EXPORT, 'other.json')), false, 'a Telegram-like chat');
  assert.equal(await discord.detect(SKYPE), false);
  assert.equal(await discord.detect(join(EXPORT, 'thread.json_Files')), false, 'a media folder');
  writeFileSync(join(dir, 'image.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  assert.equal(await discord.detect(join(dir, 'image.png')), false);
  assert.equal(await discord.detect(dir), false, 'a folder without exports');
  assert.equal(await discord.detect(join(dir, 'missing.json')), false);
  assert.equal(looksLikeExportHead(Buffer.from('{"conversations": [], "guild": {}, "channel": {}}')), false, 'no messages list');
  assert.equal(looksLikeExportHead(Buffer.from('\uFEFF{\n  "guild": {"id": "1"},\n  "channel": {"id": "2"},\n  "messages": [')), true, 'a BOM and a cut-off head');
  // Through the registry: --format auto picks this adapter for both, and Skype's for Skype.
  assert.equal((await detectAdapter(THREAD)).format, 'discord');
  assert.equal((await detectAdapter(EXPORT)).format, 'discord');
  assert.notEqual((await detectAdapter(SKYPE)).format, 'discord');
});

test('the shared DiscordChatExporter example: every message, in order, with its parts', { skip: noShared }, async () => {
  const source = JSON.parse(readFileSync(SHARED, 'utf8')) as {
    channel: { id: string };
    messageCount: number;
    messages: { id: string; type: string; timestamp: string; timestampEdited: string | null; content: string; author: { id: string; nickname: string };
      attachments: { fileName: string; fileSizeBytes: number }[]; reference?: { messageId: string | null }; reactions: unknown[]; isPinned: boolean }[];
  };
  const events = await readAll(SHARED);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], [`discord:${source.channel.id}`]);
  const { chat, messages } = chats.get(`discord:${source.channel.id}`)!;
  assert.equal(chat.title, 'Example guild / #general');
  assert.equal(chat.kind, 'channel');
  assert.equal(messages.length, source.messages.length);
  assert.equal(messages.length, source.messageCount);
  assert.deepEqual(messages.map((m) => m.nativeId), source.messages.map((m) => m.id));
  assert.deepEqual(new Set(chat.members!.map((p) => p.nativeId)), new Set(source.messages.map((m) => `discord:${m.author.id}`)));
  const byId = new Map(messages.map((m) => [m.nativeId!, m]));
  for (const s of source.messages) {
    const m = byId.get(s.id)!;
    assert.equal(m.time, Date.parse(s.timestamp), s.id);
    assert.equal(m.authorId, `discord:${s.author.id}`);
    assert.equal(m.authorName, s.author.nickname);
    assert.equal(m.editedAt, s.timestampEdited ? Date.parse(s.timestampEdited) : null);
    assert.equal(m.kind === 'event', s.type !== 'Default', s.id);
    assert.deepEqual((m.attachments ?? []).map((a) => [a.name, a.size, a.hash]), s.attachments.map((a) => [a.fileName, a.fileSizeBytes, undefined]), 'the files are not in the fixture');
    const target = s.reference?.messageId ? source.messages.find((t) => t.id === s.reference!.messageId) : undefined;
    assert.equal(m.replyToKey, target ? messageKey({ chat: chat.nativeId, author: `discord:${target.author.id}`, time: Date.parse(target.timestamp), identity: target.id }) : null);
  }
  assert.equal(messages.filter((m) => m.replyToKey).length, 2);
  assert.equal(messages.filter((m) => m.editedAt).length, 1);
  assert.equal(ofType(events, 'media').length, 0);
  const warnings = ofType(events, 'warning').map((e) => e.warning.message);
  assert.deepEqual(warnings, ['8 attachments not found beside the export; kept as name, size and link']);
  // The constructs as the page shows them.
  const rendered = messages.map(html).join('\n');
  for (const part of [
    '<strong>DiscordChatExporter-frontend</strong>', '<s>HTML</s>', '<span class="cc-underline">offline</span>',
    '<span class="cc-spoiler">EZ</span>', '<code>START_VIEWER</code>', '<pre><code>def main():', '<em>DiscordChatExporter-frontend</em>',
    '<span class="cc-mention">@⟨discord:896568767994532880|Thomas⟩</span>', '<span class="cc-event">⟨discord:896568767994532880|Thomas⟩ joined the server.</span>',
    '<span class="cc-event">⟨discord:521486476985155645|Adam⟩ started a thread: <a href="https://discord.com/channels/748545324524575035/1060927310439657577" rel="nofollow noopener">https://discord.com/channels/748545324524575035/1060927310439657577</a></span>', '<span class="cc-event">⟨discord:521486476985321458|RICK NITRO⟩ joined the server.</span>',
    chip(':kekw: 2', ':kekw: 2 reactions'), chip('👀 1', '👀 1 reaction'), '<span class="cc-sticker">Sticker: pepecute</span>',
    '<blockquote class="cc-embed">',
  ]) {
    assert.ok(rendered.includes(part), part);
  }
});

test('the fixture folder: chats, titles, kinds, members, order', async () => {
  const events = await readAll(EXPORT);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], ['discord:800000000000000001', 'discord:800000000000000002', THREAD_ID], 'files in name order: dm, group, thread');
  const dm = chats.get('discord:800000000000000001')!;
  assert.deepEqual(dm.chat, {
    nativeId: 'discord:800000000000000001',
    title: 'Bob',
    kind: 'direct',
    members: [{ nativeId: ALICE, displayName: 'Alice A.' }, { nativeId: BOB, displayName: 'Bob' }],
  });
  assert.equal(chats.get('discord:800000000000000002')!.chat.kind, 'group');
  assert.equal(chats.get('discord:800000000000000002')!.chat.title, 'Weekend plans');
  // The people a group notice is about are references, by the ids the message mentions.
  assert.deepEqual(chats.get('discord:800000000000000002')!.messages.map(html), [
    `<span class="cc-event">⟨${ALICE}|Alice A.⟩ added ⟨${BOB}|Bob⟩ to the group.</span>`,
    `<span class="cc-call">⟨${BOB}|Bob⟩ started a call.</span>`,
    `<span class="cc-event">⟨${BOB}|Bob⟩ left the group.</span>`,
  ]);
  const thread = chats.get(THREAD_ID)!;
  assert.equal(thread.chat.title, 'Fixture Guild / #general › release plans', 'a thread is named after its channel');
  assert.equal(thread.chat.kind, 'channel');
  assert.equal(thread.chat.members!.length, 4);
  const source = JSON.parse(readFileSync(THREAD, 'utf8')) as { messages: unknown[] };
  assert.equal(thread.messages.length, source.messages.length - 2, 'all but the non-object and the time-less message');
  // The first chat event has no members yet; the second, after the messages, has them all.
  const chatEvents = ofType(events, 'chat').filter((e) => e.chat.nativeId === THREAD_ID);
  assert.equal(chatEvents.length, 2);
  assert.equal(chatEvents[0].chat.members, undefined);
  assert.ok(events.indexOf(chatEvents[0]) < events.findIndex((e) => e.type === 'message' && e.message.nativeId === '910000000000000001'));
  // Progress over the whole folder, never backwards, ending at its size.
  const progress = ofType(events, 'progress');
  const total = ['dm.json', 'group.json', 'thread.json'].reduce((n, f) => n + readFileSync(join(EXPORT, f)).length, 0);
  assert.deepEqual(progress.at(-1), { type: 'progress', done: total, total });
  for (let i = 1; i < progress.length; i++) assert.ok(progress[i].done >= progress[i - 1].done);
});

test('the thread: times with offsets, edits, pins, replies, kinds, system messages', async () => {
  const events = await readAll(THREAD);
  const messages = byChat(events).get(THREAD_ID)!.messages;
  const get = (id: number) => messages.find((m) => m.nativeId === `9100000000000000${String(id).padStart(2, '0')}`)!;
  const [join_, welcome, reply] = [get(1), get(2), get(3)];
  assert.equal(join_.time, Date.parse('2024-03-01T08:00:00.123Z'), '+02:00 and 7 fraction digits');
  assert.equal(reply.time, Date.parse('2024-03-01T08:02:00.250Z'), '-05:00');
  assert.equal(welcome.editedAt, Date.parse('2024-03-01T08:05:00.500Z'));
  assert.equal(welcome.authorId, ALICE);
  assert.equal(welcome.authorName, 'Alice A.', 'the nickname');
  assert.equal(welcome.markup, 'discord');
  assert.match(html(welcome), /<span class="cc-pinned">📌 Pinned<\/span>/);
  assert.ok(html(welcome).includes(`<span class="cc-mention">@⟨${BOB}|Bob⟩</span>! See <span class="cc-mention">#release plans</span> and <span class="cc-mention">#general</span>`), html(welcome));
  const welcomeKey = messageKey({ chat: THREAD_ID, author: ALICE, time: welcome.time, identity: welcome.nativeId! });
  assert.equal(reply.replyToKey, welcomeKey, 'a reply points at the key its target gets');
  assert.equal(get(10).replyToKey, welcomeKey, 'so does a pin notice');
  assert.equal(get(23).replyToKey, messageKey({ chat: THREAD_ID, author: 'discord:100000000000000003', time: get(8).time, identity: get(8).nativeId! }));
  assert.equal(get(17).replyToKey, null, 'a reply to a message not in the file');
  assert.equal(get(20).replyToKey, null, 'a forward from another channel');
  assert.deepEqual(
    [1, 8, 9, 10, 11, 12, 13, 14].map((i) => get(i).kind),
    ['event', 'text', 'media', 'event', 'call', 'event', 'event', 'text'],
  );
  assert.equal(html(get(1)), `<span class="cc-event">⟨${BOB}|Bob⟩ joined the server.</span>`);
  assert.equal(html(get(11)), `<span class="cc-call">⟨${ALICE}|Alice A.⟩ started a call that lasted 5 min 30 s.</span>`);
  assert.equal(html(get(12)), `<span class="cc-event">⟨${BOB}|Bob⟩ changed the channel name: launch plans</span>`);
  assert.equal(html(get(13)), `<span class="cc-event">⟨${BOB}|Bob⟩ boosted the server.</span>`);
  assert.equal(html(get(8)), `<p><span class="cc-interaction">⟨discord:100000000000000001|Alice A.⟩ used /roll</span></p>🎲 You rolled <strong>4</strong><p><span class="cc-reactions">${chip('👍 3', '👍 3 reactions')} ${chip(':partyblob: 1', ':partyblob: 1 reaction')}</span></p>`);
  assert.match(html(get(4)), /^<p><span class="cc-heading-large"><strong>Plan<\/strong>.*<ul><li>first<\/li><li>second<\/li><\/ul><blockquote class="cc-quote">quoted line<br>more<\/blockquote>back to text<pre><code>const x = 1 &lt; 2;<\/code><\/pre><blockquote class="cc-quote">rest<br>is quoted<\/blockquote>$/);
  assert.match(html(get(7)), /<blockquote class="cc-embed"><span class="cc-embed-author">Example News<\/span><br><strong><a href="https:\/\/example.com\/article" rel="nofollow noopener">Article title<\/a><\/strong>/);
  assert.equal((html(get(7)).match(/cc-embed"/g) ?? []).length, 1, 'the image-only embed adds nothing');
  assert.equal(html(get(16)), '{&quot;content&quot;: &quot;not an envelope&quot;, &quot;pinned&quot;: true}', 'a content starting with { is wrapped, not taken for an envelope');
  assert.ok(get(16).body.startsWith('{"content":"{'));
  assert.equal(get(14).body, 'a message of a type nobody knows yet', 'plain messages keep their content as the body');
  assert.match(html(get(20)), /<blockquote class="cc-forward">.*<strong>forwarded<\/strong> text<\/blockquote>/);
  // Two identical bot lines in the same second both survive (distinct ids).
  assert.equal(get(21).body, get(22).body);
  assert.equal(get(21).time, get(22).time);

  const warnings = ofType(events, 'warning').map((e) => e.warning);
  const find = (re: RegExp) => warnings.filter((w) => re.test(w.message));
  const bytes = readFileSync(THREAD);
  const offsetOf = (position: string) => Number(/byte (\d+)/.exec(position)![1]);
  assert.equal(find(/not an object/).length, 1);
  assert.match(find(/not an object/)[0].position, /^thread\.json, message 18 \(byte \d+\)$/);
  assert.equal(bytes.toString('utf8', offsetOf(find(/not an object/)[0].position)).slice(0, 33), '"a message that is not an object"');
  assert.equal(find(/no valid time/).length, 1);
  assert.match(find(/no valid time/)[0].message, /"yesterday"/);
  assert.equal(bytes[offsetOf(find(/no valid time/)[0].position)], 0x7b, 'the offset is where the message object starts');
  assert.deepEqual(find(/unknown type/).map((w) => w.message), ['1 message of unknown type "SomethingNew" imported as text']);
  assert.deepEqual(find(/not found/).map((w) => w.message), ['2 attachments not found beside the export; kept as name, size and link']);
  assert.deepEqual(find(/outside/).map((w) => w.message), ["3 media paths outside the export's folder not read"]);
  assert.equal(find(/messageCount/).length, 0, 'messageCount agrees with the file');
});

test('attachments: present files hashed and emitted once, before their message; absent ones keep name, size, link', async () => {
  const events = await readAll(THREAD);
  const messages = ofType(events, 'message').map((e) => e.message);
  const files = messages.find((m) => m.body === 'files')!;
  const photo = readFileSync(join(EXPORT, 'thread.json_Files/photo-1A2B3.png'));
  assert.deepEqual(files.attachments, [
    { name: 'photo.png', size: photo.length, type: 'image/png', hash: sha256(photo) },
    { name: 'report.pdf', size: 12345, type: 'application/pdf' },
    { name: 'clip.mp4', size: 2048, type: 'video/mp4', url: 'https://cdn.discordapp.com/attachments/1/2/clip.mp4' },
    { name: 'same photo again.png', size: photo.length, type: 'image/png', hash: sha256(photo) },
  ], 'a Windows path and a / path to the same file');
  const media = ofType(events, 'media');
  assert.deepEqual(media.map((m) => [m.media.name, m.media.type, m.hash]), [
    ['photo.png', 'image/png', sha256(photo)],
    ['wave.png', 'image/png', sha256(readFileSync(join(EXPORT, 'thread.json_Files/wave-77777.png')))],
  ]);
  assert.ok(events.indexOf(media[0]) < events.findIndex((e) => e.type === 'message' && e.message === files));
  const sticker = messages.find((m) => m.nativeId === '910000000000000009')!;
  assert.deepEqual(sticker.attachments, [{ name: 'wave.png', size: 70, type: 'image/png', hash: media[1].hash }], 'a sticker image the export has; the Lottie one is not a file');
  assert.equal(html(sticker), '<p><span class="cc-sticker">Sticker: wave</span></p><p><span class="cc-sticker">Sticker: dance</span></p>');
});

test('media paths never leave the export folder: .., absolute paths and symlinks are not read', async () => {
  const dir = tempDir();
  const folder = join(dir, 'export');
  cpSync(EXPORT, folder, { recursive: true });
  const secret = Buffer.from('SECRET');
  writeFileSync(join(dir, 'secret.txt'), secret);
  symlinkSync(join(dir, 'secret.txt'), join(folder, 'thread.json_Files/link-11111.txt'));
  const events = await readAll(join(folder, 'thread.json'));
  assert.ok(!ofType(events, 'media').some((m) => m.media.bytes.equals(secret)), 'the secret was read');
  const escape = ofType(events, 'message').map((e) => e.message).find((m) => m.nativeId === '910000000000000006')!;
  assert.deepEqual(escape.attachments, [
    { name: 'secret.txt', size: 6, type: 'text/plain' },
    { name: 'link.txt', size: 6, type: 'text/plain' },
    { name: 'win.txt', size: 6, type: 'text/plain' },
    { name: 'passwd', size: 6 },
  ]);
  assert.deepEqual(ofType(events, 'warning').map((e) => e.warning.message).filter((m) => /outside|not found/.test(m)), [
    '1 attachment not found beside the export; kept as name, size and link',
    // Paths that name a place outside; and the link that leads there (the shared export-folder check).
    "3 media paths outside the export's folder not read",
    '1 file leading outside the export folder (symbolic links) not read',
  ]);
});

test('tiny chunks (boundaries everywhere) change nothing', async () => {
  // Warnings come out with the chunk they were found in: compared as a set.
  const strip = (events: SourceEvent[]) => ({
    events: events.filter((e) => e.type !== 'progress' && e.type !== 'warning'),
    warnings: ofType(events, 'warning').map((e) => JSON.stringify(e.warning)).sort(),
  });
  const expected = { folder: strip(await readAll(EXPORT)), dm: strip(await readAll(join(EXPORT, 'dm.json'))) };
  const saved = discordTuning.chunkBytes;
  try {
    for (const chunkBytes of [1, 7, 1000]) {
      discordTuning.chunkBytes = chunkBytes;
      assert.deepEqual(strip(await readAll(join(EXPORT, 'dm.json'))), expected.dm, `dm.json, chunk ${chunkBytes}`);
      if (chunkBytes > 1) assert.deepEqual(strip(await readAll(EXPORT)), expected.folder, `folder, chunk ${chunkBytes}`);
    }
  } finally {
    discordTuning.chunkBytes = saved;
  }
});

test('--chat: only the wanted channel is read', async () => {
  const events = await readAll(EXPORT, { wantChat: (id) => id === THREAD_ID });
  assert.deepEqual([...new Set(ofType(events, 'chat').map((e) => e.chat.nativeId))], [THREAD_ID]);
  assert.ok(ofType(events, 'message').every((e) => e.message.nativeId!.startsWith('91')));
});

test('a folder: other JSON files are skipped with a warning; a folder with none is an error', async () => {
  const events = await readAll(EXPORT);
  assert.deepEqual(ofType(events, 'warning').filter((e) => e.warning.position === 'other.json').map((e) => e.warning.message), [
    'not a DiscordChatExporter JSON export; skipped',
  ]);
  const dir = tempDir();
  writeFileSync(join(dir, 'x.json'), '{"messages": []}');
  await rejects(dir, (err) => assert.match(err.message, /no DiscordChatExporter JSON files/));
});

test('bad input is a SourceError naming the file and byte position', async () => {
  const dir = tempDir();
  const png = join(dir, 'photo.png');
  writeFileSync(png, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]));
  await rejects(png, (err) => {
    assert.equal(err.file, png);
    assert.match(err.message, /not a DiscordChatExporter export: the file is not a JSON object/);
  });
  await rejects(SKYPE, (err) => assert.match(err.message, /not a DiscordChatExporter export: no "guild"/));
  const list = join(dir, 'list.json');
  writeFileSync(list, '[{"guild": {}}]');
  await rejects(list, (err) => assert.match(err.message, /a JSON list/));
  const late = join(dir, 'late.json');
  writeFileSync(late, '{"guild": {"id": "1"}, "messages": [], "channel": {"id": "2"}}');
  await rejects(late, (err) => {
    assert.equal(err.position, `byte ${readFileSync(late, 'utf8').indexOf('[')}`);
    assert.match(err.message, /no "channel" before "messages"/);
  });
  const notList = join(dir, 'notlist.json');
  writeFileSync(notList, '{"guild": {}, "channel": {"id": "2"}, "messages": {}}');
  await rejects(notList, (err) => assert.match(err.message, /"messages" is not a list/));

  // Truncated anywhere: the error names the end of the file; invalid UTF-8 inside a message: the exact byte.
  const whole = readFileSync(THREAD);
  await rejectsDamagedJson(rejects, whole, dir, [1, 300, Math.floor(whole.length / 2), whole.length - 2], whole.indexOf('small print'));
  // Broken JSON inside one message, found when it is parsed.
  const garbled = join(dir, 'garbled.json');
  writeFileSync(garbled, whole.toString('utf8').replace('"content": "files"', '"content": files'));
  await rejects(garbled, (err) => {
    assert.match(err.message, /invalid JSON in message 4/);
    assert.equal(whole[Number(/\d+/.exec(err.position!)![0])], 0x7b);
  });
  // A wrong messageCount is a warning, not an error.
  const count = join(dir, 'count.json');
  writeFileSync(count, whole.toString('utf8').replace(/"messageCount": \d+/, '"messageCount": 3'));
  const warnings = ofType(await readAll(count), 'warning').map((e) => e.warning.message);
  assert.ok(warnings.includes('"messageCount" says 3 but the file lists 24 messages'), warnings.join('\n'));
});

test('a consumer that stops early closes the file', async () => {
  for await (const event of discord.read(THREAD, {})) {
    if (event.type === 'message') break;
  }
  assert.ok(ofType(await readAll(THREAD), 'message').length > 0);
});

test('through the importer: the folder lands whole, replies resolve, re-import changes nothing, an edit updates one row', async () => {
  const dir = tempDir();
  const file = join(dir, 'store.sqlite');
  const folder = join(dir, 'export');
  cpSync(EXPORT, folder, { recursive: true });
  let db = openStore(file);
  try {
    const first = await importPaths(db, [folder]);
    assert.equal(first.chats, 3);
    assert.equal(first.newMessages, 2 + 3 + 22);
    assert.equal(first.media, 2);
    assert.equal(first.files[0].format, 'discord', 'detected');
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 27);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL`), 4);
    assert.equal(
      scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'),
      0,
      'every reply points at a stored message',
    );
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = ?`, THREAD_ID), 'Fixture Guild / #general › release plans');
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id = 'discord:800000000000000001'`), 'direct');
    assert.equal(scalar(db, `SELECT count(*) FROM chat_members m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ?`, THREAD_ID), 4);
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = ?`, ALICE), 'Alice A.');
    // People in stored text are references by id; named as a site with authors shown names them.
    const names = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
    const stored = scalar(db, `SELECT text FROM messages WHERE native_id = '910000000000000002'`) as string;
    assert.match(stored, /@\uE000discord:100000000000000002\uE002\uE001!/);
    assert.match(namedRefs(stored, (id) => names.get(id) as string | null), /^Welcome to the thread, @Bob! See #release plans/);
    assert.match(scalar(db, `SELECT html FROM messages WHERE native_id = '910000000000000002'`) as string, /cc-pinned/);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE native_id IN ('910000000000000021', '910000000000000022')`), 2, 'identical bot lines');
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE html LIKE '%<script%' OR html LIKE '%href="javascript:%' OR html LIKE '%<img%'`), 0);
    syncFts(db);
    assert.equal(scalar(db, `SELECT count(*) FROM messages_fts WHERE messages_fts MATCH ?`, `"${ftsTerms('summary')}"`), 1, 'embed text is searchable');

    const again = await importPaths(db, [folder]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, 27);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 27);
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 2);

    // An edit (new content, new edit time) updates that message in place: ids are the identity.
    const thread = join(folder, 'thread.json');
    writeFileSync(thread, readFileSync(thread, 'utf8').replace('"content": "files"', '"content": "files (edited)"'));
    const edited = await importPaths(db, [folder]);
    assert.equal(edited.newMessages, 0);
    assert.equal(edited.updatedMessages, 1);
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = '910000000000000005'`), 'files (edited)');

    // A truncated export: an error, and the database is exactly as it was.
    const before = scalar(db, `SELECT group_concat(key || rev, ',') FROM (SELECT key, rev FROM message_rows ORDER BY key)`);
    const truncated = join(dir, 'truncated.json');
    const whole = readFileSync(THREAD);
    writeFileSync(truncated, whole.subarray(0, Math.floor(whole.length * 0.7)).toString('utf8').replace(/"id": "91/g, '"id": "92'));
    await assert.rejects(importPaths(db, [truncated]), (err: unknown) => err instanceof SourceError && /truncated/.test(err.message));
    assert.equal(scalar(db, `SELECT group_concat(key || rev, ',') FROM (SELECT key, rev FROM message_rows ORDER BY key)`), before);
    assert.equal(scalar(db, 'SELECT count(*) FROM sources'), 1, 'the failed source was not recorded');
  } finally {
    db.close();
  }
  // The database file reopens cleanly.
  db = openStore(file);
  try {
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 27);
  } finally {
    db.close();
  }
});

test('through the importer: the shared example twice', { skip: noShared }, async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const source = JSON.parse(readFileSync(SHARED, 'utf8')) as { messages: unknown[] };
    const first = await importPaths(db, [SHARED]);
    assert.equal(first.newMessages, source.messages.length);
    const again = await importPaths(db, [SHARED], { format: 'discord' });
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, source.messages.length);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
  } finally {
    db.close();
  }
});

test('a big generated export streams and keeps every message and reply', async () => {
  const dir = tempDir();
  const file = join(dir, 'big.json');
  const count = 20_000;
  const base = 1100000000000000000n;
  const parts: string[] = ['{"guild":{"id":"1","name":"G"},"channel":{"id":"2","type":"GuildTextChat","name":"c"},"messages":['];
  for (let i = 0; i < count; i++) {
    const m: Record<string, unknown> = {
      id: (base + BigInt(i) * 4194304n).toString(),
      type: i % 3 ? 'Default' : 'Reply',
      timestamp: new Date(Date.UTC(2022, 0, 1) + i * 61_000).toISOString().replace('Z', '+00:00'),
      content: `message ${i}: ${'lorem *ipsum* '.repeat(i % 20)}`,
      author: { id: String(10 + (i % 50)), name: `user${i % 50}` },
    };
    if (i % 3 === 0 && i > 0) m.reference = { messageId: (base + BigInt(Math.floor(i / 2)) * 4194304n).toString(), channelId: '2' };
    parts.push(`${i ? ',' : ''}${JSON.stringify(m)}`);
  }
  parts.push(`],"messageCount":${count}}`);
  writeFileSync(file, parts.join(''));
  let seen = 0;
  let replies = 0;
  for await (const e of discord.read(file, {})) {
    if (e.type !== 'message') continue;
    seen++;
    if (e.message.replyToKey) replies++;
  }
  assert.equal(seen, count);
  assert.equal(replies, Math.floor((count - 1) / 3));
});

test('no media folder or stray folders: a folder export is searched a few levels deep', async () => {
  const dir = tempDir();
  mkdirSync(join(dir, 'guild/general'), { recursive: true });
  cpSync(join(EXPORT, 'dm.json'), join(dir, 'guild/general/dm.json'));
  const chats = byChat(await readAll(dir));
  assert.deepEqual([...chats.keys()], ['discord:800000000000000001']);
});

test('a thread\'s notice names and links the thread when its export is imported too; a Tenor GIF embed shows the GIF', async () => {
  const dir = tempDir();
  const folder = join(dir, 'export');
  mkdirSync(join(folder, 'general.json_Files'), { recursive: true });
  const gif = Buffer.from('not really an mp4, but the bytes the exporter downloaded');
  writeFileSync(join(folder, 'general.json_Files', 'magic-1ED77.mp4'), gif);
  writeFileSync(join(folder, 'general.json_Files', 'magic-1ED77.jpg'), Buffer.from('jpeg'));
  const author = { id: '521486476985155645', name: 'Adam', discriminator: '7077', nickname: 'Adam', color: null, isBot: false, avatarUrl: '' };
  const message = (id: string, minute: number, rest: object) => ({
    id, type: 'Default', timestamp: `2023-01-06T14:${minute}:00+00:00`, timestampEdited: null, callEndedTimestamp: null, isPinned: false,
    content: '', author, attachments: [], embeds: [], stickers: [], reactions: [], mentions: [], ...rest,
  });
  const guild = { id: '748545324524575035', name: 'Example guild', iconUrl: '' };
  // As DiscordChatExporter writes them (the shared dcef example's shapes).
  writeFileSync(join(folder, 'general.json'), JSON.stringify({
    guild,
    channel: { id: '1012224565567721552', type: 'GuildTextChat', categoryId: '1', category: 'Text Channels', name: 'general', topic: null },
    messages: [
      message('1060927140842983534', 25, {
        content: 'https://tenor.com/view/magic-gif-26166638',
        embeds: [{ title: '', url: 'https://tenor.com/view/magic-gif-26166638', timestamp: null, description: '',
          thumbnail: { url: 'general.json_Files\\magic-1ED77.jpg', width: 640, height: 594 }, video: { url: 'general.json_Files\\magic-1ED77.mp4', width: 640, height: 594 }, images: [], fields: [] }],
      }),
      message('1060927310439657577', 26, { type: 'ThreadCreated', content: 'Started a thread.', reference: { messageId: null, channelId: '1060927310439657577', guildId: guild.id } }),
    ],
  }));
  const threadFile = join(dir, 'thread.json');
  writeFileSync(threadFile, JSON.stringify({
    guild,
    channel: { id: '1060927310439657577', type: 'GuildPublicThread', categoryId: '1012224565567721552', category: 'general', name: 'release plans', topic: null },
    messages: [message('1060927794248425564', 28, { content: 'in the thread' })],
  }));

  const db = join(dir, 'store.sqlite');
  const store = openStore(db);
  try {
    await importPaths(store, [folder]);
  } finally {
    store.close();
  }
  const pageOf = async (): Promise<string> => {
    const { out } = await buildInto(db);
    const pages = archivePages(listFiles(out)).filter((p) => p.startsWith(`chats/${readSlug(db, 'discord:1012224565567721552')}/`));
    return pages.map((p) => read(out, p)).join('\n');
  };
  // Only the channel: the notice links the thread on Discord, the GIF plays.
  let page = await pageOf();
  assert.match(page, /started a thread: <a href="https:\/\/discord\.com\/channels\/748545324524575035\/1060927310439657577" rel="nofollow noopener">/);
  assert.match(page, /<video controls preload="metadata"><source src="[^"]*\/magic-1ED77\.mp4" type="video\/mp4">/);

  const again = openStore(db);
  try {
    await importPaths(again, [threadFile]);
  } finally {
    again.close();
  }
  page = await pageOf();
  const threadSlug = readSlug(db, 'discord:1060927310439657577');
  assert.match(page, new RegExp(`started a thread: <a href="(?:\\.\\./)+(?:chats/)?${threadSlug}/">release plans</a>`));
});

function readSlug(file: string, nativeId: string): string {
  const db = openStore(file);
  try {
    return scalar(db, 'SELECT slug FROM chats WHERE native_id = ?', nativeId) as string;
  } finally {
    db.close();
  }
}
