import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { localMs, parseLenient, telegram, telegramTuning } from '../collector/sources/telegram/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { messageKey } from '../collector/identity/key.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { contentDigest } from './helpers/db-state.js';
import { scalar } from './helpers/sql.js';
import { adapterReader, byChat, ofType } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { shownRefs, visibleRefs } from './helpers/person-refs.js';
import { needsFile } from './helpers/requires.js';
import { chip } from './helpers/reaction-chip.js';

const FULL = resolve(process.cwd(), 'test/fixtures/telegram/full');
const OLD = resolve(process.cwd(), 'test/fixtures/telegram/old-export/result.json');
const SHARED = resolve(process.cwd(), '../shared/fixtures');
const TGIF = join(SHARED, 'telegram/tgif-coorporate-speak.json');
const noShared = needsFile(TGIF);

const { readAll, rejects } = adapterReader(telegram);

/** The rendered HTML as it reads with authors shown (person references as the names they showed). */
function html(m: MessageRecord): string {
  const out = renderBody(m.markup, m.body, { chat: 'telegram:x', kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], `unsafe HTML for message ${m.nativeId}`);
  return shownRefs(out.html);
}

function text(m: MessageRecord): string {
  return shownRefs(renderBody(m.markup, m.body, { chat: 'telegram:x', kind: m.kind, deleted: !!m.deleted }).text);
}

/** The rendered text with its person references visible: `⟨telegram:user1000|Ada Lovelace⟩`. */
function refs(m: MessageRecord): string {
  return visibleRefs(renderBody(m.markup, m.body, { chat: 'telegram:x', kind: m.kind, deleted: !!m.deleted }).text);
}

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

// ------------------------------------------------------------------------------------------------

test('detect: result.json and its folder, full and one-chat exports; not Skype, Discord, Slack or other JSON', async () => {
  assert.equal(await telegram.detect(FULL), true);
  assert.equal(await telegram.detect(join(FULL, 'result.json')), true);
  assert.equal(await telegram.detect(OLD), true);
  assert.equal(await telegram.detect(resolve('test/fixtures/skype/tiny')), false);
  assert.equal(await telegram.detect(resolve('test/fixtures/skype/tiny/messages.json')), false);
  const dir = tempDir();
  const write = (name: string, value: unknown) => {
    writeFileSync(join(dir, name), typeof value === 'string' ? value : JSON.stringify(value, null, '\t'));
    return join(dir, name);
  };
  assert.equal(await telegram.detect(write('skype.json', { userId: '8:ada', exportDate: '2021', conversations: [{ type: 'private_group', id: 1, messages: [] }] })), false);
  assert.equal(await telegram.detect(write('discord.json', { guild: { id: '1' }, channel: { id: '2', type: 'GuildTextChat' }, messages: [] })), false);
  assert.equal(await telegram.detect(write('no-type.json', { name: 'x', id: 1, messages: [] })), false);
  assert.equal(await telegram.detect(write('list.json', [{ type: 'private_group', id: 1, messages: [] }])), false);
  assert.equal(await telegram.detect(write('one-chat.json', { name: 'x', type: 'personal_chat', id: 5, messages: [] })), true);
  assert.equal(await telegram.detect(write('nested.json', { data: { name: 'x', type: 'personal_chat', id: 5, messages: [] } })), false, 'only the root object\'s keys count');
  assert.equal(await telegram.detect(write('about.json', { about: 'x', chats: { list: [] } })), true);
  assert.equal(await telegram.detect(write('about-only.json', { about: 'x', settings: {} })), false);
  assert.equal(await telegram.detect(write('bom.json', `\uFEFF${JSON.stringify({ name: 'x "quoted" {', type: 'private_channel', id: -100, messages: [] })}`)), true);
  assert.equal(await telegram.detect(write('image.png', '\x89PNG\r\n\x1a\n')), false);
  assert.equal(await telegram.detect(dir), false, 'a folder without result.json');
  assert.equal(await telegram.detect(join(dir, 'missing.json')), false);
});

test('--format auto picks telegram for Telegram exports (and still Skype for Skype)', async () => {
  assert.equal((await detectAdapter(FULL)).format, 'telegram');
  assert.equal((await detectAdapter(OLD)).format, 'telegram');
  assert.equal((await detectAdapter(resolve('test/fixtures/skype/tiny'))).format, 'skype-export');
});

