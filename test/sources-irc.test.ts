import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, renameSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { irc, ircTuning } from '../collector/sources/irc/index.js';
import { describeLogName } from '../collector/sources/irc/files.js';
import { parseHeaderDate, parseIrssi, parseWeechat, parseZnc, sniffDialect } from '../collector/sources/irc/lines.js';
import { machineTimeZone } from '../collector/sources/kit/zoned-time.js';
import { irc as ircMarkup, ircQuiet } from '../collector/markup/irc.js';
import { visibleRefs } from './helpers/person-refs.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type ReadOptions, type SourceEvent } from '../collector/sources/types.js';
import { type ChatRecord, type MessageRecord } from '../collector/model.js';
import { openStore, type Db } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { adapterReader, byChat, messagesOf as messages, ofType } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { needsFile } from './helpers/requires.js';
import { MAX_LINE_BYTES } from '../collector/sources/kit/limits.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/irc');
const IRSSI = join(FIXTURES, 'irssi');
const WEECHAT = join(FIXTURES, 'weechat');
const ZNC = join(FIXTURES, 'znc');
const SHARED = fileURLToPath(new URL('../shared/fixtures/irc/znc-qtox_20160602.log.txt', new URL(`file://${process.cwd()}/`)));
const CLI = resolve(process.cwd(), 'dist/collector/cli.js');

const { readAll } = adapterReader(irc);

function cursorOf(events: SourceEvent[]): string {
  const cursors = ofType(events, 'cursor');
  assert.equal(cursors.length, 1, 'one cursor event');
  assert.equal(events[events.length - 1].type, 'cursor', 'the cursor comes last');
  return cursors[0].cursor;
}

function copyOf(fixture: string, into: string): string {
  cpSync(fixture, into, { recursive: true });
  return into;
}

function count(db: Db, sql: string, ...params: unknown[]): number {
  return scalar(db, sql, ...params) as number;
}

const iso = (t: number) => new Date(t).toISOString();

/** A stored UTC time as wall-clock text in `zone`: an independent check of the conversion. */
function wall(t: number, zone: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone: zone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(t)
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}

// ---------------------------------------------------------------------------------------------
// Line grammars and file names

test('sniffing tells the three clients apart from their first lines', () => {
  assert.equal(sniffDialect('--- Log opened Thu Jun 02 10:00:00 2016\n10:00 -!- a [b@c] has joined #x\n'), 'irssi');
  assert.equal(sniffDialect('10:00 <@alice> hi\n'), 'irssi');
  assert.equal(sniffDialect('2016-06-02 10:00:00\t@alice\thi\n'), 'weechat');
  assert.equal(sniffDialect('2016-06-02 10:00:00.5Z\talice\thi\n'), 'weechat');
  assert.equal(sniffDialect('\uFEFF[10:00:00] <alice> hi\r\n'), 'znc');
  assert.equal(sniffDialect('[10:00:00] *** Joins: alice (a@b)\n'), 'znc');
  assert.equal(sniffDialect('hello world\nnothing here\n'), null);
  assert.equal(sniffDialect('{"conversations": []}'), null);
  assert.equal(sniffDialect('[02/06/2016, 10:00:00] Alice: WhatsApp, not IRC\n'), null);
});

test('irssi lines: messages, actions, notices, events credited to who did them, noise skipped', () => {
  const msg = (line: string) => {
    const p = parseIrssi(line);
    assert.equal(p.type, 'message', `${line} → ${JSON.stringify(p)}`);
    return p as Extract<typeof p, { type: 'message' }>;
  };
  assert.deepEqual(
    { ...msg('10:01 <@alice> good morning') },
    { type: 'message', clock: { hour: 10, minute: 1, second: 0, ms: 0 }, kind: 'text', nick: 'alice', body: 'good morning' },
  );
  for (const [line, nick] of [['10:01 < dave> x', 'dave'], ['10:01 <+carol> x', 'carol'], ['10:01 <%bob> x', 'bob'], ['10:01 <&frank> x', 'frank'], ['10:01 <~erin> x', 'erin']]) {
    assert.equal(msg(line).nick, nick, line);
  }
  assert.equal(msg('10:01:59 <alice> with seconds').clock.second, 59);
  assert.equal(msg('[10:01] <alice> bracketed stamp').body, 'bracketed stamp');
  assert.deepEqual([msg('10:03  * alice waves').kind, msg('10:03  * alice waves').body], ['emote', 'waves']);
  assert.deepEqual([msg('10:03 -bob:#chat- hi').kind, msg('10:03 -bob:#chat- hi').nick], ['notice', 'bob']);
  assert.equal(msg('10:03 -NickServ(NickServ@services.)- registered').nick, 'NickServ');
  const kick = msg('10:05 -!- dave was kicked from #chat by alice [spam]');
  assert.deepEqual([kick.kind, kick.nick, kick.body], ['event', 'alice', 'dave was kicked from #chat by alice [spam]']);
  assert.equal(msg('10:06 -!- carol [~c@h] has left #chat [bye]').nick, 'carol');
  assert.equal(msg('10:06 -!- frank [~f@h] has quit [Quit: leaving]').nick, 'frank');
  assert.equal(msg('10:06 -!- frank [~f@h] has joined #chat').nick, 'frank');
  assert.equal(msg('10:05 -!- bob is now known as robert').nick, 'bob');
  assert.equal(msg('10:04 -!- alice changed the topic of #chat to: hi').nick, 'alice');
  assert.equal(msg('10:04 -!- Topic unset by alice on #chat').nick, 'alice');
  const mode = msg('10:04 -!- mode/#chat [+o bob] by alice');
  assert.deepEqual([mode.kind, mode.nick, mode.quiet], ['event', 'alice', true]);
  assert.equal(msg('10:04 -!- ServerMode/#chat [+nt] by irc.example.org').quiet, true);
  for (const noise of ['10:00 -!- Irssi: Join to #chat was synced in 0 secs', '10:00 [Users #chat]', '10:00 [@alice] [ bob   ] [+carol]', '--- Log closed Fri Jun 03 00:02:00 2016', '10:00 -!- Topic for #chat: hi']) {
    assert.equal(parseIrssi(noise).type, 'skip', noise);
  }
  assert.deepEqual(parseIrssi('--- Day changed Fri Jun 03 2016'), { type: 'date', date: { year: 2016, month: 6, day: 3 }, dayChange: true });
  assert.deepEqual(parseIrssi('--- Log opened Thu Jun 02 10:00:00 2016'), { type: 'date', date: { year: 2016, month: 6, day: 2 }, dayChange: false });
  assert.equal(parseIrssi('no stamp at all').type, 'unknown');
  assert.equal(parseIrssi('25:00 <alice> impossible hour').type, 'unknown');
  assert.equal(parseIrssi('10:00 -!- something irssi never wrote').type, 'unknown');
});

