import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { namedRefs } from '../collector/store/person-refs.js';
import { formatDuration } from '../collector/markup/duration.js';
import { tempDir } from './helpers/temp.js';

/**
 * Every format that records how long a call lasted shows it the way the apps do: "1 h 53 min",
 * "5 min 3 s", "42 s" — one wording (collector/markup/duration.ts) for all of them. Each case
 * writes a small input in the shape the source writes calls, imports it, and reads the call line
 * back from the database.
 */

/** Lengths in seconds and what the apps show for them. */
const LENGTHS: [number, string][] = [
  [113 * 60 + 27, '1 h 53 min'],
  [5 * 60 + 3, '5 min 3 s'],
  [42, '42 s'],
];

const T0 = Date.UTC(2024, 0, 6, 10, 0, 0);
const iso = (ms: number): string => new Date(ms).toISOString();

/** One writer per format: the call of `seconds` started at T0 + i hours, as that source writes it. */
const FORMATS: Record<string, (dir: string, calls: number[]) => string> = {
  discord(dir, calls) {
    const author = { id: '100000000000000001', name: 'adam', discriminator: '0000', nickname: 'Adam', color: null, isBot: false, roles: [], avatarUrl: '' };
    const messages = calls.map((seconds, i) => ({
      id: `82000000000000000${i}`,
      type: 'Call',
      timestamp: iso(T0 + i * 3_600_000).replace('Z', '+00:00'),
      timestampEdited: null,
      callEndedTimestamp: iso(T0 + i * 3_600_000 + seconds * 1000).replace('Z', '+00:00'),
      isPinned: false,
      content: 'Started a call.',
      author,
      attachments: [],
      embeds: [],
      stickers: [],
      reactions: [],
      mentions: [],
    }));
    const file = join(dir, 'dm.json');
    writeFileSync(file, JSON.stringify({
      guild: { id: '0', name: 'Direct Messages', iconUrl: '' },
      channel: { id: '800000000000000001', type: 'DirectTextChat', categoryId: null, category: 'Private', name: 'adam', topic: null },
      dateRange: { after: null, before: null },
      messages,
    }));
    return file;
  },
  'skype-export'(dir, calls) {
    const folder = join(dir, 'skype');
    mkdirSync(folder);
    const MessageList = calls.map((seconds, i) => ({
      id: `${1000 + i}`,
      displayName: 'Adam',
      originalarrivaltime: iso(T0 + i * 3_600_000),
      messagetype: 'Event/Call',
      version: 1,
      content: `<partlist type="ended" alt=""><part identity="live:adam"><name>Adam</name><duration>${seconds}</duration></part><part identity="live:bea"><name>Bea</name><duration>${seconds}</duration></part></partlist>`,
      conversationid: '8:live:bea',
      from: '8:live:adam',
      properties: null,
      amsreferences: null,
    }));
    writeFileSync(join(folder, 'messages.json'), JSON.stringify({
      userId: '8:live:adam',
      exportDate: '2024-02-01T00:00',
      conversations: [{ id: '8:live:bea', displayName: 'Bea', version: 1, properties: {}, threadProperties: null, MessageList: MessageList.reverse() }],
    }));
    return folder;
  },
  'skype-maindb'(dir, calls) {
    const file = join(dir, 'main.db');
    const db = new Database(file);
    try {
      db.exec(readFileSync(resolve(process.cwd(), 'test/fixtures/skype-maindb/schema-new.sql'), 'utf8'));
      db.prepare(`INSERT INTO Accounts (skypename, fullname) VALUES ('adam', 'Adam')`).run();
      db.prepare(`INSERT INTO Contacts (skypename, fullname) VALUES ('bea', 'Bea')`).run();
      db.prepare(`INSERT INTO Conversations (id, identity, type) VALUES (1, 'bea', 1)`).run();
      const message = db.prepare(`INSERT INTO Messages (convo_id, author, guid, timestamp, type, identities, call_guid) VALUES (1, 'adam', ?, ?, ?, 'bea', ?)`);
      calls.forEach((seconds, i) => {
        const begin = T0 / 1000 + i * 3600;
        message.run(Buffer.from(`start-${i}`), begin, 30, `call-${i}`);
        message.run(Buffer.from(`end-${i}`), begin + seconds, 39, `call-${i}`);
        db.prepare(`INSERT INTO Calls (id, begin_timestamp, duration, name, conv_dbid) VALUES (?, ?, ?, ?, 1)`).run(i + 1, begin, seconds, `1-${i}`);
        db.prepare(`INSERT INTO CallMembers (identity, dispname, call_duration, guid, call_name, call_db_id) VALUES ('bea', 'Bea', ?, ?, ?, ?)`).run(seconds, `call-${i}`, `1-${i}`, i + 1);
      });
    } finally {
      db.close();
    }
    return file;
  },
  telegram(dir, calls) {
    const file = join(dir, 'result.json');
    const messages = calls.map((seconds, i) => ({
      id: i + 1,
      type: 'service',
      date: iso(T0 + i * 3_600_000).slice(0, 19),
      date_unixtime: String((T0 + i * 3_600_000) / 1000),
      actor: 'Adam',
      actor_id: 'user111',
      action: 'phone_call',
      duration_seconds: seconds,
      discard_reason: 'hangup',
      text: '',
      text_entities: [],
    }));
    writeFileSync(file, JSON.stringify({ name: 'Adam', type: 'personal_chat', id: 111, messages }));
    return file;
  },
  teams(dir, calls) {
    const file = join(dir, 'messages.json');
    const user = (id: string, displayName: string) => ({ application: null, device: null, user: { '@odata.type': '#microsoft.graph.teamworkUserIdentity', id, displayName, userIdentityType: 'aadUser' } });
    const value = calls.map((seconds, i) => ({
      '@odata.type': '#microsoft.graph.chatMessage',
      id: `${1710000000000 + i}`,
      replyToId: null,
      messageType: 'systemEventMessage',
      createdDateTime: iso(T0 + i * 3_600_000 + seconds * 1000),
      lastModifiedDateTime: iso(T0 + i * 3_600_000 + seconds * 1000),
      lastEditedDateTime: null,
      deletedDateTime: null,
      chatId: '19:calls@thread.v2',
      from: null,
      body: { contentType: 'html', content: '<systemEventMessage/>' },
      eventDetail: {
        '@odata.type': '#microsoft.graph.callEndedEventMessageDetail',
        callId: `call-${i}`,
        callDuration: `PT${Math.floor(seconds / 3600)}H${Math.floor((seconds % 3600) / 60)}M${seconds % 60}S`,
        callEventType: 'call',
        callParticipants: [{ participant: user('a1111111-1111-4111-8111-111111111111', 'Adam').user }],
        initiator: user('a1111111-1111-4111-8111-111111111111', 'Adam'),
      },
      attachments: [],
      mentions: [],
      reactions: [],
    }));
    writeFileSync(file, JSON.stringify({ '@odata.context': "https://graph.microsoft.com/v1.0/$metadata#chats('19%3Acalls%40thread.v2')/messages", value }));
    return file;
  },
};

