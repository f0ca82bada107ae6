import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openZip } from '../collector/sources/kit/archive/zip.js';
import { importPaths } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { SourceError, type ReadOptions, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import { chatNameOf, chooseDateOrder, machineDateOrder, whatsapp, whatsappTimeZone, whatsappTuning, type OrderStats } from '../collector/sources/whatsapp/index.js';
import { parseHeader, parseRest, resolveDate, wallTime, type DateOrder } from '../collector/sources/whatsapp/lines.js';
import { cleanName, mediaMarker, parsePoll, parseSystemLine, stripLeadingMarks } from '../collector/markup/whatsapp-grammar.js';
import { checkTimeZone, wallTimeCandidates, wallTimeToUtc, ZonedClock, zoneOffset } from '../collector/sources/kit/zoned-time.js';
import { writeZip } from './helpers/archives.js';
import { scalar } from './helpers/sql.js';
import { adapterReader, messagesOf, ofType, warningsOf } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { needsFile } from './helpers/requires.js';

const ROOT = new URL('../../', import.meta.url);
const FIXTURES = fileURLToPath(new URL('test/fixtures/whatsapp/', ROOT));
const SHARED = fileURLToPath(new URL('../shared/fixtures/whatsapp/', ROOT));
const PUSTUR = join(SHARED, 'pustur-whatsapp-chat-parser-example.zip');
const BOB = join(FIXTURES, 'WhatsApp Chat with Bob.txt');
const SILVESTER = join(FIXTURES, 'WhatsApp Chat with Silvester 2020.txt');
const IOS = join(FIXTURES, 'ios-group-chat.txt');
const LUCIA = join(FIXTURES, 'WhatsApp Chat - Lucía.txt');
const UTC: ReadOptions = { whatsapp: { timeZone: 'UTC' } };
const { readAll, rejects } = adapterReader(whatsapp, UTC);

const chatOf = (events: SourceEvent[]): ChatRecord => {
  const chats = ofType(events, 'chat');
  assert.equal(chats.length, 1, 'one chat per export');
  assert.equal(events.findIndex((e) => e.type === 'message') > events.indexOf(chats[0]), true, 'the chat comes before its messages');
  return chats[0].chat;
};

const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');
const utc = (iso: string) => Date.parse(iso);

// ---------------------------------------------------------------------------------------------
// Local time → UTC

test('zoned time: offsets, a skipped and a repeated hour, the previous line deciding', () => {
  assert.equal(zoneOffset(utc('2021-01-15T12:00:00Z'), 'Europe/Berlin'), 3_600_000);
  assert.equal(zoneOffset(utc('2021-07-15T12:00:00Z'), 'Europe/Berlin'), 7_200_000);
  assert.equal(zoneOffset(utc('2021-07-15T12:00:00Z'), 'Asia/Kolkata'), 19_800_000);
  assert.equal(zoneOffset(utc('2021-07-15T12:00:00Z'), 'America/New_York'), -14_400_000);

  // Berlin, 2021-03-28: 02:00–03:00 does not exist.
  assert.deepEqual(wallTimeCandidates(utc('2021-03-28T02:30:00Z'), 'Europe/Berlin'), []);
  assert.equal(wallTimeToUtc(utc('2021-03-28T02:30:00Z'), 'Europe/Berlin'), utc('2021-03-28T01:30:00Z'), 'read with the offset before the change');
  assert.equal(wallTimeToUtc(utc('2021-03-28T01:59:00Z'), 'Europe/Berlin'), utc('2021-03-28T00:59:00Z'));
  assert.equal(wallTimeToUtc(utc('2021-03-28T03:00:00Z'), 'Europe/Berlin'), utc('2021-03-28T01:00:00Z'));

  // Berlin, 2021-10-31: 02:00–03:00 happens twice.
  assert.deepEqual(wallTimeCandidates(utc('2021-10-31T02:30:00Z'), 'Europe/Berlin'), [utc('2021-10-31T00:30:00Z'), utc('2021-10-31T01:30:00Z')]);
  assert.equal(wallTimeToUtc(utc('2021-10-31T02:30:00Z'), 'Europe/Berlin'), utc('2021-10-31T00:30:00Z'), 'the first one by default');
  assert.equal(
    wallTimeToUtc(utc('2021-10-31T02:10:00Z'), 'Europe/Berlin', utc('2021-10-31T00:30:00Z')),
    utc('2021-10-31T01:10:00Z'),
    '02:10 after 02:30 is the second 02:10',
  );
  assert.equal(wallTimeToUtc(utc('2021-10-31T03:00:00Z'), 'Europe/Berlin'), utc('2021-10-31T02:00:00Z'));

  // New York, 2021-11-07: 01:00–02:00 twice; 2021-03-14: 02:00–03:00 skipped.
  assert.deepEqual(wallTimeCandidates(utc('2021-11-07T01:30:00Z'), 'America/New_York'), [utc('2021-11-07T05:30:00Z'), utc('2021-11-07T06:30:00Z')]);
  assert.equal(wallTimeToUtc(utc('2021-03-14T02:30:00Z'), 'America/New_York'), utc('2021-03-14T07:30:00Z'));
  // No daylight saving, and the zone of this machine's tests by default.
  assert.equal(wallTimeToUtc(utc('2021-07-01T12:00:00Z'), 'UTC'), utc('2021-07-01T12:00:00Z'));
  assert.equal(wallTimeToUtc(utc('2021-07-01T12:00:00Z'), 'Asia/Kolkata'), utc('2021-07-01T06:30:00Z'));
});

test('zoned time: the day-cached clock agrees with the exact conversion around every change', () => {
  for (const zone of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Tokyo', 'UTC']) {
    const clock = new ZonedClock(zone);
    for (const day of ['2021-03-27', '2021-03-28', '2021-03-29', '2021-04-04', '2021-10-03', '2021-10-31', '2021-11-07', '2021-03-14']) {
      let previous = -Infinity;
      for (let minute = 0; minute < 24 * 60; minute += 13) {
        const wall = utc(`${day}T00:00:00Z`) + minute * 60_000;
        const exact = wallTimeToUtc(wall, zone, previous);
        assert.equal(clock.toUtc(wall, previous), exact, `${zone} ${new Date(wall).toISOString()}`);
        previous = exact;
      }
    }
  }
  assert.equal(checkTimeZone('europe/berlin'), 'Europe/Berlin');
  assert.throws(() => checkTimeZone('Mars/Olympus_Mons'), (err: unknown) => err instanceof RangeError && /Mars\/Olympus_Mons/.test(err.message));
  assert.equal(whatsappTimeZone({ whatsapp: { timeZone: 'Asia/Tokyo' } }), 'Asia/Tokyo');
  assert.equal(whatsappTimeZone({}), Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC', "the machine's zone by default");
});

// ---------------------------------------------------------------------------------------------
// The line grammar

/** One header per layout WhatsApp writes, with the date and time it names (in the order given). */
const HEADER_FORMS: { line: string; order: DateOrder; date: [number, number, number]; time: [number, number, number] }[] = [
  { line: '12/31/20, 11:59 PM - Name: text', order: 'mdy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '12/31/20, 11:59\u202fPM - Name: text', order: 'mdy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '1/2/21, 9:05\u00a0AM - Name: text', order: 'mdy', date: [2021, 1, 2], time: [9, 5, 0] },
  { line: '31.12.20, 23:59 - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31.12.2020, 23:59 - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31/12/2020, 11:59 pm - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31/12/2020, 11:59 p.m. - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31/12/2020, 11:59 P.M. - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31/12/2020, 11:59 a. m. - Name: text', order: 'dmy', date: [2020, 12, 31], time: [11, 59, 0] },
  { line: '31/12/2020, 11:59\u00a0p.\u00a0m. - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '31-12-20 23:59 - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '2020-12-31 23:59 - Name: text', order: 'ymd', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '2020/12/31 午後11:59 - Name: text', order: 'ymd', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '2020/12/31 午前0:05 - Name: text', order: 'ymd', date: [2020, 12, 31], time: [0, 5, 0] },
  { line: '2020. 12. 31. 오후 11:59 - Name: text', order: 'ymd', date: [2020, 12, 31], time: [23, 59, 0] },
  { line: '13.6.2018 klo 21.25.15 - Name: text', order: 'dmy', date: [2018, 6, 13], time: [21, 25, 15] },
  { line: '[31.12.20, 23:59:59] Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 59] },
  { line: '[12/31/20, 11:59:59 PM] Name: text', order: 'mdy', date: [2020, 12, 31], time: [23, 59, 59] },
  { line: '[31/12/20, 12:00:01 a. m.] Name: text', order: 'dmy', date: [2020, 12, 31], time: [0, 0, 1] },
  { line: '[31/12/20, 12:00:01 p. m.] Name: text', order: 'dmy', date: [2020, 12, 31], time: [12, 0, 1] },
  { line: '[2020-12-31, 23:59:59] Name: text', order: 'ymd', date: [2020, 12, 31], time: [23, 59, 59] },
  { line: '\u200e[31.12.20, 23:59:59] Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 59] },
  { line: '\u200f\u200e31.12.20, 23:59 - Name: text', order: 'dmy', date: [2020, 12, 31], time: [23, 59, 0] },
];

test('header forms: Android and iOS, 12/24 h, every AM/PM spelling, seconds or not, invisible marks', () => {
  for (const form of HEADER_FORMS) {
    const header = parseHeader(stripLeadingMarks(form.line));
    assert.ok(header, `a header: ${JSON.stringify(form.line)}`);
    const date = resolveDate(header.fields, form.order);
    assert.ok(date, form.line);
    assert.deepEqual([date.year, date.month, date.day], form.date, form.line);
    const [h, mi, s] = form.time;
    assert.equal(wallTime(header, date), Date.UTC(form.date[0], form.date[1] - 1, form.date[2], h, mi, s), form.line);
    assert.equal(header.rest, 'Name: text', form.line);
  }
  // Layouts are told apart: brackets, separators, seconds, the 12-hour clock.
  const forms = new Set(HEADER_FORMS.map((f) => parseHeader(stripLeadingMarks(f.line))!.form));
  assert.ok(forms.size >= 10, [...forms].join(' '));
  for (const line of [
    '', 'Hello', '12:30 let us meet', '2016-04-29 10:30:00', '[12:34] <nick> hi', '12/31/20 was a good day - really', '31.12.20, 23:59 Name: no separator',
    '2020-12-31T23:59:00Z - Name: iso', '[31.12.20, 23:59:59]Name: glued',
  ]) {
    assert.equal(parseHeader(line), null, JSON.stringify(line));
  }
  assert.equal(wallTime(parseHeader('31/12/20, 13:00 pm - a: b')!, { year: 2020, month: 12, day: 31 }), NaN, '13 PM is no time');
  assert.equal(wallTime(parseHeader('31/12/20, 24:00 - a: b')!, { year: 2020, month: 12, day: 31 }), NaN);
  assert.equal(resolveDate(['31', '02', '21'], 'dmy'), null, 'no 31 February');
  assert.deepEqual(resolveDate(['29', '02', '2024'], 'dmy'), { year: 2024, month: 2, day: 29 });
  assert.equal(resolveDate(['29', '02', '2023'], 'dmy'), null);
  assert.equal(resolveDate(['12', '31', '20'], 'dmy'), null);
});

test('after the header: author or system line; names without invisible marks', () => {
  assert.deepEqual(parseRest('Loris: Hello: world'), { type: 'message', name: 'Loris', text: 'Hello: world', generated: false });
  assert.deepEqual(parseRest('\u202a+49 170 1234567\u202c: Hallo'), { type: 'message', name: '+49 170 1234567', text: 'Hallo', generated: false });
  assert.deepEqual(parseRest('\u200eLoris\u200e: x'), { type: 'message', name: 'Loris', text: 'x', generated: false });
  assert.deepEqual(parseRest('Luke:'), { type: 'message', name: 'Luke', text: '', generated: false }, 'an empty message');
  assert.deepEqual(parseRest('Trip: \u200eCarla left'), { type: 'message', name: 'Trip', text: 'Carla left', generated: true });
  assert.deepEqual(parseRest('Loris added Emily'), { type: 'system', text: 'Loris added Emily' });
  assert.deepEqual(parseRest('\u200eMessages to this group are now secured with end-to-end encryption.'), { type: 'system', text: 'Messages to this group are now secured with end-to-end encryption.' });
  assert.equal(parseRest('Loris changed the subject to “Plans: 2021”').type, 'system', 'a quoted colon is no name');
  assert.equal(parseRest('Anna hat den Betreff zu „Pläne: 2021“ geändert').type, 'system', 'in any language');
  assert.deepEqual(parseRest('Robert "Bob" Smith: hi'), { type: 'message', name: 'Robert "Bob" Smith', text: 'hi', generated: false });
  assert.equal(cleanName('~\u202fAnna\u200f '), '~ Anna');

  assert.deepEqual(parseSystemLine('Loris created group “WhatsApp Chat Parser Example”'), { actor: 'Loris', group: true, subject: 'WhatsApp Chat Parser Example' });
  assert.deepEqual(parseSystemLine('Anna changed the subject from "Silvester" to "Silvester 2020"'), { actor: 'Anna', group: true, subject: 'Silvester 2020' });
  assert.deepEqual(parseSystemLine('Loris added John'), { actor: 'Loris', group: true, subject: null });
  assert.deepEqual(parseSystemLine('Ben left'), { actor: 'Ben', group: true, subject: null });
  assert.deepEqual(parseSystemLine('You added Ben'), { actor: null, group: true, subject: null }, '"You" is the unnamed exporter');
  assert.deepEqual(parseSystemLine('Ann joined using this group’s invite link'), { actor: 'Ann', group: true, subject: null });
  assert.deepEqual(parseSystemLine('Bob changed their phone number to a new number. Tap to message or add the new number.'), { actor: 'Bob', group: false, subject: null });
  assert.deepEqual(parseSystemLine('Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.'), { actor: null, group: false, subject: null });
  assert.deepEqual(parseSystemLine('Nachrichten und Anrufe sind Ende-zu-Ende-verschlüsselt.'), { actor: null, group: false, subject: null });
});

test('markers: attachments, omitted media, polls', () => {
  assert.deepEqual(mediaMarker('<attached: 00000001-PHOTO-2019-06-20-16-00-15.jpg>'), { name: '00000001-PHOTO-2019-06-20-16-00-15.jpg', omitted: false, caption: '', needsFile: false });
  assert.deepEqual(mediaMarker('\u200e<attached: 00000002-VIDEO.mp4>'), { name: '00000002-VIDEO.mp4', omitted: false, caption: '', needsFile: false });
  assert.deepEqual(mediaMarker('IMG-20200101-WA0001.jpg (file attached)\nOur dog'), { name: 'IMG-20200101-WA0001.jpg', omitted: false, caption: 'Our dog', needsFile: false });
  assert.deepEqual(mediaMarker('IMG-20200101-WA0001.jpg (Datei angehängt)'), { name: 'IMG-20200101-WA0001.jpg', omitted: false, caption: '', needsFile: false });
  assert.equal(mediaMarker('notes.txt (some words)')?.needsFile, true, 'an unknown wording counts only if the file is there');
  for (const omitted of ['<Media omitted>', 'image omitted', '\u200evideo omitted', 'sticker omitted', 'GIF omitted', 'Contact card omitted', 'Trip.pdf • 3 pages document omitted']) {
    assert.deepEqual(mediaMarker(omitted), { name: null, omitted: true, caption: '', needsFile: false }, omitted);
  }
  for (const text of ['Hello', 'see <attached: x.jpg> inline', 'version 1 (beta)', 'I omitted nothing']) assert.equal(mediaMarker(text), null, text);
  assert.equal(mediaMarker('version 1.2 (beta)')?.needsFile, true, 'looks like a file: the adapter keeps it text unless the file is there');

  assert.deepEqual(parsePoll('POLL:\nWhen can we meet?\nOPTION: Thursday 15 evening (2 votes)\nOPTION: Friday (1 vote)\nOPTION: Never'), {
    question: 'When can we meet?',
    options: [
      { text: 'Thursday 15 evening', votes: 2 },
      { text: 'Friday', votes: 1 },
      { text: 'Never', votes: null },
    ],
  });
  assert.equal(parsePoll('POLL: no options'), null);
});

test('day/month order: invalid dates rule an order out, then chronology, then the locale (with a warning)', () => {
  const stats = (o: Partial<Record<DateOrder, Partial<OrderStats>>>): Record<DateOrder, OrderStats> => {
    const base = (s?: Partial<OrderStats>): OrderStats => ({ invalid: 0, backwards: 0, lastDay: 0, ...s });
    return { dmy: base(o.dmy), mdy: base(o.mdy), ymd: base(o.ymd) };
  };
  assert.deepEqual(chooseDateOrder(stats({ mdy: { invalid: 3 }, ymd: { invalid: 1 } }), '31.12.20'), { order: 'dmy', warning: null });
  assert.deepEqual(chooseDateOrder(stats({ dmy: { invalid: 3 }, ymd: { invalid: 1 } }), '12/31/20'), { order: 'mdy', warning: null });
  assert.deepEqual(chooseDateOrder(stats({ dmy: { invalid: 3 }, mdy: { invalid: 3 } }), '2020-12-31'), { order: 'ymd', warning: null });
  assert.deepEqual(chooseDateOrder(stats({ mdy: { backwards: 1 } }), '05/01/21'), { order: 'dmy', warning: null }, 'month-first would go back in time');
  assert.deepEqual(chooseDateOrder(stats({ mdy: { invalid: 2 } }), '20.06.19'), { order: 'dmy', warning: null }, 'a 2-digit year first only when the data asks');
  const open = chooseDateOrder(stats({}), '01/02/21');
  assert.equal(open.order, machineDateOrder() === 'mdy' ? 'mdy' : 'dmy');
  assert.match(open.warning ?? '', /do not tell day from month.*01\/02\/21.*locale default.*--date-order/);
  const mixed = chooseDateOrder(stats({ dmy: { invalid: 1 }, mdy: { invalid: 4 }, ymd: { invalid: 9 } }), '13/13/21');
  assert.equal(mixed.order, 'dmy');
  assert.match(mixed.warning ?? '', /fit no single/);
});

test('chat names come from the export file name, stable across re-exports', () => {
  assert.equal(chatNameOf('WhatsApp Chat with Bob.txt'), 'Bob');
  assert.equal(chatNameOf('WhatsApp Chat with Bob (1).txt'), 'Bob', "a browser's duplicate download");
  assert.equal(chatNameOf('WhatsApp Chat - Trip.zip'), 'Trip');
  assert.equal(chatNameOf('WhatsApp Chat mit Anna.txt'), 'Anna');
  assert.equal(chatNameOf('Chat de WhatsApp con Lucía.txt'), 'Lucía');
  assert.equal(chatNameOf('WhatsApp Chat - Luci\u0301a.zip'), 'Lucía', 'NFC, as a Mac may write it decomposed');
  assert.equal(chatNameOf('_chat.txt'), null);
  assert.equal(chatNameOf('export.txt'), null);
});

// ---------------------------------------------------------------------------------------------
// detect

test('detect: chat texts and zips of them; not other files', async () => {
  const dir = tempDir('cc-wa-detect-');
  for (const file of [BOB, SILVESTER, IOS, LUCIA]) assert.equal(await whatsapp.detect(file), true, file);
  const zip = join(dir, 'WhatsApp Chat - Trip.zip');
  writeZip(zip, [{ name: '_chat.txt', data: readFileSync(IOS) }]);
  assert.equal(await whatsapp.detect(zip), true);
  const nested = join(dir, 'nested.zip');
  writeZip(nested, [
    { name: 'export/readme.txt', data: 'not a chat\n' },
    { name: 'export/WhatsApp Chat with Bob.txt', data: readFileSync(BOB) },
  ]);
  assert.equal(await whatsapp.detect(nested), true, 'the chat text in a folder of the archive');

  const others: [string, string | Buffer][] = [
    ['slack.zip', ''],
    ['irc.log', '--- Log opened Tue Jun 02 00:00:00 2016\n[12:34] <nick> 12/31/20, 11:59 PM - hi\n'],
    ['messages.json', JSON.stringify({ userId: '8:me', conversations: [] })],
    ['image.png', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13])],
    ['empty.txt', ''],
    ['notes.txt', 'Shopping\n12/31/20, 11:59 PM - Name: text\n'],
    ['impossible.txt', '31/31/20, 11:59 PM - Name: text\n'],
    ['garbage.bin', randomBytes(4096)],
  ];
  for (const [name, data] of others) {
    const file = join(dir, name);
    if (name === 'slack.zip') writeZip(file, [{ name: 'channels.json', data: '[]' }, { name: 'general/2020-01-01.json', data: '[]' }]);
    else writeFileSync(file, data);
    assert.equal(await whatsapp.detect(file), false, name);
  }
  assert.equal(await whatsapp.detect(dir), false, 'a folder');
  assert.equal(await whatsapp.detect(join(dir, 'missing.txt')), false);
});

// ---------------------------------------------------------------------------------------------
// Reading

test('the real iOS example (Pustur): one message per header line, media hashed, poll, multi-line, __MACOSX ignored', { skip: needsFile(PUSTUR) }, async () => {
  assert.equal(await whatsapp.detect(PUSTUR), true);
  // Count the header lines of _chat.txt independently of the adapter's grammar.
  const zip = await openZip(PUSTUR);
  let text: string;
  const files = new Map<string, Buffer>();
  try {
    text = (await zip.read(zip.entries.find((e) => e.name === '_chat.txt')!, 64 << 20)).toString('utf8');
    for (const e of zip.entries) if (/^\d{8}-/.test(e.name)) files.set(e.name, await zip.read(e, e.size));
  } finally {
    zip.close();
  }
  const headerLines = text.split(/\r?\n/).filter((line) => /^\u200e?\[\d\d\.\d\d\.\d\d, \d\d:\d\d:\d\d\] /.test(line)).length;
  assert.ok(headerLines > 40);
  assert.equal(files.size, 4);

  const events = await readAll(PUSTUR, { whatsapp: { timeZone: 'Europe/Zurich' } });
  const chat = chatOf(events);
  assert.deepEqual(chat, {
    nativeId: 'whatsapp:WhatsApp Chat Parser Example',
    title: 'WhatsApp Chat Parser Example',
    kind: 'group',
    members: [
      { nativeId: 'whatsapp:John', displayName: 'John' },
      { nativeId: 'whatsapp:Loris', displayName: 'Loris' },
      { nativeId: 'whatsapp:Emily', displayName: 'Emily' },
    ],
  }, 'named by the group subject when the file name does not name the chat');
  const messages = messagesOf(events);
  assert.equal(messages.length, headerLines);
  assert.equal(messages[0].time, utc('2019-06-20T13:58:47Z'), '15:58:47 in Zurich (summer time)');
  assert.deepEqual(messages.slice(0, 4).map((m) => [m.kind, m.authorId]), [
    ['event', 'system'],
    ['event', 'whatsapp:Loris'],
    ['event', 'whatsapp:Loris'],
    ['event', 'whatsapp:Loris'],
  ]);
  assert.ok(messages.every((m) => !m.body.includes('\r')), 'CRLF and LF both end lines');
  const multi = messages.filter((m) => m.body.includes('\n') && m.kind === 'text');
  assert.ok(multi.some((m) => m.body === "Come on...\ndon't be so mysterious and show us!"));
  const poll = messages.filter((m) => m.kind === 'poll');
  assert.equal(poll.length, 1);
  assert.match(poll[0].body, /^POLL:\nWhen can we meet\?\nOPTION: Thursday 15 evening \(2 votes\)\n/);

  const media = ofType(events, 'media');
  assert.deepEqual(media.map((m) => m.media.name).sort(), [...files.keys()].sort(), 'every file, nothing from __MACOSX/');
  for (const m of media) assert.equal(m.hash, sha256(files.get(m.media.name)!));
  const withFiles = messages.filter((m) => m.attachments);
  assert.deepEqual(withFiles.map((m) => m.kind), ['media', 'media', 'media', 'file']);
  for (const m of withFiles) {
    const [attachment] = m.attachments!;
    assert.equal(attachment.hash, sha256(files.get(attachment.name)!));
    assert.equal(attachment.size, files.get(attachment.name)!.length);
    const mediaAt = events.findIndex((e) => e.type === 'media' && e.media.name === attachment.name);
    assert.ok(mediaAt >= 0 && mediaAt < events.findIndex((e) => e.type === 'message' && e.message === m), 'the file comes before its message');
  }
  assert.deepEqual(warningsOf(events), [], 'day first: June has no 20th month');
});

test('Android, US English: month first, 12 h with U+202F, BOM, CRLF/LF, multi-line, identical lines, omitted media, deletion', async () => {
  const events = await readAll(BOB, { whatsapp: { timeZone: 'America/New_York' } });
  assert.deepEqual(chatOf(events), {
    nativeId: 'whatsapp:Bob',
    title: 'Bob',
    kind: 'direct',
    members: [
      { nativeId: 'whatsapp:Bob', displayName: 'Bob' },
      { nativeId: 'whatsapp:Alice', displayName: 'Alice' },
    ],
  });
  const messages = messagesOf(events);
  assert.deepEqual(messages.map((m) => [new Date(m.time).toISOString(), m.kind, m.authorId, m.body]), [
    ['2020-12-31T02:05:00.000Z', 'event', 'system', 'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.'],
    ['2020-12-31T02:06:00.000Z', 'text', 'whatsapp:Bob', 'Hi Alice! Are you coming tomorrow?'],
    ['2020-12-31T02:07:00.000Z', 'text', 'whatsapp:Alice', 'Yes!\nBringing *cake* and _wine_.\n\nSee https://example.com/party_info'],
    ['2020-12-31T02:08:00.000Z', 'text', 'whatsapp:Bob', 'ok'],
    ['2020-12-31T02:08:00.000Z', 'text', 'whatsapp:Bob', 'ok'],
    ['2020-12-31T04:59:00.000Z', 'media', 'whatsapp:Alice', '<Media omitted>'],
    ['2020-12-31T05:00:00.000Z', 'text', 'whatsapp:Bob', 'This message was deleted'],
    ['2020-12-31T05:01:00.000Z', 'text', 'whatsapp:Bob', 'Happy new year 🎉'],
    ['2020-12-31T17:30:00.000Z', 'text', 'whatsapp:Alice', 'Forwarded from Carol:\n[30.12.20, 21:00:00] Carol: see you there'],
  ]);
  assert.equal(messages[6].deleted, true);
  assert.equal(messages[5].attachments, undefined, 'an omitted file is no attachment');
  assert.ok(messages.every((m) => m.markup === 'whatsapp' && m.nativeId === undefined));
  const warnings = warningsOf(events);
  assert.equal(warnings.length, 1);
  assert.match(warnings[0].message, /1 line looking like message headers of another layout .* kept as message text/);
});

test('Android, German: day first, a group with system lines credited to who acted, a poll, a file beside the text', async () => {
  const events = await readAll(SILVESTER);
  const chat = chatOf(events);
  assert.equal(chat.nativeId, 'whatsapp:Silvester 2020');
  assert.equal(chat.kind, 'group');
  assert.deepEqual(chat.members!.map((m) => m.nativeId), ['whatsapp:+49 170 1234567', 'whatsapp:Ben', 'whatsapp:Anna'], 'phone numbers without their U+202A…U+202C wrapping');
  const messages = messagesOf(events);
  assert.deepEqual(messages.map((m) => [new Date(m.time).toISOString().slice(0, 16), m.kind, m.authorId]), [
    ['2020-12-31T18:00', 'event', 'system'],
    ['2020-12-31T18:00', 'event', 'whatsapp:Anna'],
    ['2020-12-31T18:01', 'event', 'whatsapp:Anna'],
    ['2020-12-31T18:01', 'event', 'whatsapp:Anna'],
    ['2020-12-31T18:02', 'text', 'whatsapp:+49 170 1234567'],
    ['2020-12-31T18:03', 'media', 'whatsapp:Ben'],
    ['2020-12-31T18:04', 'poll', 'whatsapp:Anna'],
    ['2020-12-31T18:05', 'event', 'whatsapp:Anna'],
    ['2020-12-31T18:06', 'event', 'whatsapp:Ben'],
    ['2021-01-01T00:00', 'text', 'whatsapp:Anna'],
    ['2021-01-01T00:01', 'file', 'whatsapp:Anna'],
  ]);
  assert.equal(messages[9].body, 'Frohes neues Jahr!', 'a U+200F at the line start is no part of the text');
  const photo = readFileSync(join(FIXTURES, 'IMG-20201231-WA0001.jpg'));
  assert.deepEqual(messages[5].attachments, [{ name: 'IMG-20201231-WA0001.jpg', size: photo.length, type: 'image/jpeg', hash: sha256(photo) }]);
  assert.equal(messages[5].body, 'IMG-20201231-WA0001.jpg (Datei angehängt)\nDas Feuerwerk');
  assert.deepEqual(ofType(events, 'media').map((m) => [m.media.name, m.hash]), [['IMG-20201231-WA0001.jpg', sha256(photo)]]);
  assert.deepEqual(messages[10].attachments, [{ name: 'report.pdf', type: 'application/pdf' }]);
  assert.deepEqual(warningsOf(events).map((w) => w.message), ['1 attached file is not in the folder (first: report.pdf); imported without it']);
});

test('iOS zip: _chat.txt with __MACOSX junk, system lines credited to the group, media present and absent, calls, deletions', async () => {
  const dir = tempDir('cc-wa-ios-');
  const zip = join(dir, 'WhatsApp Chat - Trip.zip');
  const photo = readFileSync(join(FIXTURES, '00000001-PHOTO-2021-08-15-09-02-30.jpg'));
  writeZip(zip, [
    { name: '_chat.txt', data: readFileSync(IOS) },
    { name: '__MACOSX/._chat.txt', data: Buffer.from([0, 5, 22, 7, 0, 2, 0, 0, 0x4d, 0x61, 0x63]) },
    { name: '__MACOSX/._00000001-PHOTO-2021-08-15-09-02-30.jpg', data: 'junk' },
    { name: '00000001-PHOTO-2021-08-15-09-02-30.jpg', data: photo },
  ]);
  const events = await readAll(zip);
  const chat = chatOf(events);
  assert.equal(chat.nativeId, 'whatsapp:Trip');
  assert.equal(chat.kind, 'group');
  assert.deepEqual(chat.members!.map((m) => m.displayName), ['Carla', 'Dan', 'Erik'], 'the group itself is no member');
  const messages = messagesOf(events);
  assert.deepEqual(messages.map((m) => [m.kind, m.authorId, m.body]), [
    ['event', 'system', 'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.'],
    ['event', 'whatsapp:Carla', 'Carla created group “Trip”'],
    ['event', 'whatsapp:Carla', 'Carla added Dan'],
    ['text', 'whatsapp:Carla', 'Welcome!'],
    ['text', 'whatsapp:Dan', 'Thanks. Here is the map:'],
    ['media', 'whatsapp:Dan', '<attached: 00000001-PHOTO-2021-08-15-09-02-30.jpg>'],
    ['media', 'whatsapp:Dan', '<attached: 00000002-AUDIO-2021-08-15-09-03-00.opus>'],
    ['media', 'whatsapp:Carla', 'image omitted'],
    ['call', 'whatsapp:Carla', 'Missed voice call'],
    ['text', 'whatsapp:Erik', 'This message was deleted.'],
    ['event', 'whatsapp:Erik', 'Erik left'],
  ]);
  assert.equal(messages[2].time, utc('2021-08-15T09:00:01Z'), 'seconds kept');
  assert.equal(messages[9].deleted, true);
  assert.deepEqual(messages[5].attachments, [{ name: '00000001-PHOTO-2021-08-15-09-02-30.jpg', size: photo.length, type: 'image/jpeg', hash: sha256(photo) }]);
  assert.deepEqual(messages[6].attachments, [{ name: '00000002-AUDIO-2021-08-15-09-03-00.opus', type: 'audio/ogg' }]);
  assert.deepEqual(ofType(events, 'media').map((m) => m.media.name), ['00000001-PHOTO-2021-08-15-09-02-30.jpg']);
  assert.deepEqual(warningsOf(events).map((w) => [w.position, w.message]), [
    [zip, '1 attached file is not in the archive (first: 00000002-AUDIO-2021-08-15-09-03-00.opus); imported without it'],
  ]);

  // The same chat exported as a text alone (renamed): named by its subject, so the same chat.
  const alone = await readAll(IOS);
  assert.equal(chatOf(alone).nativeId, 'whatsapp:Trip');
  assert.deepEqual(messagesOf(alone), messages);
});

test('iOS, Spanish 12 h: "a. m." / "p. m." with no-break spaces, 12 a.m. is midnight, day first', async () => {
  const messages = messagesOf(await readAll(LUCIA));
  assert.deepEqual(messages.map((m) => new Date(m.time).toISOString()), [
    '2021-03-13T08:15:00.000Z',
    '2021-03-13T08:16:30.000Z',
    '2021-03-13T12:00:00.000Z',
    '2021-03-13T00:00:00.000Z',
    '2021-03-14T21:45:10.000Z',
  ]);
  assert.equal(messages[0].authorId, 'whatsapp:Lucía');
});

test('every header form end to end: times, order inferred from a field over 12', async () => {
  const dir = tempDir('cc-wa-forms-');
  // Each layout as a function of a date and time; three messages, the last one's day > 12.
  const pad = (n: number) => String(n).padStart(2, '0');
  const h12 = (h: number) => [h % 12 === 0 ? 12 : h % 12, h < 12] as const;
  const layouts: Record<string, (y: number, mo: number, d: number, h: number, mi: number, s: number) => string> = {
    'android-us': (y, mo, d, h, mi) => `${mo}/${d}/${y % 100}, ${h12(h)[0]}:${pad(mi)}\u202f${h12(h)[1] ? 'AM' : 'PM'} - Ann: hi`,
    'android-de': (y, mo, d, h, mi) => `${pad(d)}.${pad(mo)}.${y % 100}, ${pad(h)}:${pad(mi)} - Ann: hi`,
    'android-uk': (y, mo, d, h, mi) => `${pad(d)}/${pad(mo)}/${y}, ${pad(h)}:${pad(mi)} - Ann: hi`,
    'android-in': (y, mo, d, h, mi) => `${pad(d)}/${pad(mo)}/${y % 100}, ${h12(h)[0]}:${pad(mi)} ${h12(h)[1] ? 'am' : 'pm'} - Ann: hi`,
    'android-es': (y, mo, d, h, mi) => `${d}/${mo}/${y % 100}, ${h12(h)[0]}:${pad(mi)}\u00a0${h12(h)[1] ? 'a.\u00a0m.' : 'p.\u00a0m.'} - Ann: hi`,
    'android-nl': (y, mo, d, h, mi) => `${pad(d)}-${pad(mo)}-${y} ${pad(h)}:${pad(mi)} - Ann: hi`,
    'android-se': (y, mo, d, h, mi) => `${y}-${pad(mo)}-${pad(d)} ${pad(h)}:${pad(mi)} - Ann: hi`,
    'android-jp': (y, mo, d, h, mi) => `${y}/${pad(mo)}/${pad(d)} ${h < 12 ? '午前' : '午後'}${h12(h)[0]}:${pad(mi)} - Ann: hi`,
    'ios-de': (y, mo, d, h, mi, s) => `[${pad(d)}.${pad(mo)}.${y % 100}, ${pad(h)}:${pad(mi)}:${pad(s)}] Ann: hi`,
    'ios-us': (y, mo, d, h, mi, s) => `[${mo}/${d}/${y % 100}, ${h12(h)[0]}:${pad(mi)}:${pad(s)}\u202f${h12(h)[1] ? 'AM' : 'PM'}] Ann: hi`,
    'ios-mx': (y, mo, d, h, mi, s) => `[${d}/${mo}/${y % 100}, ${h12(h)[0]}:${pad(mi)}:${pad(s)} ${h12(h)[1] ? 'a. m.' : 'p. m.'}] Ann: hi`,
    'ios-au': (y, mo, d, h, mi, s) => `\u200e[${d}/${mo}/${y % 100}, ${h12(h)[0]}:${pad(mi)}:${pad(s)} ${h12(h)[1] ? 'a.m.' : 'p.m.'}] Ann: hi`,
    'ios-ca': (y, mo, d, h, mi, s) => `[${y}-${pad(mo)}-${pad(d)}, ${h12(h)[0]}:${pad(mi)}:${pad(s)} ${h12(h)[1] ? 'A.M.' : 'P.M.'}] Ann: hi`,
  };
  const times: [number, number, number, number, number, number][] = [[2020, 12, 1, 0, 5, 7], [2021, 1, 5, 12, 0, 59], [2021, 2, 13, 23, 59, 1]];
  for (const [name, layout] of Object.entries(layouts)) {
    const file = join(dir, `WhatsApp Chat with ${name}.txt`);
    writeFileSync(file, times.map((t) => layout(...t)).join('\r\n') + '\r\n');
    assert.equal(await whatsapp.detect(file), true, name);
    const events = await readAll(file);
    const seconds = name.startsWith('ios');
    assert.deepEqual(
      messagesOf(events).map((m) => new Date(m.time).toISOString()),
      times.map(([y, mo, d, h, mi, s]) => new Date(Date.UTC(y, mo - 1, d, h, mi, seconds ? s : 0)).toISOString()),
      name,
    );
    assert.deepEqual(warningsOf(events), [], name);
  }
});

test('day/month order: inferred from chronology, the locale default with a warning, forced by the option', async () => {
  const dir = tempDir('cc-wa-order-');
  // Month-first would go back from July to January: the dates read day first.
  const forward = join(dir, 'WhatsApp Chat with Forward.txt');
  writeFileSync(forward, ['05/01/21, 10:00 - A: a', '06/01/21, 10:00 - B: b', '07/01/21, 10:00 - A: c', '01/02/21, 10:00 - B: d'].join('\n'));
  let events = await readAll(forward);
  assert.deepEqual(messagesOf(events).map((m) => new Date(m.time).toISOString().slice(0, 10)), ['2021-01-05', '2021-01-06', '2021-01-07', '2021-02-01']);
  assert.deepEqual(warningsOf(events), []);

  // One day, no field over 12: the locale's order, said in a warning; the option decides.
  const open = join(dir, 'WhatsApp Chat with Open.txt');
  writeFileSync(open, ['01/02/21, 10:00 - A: a', '01/02/21, 10:01 - B: b'].join('\n'));
  events = await readAll(open);
  const local = machineDateOrder() === 'mdy' ? '2021-01-02' : '2021-02-01';
  assert.equal(new Date(messagesOf(events)[0].time).toISOString().slice(0, 10), local);
  assert.deepEqual(warningsOf(events).map((w) => w.position), ['line 1']);
  assert.match(warningsOf(events)[0].message, /do not tell day from month/);
  for (const [order, day] of [['dmy', '2021-02-01'], ['mdy', '2021-01-02']] as const) {
    events = await readAll(open, { whatsapp: { dateOrder: order, timeZone: 'UTC' } });
    assert.equal(new Date(messagesOf(events)[0].time).toISOString().slice(0, 10), day, order);
    assert.deepEqual(warningsOf(events), [], 'a forced order needs no warning');
  }
  // Forcing against the data: the impossible header is text of the message before it.
  events = await readAll(forward, { whatsapp: { dateOrder: 'ymd', timeZone: 'UTC' } });
  assert.equal(messagesOf(events).length, 4, '05/01/21 read year first is 2005-01-21');
  const contradicting = join(dir, 'WhatsApp Chat with Mixed.txt');
  writeFileSync(contradicting, ['13/01/21, 10:00 - A: day first', '14/01/21, 10:00 - B: day first', '01/13/21, 10:00 - A: month first?'].join('\n'));
  events = await readAll(contradicting);
  const messages = messagesOf(events);
  assert.deepEqual(messages.map((m) => m.body), ['day first', 'day first\n01/13/21, 10:00 - A: month first?']);
  assert.deepEqual(warningsOf(events).map((w) => w.position), ['line 1', 'line 3']);
  assert.match(warningsOf(events)[0].message, /fit no single day\/month order/);
  assert.match(warningsOf(events)[1].message, /impossible date or time "01\/13\/21"/);
  await rejects(open, (err) => assert.match(err.message, /unknown date order "dym"/), { whatsapp: { dateOrder: 'dym' as DateOrder } });
  await rejects(open, (err) => assert.match(err.message, /unknown time zone "Nowhere\/Land"/), { whatsapp: { timeZone: 'Nowhere/Land' } });
});

test('daylight saving: a Berlin night with the repeated hour and one with the skipped hour', async () => {
  const dir = tempDir('cc-wa-dst-');
  const file = join(dir, 'WhatsApp Chat with Night.txt');
  writeFileSync(file, [
    '31.10.21, 01:50 - A: before',
    '31.10.21, 02:30 - A: first 02:30 (summer time)',
    '31.10.21, 02:10 - B: second 02:10 (winter time)',
    '31.10.21, 02:40 - A: second 02:40',
    '31.10.21, 03:05 - B: after',
    '28.03.21, 01:59 - A: spring',
    '28.03.21, 03:00 - B: summer',
  ].join('\n'));
  const messages = messagesOf(await readAll(file, { whatsapp: { timeZone: 'Europe/Berlin' } }));
  assert.deepEqual(messages.map((m) => new Date(m.time).toISOString().slice(0, 16)), [
    '2021-10-30T23:50',
    '2021-10-31T00:30',
    '2021-10-31T01:10',
    '2021-10-31T01:40',
    '2021-10-31T02:05',
    '2021-03-28T00:59',
    '2021-03-28T01:00',
  ]);
});

test('media kinds and call-like words from an Android zip named "WhatsApp Chat with X.zip"', async () => {
  const dir = tempDir('cc-wa-android-zip-');
  const zip = join(dir, 'WhatsApp Chat with Silvester 2020.zip');
  const photo = readFileSync(join(FIXTURES, 'IMG-20201231-WA0001.jpg'));
  const card = Buffer.from('BEGIN:VCARD\nFN:Ben\nEND:VCARD\n');
  const text = readFileSync(SILVESTER, 'utf8') + '01.01.21, 00:02 - Ben: Ben.vcf (file attached)\n01.01.21, 00:03 - Ben: notes.txt (some words)\n01.01.21, 00:04 - Ben: Video call later?\n';
  writeZip(zip, [
    { name: 'WhatsApp Chat with Silvester 2020.txt', data: text },
    { name: 'IMG-20201231-WA0001.jpg', data: photo },
    { name: 'Ben.vcf', data: card },
    { name: 'report.pdf', data: '%PDF-1.4 fake' },
  ]);
  const events = await readAll(zip);
  assert.equal(chatOf(events).nativeId, 'whatsapp:Silvester 2020', 'the same chat as the text alone');
  const messages = messagesOf(events);
  assert.deepEqual(messages.slice(-5).map((m) => [m.kind, m.attachments?.[0]?.name ?? null, m.attachments?.[0]?.hash ? 'hash' : null]), [
    ['text', null, null],
    ['file', 'report.pdf', 'hash'],
    ['contact', 'Ben.vcf', 'hash'],
    ['text', null, null],
    ['text', null, null],
  ]);
  assert.equal(messages.at(-2)!.body, 'notes.txt (some words)', 'an unknown wording without its file stays text');
  assert.equal(messages.at(-1)!.kind, 'text', "a person's words about a call are no call line");
  assert.deepEqual(warningsOf(events), []);
});

test('chunk boundaries anywhere give the same events', async () => {
  const whole = await readAll(BOB);
  const saved = whatsappTuning.chunkBytes;
  try {
    for (const size of [1, 2, 3, 7, 64]) {
      whatsappTuning.chunkBytes = size;
      const split = (await readAll(BOB)).filter((e) => e.type !== 'progress');
      assert.deepEqual(split, whole.filter((e) => e.type !== 'progress'), `chunks of ${size} bytes`);
    }
  } finally {
    whatsappTuning.chunkBytes = saved;
  }
});

test('--chat filtering: an unwanted chat yields no chat and no messages', async () => {
  const events = await readAll(BOB, { ...UTC, wantChat: (id) => id !== 'whatsapp:Bob' });
  assert.equal(ofType(events, 'chat').length + ofType(events, 'message').length, 0);
});

// ---------------------------------------------------------------------------------------------
// Bad input

test('bad input: SourceErrors naming the file and the position', async () => {
  const dir = tempDir('cc-wa-bad-');
  const file = (name: string, data: string | Buffer) => {
    const path = join(dir, name);
    writeFileSync(path, data);
    return path;
  };
  await rejects(file('empty.txt', ''), (err) => assert.match(err.message, /empty/));
  await rejects(file('blank.txt', '\n\r\n  \n'), (err) => assert.match(err.message, /no message header/));
  await rejects(file('garbage.bin', randomBytes(8192)), (err) => assert.match(err.message, /invalid UTF-8|no message header|longer than/));
  await rejects(file('zeros.bin', Buffer.alloc(200_000)), (err) => assert.match(err.message, /no message header/));
  await rejects(file('prose.txt', 'Dear diary,\n'.repeat(50)), (err) => {
    assert.equal(err.position, 'line 21');
    assert.match(err.message, /not a WhatsApp chat export/);
  });
  const valid = readFileSync(BOB);
  await rejects(file('broken.txt', Buffer.concat([valid.subarray(0, 300), Buffer.from([0xc3, 0x28]), valid.subarray(300)])), (err) => {
    assert.match(err.position ?? '', /^line \d+ \(byte 300\)$/);
    assert.match(err.message, /invalid UTF-8/);
  });
  await rejects(file('utf16.txt', Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('31.12.20, 23:59 - A: b\n', 'utf16le')])), (err) => assert.match(err.message, /UTF-16/));
  await rejects(file('truncated.txt', Buffer.concat([valid, Buffer.from([0xf0, 0x9f])])), (err) => assert.match(err.message, /ends inside a character/));
  const noChat = join(dir, 'no-chat.zip');
  writeZip(noChat, [{ name: 'photo.jpg', data: 'x' }]);
  await rejects(noChat, (err) => assert.match(err.message, /no chat text/));
  const damaged = file('damaged.zip', Buffer.concat([Buffer.from('PK\x03\x04'), randomBytes(100)]));
  await rejects(damaged, (err) => assert.match(err.message, /zip/));
  await rejects(dir, (err) => assert.match(err.message, /not a file/));
  // A deflate stream that breaks after the central directory was read.
  const good = join(dir, 'WhatsApp Chat - Bad.zip');
  writeZip(good, [{ name: '_chat.txt', data: Buffer.concat(Array(200).fill(valid)) }]);
  const bytes = readFileSync(good);
  for (let i = 200; i < 400; i++) bytes[i] ^= 0x5a;
  writeFileSync(good, bytes);
  await rejects(good, (err) => assert.match(err.message, /damaged|invalid|zip/i));
});