test('header dates: English, other locales and numeric forms', () => {
  assert.deepEqual(parseHeaderDate('Tue Jun 02 10:00:00 2016'), { year: 2016, month: 6, day: 2 });
  assert.deepEqual(parseHeaderDate('Mi Dez 31 2014'), { year: 2014, month: 12, day: 31 });
  assert.deepEqual(parseHeaderDate('2016-02-29'), { year: 2016, month: 2, day: 29 });
  assert.equal(parseHeaderDate('Thu Feb 30 2016'), null);
  assert.equal(parseHeaderDate('whenever'), null);
});

test('ZNC and WeeChat lines', () => {
  const z = (line: string) => parseZnc(line) as Extract<ReturnType<typeof parseZnc>, { type: 'message' }>;
  assert.deepEqual([z('[10:00:05] *** alice sets mode: +o bob').nick, z('[10:00:05] *** alice sets mode: +o bob').quiet], ['alice', true]);
  assert.equal(z('[10:00:08] *** carol was kicked by alice (spam)').nick, 'alice');
  assert.equal(z("[10:00:06] *** alice changes topic to 'it''s'").kind, 'event');
  assert.equal(z('[14:40:01] -qtox-git-spam- [qTox] pushed').nick, 'qtox-git-spam');
  assert.equal(z('[12:33:26] * zetok just edited .png').body, 'just edited .png');
  assert.equal(parseZnc('[10:00:00] Connected to IRC (irc.example.org +6697)').type, 'skip');
  assert.equal(parseZnc('[10:00:00] *** something new').type, 'unknown');

  const w = (line: string) => parseWeechat(line) as Extract<ReturnType<typeof parseWeechat>, { type: 'message' }>;
  assert.deepEqual(w('2016-06-02 10:00:05\t@alice\thello').clock, { hour: 10, minute: 0, second: 5, ms: 0, date: { year: 2016, month: 6, day: 2 } });
  assert.deepEqual(w('2016-06-02 21:11:39.812345Z\tzed\thi').clock, { hour: 21, minute: 11, second: 39, ms: 812, date: { year: 2016, month: 6, day: 2 }, offsetMinutes: 0 });
  assert.equal(w('2016-06-02 23:30:00 +0200\tzed\thi').clock.offsetMinutes, 120);
  assert.equal(w('2016-06-02 10:00:00\t@alice\ttabs\tinside').body, 'tabs\tinside');
  assert.equal(w('2016-06-02 10:00:17\t<--\talice has kicked carol (behave)').nick, 'alice');
  assert.deepEqual([w('2016-06-02 10:00:15\t--\tMode #w [+v carol] by alice').nick, w('2016-06-02 10:00:15\t--\tMode #w [+v carol] by alice').quiet], ['alice', true]);
  assert.equal(w('2016-06-02 10:00:12\t--\tNotice(bob) -> #w: hi').kind, 'notice');
  assert.equal(parseWeechat('2016-06-02 10:00:00\t****  Beginning of log  ****').type, 'skip');
  assert.equal(parseWeechat('2016-06-02 10:00:00\t=!=\tclient error').type, 'skip');
  assert.equal(parseWeechat('2016-13-02 10:00:00\talice\tbad month').type, 'unknown');
});

test('file names: network, channel and date as irssi, WeeChat, ZNC and logrotate lay them out', () => {
  const d = (p: string) => {
    const n = describeLogName(p);
    return [n.network, n.window, n.date ? `${n.date.year}-${n.date.month}-${n.date.day}` : null, n.rotation, n.notChat];
  };
  assert.deepEqual(d('/home/u/irclogs/Libera/#Chat.log'), ['Libera', '#Chat', null, 0, false]);
  assert.deepEqual(d('/home/u/irclogs/#chat.log'), [null, '#chat', null, 0, false]);
  assert.deepEqual(d('/home/u/irclogs/libera/#chat.log.2'), ['libera', '#chat', null, 2, false]);
  assert.deepEqual(d('/logs/irc.libera.#weechat.weechatlog'), ['libera', '#weechat', null, 0, false]);
  assert.deepEqual(d('/logs/irc.libera.someone.weechatlog'), ['libera', 'someone', null, 0, false]);
  assert.deepEqual(d('/logs/irc.server.libera.weechatlog')[4], true);
  assert.deepEqual(d('/logs/core.weechat.weechatlog')[4], true);
  assert.deepEqual(d('/znc/moddata/log/libera/#znc/2016-06-02.log'), ['libera', '#znc', '2016-6-2', 0, false]);
  assert.deepEqual(d('/znc/moddata/log/#znc/2016-06-02.log'), [null, '#znc', '2016-6-2', 0, false]);
  assert.deepEqual(d('/znc/moddata/log/libera/status/2016-06-02.log')[4], true);
  assert.deepEqual(d('/znc/logs/#qtox_20160602.log.txt'), [null, '#qtox', '2016-6-2', 0, false]);
  assert.deepEqual(d('/znc/logs/oftc_#flat_20160602.log'), ['oftc', '#flat', '2016-6-2', 0, false]);
  assert.deepEqual(d('/znc/logs/me_oftc_#my_chan_20160602.log'), ['oftc', '#my_chan', '2016-6-2', 0, false]);
  assert.deepEqual(d('/x/freenode/#chan.2016-06-02.log'), ['freenode', '#chan', '2016-6-2', 0, false]);
  assert.deepEqual(d('/x/freenode/alice.log'), ['freenode', 'alice', null, 0, false]);
});

// ---------------------------------------------------------------------------------------------
// Reading each client's logs

test('irssi: every line kind, nick prefixes stripped, Day changed moves the date, wall time in the given zone', async () => {
  const events = await readAll(IRSSI, { irc: { timeZone: 'Europe/Berlin' } });
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], ['irc:libera/#chat']);
  const { chat, messages: list } = chats.get('irc:libera/#chat')!;
  assert.deepEqual(chat, { nativeId: 'irc:libera/#chat', title: '#chat', kind: 'channel' });
  const lines = readFileSync(join(IRSSI, 'libera', '#chat.log'), 'utf8').split('\n');
  // Lines that are messages: every stamped line but the irssi chatter and the names list.
  const expected = lines.filter((l) => /^\d\d:\d\d /.test(l) && !/-!- Irssi: |\[Users |\] \[/.test(l));
  assert.equal(list.length, expected.length);
  const kinds = (k: string) => list.filter((m) => m.kind === k).length;
  assert.deepEqual([kinds('text'), kinds('emote'), kinds('notice'), kinds('event')], [10, 1, 2, 8]);
  assert.deepEqual(ofType(events, 'warning'), []);

  const first = list[0];
  assert.deepEqual([first.kind, first.authorId, first.authorName, first.body], ['event', 'irc:libera/alice', 'alice', 'alice [~alice@example.org] has joined #chat']);
  assert.equal(iso(first.time), '2016-06-02T08:00:00.000Z'); // 10:00 CEST
  const names = new Set(list.filter((m) => m.kind === 'text').map((m) => m.authorName));
  assert.deepEqual([...names].sort(), ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'robert']);
  assert.equal(list.filter((m) => m.authorId === 'irc:libera/bob' && m.body === 'ok').length, 2, 'two identical lines, two messages');
  const quiet = list.filter((m) => m.markup === 'irc-quiet');
  assert.deepEqual(quiet.map((m) => [m.authorName, m.body]), [['alice', 'mode/#chat [+o bob] by alice'], ['irc.example.org', 'ServerMode/#chat [+nt] by irc.example.org']]);
  assert.ok(list.filter((m) => m.markup !== 'irc-quiet').every((m) => m.markup === 'irc'));
  const kick = list.find((m) => m.body.includes('was kicked'))!;
  assert.equal(kick.authorName, 'alice', 'a kick is credited to who kicked');
  const notice = list.find((m) => m.kind === 'notice')!;
  assert.deepEqual([notice.authorName, notice.body], ['bob', 'a channel notice']);
  const last = list[list.length - 1];
  assert.deepEqual([last.authorName, last.body, iso(last.time)], ['robert', 'after midnight', '2016-06-02T22:01:00.000Z']); // 00:01 CEST on the 3rd
  assert.ok(list.some((m) => m.body === '\x02bold\x02 and \x0304red\x03 and \x1ditalic\x1d'), 'formatting codes kept in the body');
});

