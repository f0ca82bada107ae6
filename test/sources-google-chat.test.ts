import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { googleChat } from '../collector/sources/google-chat/index.js';
import { parseTakeoutDate } from '../collector/sources/google-chat/dates.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { MessageFlags, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { folderEntries, writeZip } from './helpers/archives.js';
import { takeoutDate } from './helpers/google-chat-sample.js';
import { visibleRefs } from './helpers/person-refs.js';
import { propertySeeds } from './helpers/seeds.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/google-chat');
const TAKEOUT = join(FIXTURES, 'takeout');
const CHAT = join(TAKEOUT, 'Takeout', 'Google Chat');
const DM = join(CHAT, 'Groups', 'DM k6oxHQAAAAE');
const SPACE = join(CHAT, 'Groups', 'Space AAAAFyOfy4w');
const ALICE = 'gchat:alice.moreau@example.com';
const BOB = 'gchat:bob.okafor@example.org';
const CAROL = 'gchat:carol.yi@example.net';

async function readAll(path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of googleChat.read(path, {})) events.push(event);
  return events;
}

function ofType<K extends SourceEvent['type']>(events: SourceEvent[], type: K): Extract<SourceEvent, { type: K }>[] {
  return events.filter((e): e is Extract<SourceEvent, { type: K }> => e.type === type);
}

