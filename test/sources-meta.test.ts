import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { importPaths } from '../collector/import/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { ADAPTERS, detectAdapter } from '../collector/sources/index.js';
import { instagram, messenger } from '../collector/sources/meta/index.js';
import { repairMojibake } from '../collector/sources/meta/mojibake.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { openStore, type Db } from '../collector/store/open.js';
import { namedRefs } from '../collector/store/person-refs.js';
import { folderEntries, writeZip } from './helpers/archives.js';
import { propertySeeds } from './helpers/seeds.js';
import { scalar } from './helpers/sql.js';
import { tempDir } from './helpers/temp.js';

const root = new URL('../../', import.meta.url); // dist/test/ → the repository
const FIXTURES = fileURLToPath(new URL('test/fixtures/meta/', root));
const FACEBOOK = join(FIXTURES, 'facebook-export');
const INSTAGRAM = join(FIXTURES, 'instagram-export');
const E2EE = join(FIXTURES, 'e2ee-export');
const THREAD = join(FACEBOOK, 'messages/inbox/alicesmith_1234567890');
const SHARED = fileURLToPath(new URL('../shared/fixtures/', root));

/** Meta's encoding: each UTF-8 byte of the text as one code unit. */
function mojibake(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

// ---------------------------------------------------------------------------------------------
// Mojibake

test('mojibake: the exact inverse of Meta’s encoding, and correct text is never "repaired"', (t) => {
  assert.equal(repairMojibake('Zo\u00c3\u00ab'), 'Zoë');
  assert.equal(repairMojibake('\u00f0\u009f\u0098\u00a2'), '😢');
  // Already correct: a Latin-1 letter alone is no UTF-8; anything above U+00FF is no byte.
  for (const good of ['é', 'naïve café', 'Zoë 😢', '李', 'plain ascii', '', 'Ã', '\u00ff\u00fe']) assert.equal(repairMojibake(good), good);
  // A cut sequence (no valid UTF-8) stays as it is.
  assert.equal(repairMojibake('\u00f0\u009f\u0098'), '\u00f0\u009f\u0098');
  for (const seed of propertySeeds(t)) {
    // Mojibake of any Unicode string is repaired to it.
    fc.assert(fc.property(fc.string({ unit: 'grapheme' }), (s) => repairMojibake(mojibake(s)) === s), { seed, numRuns: 300 });
    // Correct text with anything outside Latin-1 survives whole.
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => /[^\u0000-\u00ff]/.test(s)), (a, b) => repairMojibake(a + b) === a + b),
      { seed, numRuns: 300 },
    );
    // Any string: left as it is, or changed only where it was exactly the mojibake of the result.
    fc.assert(fc.property(fc.string({ unit: 'binary' }), (s) => {
      const out = repairMojibake(s);
      return out === s || mojibake(out) === s;
    }), { seed, numRuns: 500 });
  }
});

// ---------------------------------------------------------------------------------------------
// Independent counts of the fixtures: our own walk and JSON.parse of the files

interface Counted {
  messages: number;
  /** Entries that are no message object or have no valid time. */
  bad: number;
}

function countFile(file: string, timeField: string): Counted {
  const json = JSON.parse(readFileSync(file, 'utf8')) as { messages: unknown[] };
  let messages = 0;
  let bad = 0;
  for (const m of json.messages) {
    if (m && typeof m === 'object' && !Array.isArray(m) && typeof (m as Record<string, unknown>)[timeField] === 'number') messages++;
    else bad++;
  }
  return { messages, bad };
}

function countTree(dir: string, timeField = 'timestamp_ms'): Counted {
  const total = { messages: 0, bad: 0 };
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !/^message_\d+\.json$|^[^/]*_\d+\.json$/.test(entry.name)) continue;
    const c = countFile(join(entry.parentPath, entry.name), timeField);
    total.messages += c.messages;
    total.bad += c.bad;
  }
  return total;
}

async function readAll(adapter: typeof messenger, path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const e of adapter.read(path, {})) events.push(e);
  return events;
}

function named(db: Db, text: string): string {
  const names = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
  return namedRefs(text, (id) => names.get(id) as string | null);
}

// ---------------------------------------------------------------------------------------------
// The whole Facebook export: folder, zip, one thread, one file