test('WeeChat: old local stamps in the given zone, 4.8+ UTC stamps (Z, T, offsets) as they are', async () => {
  const events = await readAll(WEECHAT, { irc: { timeZone: 'America/New_York' } });
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()].sort(), ['irc:libera/#weechat', 'irc:oftc/#utc']);
  const old = chats.get('irc:libera/#weechat')!.messages;
  assert.equal(old.length, 15);
  assert.equal(old.filter((m) => m.kind === 'event').length, 7);
  assert.equal(old.filter((m) => m.markup === 'irc-quiet').length, 1);
  const hello = old.find((m) => m.body === 'hello there')!;
  assert.deepEqual([hello.authorName, iso(hello.time)], ['alice', '2016-06-02T14:00:05.000Z']); // 10:00:05 EDT
  assert.equal(old.filter((m) => m.authorName === 'bob' && m.body === 'ok').length, 2);
  assert.deepEqual(old.find((m) => m.kind === 'emote')!.body, 'dances');
  assert.deepEqual(old.filter((m) => m.kind === 'notice').map((m) => m.authorName), ['bob', 'NickServ']);
  assert.equal(old.find((m) => m.body.startsWith('alice has kicked'))!.authorName, 'alice');
  assert.equal(old.find((m) => m.body.startsWith('tabs'))!.body, 'tabs\tinside the text');

  const utc = chats.get('irc:oftc/#utc')!.messages;
  assert.deepEqual(utc.map((m) => iso(m.time)), ['2016-06-02T21:11:39.812Z', '2016-06-02T21:11:40.000Z', '2016-06-02T21:11:41.500Z', '2016-06-02T21:30:00.000Z']);
  assert.deepEqual(ofType(events, 'warning'), []);
});

test('ZNC: the date from the file name, daily files of a channel are one chat, networks from folder or name', async () => {
  const events = await readAll(ZNC, { irc: { timeZone: 'UTC' } });
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()].sort(), ['irc:libera/#znc', 'irc:oftc/#flat']);
  assert.equal(ofType(events, 'chat').filter((e) => e.chat.nativeId === 'irc:libera/#znc').length, 1, 'one chat event for both days');
  const znc = chats.get('irc:libera/#znc')!.messages;
  assert.equal(znc.length, 14);
  assert.deepEqual(znc.slice(-2).map((m) => [iso(m.time), m.body]), [['2016-06-03T09:00:00.000Z', 'second day'], ['2016-06-03T09:00:01.000Z', 'ok']]);
  assert.equal(iso(znc[0].time), '2016-06-02T10:00:00.000Z');
  assert.deepEqual(znc.filter((m) => m.kind === 'event').map((m) => m.authorName), ['alice', 'alice', 'alice', 'bob', 'alice', 'robert', 'alice']);
  assert.equal(znc.filter((m) => m.markup === 'irc-quiet').length, 1);
  assert.equal(chats.get('irc:oftc/#flat')!.messages.length, 2);
});

test('the network option names networks the path does not; the zone and network are kept in the cursor', async () => {
  const dir = tempDir('cc-irc-opt-');
  const log = join(dir, 'irclogs', '#chan.log'); // "irclogs" names no network
  mkdirSync(join(dir, 'irclogs'));
  writeFileSync(log, '--- Log opened Thu Jun 02 10:00:00 2016\n10:00 <alice> namaste\n');
  const first = await readAll(join(dir, 'irclogs'), { irc: { network: 'Libera', timeZone: 'Asia/Tokyo' } });
  assert.equal(ofType(first, 'chat')[0].chat.nativeId, 'irc:libera/#chan');
  assert.equal(iso(messages(first)[0].time), '2016-06-02T01:00:00.000Z');
  const cursor = cursorOf(first);
  assert.deepEqual([JSON.parse(cursor).zone, JSON.parse(cursor).network], ['Asia/Tokyo', 'Libera']);

  appendFileSync(log, '10:05 <alice> again\n');
  const next = await readAll(join(dir, 'irclogs'), { cursor }); // no options: those of the cursor
  assert.equal(next[0].type, 'resume');
  // "namaste" is read again (within twice the merge tolerance of where the last read stopped), as it was.
  assert.deepEqual(messages(next).map((m) => [m.body, iso(m.time), m.authorId]), [
    ['namaste', '2016-06-02T01:00:00.000Z', 'irc:libera/alice'],
    ['again', '2016-06-02T01:05:00.000Z', 'irc:libera/alice'],
  ]);
  assert.equal(ofType(next, 'chat')[0].chat.nativeId, 'irc:libera/#chan');

  const without = await readAll(join(dir, 'irclogs'), { irc: { timeZone: 'UTC' } });
  assert.equal(ofType(without, 'chat')[0].chat.nativeId, 'irc:unknown/#chan');
  await assert.rejects(readAll(log, { irc: { timeZone: 'Mars/Olympus_Mons' } }), (err: unknown) => err instanceof SourceError && /unknown time zone/.test(err.message));
});