test('formatDuration: hours and minutes, minutes and seconds, seconds', () => {
  for (const [seconds, shown] of LENGTHS) assert.equal(formatDuration(seconds), shown);
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(3600), '1 h');
  assert.equal(formatDuration(2 * 3600 + 59), '2 h', 'seconds beside hours are not shown');
  assert.equal(formatDuration(64.6), '1 min 5 s', 'fractions of a second round');
});

for (const [format, write] of Object.entries(FORMATS)) {
  test(`${format}: a call's length reads as the app shows it`, async () => {
    const dir = tempDir();
    const input = write(dir, LENGTHS.map(([seconds]) => seconds));
    const db = openStore(join(dir, 'store.sqlite'));
    try {
      const summary = await importPaths(db, [input], { format });
      assert.equal(summary.files[0]?.format, format);
      const names = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
      const lines = (db.prepare(`SELECT text FROM messages WHERE kind = 'call' ORDER BY time`).pluck().all() as string[])
        .map((text) => namedRefs(text, (id) => names.get(id) as string | null));
      for (const [, shown] of LENGTHS) {
        assert.ok(lines.some((line) => line.includes(shown)), `${format}: no call line shows "${shown}":\n${lines.join('\n')}`);
      }
      // No other wording of a length is left beside it ("an hour", "1 h 53 min 27 s").
      for (const line of lines) assert.doesNotMatch(line, /an hour|minutes|\d+ min \d+ s.*\d+ s|h \d+ min \d+ s/, line);
    } finally {
      db.close();
    }
  });
}