// ---------------------------------------------------------------------------------------------
// Through the importer, into SQLite

test('import: identical lines stay two, re-import changes nothing, the text alone and the zip are one chat', async () => {
  const dir = tempDir('cc-wa-import-');
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    // A copy of Bob's chat that grows later, as a re-export over the same file does.
    const bob = join(dir, 'WhatsApp Chat with Bob.txt');
    writeFileSync(bob, readFileSync(BOB));
    const first = await importPaths(db, [bob, SILVESTER, LUCIA]);
    assert.equal(first.chats, 3);
    assert.equal(first.newMessages, 9 + 11 + 5);
    const oks = () => scalar(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = 'whatsapp:Bob' AND m.body = 'ok'`);
    assert.equal(oks(), 2, 'two identical lines from one person in one minute are two messages');
    assert.equal(scalar(db, `SELECT count(DISTINCT anchor) FROM messages WHERE body = 'ok'`), 2);
    assert.equal(first.media, 1);

    const again = await importPaths(db, [bob, SILVESTER, LUCIA]);
    assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, 're-import changes nothing');
    assert.equal(again.unchangedMessages, 25);
    assert.equal(oks(), 2, 'and keeps them two');

    // A third "ok" in the same minute and a later line: exactly two more.
    const text = readFileSync(BOB, 'utf8').replace('12/30/20, 9:08\u202fPM - Bob: ok\n', '12/30/20, 9:08\u202fPM - Bob: ok\n12/30/20, 9:08\u202fPM - Bob: ok\n');
    writeFileSync(bob, `${text}12/31/20, 12:31\u202fPM - Bob: ok\n`);
    const third = await importPaths(db, [bob]);
    assert.equal(third.newMessages, 2);
    assert.equal(third.unchangedMessages, 9);
    assert.equal(oks(), 4);

    // The Android zip of the same group: the text's messages are known, the new file's one too.
    const zip = join(dir, 'WhatsApp Chat with Silvester 2020.zip');
    writeZip(zip, [
      { name: 'WhatsApp Chat with Silvester 2020.txt', data: readFileSync(SILVESTER) },
      { name: 'IMG-20201231-WA0001.jpg', data: readFileSync(join(FIXTURES, 'IMG-20201231-WA0001.jpg')) },
      { name: 'report.pdf', data: '%PDF-1.4 fake' },
    ]);
    const fromZip = await importPaths(db, [zip]);
    assert.equal(fromZip.newMessages, 0, 'no duplicate from the zip');
    assert.equal(fromZip.updatedMessages, 1, 'the attachment that was missing now has its file');
    assert.equal(scalar(db, `SELECT count(*) FROM chats WHERE native_id = 'whatsapp:Silvester 2020'`), 1);
    const attachments = JSON.parse(scalar(db, `SELECT attachments FROM messages WHERE body = 'report.pdf (Datei angehängt)'`) as string) as { hash?: string }[];
    assert.equal(attachments[0].hash, sha256(Buffer.from('%PDF-1.4 fake')));

    // What the site will read: rendered bodies, people, kinds.
    assert.equal(scalar(db, `SELECT html FROM messages WHERE body LIKE 'Yes!%'`), 'Yes!<br>Bringing <b>cake</b> and <i>wine</i>.<br><br>See <a href="https://example.com/party_info" rel="nofollow noopener">https://example.com/party_info</a>');
    assert.equal(scalar(db, `SELECT count(*) FROM people WHERE native_id = 'system'`), 1);
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id = 'whatsapp:Bob'`), 'direct');
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
  } finally {
    db.close();
  }
});