test('daylight saving: a skipped time moves forward, a repeated hour runs forward, also when resumed in it', async () => {
  const dir = tempDir('cc-irc-dst-');
  mkdirSync(join(dir, 'net'));
  const log = join(dir, 'net', '#dst.log');
  const spring = '--- Log opened Sun Mar 27 01:50:00 2016\n01:50 <alice> before\n02:30 <alice> skipped hour\n03:10 <alice> summer\n';
  const autumn1 = '--- Day changed Sun Oct 30 2016\n02:10 <alice> first pass\n02:50 <alice> still summer\n';
  const autumn2 = '02:10 <alice> second pass\n02:10 <alice> second pass\n03:00 <alice> winter\n';
  writeFileSync(log, spring + autumn1 + autumn2);
  const options = { irc: { timeZone: 'Europe/Berlin' } };
  const whole = messages(await readAll(join(dir, 'net'), options)).map((m) => [m.body, iso(m.time)]);
  assert.deepEqual(whole, [
    ['before', '2016-03-27T00:50:00.000Z'],
    ['skipped hour', '2016-03-27T01:30:00.000Z'], // there is no 02:30 that night: 03:30 summer time
    ['summer', '2016-03-27T01:10:00.000Z'],
    ['first pass', '2016-10-30T00:10:00.000Z'],
    ['still summer', '2016-10-30T00:50:00.000Z'],
    ['second pass', '2016-10-30T01:10:00.000Z'], // the repeated 02:10, in winter time
    ['second pass', '2016-10-30T01:10:00.000Z'],
    ['winter', '2016-10-30T02:00:00.000Z'],
  ]);
  // Read up to the middle of the repeated hour, then resumed: the same times, for the line read
  // again from inside the repeated hour ("still summer", within the replay window) too.
  writeFileSync(log, spring + autumn1);
  const first = await readAll(join(dir, 'net'), options);
  appendFileSync(log, autumn2);
  const rest = await readAll(join(dir, 'net'), { cursor: cursorOf(first) });
  assert.deepEqual([...messages(first), ...messages(rest).slice(1)].map((m) => [m.body, iso(m.time)]), whole);
  assert.deepEqual(messages(rest).map((m) => [m.body, iso(m.time)]), whole.slice(4));
  await assert.rejects(readAll(log, { irc: { timeZone: 'Nowhere/Special' } }), (err: unknown) => err instanceof SourceError && /unknown time zone "Nowhere\/Special"/.test(err.message));
});

test('chunk boundaries anywhere give the same messages', async () => {
  const whole = await Promise.all([IRSSI, WEECHAT, ZNC].map((p) => readAll(p, { irc: { timeZone: 'UTC' } })));
  const saved = ircTuning.chunkBytes;
  try {
    for (const size of [1, 7, 64]) {
      ircTuning.chunkBytes = size;
      const split = await Promise.all([IRSSI, WEECHAT, ZNC].map((p) => readAll(p, { irc: { timeZone: 'UTC' } })));
      for (let i = 0; i < split.length; i++) {
        assert.deepEqual(messages(split[i]), messages(whole[i]), `chunk ${size}`);
        assert.equal(cursorOf(split[i]), cursorOf(whole[i]));
      }
    }
  } finally {
    ircTuning.chunkBytes = saved;
  }
});

// ---------------------------------------------------------------------------------------------
// The shared real log

test('real ZNC log of #qtox: every line is one message, by kind', { skip: needsFile(SHARED) }, async () => {
  const lines = readFileSync(SHARED, 'utf8').split('\n').filter((l) => l !== '');
  const expect = {
    text: lines.filter((l) => /^\[\d\d:\d\d:\d\d\] </.test(l)).length,
    emote: lines.filter((l) => /^\[\d\d:\d\d:\d\d\] \* /.test(l)).length,
    notice: lines.filter((l) => /^\[\d\d:\d\d:\d\d\] -\S+- /.test(l)).length,
    event: lines.filter((l) => /^\[\d\d:\d\d:\d\d\] \*\*\* /.test(l)).length,
  };
  assert.equal(expect.text + expect.emote + expect.notice + expect.event, lines.length, 'every line is one of the four');

  // Under its original name, in a network folder, imported into SQLite.
  const dir = tempDir('cc-irc-qtox-');
  mkdirSync(join(dir, 'logs', 'freenode'), { recursive: true });
  const file = join(dir, 'logs', 'freenode', '#qtox_20160602.log.txt');
  copyFileSync(SHARED, file);
  const db = openStore(join(dir, 'qtox.sqlite'));
  try {
    const summary = await importPaths(db, [join(dir, 'logs')]);
    assert.equal(summary.files[0].format, 'irc');
    assert.equal(summary.warningCount, 0);
    assert.equal(summary.newMessages, lines.length);
    assert.equal(count(db, `SELECT count(*) FROM chats WHERE native_id = 'irc:freenode/#qtox' AND kind = 'channel'`), 1);
    for (const [kind, n] of Object.entries(expect)) {
      assert.equal(count(db, `SELECT count(*) FROM messages WHERE kind = ?`, kind), n, kind);
    }
    const modes = lines.filter((l) => / sets mode: /.test(l)).length;
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE markup = 'irc-quiet'`), modes);
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE html LIKE '<span class="cc-quiet">%'`), modes);
    // Times: the file name's date, the machine's zone (the default), checked independently.
    const zone = machineTimeZone();
    const first = db.prepare(`SELECT time FROM messages ORDER BY time, id LIMIT 1`).pluck().get() as number;
    assert.equal(wall(first, zone), '2016-06-02 00:24');
    const again = await importPaths(db, [join(dir, 'logs')], { full: true });
    assert.deepEqual([again.newMessages, again.unchangedMessages], [0, lines.length]);
  } finally {
    db.close();
  }

  // As stored in the shared folder: no `#` in its name, so a query-like chat; the same count.
  const events = await readAll(SHARED, { irc: { timeZone: 'UTC' } });
  assert.equal(messages(events).length, lines.length);
  assert.equal(ofType(events, 'chat')[0].chat.nativeId, 'irc:unknown/znc-qtox');
});

// ---------------------------------------------------------------------------------------------
// Following growing logs