test('messenger: the whole export folder — exact counts, names, text and reactions repaired, media read relative to the export root', async () => {
  const expected = countTree(FACEBOOK);
  assert.deepEqual(expected, { messages: 19, bad: 2 });
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [FACEBOOK]);
    assert.equal(first.newMessages, expected.messages);
    assert.equal(first.chats, 2);
    // The two bad entries, each named with file and index, and the one photo the export lacks.
    const warnings = first.files.flatMap((f) => f.warnings.map((w) => `${w.position}: ${w.message}`));
    assert.equal(warnings.length, 3, warnings.join('\n'));
    assert.ok(warnings.some((w) => /message_1\.json \[0\]: not a message object/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /message_1\.json \[1\]: a message without a valid timestamp_ms/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /1 media file not in the input.*missing_2\.jpg/.test(w)), warnings.join('\n'));

    assert.equal(scalar(db, `SELECT format FROM chats WHERE native_id = 'messenger:alicesmith_1234567890'`), 'messenger');
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id = 'messenger:alicesmith_1234567890'`), 'direct');
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = 'messenger:hikingclub_987654321'`), 'Hiking Club ⛰️');
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id = 'messenger:hikingclub_987654321'`), 'group');
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = 'messenger:Zoë Ørsted'`), 'Zoë Ørsted');
    assert.equal(scalar(db, `SELECT count(*) FROM people WHERE display_name LIKE '%Ã%'`), 0);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE text LIKE '%Ã%' OR html LIKE '%Ã%' OR html LIKE '%ð%'`), 0);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE text = 'Ça va? Voilà le café ☕ — naïve façade 🎉👍🏽'`), 1);
    // Reactions: shown with their reactors as references, not searched.
    const reacted = scalar(db, `SELECT html FROM messages WHERE text LIKE 'Ça va%'`) as string;
    assert.match(named(db, reacted), /aria-label="❤ 1 reaction: Zoë Ørsted" title="❤ 1 reaction: Zoë Ørsted">❤ 1</);
    // Oldest first across the thread's two files: message_2 holds the older half.
    const times = db.prepare(`SELECT m.time FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = 'messenger:alicesmith_1234567890' ORDER BY m.id`).pluck().all() as number[];
    assert.deepEqual(times, [...times].sort((a, b) => a - b));
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE text = 'Same text twice'`), 2);
    // Events are written from who did what, never from Meta's sentence with names in it.
    assert.deepEqual(
      (db.prepare(`SELECT text FROM messages WHERE kind IN ('event', 'call') ORDER BY time`).pluck().all() as string[]).map((t) => named(db, t)),
      ['Alice Smith called · 12 min 34 s', 'Zoë Ørsted called (missed)', 'Alice Smith added Bob Müller and Carl 李', 'Bob Müller left the group', 'Alice Smith removed Carl 李 from the group'],
    );
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE deleted = 1`), 1);
    // Media: every file the export holds, the sticker from messages/stickers_used/ too.
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 6);
    const attachments = (db.prepare(`SELECT attachments FROM messages WHERE attachments IS NOT NULL`).pluck().all() as string[]).flatMap((a) => JSON.parse(a) as { name: string; hash?: string }[]);
    assert.deepEqual(attachments.map((a) => `${a.name}${a.hash ? '' : ' (not in the export)'}`).sort(), [
      '361184616_1.gif', '369239263222822.png', '391851_1.mp4', '411_1.png', 'audioclip17000006000000.mp4', 'missing_2.jpg (not in the export)', 'notes_ünï.txt',
    ]);
    for (const html of db.prepare('SELECT html FROM messages').pluck().all() as string[]) assert.deepEqual(fragmentProblems(html), [], html);

    const again = await importPaths(db, [FACEBOOK]);
    assert.deepEqual([again.newMessages, again.updatedMessages, again.unchangedMessages], [0, 0, expected.messages]);

    const zip = join(dir, 'facebook-zoe-2024-01-01-abc.zip');
    writeZip(zip, folderEntries(FACEBOOK));
    assert.equal((await detectAdapter(zip)).format, 'messenger');
    const fromZip = await importPaths(db, [zip]);
    assert.deepEqual([fromZip.newMessages, fromZip.updatedMessages, fromZip.unchangedMessages], [0, 0, expected.messages]);
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 6);
  } finally {
    db.close();
  }
});