test('real export (tgif): every message, times, authors, deleted accounts, edits, replies, entities', { skip: noShared }, async () => {
  const source = JSON.parse(readFileSync(TGIF, 'utf8')) as { id: number; messages: Record<string, unknown>[] };
  const events = await readAll(TGIF);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], [`telegram:${source.id}`]);
  const { chat, messages } = chats.get(`telegram:${source.id}`)!;
  assert.equal(chat.title, 'Teknologi Umum v2.0');
  assert.equal(chat.kind, 'group');
  assert.equal(messages.length, source.messages.length);
  const byId = new Map(messages.map((m) => [m.nativeId!, m]));
  const ids = new Set(source.messages.map((m) => m.id));
  let linked = 0;
  let notInFile = 0;
  for (const raw of source.messages) {
    const m = byId.get(String(raw.id));
    assert.ok(m, `message ${raw.id}`);
    assert.equal(m.time, Number(raw.date_unixtime) * 1000);
    assert.equal(m.authorId, `telegram:${raw.from_id}`);
    assert.equal(m.authorName, raw.from === null ? 'Deleted Account' : raw.from);
    assert.equal(m.editedAt ?? null, raw.edited_unixtime ? Number(raw.edited_unixtime) * 1000 : null);
    const rendered = html(m);
    if (raw.reply_to_message_id !== undefined) {
      if (ids.has(raw.reply_to_message_id as number)) {
        const target = source.messages.find((t) => t.id === raw.reply_to_message_id)!;
        assert.equal(m.replyToKey, messageKey({ chat: chat.nativeId, author: `telegram:${target.from_id}`, time: Number(target.date_unixtime) * 1000, identity: String(target.id) }));
        linked++;
      } else {
        assert.equal(m.replyToKey, null);
        assert.match(rendered, new RegExp(`in reply to a message not in this archive \\(#${raw.reply_to_message_id}\\)`, 'i'));
        notInFile++;
      }
    }
  }
  assert.equal(linked, 51);
  assert.equal(notInFile, 1);
  assert.ok(messages.filter((m) => m.authorName === 'Deleted Account').length >= 40, '"from": null is a deleted account');

  const m = (id: number) => byId.get(String(id))!;
  assert.equal(html(m(10821)), '<a href="https://howtoprofessionallysay.akashrajpurohit.com/" rel="nofollow noopener">https://howtoprofessionallysay.akashrajpurohit.com/</a>');
  assert.equal(html(m(10845)), 'the infamous <i>tim internal</i>');
  assert.equal(html(m(10891)), 'Aku harus berguru ama <span class="cc-mention">@jason_wihardja</span>');
  assert.equal(html(m(10950)), '<span class="cc-bot-command">/dukun@TeknologiUmumBot</span>');
  assert.match(html(m(10951)), /^<b>Paguyuban Dukun Jason Wihardja<\/b><br><br>1\. Jason Wihardja/);
  assert.match(html(m(10906)), /<span class="cc-via">via @gif<\/span>/);
  assert.match(html(m(10837)), /<span class="cc-sticker">✨ Sticker — missing from the export folder<\/span>/);
  // Media the export names but this copy does not have: listed, no content, one warning.
  assert.deepEqual(m(10822).attachments, [{ name: 'photo_317@05-06-2022_15-43-13.jpg', type: 'image/jpeg' }]);
  assert.equal(m(10822).kind, 'media');
  assert.equal(ofType(events, 'media').length, 0);
  const warnings = ofType(events, 'warning').map((w) => w.warning.message);
  assert.ok(warnings.some((w) => /^6 files the export names are not in its folder/.test(w)), warnings.join('\n'));
  assert.ok(!warnings.some((w) => /date_unixtime/.test(w)), 'this export has date_unixtime everywhere');
});

test('full export: chats (left ones too), kinds, members; empty chats are not chats', async () => {
  const events = await readAll(FULL);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], ['telegram:2000', 'telegram:3000', 'telegram:4000', 'telegram:5000']);
  const bob = chats.get('telegram:2000')!.chat;
  assert.equal(bob.title, 'Bob Builder');
  assert.equal(bob.kind, 'direct');
  assert.deepEqual(bob.members?.slice(0, 2), [{ nativeId: 'telegram:user2000', displayName: 'Bob Builder' }, { nativeId: 'telegram:user1000', displayName: 'Ada Lovelace' }]);
  assert.equal(chats.get('telegram:3000')!.chat.kind, 'group');
  assert.equal(chats.get('telegram:4000')!.chat.kind, 'channel');
  assert.equal(chats.get('telegram:5000')!.chat.title, 'Old Friends');
  const club = chats.get('telegram:3000')!.chat.members!.map((p) => p.nativeId);
  for (const id of ['telegram:user1000', 'telegram:user2000', 'telegram:user3001', 'telegram:user6000', 'telegram:user7000']) assert.ok(club.includes(id), id);
  assert.ok(!club.includes('telegram:deleted'));
  const counts = [...chats.values()].map((c) => c.messages.length);
  assert.deepEqual(counts, [14, 18, 3, 2], 'the "unsupported" message is skipped');
  const warnings = ofType(events, 'warning').map((w) => w.warning.message);
  assert.ok(warnings.includes('1 message of type "unsupported" (Telegram Desktop exported no content for them) skipped'), warnings.join('\n'));
  assert.equal(warnings.length, 1);
  const progress = ofType(events, 'progress');
  assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
});