test('appending to an irssi log: only the new lines are read, identical lines stay distinct, never doubled', async () => {
  const dir = tempDir('cc-irc-follow-');
  const logs = copyOf(IRSSI, join(dir, 'logs'));
  const log = join(logs, 'libera', '#chat.log');
  const db = openStore(join(dir, 'follow.sqlite'));
  try {
    const first = await importPaths(db, [logs]);
    assert.equal(first.newMessages, 21);
    const cursor = JSON.parse(scalar(db, `SELECT cursor FROM sources`) as string);
    assert.equal(cursor.files['libera/#chat.log'].o, statSync(log).size);
    assert.equal(cursor.files['libera/#chat.log'].t, '2016-06-03', 'the date after Day changed');

    // The same line again (same nick, same minute, same text), and a pair of identical lines.
    appendFileSync(log, '00:01 <robert> after midnight\n00:03 <robert> ok\n00:03 <robert> ok\n');
    const second = await importPaths(db, [logs]);
    // "after midnight" is read again (the replay: lines within twice the merge tolerance of where the last read stopped).
    assert.deepEqual([second.newMessages, second.unchangedMessages], [3, 1], 'only the appended lines, and the replayed one, are read');
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE body = 'after midnight'`), 2);
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE body = 'ok' AND author_name = 'robert'`), 2);

    // Nothing appended: nothing read. A full re-read: nothing new either.
    assert.deepEqual([(await importPaths(db, [logs])).newMessages, (await importPaths(db, [logs])).unchangedMessages], [0, 0]);
    const full = await importPaths(db, [logs], { full: true });
    assert.deepEqual([full.newMessages, full.unchangedMessages], [0, 24]);

    // A partial last line is left for later, then read once complete.
    appendFileSync(log, '00:04 <robert> half');
    const partial = await importPaths(db, [logs]);
    assert.equal(partial.newMessages, 0);
    assert.match(partial.files[0].warnings.map((w) => `${w.position}: ${w.message}`).join('\n'), /#chat\.log: line 32 \(byte \d+\): the last line has no line end yet/);
    appendFileSync(log, ' done\n--- Day changed Sat Jun 04 2016\n09:00 <robert> saturday\n');
    const completed = await importPaths(db, [logs]);
    assert.equal(completed.newMessages, 2);
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE body = 'half done'`), 1);
    assert.equal(count(db, `SELECT count(*) FROM messages WHERE body = 'half'`), 0);
    const saturday = db.prepare(`SELECT time FROM messages WHERE body = 'saturday'`).pluck().get() as number;
    assert.equal(wall(saturday, machineTimeZone()), '2016-06-04 09:00', 'the date context continues from the cursor');
    const total = count(db, `SELECT count(*) FROM message_rows`);
    assert.equal(total, 26);

    // logrotate: the log is renamed, irssi writes one more line to it (open file), a new log starts.
    renameSync(log, `${log}.1`);
    appendFileSync(`${log}.1`, '09:01 <robert> last words in the old file\n');
    writeFileSync(log, '--- Log opened Sat Jun 04 09:02:00 2016\n09:02 <robert> saturday\n09:03 <alice> new file\n');
    const rotated = await importPaths(db, [logs]);
    // The renamed file's last line before ("09:00 saturday") is read again: its replay.
    assert.deepEqual([rotated.newMessages, rotated.unchangedMessages], [3, 1], 'the renamed file continues, the new one is read');
    assert.equal(count(db, `SELECT count(*) FROM message_rows`), total + 3);

    // A fresh import of the folder as it is now holds exactly the same messages.
    const fresh = openStore(join(dir, 'fresh.sqlite'));
    try {
      await importPaths(fresh, [logs]);
      const keys = (d: Db) => d.prepare(`SELECT key FROM message_rows ORDER BY key`).pluck().all();
      assert.deepEqual(keys(db), keys(fresh));
    } finally {
      fresh.close();
    }

    // copytruncate: the content is copied aside and the log truncated, then written on.
    copyFileSync(log, `${log}.2`);
    truncateSync(log, 0);
    appendFileSync(log, '--- Log opened Sat Jun 04 10:00:00 2016\n10:00 <alice> after the truncation\n');
    const truncated = await importPaths(db, [logs]);
    assert.equal(truncated.newMessages, 1);
    assert.equal(count(db, `SELECT count(*) FROM message_rows`), total + 4);

    // Replaced by a different file (same name, other content): read whole, nothing doubled.
    writeFileSync(log, '--- Log opened Sat Jun 04 11:00:00 2016\n11:00 <alice> replaced\n10:00 <alice> after the truncation\n');
    const replaced = await importPaths(db, [logs]);
    // "after the truncation" has the same author, day, minute and text as the stored one: known.
    assert.deepEqual([replaced.newMessages, replaced.unchangedMessages], [1, 1]);
    assert.equal(count(db, `SELECT count(*) FROM message_rows`), total + 5);
  } finally {
    db.close();
  }
});

test('a second logger\'s log, continued from its cursor, keeps an appended line apart from its identical earlier lines', async () => {
  // Two loggers in one channel (two paths): what the first stored, the second matched in an
  // earlier run (by key, or merged into it within the tolerance). Its appended identical line is
  // one more message, not a duplicate of the first logger's: the continued import stores what a
  // whole read of the grown log stores, with merging on (120 s) and off (0).
  const head = '--- Log opened Fri Jun 03 09:50:00 2016\n';
  const cases: { name: string; first: string[]; before: string[]; appended: string[]; rows: [merged: number, off: number] }[] = [
    { name: 'same minute', first: ['10:00 <alice> ok'], before: ['10:00 <alice> ok'], appended: ['10:00 <alice> ok'], rows: [2, 2] },
    { name: 'a minute on', first: ['10:00 <alice> ok'], before: ['10:00 <alice> ok'], appended: ['10:01 <alice> ok'], rows: [2, 2] },
    // The first logger holds both already: the appended one is its second, not a third.
    { name: 'both stored', first: ['10:00 <alice> ok', '10:00 <alice> ok'], before: ['10:00 <alice> ok'], appended: ['10:00 <alice> ok'], rows: [2, 2] },
    { name: 'a join', first: ['10:00 -!- alice [a@host] has joined #chat'], before: ['10:00 -!- alice [a@host] has joined #chat'], appended: ['10:01 -!- alice [a@host] has joined #chat'], rows: [2, 2] },
    // The second logger's "ok" merged into the first's (its clock 2 minutes behind), more than one
    // tolerance before where it stopped: the appended "ok" is within reach of that row all the same.
    { name: 'merged earlier, further back', first: ['09:59 <alice> ok'], before: ['09:57 <alice> ok', '10:00 <bob> x'], appended: ['10:01 <alice> ok'], rows: [2, 3] },
  ];
  for (const c of cases) {
    for (const [i, mergeToleranceMs] of [120_000, 0].entries()) {
      const name = `${c.name}, tolerance ${mergeToleranceMs / 1000} s`;
      const dir = tempDir('cc-irc-two-loggers-');
      const db = openStore(join(dir, 'store.sqlite'));
      const whole = openStore(join(dir, 'whole.sqlite'));
      try {
        const logOf = (name: string) => {
          mkdirSync(join(dir, name, 'libera'), { recursive: true });
          return join(dir, name, 'libera', '#chat.log');
        };
        const options = { source: { irc: { timeZone: 'UTC' } }, mergeToleranceMs };
        writeFileSync(logOf('one'), head + c.first.map((l) => `${l}\n`).join(''));
        writeFileSync(logOf('two'), head + c.before.map((l) => `${l}\n`).join(''));
        await importPaths(db, [join(dir, 'one')], options);
        await importPaths(db, [join(dir, 'two')], options);
        appendFileSync(logOf('two'), c.appended.map((l) => `${l}\n`).join(''));
        await importPaths(db, [join(dir, 'two')], options);
        const body = (d: Db) => count(d, `SELECT count(*) FROM messages WHERE text LIKE '%ok' OR text LIKE '%joined%'`);
        assert.equal(body(db), c.rows[i], name);
        // The same as the grown log read whole, and a whole re-read adds nothing.
        await importPaths(whole, [join(dir, 'one')], options);
        await importPaths(whole, [join(dir, 'two')], options);
        assert.equal(body(whole), c.rows[i], `${name}: read whole`);
        const again = await importPaths(db, [join(dir, 'two')], { ...options, full: true });
        assert.equal(again.newMessages + again.mergedMessages, 0, `${name}: re-read whole`);
        assert.equal(body(db), c.rows[i], `${name}: re-read whole`);
      } finally {
        db.close();
        whole.close();
      }
    }
  }
});

test('appending to WeeChat and ZNC logs, and a new daily file, in one import', async () => {
  const dir = tempDir('cc-irc-follow2-');
  const logs = join(dir, 'logs');
  copyOf(WEECHAT, join(logs, 'weechat'));
  copyOf(ZNC, join(logs, 'znc'));
  const db = openStore(join(dir, 'follow.sqlite'));
  try {
    const first = await importPaths(db, [logs], { format: 'irc' });
    assert.equal(first.newMessages, 19 + 16);
    appendFileSync(join(logs, 'weechat', 'irc.libera.#weechat.weechatlog'), '2016-06-02 10:00:09\t+bob\tok\n');
    appendFileSync(join(logs, 'znc', 'libera', '#znc', '2016-06-03.log'), '[09:00:01] <bob> ok\n');
    writeFileSync(join(logs, 'znc', 'libera', '#znc', '2016-06-04.log'), '[08:00:00] <carol> third day\n');
    const second = await importPaths(db, [logs], { format: 'irc' });
    // Read again, unchanged: the whole #weechat log (its 15 messages span 22 s), both lines of 2016-06-03.
    assert.deepEqual([second.newMessages, second.unchangedMessages, second.mergedMessages], [3, 15 + 2, 0]);
    assert.equal(count(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = 'irc:libera/#weechat' AND m.body = 'ok'`), 3);
    assert.equal(count(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = 'irc:libera/#znc' AND m.body = 'ok'`), 4);
    assert.equal(count(db, `SELECT count(*) FROM chats`), 4);
    const full = await importPaths(db, [logs], { format: 'irc', full: true });
    assert.deepEqual([full.newMessages, full.unchangedMessages], [0, 19 + 16 + 3]);
  } finally {
    db.close();
  }
});

test('a resumed read says resume first, then reads its files in date order, a continued one from its replay point', async () => {
  const dir = tempDir('cc-irc-resume-');
  const logs = copyOf(ZNC, join(dir, 'logs'));
  const first = await readAll(logs, { irc: { timeZone: 'UTC' } });
  assert.equal(ofType(first, 'resume').length, 0);
  const cursor = cursorOf(first);

  const unchanged = await readAll(logs, { cursor });
  assert.deepEqual(unchanged.map((e) => e.type), ['progress', 'cursor'], 'nothing to read');
  assert.equal(cursorOf(unchanged), cursor);

  appendFileSync(join(logs, 'libera', '#znc', '2016-06-03.log'), '[09:30:00] <bob> appended\n');
  writeFileSync(join(logs, 'libera', '#znc', '2016-06-04.log'), '[08:00:00] <carol> new file\n');
  const next = await readAll(logs, { cursor });
  const order = next.filter((e) => e.type === 'message' || e.type === 'resume').map((e) => (e.type === 'message' ? e.message.body : 'RESUME'));
  // 2016-06-03's two lines are within the replay window of its end (09:00:00 and 09:00:01): read again.
  assert.deepEqual(order, ['RESUME', 'second day', 'ok', 'appended', 'new file']);

  // Only some chats wanted: the others are not read and get no cursor entry (read whole later).
  const some = await readAll(logs, { irc: { timeZone: 'UTC' }, wantChat: (id) => id === 'irc:oftc/#flat' });
  assert.deepEqual([...byChat(some).keys()], ['irc:oftc/#flat']);
  assert.deepEqual(Object.keys(JSON.parse(cursorOf(some)).files), ['oftc_#flat_20160602.log.txt']);

  // A cursor that is not ours: everything is read.
  assert.equal(messages(await readAll(logs, { cursor: 'not json', irc: { timeZone: 'UTC' } })).length, 18);
  assert.equal(messages(await readAll(logs, { cursor: '{"v":2}', irc: { timeZone: 'UTC' } })).length, 18);

  // A smaller merge tolerance replays less: none of the lines a minute or more before the end.
  const far = cursorOf(await readAll(logs, { cursor: cursorOf(next), mergeToleranceMs: 20_000 }));
  appendFileSync(join(logs, 'libera', '#znc', '2016-06-03.log'), '[09:31:00] <bob> later\n');
  const narrow = await readAll(logs, { cursor: far, mergeToleranceMs: 20_000 });
  assert.deepEqual(messages(narrow).map((m) => m.body), ['appended', 'later']);
  // A larger one than the cursor was made with: read whole (the cursor's replay point is too late).
  assert.equal(ofType(await readAll(logs, { cursor: far }), 'resume').length, 0);
  // A cursor from before replay points (no `r`): its files are read whole, its zone kept.
  const old = JSON.parse(cursor);
  for (const entry of Object.values(old.files) as Record<string, unknown>[]) for (const k of ['r', 'rl', 'rt', 'rw']) delete entry[k];
  const whole = await readAll(logs, { cursor: JSON.stringify(old) });
  assert.equal(ofType(whole, 'resume').length, 0);
  assert.equal(messages(whole).length, 18 + 1);
});

// ---------------------------------------------------------------------------------------------
// Untrusted input

test('bad lines: warnings naming file, line and byte; not UTF-8 read as Windows-1252; huge lines skipped', async () => {
  const dir = tempDir('cc-irc-bad-');
  mkdirSync(join(dir, 'net'));
  const log = join(dir, 'net', '#bad.log');
  writeFileSync(
    log,
    Buffer.concat([
      Buffer.from('\uFEFF--- Log opened Thu Jun 02 10:00:00 2016\r\n10:00 <alice> crlf line\r\n10:01 ??? what is this\r\n'),
      Buffer.from([...Buffer.from('10:02 <alice> caf'), 0xe9, 0x0a]),
      Buffer.from(`10:03 <alice> ${'x'.repeat(MAX_LINE_BYTES)}\n10:04 <alice> after the long one\n`),
    ]),
  );
  const events = await readAll(join(dir, 'net'), { irc: { timeZone: 'UTC' } });
  assert.deepEqual(messages(events).map((m) => m.body), ['crlf line', 'café', 'after the long one']);
  const warnings = ofType(events, 'warning').map((w) => `${w.warning.position}: ${w.warning.message}`);
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings[0], /^#bad\.log: line 3 \(byte 69\): unrecognized line: "10:01 \?\?\? what is this"/);
  assert.match(warnings[1], /^#bad\.log: line 5 \(byte 112\): line longer than 1 MiB skipped/);
  assert.match(warnings[2], /1 line\(s\) not in UTF-8, read as Windows-1252/);

  // Lines before any date (no Log opened, no date in the name) are counted, not guessed.
  writeFileSync(join(dir, 'net', '#nodate.log'), '10:00 <alice> when?\n');
  const undated = await readAll(join(dir, 'net', '#nodate.log'), { irc: { timeZone: 'UTC' } });
  assert.equal(messages(undated).length, 0);
  assert.match(ofType(undated, 'warning')[0].warning.message, /1 line\(s\) before any date/);
});

test('more than 200 warnings: the first 200 listed, then one count in the wording every format uses; the rest imports', async () => {
  const dir = tempDir('cc-irc-cap-');
  mkdirSync(join(dir, 'net'));
  const garbage = Array.from({ length: 250 }, (_, i) => `garbage ${i}`);
  writeFileSync(join(dir, 'net', '#cap.log'), ['--- Log opened Thu Jun 02 10:00:00 2016', '10:00 <alice> before', ...garbage, '10:01 <alice> after'].join('\n') + '\n');
  const events = await readAll(join(dir, 'net'), { irc: { timeZone: 'UTC' } });
  assert.deepEqual(messages(events).map((m) => m.body), ['before', 'after']);
  const warnings = ofType(events, 'warning').map((w) => w.warning);
  assert.equal(warnings.length, 201);
  assert.match(warnings[199].position, /^#cap\.log: line 202 /);
  assert.deepEqual(warnings[200], { position: 'net', message: '50 more warnings like the ones above were not listed' });
});

test('not IRC logs: SourceErrors for single files, silence for other files in a folder', async () => {
  const dir = tempDir('cc-irc-not-');
  const notes = join(dir, 'notes.log');
  writeFileSync(notes, 'just some notes\nnothing like IRC\n');
  await assert.rejects(readAll(notes), (err: unknown) => err instanceof SourceError && err.file === notes && /not an IRC log/.test(err.message));
  await assert.rejects(readAll(join(dir, 'missing.log')), (err: unknown) => err instanceof SourceError && /no such file/.test(err.message));
  const undatedZnc = join(dir, '#chan.log');
  writeFileSync(undatedZnc, '[10:00:00] <alice> which day?\n');
  await assert.rejects(readAll(undatedZnc), (err: unknown) => err instanceof SourceError && /date only in its file name/.test(err.message));

  mkdirSync(join(dir, 'net'));
  copyFileSync(notes, join(dir, 'net', 'notes.log'));
  copyFileSync(undatedZnc, join(dir, 'net', '#chan.log'));
  writeFileSync(join(dir, 'net', '#chan_20160602.log'), '[10:00:00] <alice> this day\n');
  const events = await readAll(join(dir, 'net'), { irc: { timeZone: 'UTC' } });
  assert.deepEqual(messages(events).map((m) => m.body), ['this day']);
  assert.deepEqual(ofType(events, 'warning').map((w) => w.warning.position), ['#chan.log']);

  assert.equal(await irc.detect(notes), false);
  assert.equal(await irc.detect(join(dir, 'nothing-here')), false);
  assert.equal(await irc.detect(IRSSI), true);
  assert.equal(await irc.detect(join(ZNC, 'libera', '#znc', '2016-06-02.log')), true);
  assert.equal((await detectAdapter(WEECHAT)).format, 'irc');
  assert.equal((await detectAdapter(join(IRSSI, 'libera', '#chat.log'))).format, 'irc');
});

test('mangled logs never throw anything but a SourceError, and what is read is sound', async () => {
  const dir = tempDir('cc-irc-fuzz-');
  const sources = [join(IRSSI, 'libera', '#chat.log'), join(WEECHAT, 'irc.libera.#weechat.weechatlog'), join(ZNC, 'libera', '#znc', '2016-06-02.log')];
  let seed = 20160602;
  const random = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  let read = 0;
  const noise = ['\x00', '\x03', '\x1f', '\r', '\t', '<', '>', '[', ']', '-!- ', '*** ', ' * ', '\uFFFF', '\uD800', 'é', '\n', '--- Day changed ', '99:99 '];
  for (let round = 0; round < 60; round++) {
    const source = readFileSync(sources[round % sources.length], 'utf8');
    let text = '';
    for (const ch of source) {
      const r = random();
      if (r < 0.02) continue; // drop
      if (r < 0.04) text += noise[Math.floor(random() * noise.length)];
      text += ch;
    }
    const folder = join(dir, `r${round}`, 'net');
    mkdirSync(folder, { recursive: true });
    const name = round % 3 === 2 ? '#fuzz_20160602.log' : round % 3 === 1 ? 'irc.net.#fuzz.weechatlog' : '#fuzz.log';
    const bytes = Buffer.from(text);
    if (round % 5 === 0) bytes[Math.floor(random() * bytes.length)] = 0xff; // not UTF-8
    writeFileSync(join(folder, name), bytes);
    for (const path of [folder, join(folder, name)]) {
      try {
        for (const m of messages(await readAll(path, { irc: { timeZone: 'Europe/Berlin' } }))) {
          read++;
          assert.ok(Number.isFinite(m.time), `finite time (round ${round})`);
          assert.ok(m.authorId.startsWith('irc:net/') && m.authorId.length > 'irc:net/'.length, m.authorId);
          assert.ok(!m.body.includes('\n'), 'one line per message');
          const html = (m.markup === 'irc-quiet' ? ircQuiet : ircMarkup)(m.body, { chat: 'c', kind: m.kind, deleted: false }).html;
          assert.deepEqual(fragmentProblems(html), [], html);
        }
      } catch (err) {
        assert.ok(err instanceof SourceError, `round ${round} ${path}: ${(err as Error).stack}`);
      }
    }
  }
  assert.ok(read > 600, `most mangled lines are still read (${read})`);
});

// ---------------------------------------------------------------------------------------------
// Markup

test('irc markup: mIRC codes become allowed tags and palette classes; text has no codes; quiet lines dimmed', () => {
  const ctx = { chat: 'irc:x/#y', kind: 'text', deleted: false };
  const styled = ircMarkup('\x02bold\x02 and \x0304,02red on blue\x03 plain \x1ditalic\x1d \x1funder\x0f \x1estrike\x1e \x11mono\x11 \x16rev\x16', ctx);
  assert.equal(styled.text, 'bold and red on blue plain italic under strike mono rev');
  assert.equal(
    styled.html,
    '<b>bold</b> and <span class="cc-irc-red"><span class="cc-irc-on-blue">red on blue</span></span> plain <i>italic</i> ' +
      '<span class="cc-underline">under</span> <s>strike</s> <code>mono</code> <span class="cc-irc-reverse">rev</span>',
  );
  assert.deepEqual(fragmentProblems(styled.html), []);
  const link = ircMarkup('see https://example.org/a?b=1&c=2 and \x0399,99javascript:alert(1)\x04ff0000x', ctx);
  assert.equal(link.html, 'see <a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener">https://example.org/a?b=1&amp;c=2</a> and javascript:alert(1)x');
  const hostile = ircMarkup('<script>alert(1)</script>\x02<img src=x onerror=alert(1)>\x00\x07', ctx);
  assert.deepEqual(fragmentProblems(hostile.html), []);
  assert.equal(hostile.text, '<script>alert(1)</script><img src=x onerror=alert(1)>');
  assert.ok(!hostile.html.includes('<script') && !hostile.html.includes('<img'));
  const quiet = ircQuiet('mode/#chat [+o bob] by alice', { ...ctx, kind: 'event' });
  assert.deepEqual(
    { html: visibleRefs(quiet.html), text: visibleRefs(quiet.text) },
    { html: '<span class="cc-quiet">mode/#chat [+o ⟨irc:x/bob|bob⟩] by ⟨irc:x/alice|alice⟩</span>', text: 'mode/#chat [+o ⟨irc:x/bob|bob⟩] by ⟨irc:x/alice|alice⟩' },
  );
  assert.deepEqual(fragmentProblems(quiet.html), []);
});

test('irc markup: the nicks of every event line are references with their authors\' ids; user@host masks are left out', () => {
  const ctx = { chat: 'irc:libera/#chat', kind: 'event', deleted: false };
  const cases: [string, string][] = [
    // irssi
    ['Alice [~alice@example.org] has joined #chat', '⟨irc:libera/alice|Alice⟩ has joined #chat'],
    ['carol [~carol@example.net] has left #chat [bye]', '⟨irc:libera/carol|carol⟩ has left #chat [bye]'],
    ['frank [~frank@example.com] has quit [Quit: leaving]', '⟨irc:libera/frank|frank⟩ has quit [Quit: leaving]'],
    ['dave was kicked from #chat by alice [spam]', '⟨irc:libera/dave|dave⟩ was kicked from #chat by ⟨irc:libera/alice|alice⟩ [spam]'],
    ['bob is now known as robert', '⟨irc:libera/bob|bob⟩ is now known as ⟨irc:libera/robert|robert⟩'],
    ["You're now known as ada", "You're now known as ⟨irc:libera/ada|ada⟩"],
    ['alice changed the topic of #chat to: Bob rules', '⟨irc:libera/alice|alice⟩ changed the topic of #chat to: Bob rules'],
    ['Topic unset by alice on #chat', 'Topic unset by ⟨irc:libera/alice|alice⟩ on #chat'],
    ['mode/#chat [+ov-b alice bob *!*@bad.host] by carol', 'mode/#chat [+ov-b ⟨irc:libera/alice|alice⟩ ⟨irc:libera/bob|bob⟩ *!*@bad.host] by ⟨irc:libera/carol|carol⟩'],
    ['ServerMode/#chat [+nt] by irc.example.org', 'ServerMode/#chat [+nt] by ⟨irc:libera/irc.example.org|irc.example.org⟩'],
    ['Netsplit a.net <-> b.net quits: dave, erin', 'Netsplit ⟨irc:libera/a.net|a.net⟩ <-> ⟨irc:libera/b.net|b.net⟩ quits: ⟨irc:libera/dave|dave⟩, ⟨irc:libera/erin|erin⟩'],
    ['Netsplit over, joins: dave, erin', 'Netsplit over, joins: ⟨irc:libera/dave|dave⟩, ⟨irc:libera/erin|erin⟩'],
    // ZNC
    ['Joins: alice (~alice@example.org)', 'Joins: ⟨irc:libera/alice|alice⟩'],
    ['Parts: bob (~bob@ ) (bye (for now))', 'Parts: ⟨irc:libera/bob|bob⟩ (bye (for now))'],
    ['Quits: abbat (~Anton@ ) (Remote host closed the connection)', 'Quits: ⟨irc:libera/abbat|abbat⟩ (Remote host closed the connection)'],
    ['carol was kicked by alice (spam)', '⟨irc:libera/carol|carol⟩ was kicked by ⟨irc:libera/alice|alice⟩ (spam)'],
    ["alice changes topic to 'new'", "⟨irc:libera/alice|alice⟩ changes topic to 'new'"],
    ['alice sets mode: +l-o 10 bob', '⟨irc:libera/alice|alice⟩ sets mode: +l-o 10 ⟨irc:libera/bob|bob⟩'],
    // WeeChat
    ['alice (~alice@example.org) has joined #weechat', '⟨irc:libera/alice|alice⟩ has joined #weechat'],
    ['bob (~bob@h) has left #weechat (bye)', '⟨irc:libera/bob|bob⟩ has left #weechat (bye)'],
    ['bob (~bob@h) has quit (Ping timeout)', '⟨irc:libera/bob|bob⟩ has quit (Ping timeout)'],
    ['alice has kicked carol (behave)', '⟨irc:libera/alice|alice⟩ has kicked ⟨irc:libera/carol|carol⟩ (behave)'],
    ['You are now known as ada', 'You are now known as ⟨irc:libera/ada|ada⟩'],
    ['alice has changed topic for #weechat from "a" to "b"', '⟨irc:libera/alice|alice⟩ has changed topic for #weechat from "a" to "b"'],
    ['alice has unset topic for #weechat', '⟨irc:libera/alice|alice⟩ has unset topic for #weechat'],
    ['Mode #weechat [+v bob] by alice', 'Mode #weechat [+v ⟨irc:libera/bob|bob⟩] by ⟨irc:libera/alice|alice⟩'],
    // not an event line this grammar knows: as it is
    ['something else happened', 'something else happened'],
  ];
  for (const [body, expected] of cases) {
    const out = ircMarkup(body, ctx);
    assert.equal(visibleRefs(out.text), expected, body);
    assert.deepEqual(fragmentProblems(out.html), [], body);
    if (!body.includes('*!*@')) assert.ok(!out.html.includes('@'), `no user@host in ${out.html}`);
  }
  assert.equal(visibleRefs(ircMarkup('<b> is now known as x', ctx).html), '⟨irc:libera/&lt;b&gt;|&lt;b&gt;⟩ is now known as ⟨irc:libera/x|x⟩');
  assert.equal(ircMarkup('alice [~alice@example.org] has joined #chat', { ...ctx, kind: 'text' }).text, 'alice [~alice@example.org] has joined #chat', 'what people say stays as they typed it');
});

// ---------------------------------------------------------------------------------------------
// `chatchannels watch` on a folder of logs

async function until<T>(what: string, probe: () => T | null | undefined | false, seconds = 90): Promise<T> {
  const end = Date.now() + seconds * 1000;
  for (;;) {
    let value: T | null | undefined | false = null;
    try {
      value = probe();
    } catch {
      value = null; // the database may not exist yet
    }
    if (value) return value;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function bodies(dbFile: string): string[] {
  const db = new Database(dbFile, { readonly: true, fileMustExist: true });
  try {
    return db.prepare(`SELECT body FROM messages ORDER BY time, id`).pluck().all() as string[];
  } finally {
    db.close();
  }
}

test('chatchannels watch follows a growing log: appended lines reach the database once each', async () => {
  const dir = tempDir('cc-irc-watch-');
  const logs = copyOf(IRSSI, join(dir, 'logs'));
  const log = join(logs, 'libera', '#chat.log');
  const dbFile = join(dir, 'watch.sqlite');
  const child = spawn(process.execPath, [CLI, 'watch', logs, '--db', dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise((r) => child.once('exit', r));
  try {
    await until('the first import', () => /watching 1 source/.test(output) && bodies(dbFile).length === 21);
    appendFileSync(log, '00:05 <robert> live line\n');
    await until('the appended line', () => bodies(dbFile).includes('live line'));
    appendFileSync(log, '00:05 <robert> live line\n00:06 <alice> another\n');
    await until('the next lines', () => bodies(dbFile).includes('another'));
    const all = bodies(dbFile);
    assert.equal(all.filter((b) => b === 'live line').length, 2, 'the identical line is a second message, not a duplicate of the first');
    assert.equal(all.length, 24);
  } catch (err) {
    (err as Error).message += `\n--- watch output ---\n${output}`;
    throw err;
  } finally {
    child.kill('SIGINT');
    await exited;
  }
});