function rendered(m: MessageRecord): { html: string; text: string } {
  const out = renderBody(m.markup, m.body, { chat: 'x', kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], out.html);
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

function byId(messages: MessageRecord[], id: string): MessageRecord {
  const m = messages.find((x) => x.nativeId === id);
  assert.ok(m, `message ${id}`);
  return m;
}

/** An independent count of what imports: messages with a creator (or deleted) and an English date. */
function countImportable(file: string): number {
  const { messages } = JSON.parse(readFileSync(file, 'utf8')) as { messages: Record<string, unknown>[] };
  return messages.filter((m) => (m.creator || m.message_state === 'DELETED') && !String(m.created_date ?? '').includes('Smarch')).length;
}

const keyOf = (chat: string, m: MessageRecord) => messageKey({ chat, author: m.authorId, time: m.time, identity: m.nativeId! });

test('google-chat: detected from content: the Takeout folder, the Google Chat folder, a group folder, one messages.json, the zip; other formats keep their files', async () => {
  const dir = tempDir();
  const zip = join(dir, 'takeout-20240101T000000Z-001.zip');
  writeZip(zip, folderEntries(TAKEOUT));
  for (const path of [TAKEOUT, CHAT, DM, join(DM, 'messages.json'), join(FIXTURES, 'locales'), zip]) {
    assert.equal((await detectAdapter(path)).format, 'google-chat', path);
  }
  const others: [string, string][] = [
    ['test/fixtures/teams/export', 'teams'],
    ['test/fixtures/slack/workspace', 'slack'],
    ['test/fixtures/skype/tiny', 'skype-export'],
    ['test/fixtures/discord/export', 'discord'],
  ];
  for (const [path, format] of others) assert.equal((await detectAdapter(resolve(path))).format, format, path);
  assert.equal(await googleChat.detect(resolve('test/fixtures/skype/tiny/messages.json')), false);
});

test('google-chat: the Takeout folder: DM and Space, people by email, quotes, threads, mentions, links, reactions, edits, deletions, attachments; counts match an independent count', async () => {
  const events = await readAll(TAKEOUT);
  const chats = ofType(events, 'chat').map((e) => e.chat);
  assert.deepEqual(chats.map((c) => [c.nativeId, c.kind, c.title, c.owner]), [
    ['DM k6oxHQAAAAE', 'direct', null, ALICE],
    ['Space AAAAFyOfy4w', 'group', 'Trail Crew', ALICE],
  ]);
  const messages = ofType(events, 'message').map((e) => e.message);
  assert.equal(messages.length, countImportable(join(DM, 'messages.json')) + countImportable(join(SPACE, 'messages.json')));
  assert.equal(messages.length, 7 + 6);

  const dmId = 'DM k6oxHQAAAAE';
  const first = byId(messages, 'k6oxHQAAAAE/LqFDi4ScZAQ/LqFDi4ScZAQ');
  assert.equal(first.time, Date.UTC(2023, 0, 2, 15, 4, 5)); // U+202F before PM
  assert.equal(first.authorName, 'Alice Moreau');
  assert.match(rendered(first).html, /Trail map: <a href="https:\/\/example\.com\/trails" rel="nofollow noopener">https:\/\/example\.com\/trails<\/a>/);

  const bold = rendered(byId(messages, 'k6oxHQAAAAE/b4J2xIBNDZk/b4J2xIBNDZk'));
  assert.match(bold.html, /Looks <b>great<\/b>, thanks/);
  assert.match(bold.html, /aria-label="👍 1 reaction: ⟨gchat:alice\.moreau@example\.com\|Alice Moreau⟩" title="[^"]*">👍 1</);
  assert.equal(bold.text, 'Looks great, thanks');

  const quote = byId(messages, 'k6oxHQAAAAE/dQw4w9WgXcQ/dQw4w9WgXcQ');
  assert.equal(quote.replyToKey, keyOf(dmId, first), 'the quoted message, found by author and text');
  assert.match(rendered(quote).html, /^<blockquote class="cc-quote"><b>⟨gchat:alice\.moreau@example\.com\|Alice Moreau⟩<\/b><br>Hi Bob!/);
  assert.equal(quote.flags, undefined, 'a quote is a quote-reply, not a thread');

  const edited = byId(messages, 'k6oxHQAAAAE/eF7g8h9iJkL/eF7g8h9iJkL');
  assert.equal(edited.time, Date.UTC(2023, 0, 2, 15, 9, 0), 'first posted: the oldest version');
  assert.equal(edited.editedAt, Date.UTC(2023, 0, 2, 15, 20, 0));
  assert.equal(rendered(edited).text, 'Saturday, 8 am sharp');

  const deleted = byId(messages, 'k6oxHQAAAAE/fGh1jKl2MnO/fGh1jKl2MnO');
  assert.equal(deleted.deleted, true);
  assert.equal(deleted.time, Date.UTC(2023, 0, 2, 15, 30, 0));
  assert.match(rendered(deleted).html, /cc-deleted/);

  const summit = byId(messages, 'k6oxHQAAAAE/c1ZZyq0aQWE/c1ZZyq0aQWE');
  assert.equal(summit.kind, 'file');
  const photos = byId(messages, 'k6oxHQAAAAE/gHi3jKl4MnO/gHi3jKl4MnO');
  const media = ofType(events, 'media');
  assert.deepEqual(media.map((e) => [e.media.name, e.media.bytes.length]), [['summit.png', 14], ['IMG_0001.jpg', 12]]);
  assert.equal(summit.attachments?.[0].hash, media[0].hash);
  assert.equal(photos.attachments?.[0].hash, media[1].hash, 'File-…?account_id=3.jpg is stored as …_account_id=3.jpg');
  assert.deepEqual(photos.attachments?.[1], { name: 'missing.pdf', type: 'application/pdf' });

  const spaceId = 'Space AAAAFyOfy4w';
  const root = byId(messages, 'AAAAFyOfy4w/T1aaaaaaaaa/T1aaaaaaaaa');
  const reply = byId(messages, 'AAAAFyOfy4w/T1aaaaaaaaa/R1bbbbbbbbb');
  assert.equal(root.replyToKey, null);
  assert.equal(reply.replyToKey, keyOf(spaceId, root), 'a topic’s first message is the parent');
  assert.equal(reply.flags, MessageFlags.threadReply, 'of a thread');
  assert.equal(byId(messages, 'AAAAFyOfy4w/T1aaaaaaaaa/R2ccccccccc').replyToKey, keyOf(spaceId, root));
  assert.equal(rendered(reply).text, '@⟨gchat:bob.okafor@example.org|Bob Okafor⟩ can you bring the rope?');
  assert.match(rendered(byId(messages, 'AAAAFyOfy4w/T1aaaaaaaaa/R2ccccccccc')).html, /🎉 2 .*⟨gchat:carol\.yi@example\.net\|Carol Yi⟩, ⟨gchat:alice\.moreau@example\.com\|Alice Moreau⟩/);
  assert.equal(byId(messages, 'AAAAFyOfy4w/T2ddddddddd/T2ddddddddd').authorId, 'gchat:~Meet', 'a bot without email: by name');
  assert.match(rendered(byId(messages, 'AAAAFyOfy4w/T4fffffffff/T4fffffffff')).html, /<a href="https:\/\/drive\.google\.com\/open\?id=1u3O4ravpOpkepKtqOOvgio" rel="nofollow noopener">Plan\.docx<\/a>/);
  assert.ok(messages.some((m) => m.authorId === CAROL) && messages.some((m) => m.authorId === BOB));

  const warnings = ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
  assert.deepEqual(warnings, [
    'Groups/DM k6oxHQAAAAE/messages.json: message 8 (k6oxHQAAAAE/hIj5kLm6NoP/hIj5kLm6NoP): created_date "Someday, Smarch 40, 2023 at 99:00 XM UTC" is not a date this reader knows; skipped',
    'Groups/DM k6oxHQAAAAE/messages.json: File-missing.pdf: 1 attached file not found beside messages.json; kept by name',
    'Groups/Space AAAAFyOfy4w/messages.json: message 7 (AAAAFyOfy4w/T5ggggggggg/T5ggggggggg): no creator; skipped',
  ]);
});

test('google-chat: dates in the shapes and languages Takeout writes; anything else is NaN', () => {
  const at = Date.UTC(2023, 0, 2, 15, 4, 5);
  const cases: [string, number][] = [
    ['Monday, January 2, 2023 at 3:04:05\u202fPM UTC', at],
    ['Monday, January 2, 2023 at 3:04:05 PM UTC', at],
    ['Monday, 2 January 2023 at 15:04:05 UTC', at],
    ['2015. február 15., vasárnap 21:54:36 UTC', Date.UTC(2015, 1, 15, 21, 54, 36)],
    ['2023年1月2日月曜日 15:04:05 UTC', at],
    ['2023年1月2日星期一 UTC 15:04:05', at],
    ['Montag, 2. Januar 2023 um 15:04:05 UTC', at],
    ['lundi 2 janvier 2023 à 15:04:05 UTC', at],
    ['lunes, 2 de enero de 2023, 15:04:05 UTC', at],
    ['Monday, January 2, 2023 at 7:04:05 AM PST', at],
    ['Monday, January 2, 2023 at 4:04:05 PM GMT+1', at],
    ['Monday, January 2, 2023 at 8:34:05 PM UTC+05:30', at],
    ['Sunday, January 1, 2023 at 12:00:00 AM UTC', Date.UTC(2023, 0, 1, 0, 0, 0)],
    ['Sunday, January 1, 2023 at 12:00:00 PM UTC', Date.UTC(2023, 0, 1, 12, 0, 0)],
  ];
  for (const [text, expected] of cases) assert.equal(parseTakeoutDate(text), expected, text);
  for (const bad of ['', 'yesterday', 'Monday, January 2, 2023 at 3:04:05 PM', 'Monday, Smarch 2, 2023 at 3:04:05 PM UTC', 'Monday, February 30, 2023 at 3:04:05 PM UTC',
    'Monday, January 2, 2023 at 13:04:05 PM UTC', 'Monday, January 2, 2023 at 3:04:05 PM XYZ', 'Monday, January 2, 2023 at 3:61:05 PM UTC', '2023-01-02T15:04:05Z', 42, null]) {
    assert.ok(Number.isNaN(parseTakeoutDate(bad)), String(bad));
  }
});

test('google-chat: property: every second of 1970–2100 written as Takeout writes it (U+202F or a space, both orders) reads back exactly', (t) => {
  for (const seed of propertySeeds(t)) {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4102444799 }), fc.boolean(), (seconds, narrow) => {
        const time = seconds * 1000;
        assert.equal(parseTakeoutDate(takeoutDate(time, narrow ? '\u202f' : ' ')), time);
        const d = new Date(time);
        const gb = `${['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'][d.getUTCDay()]}, ${d.getUTCDate()} ${d.toLocaleString('en', { month: 'long', timeZone: 'UTC' })} ${d.getUTCFullYear()} at ${d.toISOString().slice(11, 19)} UTC`;
        assert.equal(parseTakeoutDate(gb), time, gb);
      }),
      { seed, numRuns: 300 },
    );
  }
});