test('full export: files beside result.json become media with their sha256; left-out files are placeholders', async () => {
  const events = await readAll(FULL);
  const media = ofType(events, 'media');
  const photo = join(FULL, 'chats/chat_001/photos/photo_1@14-03-2023_11-02-00.jpg');
  const notes = join(FULL, 'chats/chat_001/files/notes.txt');
  const sticker = join(FULL, 'chats/chat_001/stickers/sticker.webp');
  assert.deepEqual(
    media.map((e) => [e.media.name, e.media.type, e.hash, e.media.bytes.length]),
    [
      ['photo_1@14-03-2023_11-02-00.jpg', 'image/jpeg', sha256(photo), readFileSync(photo).length],
      ['notes.txt', 'text/plain', sha256(notes), readFileSync(notes).length],
      ['sticker.webp', 'image/webp', sha256(sticker), readFileSync(sticker).length],
    ],
  );
  // Each media event comes before the message that uses it.
  const index = (pred: (e: SourceEvent) => boolean) => events.findIndex(pred);
  assert.ok(index((e) => e.type === 'media' && e.hash === sha256(photo)) < index((e) => e.type === 'message' && e.message.nativeId === '2'));

  const bob = byChat(events).get('telegram:2000')!.messages;
  const m = (id: string) => bob.find((x) => x.nativeId === id)!;
  assert.deepEqual(m('2').attachments, [{ name: 'photo_1@14-03-2023_11-02-00.jpg', type: 'image/jpeg', hash: sha256(photo), size: readFileSync(photo).length }]);
  assert.equal(html(m('2')), 'Yes — here they are', 'the site draws the photo; the body is its caption');
  assert.deepEqual(m('3').attachments, [{ name: 'notes.txt', type: 'text/plain', hash: sha256(notes), size: readFileSync(notes).length }]);
  assert.equal(m('3').kind, 'file');
  assert.equal(html(m('5')), '<span class="cc-sticker">😊 Sticker</span>');
  assert.equal(m('5').attachments![0].hash, sha256(sticker));

  assert.deepEqual(m('4').attachments, [{ name: 'Sticker' }]);
  assert.equal(html(m('4')), '<span class="cc-sticker">👍 Sticker — not included in the export</span>');
  assert.deepEqual(m('13').attachments, [{ name: 'GIF', type: 'video/mp4' }]);
  assert.equal(html(m('13')), '<span class="cc-via">via @gif</span><br><span class="cc-media-missing">🎞 GIF, 3 s — too large, not included in the export</span>');
  assert.equal(html(m('14')), '<span class="cc-media-missing">🎤 Voice message, 7 s — was unavailable when the export was made</span>');
  const club = byChat(events).get('telegram:3000')!.messages;
  assert.deepEqual(club.find((x) => x.nativeId === '112')!.attachments, [{ name: 'Photo' }], 'a new group photo left out of the export');
});