test("messenger: Meta's own sentences name people by reference: with authors hidden no name is left in them", async () => {
  const dir = tempDir();
  const copy = join(dir, 'facebook-export');
  cpSync(FACEBOOK, copy, { recursive: true });
  const file = join(copy, 'messages/archived_threads/hikingclub_987654321/message_1.json');
  const thread = JSON.parse(readFileSync(file, 'utf8')) as { messages: unknown[] };
  const zoe = mojibake('Zoë Ørsted');
  thread.messages.unshift(
    { sender_name: 'Alice Smith', timestamp_ms: 1700003000000, content: 'Alice Smith named the group Summit Crew.', type: 'Generic' },
    { sender_name: 'Alice Smith', timestamp_ms: 1700003100000, content: `Alice Smith set the nickname for ${zoe} to Boots.`, type: 'Generic' },
    { sender_name: zoe, timestamp_ms: 1700003200000, content: `${zoe} changed the group photo.`, type: 'Generic' },
  );
  writeFileSync(file, JSON.stringify(thread));
  const db = join(dir, 'store.sqlite');
  const store = openStore(db);
  try {
    await importPaths(store, [copy]);
  } finally {
    store.close();
  }
  const { buildSite } = await import('../site/build.js');
  const { scanForLeaks } = await import('./helpers/leak-scan.js');
  const hidden = join(dir, 'hidden');
  await buildSite({ db, out: hidden, quiet: true, authors: 'hide', pseudonymSalt: 'pepper' });
  assert.deepEqual(scanForLeaks(hidden, ['Alice Smith', 'Zoë Ørsted', 'Ørsted']), []);
  const shown = join(dir, 'shown');
  await buildSite({ db, out: shown, quiet: true });
  const page = readdirSync(join(shown, 'chats'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('index.html'))
    .map((f) => readFileSync(join(shown, 'chats', f), 'utf8'))
    .join('\n');
  // A name drawn from a reference is isolated for bidirectional text (U+2068 … U+2069): typed text is not.
  for (const said of ['\u2068Alice Smith\u2069 named the group Summit Crew.', 'set the nickname for \u2068Zoë Ørsted\u2069 to Boots.', '\u2068Zoë Ørsted\u2069 changed the group photo.']) {
    assert.ok(page.includes(said), `shown as Meta wrote it: ${said}`);
  }
});

test('messenger: one thread folder, one message_N.json — the same messages; media outside what was given are listed, never read', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    assert.equal((await detectAdapter(THREAD)).format, 'messenger');
    const thread = await importPaths(db, [THREAD]);
    const expected = countTree(THREAD).messages;
    assert.equal(thread.newMessages, expected);
    // Photos, videos… are in the thread's folder; the sticker is in messages/stickers_used/.
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 5);
    const warnings = thread.files.flatMap((f) => f.warnings.map((w) => w.message)).join('\n');
    assert.match(warnings, /2 media files not in the input/);
    assert.doesNotMatch(warnings, /leading outside/);

    const one = join(THREAD, 'message_2.json');
    assert.equal((await detectAdapter(one)).format, 'messenger');
    const file = await importPaths(db, [one]);
    assert.deepEqual([file.newMessages, file.unchangedMessages], [0, countFile(one, 'timestamp_ms').messages]);
    // The whole export afterwards: the same chat, only what the thread lacked is new.
    const whole = await importPaths(db, [FACEBOOK]);
    assert.equal(whole.newMessages, countTree(FACEBOOK).messages - expected);
    assert.equal(scalar(db, 'SELECT count(*) FROM chats'), 2);
  } finally {
    db.close();
  }
});