test('google-chat: every input form (zip, folders, one group, one messages.json) gives the same chats and message keys', async () => {
  const dir = tempDir();
  const zip = join(dir, 'takeout.zip');
  writeZip(zip, folderEntries(TAKEOUT));
  const keys = async (path: string) => {
    const events = await readAll(path);
    let chat = '';
    const out: string[] = [];
    for (const e of events) {
      if (e.type === 'chat') chat = e.chat.nativeId;
      if (e.type === 'message') out.push(`${chat} ${keyOf(chat, e.message)} ${e.message.attachments?.map((a) => a.hash ?? a.name).join(',') ?? ''}`);
    }
    return out;
  };
  const whole = await keys(TAKEOUT);
  assert.deepEqual(await keys(zip), whole);
  assert.deepEqual(await keys(CHAT), whole);
  const dmKeys = whole.filter((k) => k.startsWith('DM '));
  assert.deepEqual(await keys(DM), dmKeys);
  assert.deepEqual(await keys(join(DM, 'messages.json')), dmKeys);
  // A group folder renamed by the user still names its chat by the group id its message ids carry.
  const renamed = join(dir, 'my chat with bob');
  cpSync(DM, renamed, { recursive: true });
  assert.deepEqual(await keys(renamed), dmKeys);
});

test('google-chat: bad files: broken JSON is a SourceError naming the file, line and column; not a messages list, too', async () => {
  const dir = tempDir();
  const whole = readFileSync(join(DM, 'messages.json'), 'utf8');
  const truncated = join(dir, 'messages.json');
  writeFileSync(truncated, whole.slice(0, Math.floor(whole.length * 0.6)));
  await assert.rejects(readAll(truncated), (err: unknown) => {
    assert.ok(err instanceof SourceError);
    assert.equal(err.file, truncated);
    assert.match(err.position ?? '', /^line \d+, column \d+$/);
    return true;
  });
  const zipDir = tempDir();
  const entries = folderEntries(TAKEOUT).map((e) => (e.name.endsWith('DM k6oxHQAAAAE/messages.json') ? { ...e, data: Buffer.from('{"messages": [1,') } : e));
  const zip = join(zipDir, 'takeout.zip');
  writeZip(zip, entries);
  await assert.rejects(readAll(zip), (err: unknown) => err instanceof SourceError && err.file === zip && /^entry Takeout\/Google Chat\/Groups\/DM k6oxHQAAAAE\/messages\.json, line 1, column \d+$/.test(err.position ?? ''));
  writeFileSync(truncated, '{"messages": {"not": "a list"}}');
  await assert.rejects(readAll(truncated), /no "messages" list/);

  // One message that is not valid JSON in a sound file: skipped with a warning, the rest read.
  const doc = JSON.parse(whole) as { messages: unknown[] };
  const good = (await readAll(join(DM, 'messages.json'))).filter((e) => e.type === 'message').length;
  const parts = JSON.stringify(doc, null, 1).split('\n');
  const at = parts.findIndex((line) => /"text": "/.test(line));
  parts[at] = parts[at].replace('"text": "', '"text": "\\q');
  writeFileSync(truncated, parts.join('\n'));
  const events = await readAll(truncated);
  assert.equal(events.filter((e) => e.type === 'message').length, good - 1);
  const warnings = events.flatMap((e) => (e.type === 'warning' ? [`${e.warning.position}: ${e.warning.message}`] : []));
  assert.ok(warnings.some((w) => /message \d+.*not valid JSON at line \d+, column \d+: .*skipped/.test(w)), warnings.join('\n'));
});

test('google-chat: through the importer: re-import adds nothing; an overlapping later export (one edited, one new) merges', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [TAKEOUT, join(FIXTURES, 'locales'), join(FIXTURES, 'no-ids')]);
    assert.equal(first.files.map((f) => f.format).join(','), 'google-chat,google-chat,google-chat');
    assert.equal(first.newMessages, 13 + 7 + 2);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = ?`, CAROL), 'Carol Yi');
    const again = await importPaths(db, [TAKEOUT, join(FIXTURES, 'locales'), join(FIXTURES, 'no-ids')]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);

    // The DM exported again later, as a lone group folder: one message edited, one new.
    const later = join(dir, 'DM k6oxHQAAAAE');
    cpSync(DM, later, { recursive: true });
    const doc = JSON.parse(readFileSync(join(later, 'messages.json'), 'utf8')) as { messages: Record<string, unknown>[] };
    const original = doc.messages[0];
    doc.messages[0] = { ...original, created_date: undefined, text: 'Hi Bob! Trail map (edited)', annotations: [], updated_date: 'Monday, January 2, 2023 at 4:00:00\u202fPM UTC', previous_message_versions: [{ created_date: original.created_date, text: original.text }] };
    doc.messages.push({ creator: { name: 'Bob Okafor', email: 'BOB.OKAFOR@example.org' }, created_date: 'Wednesday, January 4, 2023 at 9:00:00 AM UTC', text: 'new', topic_id: 'zz', message_id: 'k6oxHQAAAAE/zz/zz' });
    writeFileSync(join(later, 'messages.json'), JSON.stringify(doc));
    const merged = await importPaths(db, [later]);
    assert.equal(merged.newMessages, 1);
    assert.equal(merged.updatedMessages, 1);
    assert.equal(scalar(db, `SELECT count(*) FROM people WHERE native_id = ?`, BOB), 1, 'emails are matched whatever their case');
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = ?`, 'k6oxHQAAAAE/LqFDi4ScZAQ/LqFDi4ScZAQ'), 'Hi Bob! Trail map (edited)');
  } finally {
    db.close();
  }
});