test('import: the real iOS example twice, format detected', { skip: needsFile(PUSTUR) }, async () => {
  const db = openStore(join(tempDir('cc-wa-pustur-'), 'store.sqlite'));
  try {
    const first = await importPaths(db, [PUSTUR]);
    assert.equal(first.files[0].format, 'whatsapp');
    assert.equal(first.media, 4);
    const again = await importPaths(db, [PUSTUR]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, first.newMessages);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE kind = 'poll'`), 1);
  } finally {
    db.close();
  }
});

/**
 * WhatsApp's end-to-end encryption notice in every wording real exports have, and every way it
 * comes: without an author (Android), credited to the chat with iOS's U+200E, credited to the chat
 * without it (the mark lost), and as an Android "Name: " line. Each time it is the system line it
 * is: an event by nobody, and no member or person is named like the chat for it.
 */
const ENCRYPTION_NOTICES = [
  'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them.',
  'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Tap to learn more.',
  'Messages and calls are end-to-end encrypted. No one outside of this chat, not even WhatsApp, can read or listen to them. Click to learn more.',
  'Messages and calls are end-to-end encrypted. Only people in this chat can read, listen to, or share them. Learn more.',
  'Messages to this group are now secured with end-to-end encryption.',
  'Messages to this group are now secured with end-to-end encryption. Tap for more info.',
  'Messages you send to this chat and calls are now secured with end-to-end encryption. Tap for more info.',
  'Messages you send to this group are now secured with end-to-end encryption. Tap for more info.',
];
const NOTICE_LAYOUTS: { name: string; line: (notice: string) => string; rest: string }[] = [
  { name: 'iOS, credited to the chat, marked', line: (n) => `[15.08.21, 09:00:00] Trip: \u200e${n}`, rest: '[15.08.21, 09:01:10] Carla: Welcome!\n[15.08.21, 09:02:00] Dan: Thanks\n' },
  { name: 'iOS, credited to the chat, unmarked', line: (n) => `[15.08.21, 09:00:00] Trip: ${n}`, rest: '[15.08.21, 09:01:10] Carla: Welcome!\n[15.08.21, 09:02:00] Dan: Thanks\n' },
  { name: 'Android, no author', line: (n) => `15.08.21, 09:00 - ${n}`, rest: '15.08.21, 09:01 - Carla: Welcome!\n15.08.21, 09:02 - Dan: Thanks\n' },
  { name: 'Android, credited to the chat', line: (n) => `15.08.21, 09:00 - Trip: ${n}`, rest: '15.08.21, 09:01 - Carla: Welcome!\n15.08.21, 09:02 - Dan: Thanks\n' },
];

test('the end-to-end encryption notice is a system line in every wording and layout, never a message from someone named like the chat', async () => {
  const dir = tempDir('cc-wa-e2e-');
  const files: string[] = [];
  let cases = 0;
  for (const layout of NOTICE_LAYOUTS) {
    for (const [i, notice] of ENCRYPTION_NOTICES.entries()) {
      const file = join(dir, `WhatsApp Chat - Trip ${cases}.txt`);
      writeFileSync(file, `${layout.line(notice)}\n${layout.rest}`);
      files.push(file);
      const events = await readAll(file);
      const label = `${layout.name}, wording ${i}`;
      const [first] = messagesOf(events);
      assert.deepEqual([first.kind, first.authorId, first.authorName ?? null, first.body], ['event', 'system', null, notice], label);
      assert.deepEqual(chatOf(events).members!.map((m) => m.displayName), ['Carla', 'Dan'], label);
      cases++;
    }
  }
  assert.equal(cases, NOTICE_LAYOUTS.length * ENCRYPTION_NOTICES.length);
  // Through the importer: nobody is stored under the chat's name.
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    await importPaths(db, files);
    assert.equal(scalar(db, `SELECT count(*) FROM chats`), cases);
    assert.deepEqual(db.prepare(`SELECT native_id FROM people ORDER BY 1`).pluck().all(), ['system', 'whatsapp:Carla', 'whatsapp:Dan']);
  } finally {
    db.close();
  }
  // A person who says more than the notice, or quotes it, still wrote a message.
  const said = join(dir, 'said', 'WhatsApp Chat - Trip.txt');
  mkdirSync(join(dir, 'said'));
  writeFileSync(said, `15.08.21, 09:00 - Carla: Messages and calls are end-to-end encrypted, right?\n15.08.21, 09:01 - Dan: they say "Messages and calls are end-to-end encrypted."\n`);
  assert.deepEqual(messagesOf(await readAll(said)).map((m) => [m.kind, m.authorId]), [['text', 'whatsapp:Carla'], ['text', 'whatsapp:Dan']]);
});

test('the real iOS example (Pustur) and the own exports: no person is named like their chat', async () => {
  const db = openStore(join(tempDir('cc-wa-names-'), 'store.sqlite'));
  try {
    await importPaths(db, [BOB, SILVESTER, IOS, LUCIA, ...(existsSync(PUSTUR) ? [PUSTUR] : [])]);
    const clash = db
      .prepare(`SELECT p.display_name FROM people p JOIN chats c ON c.title = p.display_name OR c.native_id = 'whatsapp:' || p.display_name WHERE c.kind = 'group'`)
      .pluck()
      .all();
    assert.deepEqual(clash, []);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE body LIKE 'Messages%end-to-end encrypt%' AND kind <> 'event'`), 0);
  } finally {
    db.close();
  }
});

test('more than 200 warnings: the first 200 listed, then one count in the wording every format uses; the rest imports', async () => {
  const file = join(tempDir(), 'WhatsApp Chat with Ann.txt');
  const impossible = Array.from({ length: 250 }, (_, i) => `12/30/20, 25:${String(i % 60).padStart(2, '0')} - Ann: x${i}`);
  writeFileSync(file, ['12/30/20, 10:00 - Ann: before', ...impossible, '12/30/20, 10:01 - Bob: after'].join('\n') + '\n');
  const events = await readAll(file);
  assert.deepEqual(messagesOf(events).map((m) => m.body.split('\n')[0]), ['before', 'after']);
  const warnings = warningsOf(events);
  assert.equal(warnings.length, 201);
  assert.match(warnings[199].message, /impossible date or time/);
  assert.deepEqual(warnings[200], { position: file, message: '50 more warnings like the ones above were not listed' });
});