test('messenger: an overlapping later export merges — no duplicates, a reaction added since updates its message; a message unsent since stays beside what it said (nothing in the export names it)', async () => {
  const dir = tempDir();
  const later = join(dir, 'later');
  cpSync(FACEBOOK, later, { recursive: true });
  const file = join(later, 'messages/inbox/alicesmith_1234567890/message_1.json');
  const json = JSON.parse(readFileSync(file, 'utf8')) as { messages: Record<string, unknown>[] };
  const hi = json.messages.find((m) => m.content === 'Same text twice')!;
  hi.reactions = [{ reaction: mojibake('👍'), actor: mojibake('Zoë Ørsted') }];
  json.messages.unshift({ sender_name: 'Alice Smith', timestamp_ms: 1700000000000 + 20 * 60000, content: 'a newer message', type: 'Generic' });
  writeFileSync(file, JSON.stringify(json));
  const older = join(later, 'messages/inbox/alicesmith_1234567890/message_2.json');
  const olderJson = JSON.parse(readFileSync(older, 'utf8')) as { messages: Record<string, unknown>[] };
  const unsent = olderJson.messages.find((m) => m.content === 'Hello Zo\u00c3\u00ab')!;
  delete unsent.content;
  unsent.is_unsent = true;
  writeFileSync(older, JSON.stringify(olderJson));
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const expected = countTree(FACEBOOK).messages;
    await importPaths(db, [FACEBOOK]);
    const second = await importPaths(db, [later]);
    assert.deepEqual([second.newMessages, second.updatedMessages, second.unchangedMessages], [2, 1, expected - 2]);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), expected + 2);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE text = 'Hello Zoë'`), 1);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE deleted = 1`), 2);
    const third = await importPaths(db, [later]);
    assert.deepEqual([third.newMessages, third.updatedMessages], [0, 0]);
    assert.match(named(db, scalar(db, `SELECT html FROM messages WHERE text = 'Same text twice' AND html LIKE '%cc-reaction%'`) as string), /👍 1 .*Zoë Ørsted/);
  } finally {
    db.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Instagram, the end-to-end encrypted download, the shared real samples

test('instagram: found under your_instagram_activity/, read as Instagram — its own chats and people', async () => {
  assert.equal((await detectAdapter(INSTAGRAM)).format, 'instagram');
  const thread = join(INSTAGRAM, 'your_instagram_activity/messages/inbox/bobmuller_17841400000000001');
  assert.equal((await detectAdapter(thread)).format, 'instagram');
  assert.equal((await detectAdapter(join(thread, 'message_1.json'))).format, 'instagram');
  const dir = tempDir();
  const zip = join(dir, 'instagram-zoe-2024-01-01-abc.zip');
  writeZip(zip, folderEntries(INSTAGRAM));
  assert.equal((await detectAdapter(zip)).format, 'instagram');
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const result = await importPaths(db, [INSTAGRAM]);
    assert.equal(result.newMessages, countTree(INSTAGRAM).messages);
    assert.equal(scalar(db, `SELECT format FROM chats WHERE native_id = 'instagram:bobmuller_17841400000000001'`), 'instagram');
    assert.equal(scalar(db, `SELECT count(*) FROM people WHERE native_id LIKE 'messenger:%'`), 0);
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = 'instagram:Bob Müller'`), 'Bob Müller');
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 1);
    assert.match(scalar(db, `SELECT text FROM messages WHERE text LIKE 'https://www.instagram.com/p/%'`) as string, /Sunset über dem See 🌅/);
    const again = await importPaths(db, [zip]);
    assert.deepEqual([again.newMessages, again.updatedMessages], [0, 0]);
  } finally {
    db.close();
  }
});

test('messenger: the end-to-end encrypted download (participants as strings, threadName, media/ beside the JSON)', async () => {
  assert.equal((await detectAdapter(E2EE)).format, 'messenger');
  const file = join(E2EE, 'Alice Smith_1.json');
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const result = await importPaths(db, [E2EE]);
    assert.equal(result.newMessages, countFile(file, 'timestamp').messages);
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = 'messenger:e2ee:Alice Smith_1'`), 'Alice Smith');
    assert.equal(scalar(db, `SELECT text FROM messages WHERE text LIKE 'Encrypted%'`), 'Encrypted now — ça marche 🔒');
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 1);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages WHERE deleted = 1'), 1);
    const again = await importPaths(db, [file]);
    assert.deepEqual([again.newMessages, again.updatedMessages], [0, 0]);
  } finally {
    db.close();
  }
});