test('full export: kinds, calls, service sentences, polls, contacts, places, forwards, reactions, the \\x0B escape', async () => {
  const chats = byChat(await readAll(FULL));
  const bob = chats.get('telegram:2000')!.messages;
  const club = chats.get('telegram:3000')!.messages;
  const m = (list: MessageRecord[], id: string) => list.find((x) => x.nativeId === id)!;
  assert.deepEqual(
    bob.map((x) => x.kind),
    ['text', 'media', 'file', 'media', 'media', 'call', 'call', 'text', 'poll', 'contact', 'text', 'text', 'media', 'media'],
  );
  assert.equal(text(m(bob, '6')), 'Ada Lovelace called (3 min 12 s)');
  assert.equal(m(bob, '6').authorId, 'telegram:user1000', 'a service message is credited to its actor');
  assert.equal(refs(m(bob, '6')), '⟨telegram:user1000|Ada Lovelace⟩ called (3 min 12 s)', 'the actor is a reference with the id of their messages');
  assert.equal(text(m(bob, '7')), 'Missed call from Bob Builder');
  assert.equal(html(m(bob, '8')), '<span class="cc-forward">Forwarded from <b>Carol Jones</b></span><br>Meeting moved to 5pm');
  assert.match(html(m(bob, '9')), /<span class="cc-poll">📊 <b>Where shall we meet\?<\/b><\/span><ul><li>Café — 1 vote ✓<\/li><li>Library — 1 vote<\/li><\/ul>/);
  assert.equal(html(m(bob, '10')), '<span class="cc-contact">👤 Carol Jones · +1 555 0100</span>');
  assert.match(html(m(bob, '11')), /📍 Big Ben, Westminster, London <a href="https:\/\/www\.openstreetmap\.org\/\?mlat=51\.500729&amp;mlon=-0\.124625/);
  // `\x0B` is not JSON; it is read as U+000B, kept in the body, and shown as a line break.
  const escaped = m(bob, '12');
  assert.match(escaped.body, /Line one\\u000bstill line one/);
  assert.equal(html(escaped), `Line one<br>still line one<p><span class="cc-reactions">${chip('❤ 2', '❤ 2 reactions: Ada Lovelace, Bob Builder')} ${chip('custom emoji 1', 'custom emoji 1 reaction')}</span></p>`);
  assert.equal(escaped.editedAt, Date.UTC(2023, 2, 14, 11, 9, 20));
  assert.equal(escaped.time, Date.UTC(2023, 2, 14, 11, 8, 20), 'date_unixtime, not the local "date" (an hour ahead)');

  assert.deepEqual(
    club.filter((x) => x.kind === 'event' || x.kind === 'call').map((x) => [x.nativeId, x.kind, text(x)]),
    [
      ['100', 'event', 'Ada Lovelace created the group «Engine Club» with Bob Builder and Carol Jones'],
      ['101', 'event', 'Ada Lovelace added Eve Example and Deleted Account'],
      ['102', 'event', 'Frank Fresh joined the group via invite link'],
      ['110', 'event', 'Ada Lovelace pinned a message'],
      ['111', 'event', 'Ada Lovelace changed the group name to «Engine Club 2.0»'],
      ['112', 'event', 'Ada Lovelace changed the group photo'],
      ['113', 'call', 'Bob Builder started a video chat (1 h 2 min)'],
      ['114', 'event', 'Eve Example left the group'],
      ['115', 'event', 'Ada Lovelace removed Frank Fresh'],
      ['116', 'event', 'Ada Lovelace set messages to auto-delete after 1 day'],
      ['117', 'event', 'Ada Lovelace joined the chat from a folder link'],
    ],
  );
  // Members are listed by name only: references without an id (the actor's is known).
  assert.equal(refs(m(club, '101')), '⟨telegram:user1000|Ada Lovelace⟩ added ⟨|Eve Example⟩ and ⟨telegram:deleted|Deleted Account⟩');
  assert.equal(refs(m(club, '117')), '⟨telegram:user1000|Ada Lovelace⟩ joined the chat from a folder link', "the actor's name in Telegram's own sentence");
  const channel = chats.get('telegram:4000')!.messages;
  assert.equal(html(m(channel, '2')), '<a href="https://example.org/release" rel="nofollow noopener">Read the release notes</a> for details.<br><span class="cc-signature">— Ada L.</span>');
  assert.equal(html(m(channel, '3')), 'Do not click me &lt;script&gt;alert(2)&lt;/script&gt;', 'a javascript: text_link is no link');
  assert.equal(m(channel, '2').authorId, 'telegram:channel4000');
});

test('full export: every entity type in one message', async () => {
  const club = byChat(await readAll(FULL)).get('telegram:3000')!.messages;
  const rendered = html(club.find((x) => x.nativeId === '103')!);
  for (const fragment of [
    'Plain, <b>bold</b>, <i>italic</i>, <span class="cc-underline">underline</span>, <s>struck</s>, <code>x &lt; y &amp;&amp; z</code>:',
    '<span class="cc-code-language">python</span><pre><code>def hi():\n    return &quot;&lt;hi&gt;&quot;</code></pre>Links: ',
    '<a href="https://telegram.org/faq" rel="nofollow noopener">https://telegram.org/faq</a>',
    '<a href="http://example.com/path" rel="nofollow noopener">example.com/path</a>',
    '<a href="https://example.org/docs?a=1&amp;b=2" rel="nofollow noopener">the docs</a>',
    '<a href="mailto:ada@example.org" rel="nofollow noopener">ada@example.org</a>',
    '<span class="cc-phone">+44 20 7946 0000</span>',
    'People: <span class="cc-mention">@bobbuilder</span> <span class="cc-mention">Carol</span>',
    'Tags: <span class="cc-hashtag">#engines</span> <span class="cc-hashtag">$USD</span> <span class="cc-bot-command">/start@ClubBot</span> 4242 4242 4242 4242',
    'Secret: <span class="cc-spoiler">the butler did it</span> <span class="cc-custom-emoji">🔥</span>',
    '<blockquote class="cc-quote">To be or not to be</blockquote>the end',
  ]) {
    assert.ok(rendered.includes(fragment), `missing ${JSON.stringify(fragment)} in ${rendered}`);
  }
});

test('full export: deleted accounts, replies in and out of the file (later targets too), pins', async () => {
  const chats = byChat(await readAll(FULL));
  const club = chats.get('telegram:3000')!.messages;
  const m = (id: string) => club.find((x) => x.nativeId === id)!;
  assert.deepEqual([m('104').authorId, m('104').authorName], ['telegram:user7000', 'Deleted Account'], '"from": null keeps its from_id');
  assert.deepEqual([m('105').authorId, m('105').authorName], ['telegram:deleted', 'Deleted Account'], 'and without one, the shared deleted id');
  const keyOf = (x: MessageRecord) => messageKey({ chat: 'telegram:3000', author: x.authorId, time: x.time, identity: x.nativeId! });
  assert.equal(m('108').replyToKey, keyOf(m('103')));
  assert.equal(m('107').replyToKey, keyOf(m('109')), 'a reply to a message further down the file');
  assert.equal(m('110').replyToKey, keyOf(m('108')), 'a pin links to the pinned message');
  assert.equal(m('106').replyToKey, null);
  assert.equal(html(m('106')), '<span class="cc-reply-missing">↩ In reply to a message not in this archive (#50)</span><br>As I said before');
  assert.equal(m('109').body, '{"text":"{not json} braces first"}', 'text starting with { is wrapped, so it is not taken for an envelope');
  assert.equal(html(m('109')), '{not json} braces first');
  const bob = chats.get('telegram:2000')!.messages;
  assert.equal(bob.find((x) => x.nativeId === '2')!.replyToKey, messageKey({ chat: 'telegram:2000', author: 'telegram:user1000', time: Date.UTC(2023, 2, 14, 10), identity: '1' }));
  assert.equal(bob.find((x) => x.nativeId === '1')!.body, 'Hi Bob! Did you get the plans?', 'plain text stays plain text');
});

test('an old export (no date_unixtime, no text_entities, numeric ids): times from "date", and a warning says so', async () => {
  const events = await readAll(OLD);
  const { chat, messages } = byChat(events).get('telegram:777')!;
  assert.equal(chat.title, 'Old Pals');
  assert.deepEqual(messages.map((m) => [m.nativeId, m.authorId, m.time, m.kind]), [
    ['1', 'telegram:user111', Date.UTC(2018, 7, 25, 14, 0, 0), 'event'],
    ['2', 'telegram:user111', Date.UTC(2018, 7, 25, 14, 5, 1), 'text'],
    ['3', 'telegram:user222', Date.UTC(2018, 7, 25, 14, 6, 30), 'text'],
    ['4', 'telegram:user222', Date.UTC(2018, 7, 25, 14, 10, 0), 'media'],
    ['5', 'telegram:user111', Date.UTC(2018, 7, 25, 14, 11, 0), 'media'],
  ]);
  assert.equal(messages[2].editedAt, Date.UTC(2018, 7, 25, 14, 7, 0));
  assert.equal(messages[2].replyToKey, messageKey({ chat: 'telegram:777', author: 'telegram:user111', time: Date.UTC(2018, 7, 25, 14, 5, 1), identity: '2' }));
  assert.equal(html(messages[2]), 'Check <a href="https://telegram.org" rel="nofollow noopener">https://telegram.org</a> and <b>this</b>!');
  assert.equal(text(messages[0]), 'Zed created the group «Old Pals» with Yan');
  assert.equal(html(messages[3]), '<span class="cc-media-missing">🖼 Photo — not included in the export</span>');
  assert.deepEqual(messages[4].attachments, [{ name: 'Voice message', type: 'audio/ogg' }]);
  const warnings = ofType(events, 'warning').map((w) => w.warning);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /^5 of its 5 messages have no "date_unixtime" .*timed from "date", the exporting computer's local time without a zone, read as UTC$/);
  assert.match(warnings[0].position, /^chat "Old Pals"/);
});

test('a file with both kinds of time: "date"-only messages take the UTC offset its other messages show, the nearest in time (DST)', async () => {
  // The exporting computer was in Europe/Berlin: +01:00 in winter, +02:00 in summer. Messages with
  // "date_unixtime" give the offset; the ones without take the offset known nearest in time.
  const wall = (utc: number, hours: number) => new Date(utc + hours * 3_600_000).toISOString().slice(0, 19);
  const WINTER = Date.UTC(2021, 0, 10, 9, 0, 0);
  const SUMMER = Date.UTC(2021, 6, 10, 9, 0, 0);
  const both = (id: number, utc: number, hours: number) => ({ id, type: 'message', date: wall(utc, hours), date_unixtime: String(utc / 1000), from: 'Zed', from_id: 'user111', text: `both ${id}` });
  const local = (id: number, utc: number, hours: number, extra = {}) => ({ id, type: 'message', date: wall(utc, hours), from: 'Yan', from_id: 'user222', text: `local ${id}`, ...extra });
  const messages = [
    both(1, WINTER, 1),
    local(2, WINTER + 60_000, 1, { edited: wall(WINTER + 120_000, 1) }),
    local(3, SUMMER - 86_400_000, 2),
    both(4, SUMMER, 2),
    local(5, SUMMER + 60_000, 2),
  ];
  const file = join(tempDir(), 'result.json');
  writeFileSync(file, JSON.stringify({ name: 'Mixed', type: 'private_group', id: 778, messages }, null, 1));
  const events = await readAll(file);
  const got = byChat(events).get('telegram:778')!.messages;
  assert.deepEqual(got.map((m) => [m.nativeId, new Date(m.time).toISOString()]), [
    ['1', new Date(WINTER).toISOString()],
    ['2', new Date(WINTER + 60_000).toISOString()],
    ['3', new Date(SUMMER - 86_400_000).toISOString()],
    ['4', new Date(SUMMER).toISOString()],
    ['5', new Date(SUMMER + 60_000).toISOString()],
  ]);
  assert.equal(got[1].editedAt, WINTER + 120_000, 'an edit time without "edited_unixtime" too');
  const warnings = ofType(events, 'warning').map((w) => w.warning.message);
  assert.equal(warnings.length, 1, warnings.join('\n'));
  assert.match(warnings[0], /^3 of its 5 messages have no "date_unixtime" .*timed from "date", .* with the UTC offset its other messages show \(UTC\+1, UTC\+2\)$/);
});

test('chunk boundaries anywhere give the same events', async () => {
  const whole = await readAll(FULL);
  const strip = (events: SourceEvent[]) => events.filter((e) => e.type !== 'progress');
  const saved = telegramTuning.chunkBytes;
  try {
    for (const size of [1, 7, 64, 1000]) {
      telegramTuning.chunkBytes = size;
      assert.deepEqual(strip(await readAll(FULL)), strip(whole), `chunks of ${size} bytes`);
    }
  } finally {
    telegramTuning.chunkBytes = saved;
  }
});

test('a chat whose header comes after its messages is read the same (the messages are read again)', async () => {
  const dir = tempDir();
  const file = join(dir, 'result.json');
  const original = readFileSync(OLD, 'utf8');
  const source = JSON.parse(original) as Record<string, unknown>;
  writeFileSync(file, JSON.stringify({ messages: source.messages, name: source.name, type: source.type, id: source.id }, null, 1));
  const strip = (events: SourceEvent[]) => events.filter((e) => e.type === 'message' || e.type === 'chat');
  assert.deepEqual(strip(await readAll(file)), strip(await readAll(OLD)));
});

test('--chat: unwanted chats are skipped, their media not read', async () => {
  const events = await readAll(FULL, { wantChat: (id) => id === 'telegram:3000' });
  assert.deepEqual([...byChat(events).keys()], ['telegram:3000']);
  assert.equal(ofType(events, 'media').length, 0);
});

test('bad messages are skipped with a warning naming the chat and byte; the rest is read', async () => {
  const dir = tempDir();
  const file = join(dir, 'result.json');
  writeFileSync(
    file,
    JSON.stringify({
      name: 'Odd',
      type: 'private_group',
      id: 9,
      messages: [
        { id: 1, type: 'message', date: '2023-01-01T00:00:00', date_unixtime: '1672531200', from: 'A', from_id: 'user1', text: 'ok' },
        { id: 2, type: 'message', date: 'yesterday', from: 'A', from_id: 'user1', text: 'no time' },
        { type: 'message', date_unixtime: '1672531300', from: 'A', from_id: 'user1', text: 'no id' },
        7,
        { id: 5, type: 'message', date_unixtime: '1672531500', from: 'A', from_id: 'user1', text: 'fine too' },
      ],
    }).replace('"fine too"', '"fine too", "broken": tru'),
  );
  // The last message is not valid JSON (`tru`): only JSON.parse of that message sees it.
  const events = await readAll(file);
  assert.deepEqual(ofType(events, 'message').map((e) => e.message.nativeId), ['1']);
  const warnings = ofType(events, 'warning').map((w) => `${w.warning.position}: ${w.warning.message}`);
  assert.equal(warnings.length, 4, warnings.join('\n'));
  for (const expected of [
    /^chat "Odd", message 2 \(byte \d+\): no valid time \(date "yesterday"\); skipped$/,
    /^chat "Odd", a message \(byte \d+\): no message id; skipped$/,
    /^chat "Odd", message #3 \(byte \d+\): not an object; skipped$/,
    /^chat "Odd", a message \(byte \d+\): invalid JSON; skipped$/,
  ]) {
    assert.equal(warnings.filter((w) => expected.test(w)).length, 1, `${expected} in\n${warnings.join('\n')}`);
  }
});

test('a full export: a chat without a numeric id, or not an object, is skipped with a warning; the others are read', async () => {
  const dir = tempDir();
  const file = join(dir, 'result.json');
  const message = { id: 1, type: 'message', date_unixtime: '1672531200', from: 'A', from_id: 'user1', text: 'hi' };
  writeFileSync(
    file,
    JSON.stringify({
      about: 'Here is the data you requested.',
      chats: { about: '', list: [{ name: 'No id', type: 'private_group', messages: [message] }, 'oops', { name: 'Fine', type: 'private_group', id: '42', messages: [message] }] },
      left_chats: { about: '', list: [{ name: 'Bad id', type: 'private_group', id: 'x1', messages: [message] }] },
    }),
  );
  const events = await readAll(file);
  assert.deepEqual([...byChat(events).keys()], ['telegram:42']);
  const warnings = ofType(events, 'warning').map((w) => `${w.warning.position}: ${w.warning.message}`);
  assert.deepEqual(warnings.map((w) => w.replace(/byte \d+/, 'byte N')), [
    'chat "No id" (byte N): has no numeric "id"; its messages were skipped',
    'chats #1 (byte N): not an object; skipped',
    'chat "Bad id" (byte N): has no numeric "id"; its messages were skipped',
  ]);
});

test('not a Telegram export, empty, a list, not UTF-8, truncated: a SourceError with the byte offset', async () => {
  const dir = tempDir();
  const write = (name: string, data: string | Buffer) => {
    writeFileSync(join(dir, name), data);
    return join(dir, name);
  };
  await rejects(write('empty.json', ''), (err) => assert.match(err.message, /not a Telegram export: the file is empty/));
  await rejects(write('list.json', '[1]'), (err) => assert.match(err.message, /is a JSON list/));
  await rejects(write('other.json', '{"hello": [1, 2], "world": {"x": 1}}'), (err) => assert.match(err.message, /has neither a "messages" list nor a "chats" list/));
  await rejects(write('latin1.json', Buffer.concat([Buffer.from('{"name": "caf'), Buffer.from([0xe9]), Buffer.from('", "type": "private_group", "id": 1, "messages": []}')])), (err) => {
    assert.equal(err.position, 'byte 13');
    assert.match(err.message, /invalid UTF-8/);
  });
  const full = readFileSync(join(FULL, 'result.json'));
  const cut = write('truncated.json', full.subarray(0, Math.floor(full.length * 0.6)));
  await rejects(cut, (err) => {
    assert.equal(err.file, cut);
    assert.equal(err.position, `byte ${Math.floor(full.length * 0.6)}`);
    assert.match(err.message, /truncated/);
  });
  const folder = join(dir, 'folder');
  cpSync(FULL, folder, { recursive: true });
  writeFileSync(join(folder, 'result.json'), full.subarray(0, 5000));
  await rejects(folder, (err) => {
    assert.equal(err.file, folder);
    assert.equal(err.position, 'result.json byte 5000');
  });
  await rejects(join(dir, 'no-such-folder'), (err) => assert.match(err.message, /no such file or folder/));
  await rejects(dir, (err) => assert.match(err.message, /the folder has no result.json/));
});

test('file paths that leave the export folder are never read', async () => {
  const dir = tempDir();
  const inside = join(dir, 'export');
  cpSync(join(FULL, 'chats'), join(inside, 'chats'), { recursive: true });
  writeFileSync(join(dir, 'secret.txt'), 'not yours');
  const message = (id: number, file: string) => ({ id, type: 'message', date_unixtime: String(1672531200 + id), from: 'A', from_id: 'user1', file, text: '' });
  writeFileSync(
    join(inside, 'result.json'),
    JSON.stringify({ name: 'Paths', type: 'private_group', id: 8, messages: [message(1, '../secret.txt'), message(2, join(dir, 'secret.txt')), message(3, 'chats/chat_001/files/notes.txt')] }),
  );
  const events = await readAll(inside);
  assert.deepEqual(ofType(events, 'media').map((e) => e.media.name), ['notes.txt']);
  const messages = ofType(events, 'message').map((e) => e.message);
  assert.equal(messages[0].attachments![0].hash, undefined);
  assert.equal(messages[1].attachments![0].hash, undefined);
  assert.match(html(messages[0]), /missing from the export folder/);
  const warnings = ofType(events, 'warning').map((w) => w.warning.message);
  assert.equal(warnings.filter((w) => w === 'a file path outside the export folder; not read').length, 2);
});

test('parseLenient reads \\xHH escapes and nothing else changes', () => {
  assert.equal(parseLenient('"a\\x0Bb"', () => 'failed'), 'a\u000bb');
  assert.equal(parseLenient('"\\\\x41"', () => 'failed'), '\\x41', 'an escaped backslash before x is not an escape');
  assert.equal(parseLenient('"\\\\\\x41"', () => 'failed'), '\\A');
  assert.equal(parseLenient('"\\xZZ"', () => 'failed'), 'failed');
  assert.equal(parseLenient('{"a": tru}', () => 'failed'), 'failed');
  assert.deepEqual(parseLenient('{"a": "\\x1F\\u0041"}', () => 'failed'), { a: '\u001fA' });
});

test('localMs reads "date" as UTC and refuses what is not a time', () => {
  assert.equal(localMs('2018-08-25T14:05:01'), Date.UTC(2018, 7, 25, 14, 5, 1));
  assert.equal(localMs('2018-08-25T14:05:01+02:00'), Date.UTC(2018, 7, 25, 12, 5, 1));
  for (const bad of ['', 'yesterday', '2018-13-01T00:00:00', '2018-08-25', 5, null]) assert.equal(localMs(bad), null, String(bad));
});

// ------------------------------------------------------------------------------------------------
// Through the real importer into a real SQLite file

test('import: messages, people, media and reply links land in SQLite; re-import adds nothing; an edit updates in place', async () => {
  const dir = tempDir();
  const folder = join(dir, 'export');
  cpSync(FULL, folder, { recursive: true });
  const file = join(dir, 'store.sqlite');
  const db = openStore(file);
  try {
    const first = await importPaths(db, [folder]);
    assert.equal(first.files[0].format, 'telegram');
    assert.equal(first.newMessages, 37);
    assert.equal(first.chats, 4);
    assert.equal(first.media, 3);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 37);
    assert.equal(scalar(db, `SELECT count(*) FROM chats WHERE format = 'telegram'`), 4);
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = 'telegram:3000'`), 'Engine Club');
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = 'telegram:user7000'`), 'Deleted Account');
    assert.deepEqual(
      db.prepare(`SELECT p.native_id FROM chat_members m JOIN chats c ON c.id = m.chat_id JOIN people p ON p.id = m.person_id WHERE c.native_id = 'telegram:3000' ORDER BY 1`).pluck().all(),
      ['telegram:user1000', 'telegram:user2000', 'telegram:user3001', 'telegram:user5000', 'telegram:user6000', 'telegram:user7000'],
      'everyone who wrote or acted in the chat, but not the anonymous deleted account',
    );
    const photo = sha256(join(FULL, 'chats/chat_001/photos/photo_1@14-03-2023_11-02-00.jpg'));
    assert.deepEqual(db.prepare('SELECT name, type, size FROM media WHERE hash = ?').get(photo), { name: 'photo_1@14-03-2023_11-02-00.jpg', type: 'image/jpeg', size: 1176 });
    // Every reply key names a stored message (its anchor is on the site).
    assert.equal(scalar(db, 'SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL'), 4, 'replies 2→1, 107→109, 108→103 and the pin 110→108');
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    assert.match(scalar(db, `SELECT html FROM messages WHERE native_id = '106'`) as string, /In reply to a message not in this archive \(#50\)/);
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = '12'`), 'Line one\nstill line one');

    const again = await importPaths(db, [folder]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, 37);
    assert.equal(again.media, 0);

    // The same export later: one message edited (new text, edit time), nothing else.
    const json = join(folder, 'result.json');
    const before = readFileSync(json, 'utf8');
    const edited = before
      .replace('"text": "I will be gone soon"', '"text": "I changed my mind"')
      .replace('"text": "I will be gone soon"', '"text": "I changed my mind"')
      .replace(/("id": 104,\n\t+"type": "message",\n\t+"date": "[^"]+",\n\t+"date_unixtime": "\d+",)/, '$1\n\t\t\t\t\t"edited": "2023-03-15T12:00:00",\n\t\t\t\t\t"edited_unixtime": "1678878000",');
    assert.notEqual(edited, before);
    assert.ok(edited.includes('"edited_unixtime": "1678878000"'));
    writeFileSync(json, edited);
    const key = scalar(db, `SELECT key FROM messages WHERE native_id = '104'`);
    const third = await importPaths(db, [folder]);
    assert.equal(third.newMessages, 0);
    assert.equal(third.updatedMessages, 1);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 37);
    const row = db.prepare(`SELECT key, html, edited_at FROM messages WHERE native_id = '104'`).get() as { key: string; html: string; edited_at: number };
    assert.deepEqual(row, { key, html: 'I changed my mind', edited_at: 1678878000000 });
  } finally {
    db.close();
  }
});

test('import: a truncated export fails with its position and leaves the database as it was', async () => {
  const dir = tempDir();
  const file = join(dir, 'store.sqlite');
  const db = openStore(file);
  try {
    await importPaths(db, [OLD]);
    const before = contentDigest(file);
    const cut = join(dir, 'result.json');
    const full = readFileSync(join(FULL, 'result.json'));
    writeFileSync(cut, full.subarray(0, full.length - 200));
    await assert.rejects(importPaths(db, [cut], { format: 'telegram' }), (err: unknown) => {
      assert.ok(err instanceof SourceError);
      assert.equal(err.position, `byte ${full.length - 200}`);
      return true;
    });
    assert.equal(contentDigest(file), before);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 5);
  } finally {
    db.close();
  }
});

test('import: the real export, counted against the file itself, and again with nothing new', { skip: noShared }, async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const expected = (JSON.parse(readFileSync(TGIF, 'utf8')) as { messages: unknown[] }).messages.length;
    const first = await importPaths(db, [TGIF]);
    assert.equal(first.files[0].format, 'telegram');
    assert.equal(first.newMessages, expected);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), expected);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    const again = await importPaths(db, [TGIF]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, expected);
  } finally {
    db.close();
  }
});