test('the shared real samples (chat-miner fragments: only "messages") import with exact counts', { skip: !existsSync(SHARED) && 'no ../shared/fixtures here' }, async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    for (const [format, file] of [
      ['messenger', join(SHARED, 'messenger/chat-miner-facebookMessenger-testlog.json')],
      ['instagram', join(SHARED, 'instagram/chat-miner-instagram-test_export.json')],
    ] as const) {
      const expected = countFile(file, 'timestamp_ms').messages;
      assert.equal(expected, 2);
      const result = await importPaths(db, [file], { format });
      assert.equal(result.newMessages, expected, file);
      const again = await importPaths(db, [file], { format });
      assert.deepEqual([again.newMessages, again.unchangedMessages], [0, expected]);
    }
    // Two messages of one millisecond by two people are two messages.
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE time = 1668628203612`), 2);
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = 'instagram:chat-miner-instagram-test_export'`), 'John Doe, Jane Doe');
  } finally {
    db.close();
  }
});

// ---------------------------------------------------------------------------------------------
// Bad input

test('bad files: a damaged thread file is an error naming it (inside the export) and the line; a message that is not valid JSON is skipped with a warning naming it', async () => {
  const dir = tempDir();
  const lone = join(dir, 'message_1.json');
  writeFileSync(lone, '{"participants": [],\n "messages": [{"sender_name": "A", "timestamp_ms": 1,}]');
  await assert.rejects(readAll(messenger, lone), (err: unknown) => {
    assert.ok(err instanceof SourceError, String(err));
    assert.match(err.message, /message_1\.json: .*line 2, column \d+/);
    return true;
  });
  // The same bad message in a sound file: skipped, its neighbours read (an invalid escape, a trailing comma).
  writeFileSync(
    lone,
    '{"participants": [{"name": "A"}],\n "messages": [{"sender_name": "A", "timestamp_ms": 3, "content": "after"},\n' +
      ' {"sender_name": "A", "timestamp_ms": 2, "content": "bad \\q escape"}, {"sender_name": "A", "timestamp_ms": 1,},\n' +
      ' {"sender_name": "A", "timestamp_ms": 1, "content": "before"}], "title": "A"}',
  );
  const events = await readAll(messenger, lone);
  const texts = events.flatMap((e) => (e.type === 'message' ? [JSON.parse(e.message.body).text] : []));
  assert.deepEqual(texts, ['before', 'after']);
  const warnings = events.flatMap((e) => (e.type === 'warning' ? [`${e.warning.position}: ${e.warning.message}`] : []));
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings.join('\n'), /\[1\]: not valid JSON at line 3, column 2: .*skipped/);
  assert.match(warnings.join('\n'), /\[2\]: not valid JSON at line 3, column \d+: .*skipped/);
  await assert.rejects(readAll(messenger, join(dir, 'nothing-here')), SourceError);
  const notMeta = join(dir, 'other.json');
  writeFileSync(notMeta, '{"something": "else"}');
  await assert.rejects(readAll(instagram, notMeta), /no "messages" list/);

  const export2 = join(dir, 'export');
  cpSync(FACEBOOK, export2, { recursive: true });
  writeFileSync(join(export2, 'messages/inbox/alicesmith_1234567890/message_2.json'), '{"messages": [');
  await assert.rejects(readAll(messenger, export2), (err: unknown) => {
    assert.ok(err instanceof SourceError, String(err));
    assert.match(err.message, /export: messages\/inbox\/alicesmith_1234567890\/message_2\.json: not valid JSON at line 1, column \d+/);
    return true;
  });
});

test('detection: Meta inputs are found by content and layout, and no other format’s fixture is taken for one', async () => {
  assert.deepEqual(ADAPTERS.slice(-2).map((a) => a.format), ['messenger', 'instagram']);
  const others = ['skype/tiny', 'slack/workspace', 'telegram', 'discord', 'whatsapp', 'irc'].map((p) => fileURLToPath(new URL(`test/fixtures/${p}`, root)));
  for (const path of others.filter(existsSync)) {
    const entries = [path, ...readdirSync(path, { withFileTypes: true }).filter((e) => e.isFile()).map((e) => join(path, e.name))];
    for (const p of entries) {
      assert.equal(await messenger.detect(p), false, p);
      assert.equal(await instagram.detect(p), false, p);
    }
  }
  const dir = tempDir();
  mkdirSync(join(dir, 'empty'));
  assert.equal(await messenger.detect(join(dir, 'empty')), false);
});
