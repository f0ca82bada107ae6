import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { matrix, matrixTuning } from '../collector/sources/matrix/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { MessageFlags, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { visibleRefs } from './helpers/person-refs.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { folderEntries, writeZip } from './helpers/archives.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/matrix');
const NAME = 'matrix - Project Falcon - Chat Export - 2024-03-05T10-00-00.000Z';
const ZIP = join(FIXTURES, 'element', `${NAME}.zip`);
const UNPACKED = join(FIXTURES, 'element', NAME);
const API = join(FIXTURES, 'api');
const SHARED = resolve(process.cwd(), '../shared/fixtures/matrix');
const noShared = existsSync(SHARED) ? false : 'the shared fixtures (../shared/fixtures/matrix) are not here';
const FALCON = '!falcon:example.org';
const GARDEN = '!garden:example.org';
const ALICE = '@alice:example.org';
const BOB = '@bob:example.org';

type Json = Record<string, unknown>;

async function readAll(path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of matrix.read(path, {})) events.push(event);
  return events;
}

function ofType<K extends SourceEvent['type']>(events: SourceEvent[], type: K): Extract<SourceEvent, { type: K }>[] {
  return events.filter((e): e is Extract<SourceEvent, { type: K }> => e.type === type);
}

function messages(events: SourceEvent[]): MessageRecord[] {
  return ofType(events, 'message').map((e) => e.message);
}

function warnings(events: SourceEvent[]): string[] {
  return ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
}

function rendered(m: MessageRecord): { html: string; text: string } {
  const out = renderBody(m.markup, m.body, { chat: 'x', kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], out.html);
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

function byId(list: MessageRecord[], id: string): MessageRecord {
  const m = list.find((x) => x.nativeId === id);
  assert.ok(m, `message ${id}`);
  return m;
}

/** An independent count of what a list of raw events shows: events minus relations and room settings. */
function shownEvents(events: Json[]): number {
  const settings = new Set(['m.room.power_levels', 'm.room.join_rules', 'm.room.history_visibility', 'm.room.guest_access', 'org.matrix.room.preview_urls']);
  const ids = new Set<string>();
  for (const e of events) {
    const content = (e.content ?? {}) as Json;
    const relation = (content['m.relates_to'] ?? {}) as Json;
    if (e.type === 'm.reaction' || e.type === 'm.room.redaction' || relation.rel_type === 'm.replace' || settings.has(e.type as string)) continue;
    if (e.type === 'com.example.poll') continue;
    if (typeof e.room_id !== 'string' && !('__room' in e)) continue;
    ids.add(e.event_id as string);
  }
  return ids.size;
}

async function rejects(path: string, check: (err: SourceError) => void): Promise<void> {
  await assert.rejects(readAll(path), (err: unknown) => {
    assert.ok(err instanceof SourceError, `expected a SourceError, got ${String(err)}`);
    check(err);
    return true;
  });
}

// ------------------------------------------------------------------------------------------------

test('matrix: detected from content (Element zip, unpacked export, export.json, /messages pages, the shared samples); other formats keep their files', async () => {
  for (const path of [ZIP, UNPACKED, join(UNPACKED, 'export.json'), API, join(API, 'messages-page-1.json')]) {
    assert.equal(await matrix.detect(path), true, path);
    assert.equal((await detectAdapter(path)).format, 'matrix', path);
  }
  if (!noShared) for (const name of readdirSync(SHARED).filter((n) => n.endsWith('.json'))) assert.equal((await detectAdapter(join(SHARED, name))).format, 'matrix', name);
  const others: [string, string][] = [
    ['test/fixtures/skype/tiny/messages.json', 'skype-export'],
    ['test/fixtures/discord/export', 'discord'],
    ['test/fixtures/slack/workspace', 'slack'],
    ['test/fixtures/telegram/full', 'telegram'],
    ['test/fixtures/whatsapp/WhatsApp Chat with Bob.txt', 'whatsapp'],
    ['test/fixtures/teams/export', 'teams'],
    ['test/fixtures/teams/graph', 'teams'],
    ['test/fixtures/irc/irssi', 'irc'],
  ];
  for (const [path, format] of others) {
    const full = resolve(process.cwd(), path);
    if (!existsSync(full)) continue;
    assert.equal(await matrix.detect(full), false, path);
    assert.equal((await detectAdapter(full)).format, format, path);
  }
  // No shared sample of another app looks like Matrix.
  const shared = resolve(process.cwd(), '../shared/fixtures');
  if (existsSync(shared)) {
    for (const folder of readdirSync(shared, { withFileTypes: true })) {
      if (!folder.isDirectory() || folder.name === 'matrix') continue;
      for (const name of readdirSync(join(shared, folder.name))) assert.equal(await matrix.detect(join(shared, folder.name, name)), false, `${folder.name}/${name}`);
    }
  }
});

test('matrix: Element export zip: every msgtype, HTML sanitized, mentions as people, reply and thread keys, room events, attachments with their files', async () => {
  const events = await readAll(ZIP);
  const raw = JSON.parse(readFileSync(join(UNPACKED, 'export.json'), 'utf8')) as { messages: Json[] };
  const list = messages(events);
  assert.equal(list.length, raw.messages.length, 'an Element export holds only events with a tile: each is a message');
  assert.equal(list.length, shownEvents(raw.messages));
  const chats = ofType(events, 'chat');
  assert.deepEqual([...new Set(chats.map((c) => c.chat.nativeId))], [FALCON]);
  const last = chats.at(-1)!.chat;
  assert.equal(last.title, 'Project Falcon');
  assert.equal(last.owner, ALICE, 'exported_by names the exporter by display name');
  assert.deepEqual(last.members?.map((p) => `${p.nativeId}=${p.displayName}`), [`${ALICE}=Alice Archer`, `${BOB}=Bobby B`, '@falconbot:example.org=Falcon Bot'], 'members who stayed, with their latest names');

  const kinds = new Map<string, number>();
  for (const m of list) kinds.set(m.kind, (kinds.get(m.kind) ?? 0) + 1);
  assert.deepEqual(Object.fromEntries(kinds), { event: 14, text: 10, emote: 1, notice: 1, media: 4, file: 1 });

  const plan = byId(list, '$falcon009');
  assert.equal(rendered(plan).html, `Hey <span class="cc-mention">⟨${BOB}|Bob Baker⟩</span>, see the <b>plan</b> and <code>launch.sh</code>`);
  const reply = byId(list, '$falcon010');
  assert.equal(reply.replyToKey, messageKey({ chat: FALCON, author: ALICE, time: plan.time, identity: '$falcon009' }));
  assert.deepEqual(rendered(reply), { html: 'Looks <i>good</i> to me', text: 'Looks good to me' }, 'the <mx-reply> fallback is cut');
  assert.equal(byId(list, '$falcon011').kind, 'emote');
  assert.equal(byId(list, '$falcon012').kind, 'notice');
  assert.match(rendered(byId(list, '$falcon017')).html, /^📍 <a href="https:\/\/www\.openstreetmap\.org\/\?mlat=28\.5729&amp;mlon=-80\.6490" rel="nofollow noopener">Launch site<\/a>$/);
  // The thread reply points at its root, marked as a thread reply; a plain reply is not.
  assert.equal(byId(list, '$falcon024').replyToKey, messageKey({ chat: FALCON, author: ALICE, time: byId(list, '$falcon023').time, identity: '$falcon023' }));
  assert.equal(byId(list, '$falcon024').flags, MessageFlags.threadReply);
  assert.equal(reply.flags, undefined, 'a reply outside a thread is a quote-reply');

  // Attachments: the zip's files found by Element's naming, bytes hashed and emitted once each.
  const media = ofType(events, 'media');
  assert.equal(media.length, 4);
  const image = byId(list, '$falcon013');
  assert.equal(image.attachments?.[0].name, 'falcon.png');
  assert.equal(image.attachments?.[0].type, 'image/png');
  assert.ok(media.some((m) => m.hash === image.attachments?.[0].hash && m.media.bytes.length === image.attachments?.[0].size));
  const captioned = byId(list, '$falcon015');
  assert.equal(captioned.attachments?.[0].name, 'logo.png', 'filename names the file, body is its caption');
  assert.ok(captioned.attachments?.[0].hash);
  assert.equal(rendered(captioned).text, '📎 logo.png\nOur logo, v2');
  assert.ok(byId(list, '$falcon014').attachments?.[0].hash, 'm.file');
  assert.ok(byId(list, '$falcon025').attachments?.[0].hash, 'm.sticker');
  const voice = byId(list, '$falcon016');
  assert.deepEqual(voice.attachments, [{ name: 'Voice message', type: 'audio/ogg', size: 12345 }], 'a file the zip does not hold is listed');

  // Undecryptable (Element writes m.bad.encrypted), redacted, names as they were at the time.
  const bad = rendered(byId(list, '$falcon019'));
  assert.match(bad.html, /encrypted message that could not be decrypted/);
  assert.doesNotMatch(bad.html, /Unable to decrypt/);
  assert.equal(byId(list, '$falcon020').deleted, true);
  assert.equal(byId(list, '$falcon010').authorName, 'Bob Baker');
  assert.equal(byId(list, '$falcon022').authorName, 'Bobby B');
  assert.equal(rendered(byId(list, '$falcon021')).text, `⟨${BOB}|Bobby B⟩ changed their display name from ⟨|Bob Baker⟩ to ⟨|Bobby B⟩`);
  assert.equal(rendered(byId(list, '$falcon005')).text, `⟨${ALICE}|Alice Archer⟩ invited ⟨${BOB}|Bob Baker⟩`);
  assert.equal(rendered(byId(list, '$falcon028')).text, `⟨${ALICE}|Alice Archer⟩ removed ⟨@mallory:example.org|<img src=x onerror=alert(1)>Mallory⟩: spam`);
  assert.equal(rendered(byId(list, '$falcon029')).text, `⟨${ALICE}|Alice Archer⟩ banned ⟨@mallory:example.org|<img src=x onerror=alert(1)>Mallory⟩: spam again`);
  assert.equal(rendered(byId(list, '$falcon031')).text, '⟨@carol:example.org|Carol Cole⟩ left the room');
  assert.equal(rendered(byId(list, '$falcon004')).text, `⟨${ALICE}|Alice Archer⟩ changed the topic to “Planning the falcon launch”`);
  assert.equal(rendered(byId(list, '$falcon001')).text, `⟨${ALICE}|Alice Archer⟩ created the room`);
  // Hostile HTML: sanitized (rendered() audits the allow-list).
  const hostile = rendered(byId(list, '$falcon027'));
  assert.doesNotMatch(hostile.html, /alert|javascript:|<img|onclick|onerror|<script/);

  assert.deepEqual(warnings(events).map((w) => w.replace(/^.*?: /, '')), ['1 encrypted message the export could not decrypt: shown as such']);
  const progress = ofType(events, 'progress');
  assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
});

test('matrix: a mention is a person whatever attributes its link kept, however its scheme and host are written, and as a matrix:u/ URI', () => {
  for (const link of [
    '<a href="https://matrix.to/#/@bobqux:example.org" title="t">Bob Quaxelmann</a>',
    '<a title="t" href="https://matrix.to/#/@bobqux:example.org">Bob Quaxelmann</a>',
    '<a href="HTTPS://MATRIX.TO/#/@bobqux:example.org">Bob Quaxelmann</a>',
    '<a href="http://matrix.to/#/%40bobqux%3Aexample.org?via=example.org">Bob Quaxelmann</a>',
    '<a href="matrix:u/bobqux:example.org?action=chat">Bob Quaxelmann</a>',
    "<a href='MATRIX:u/bobqux:example.org'>Bob Quaxelmann</a>",
  ]) {
    const out = renderBody('matrix', JSON.stringify({ body: 'hi Bob Quaxelmann', html: `hi ${link}` }), { chat: 'x', kind: 'text', deleted: false });
    assert.equal(visibleRefs(out.html), 'hi <span class="cc-mention">⟨@bobqux:example.org|Bob Quaxelmann⟩</span>', link);
  }
});

test('matrix: the unpacked Element zip and its export.json alone read the same messages (the bare file without media)', async () => {
  const fromZip = messages(await readAll(ZIP));
  const unpacked = await readAll(UNPACKED);
  assert.deepEqual(messages(unpacked), fromZip);
  assert.equal(ofType(unpacked, 'media').length, 4);
  const bare = messages(await readAll(join(UNPACKED, 'export.json')));
  assert.deepEqual(bare.map((m) => m.body), fromZip.map((m) => m.body));
  assert.equal(bare.filter((m) => m.attachments?.some((a) => a.hash)).length, 0);
});

test('matrix: /messages pages (newest first, overlapping): edits update their original, reactions and redactions apply, threads, encrypted and orphans counted', async () => {
  for (const chunkBytes of [4 << 20, 97]) {
    matrixTuning.chunkBytes = chunkBytes;
    try {
      const events = await readAll(API);
      const list = messages(events);
      const pages = ['messages-page-1.json', 'messages-page-2.json'].flatMap((f) => (JSON.parse(readFileSync(join(API, f), 'utf8')) as { chunk: Json[] }).chunk);
      assert.equal(list.length, shownEvents(pages), 'each event once, though both pages hold $garden10');
      assert.equal(list.length, 9);
      assert.deepEqual(new Set(ofType(events, 'chat').map((c) => c.chat.nativeId)), new Set([GARDEN]));

      const edited = byId(list, '$garden08');
      assert.equal(rendered(edited).text, 'Tomatoes need water every morning', 'the latest edit by the sender; Bob’s edit is ignored');
      assert.equal(edited.editedAt, Date.UTC(2024, 5, 1, 10, 11));
      assert.equal(edited.time, Date.UTC(2024, 5, 1, 10, 8), 'the original time');
      assert.equal(list.filter((m) => m.body.includes('Bob was here') || m.body.includes('every day')).length, 0, 'no edit is a message');

      const welcome = rendered(byId(list, '$garden01'));
      assert.equal(welcome.text, 'Welcome to the garden', 'reactions are shown, not searched');
      assert.match(welcome.html, /<span class="cc-reaction" role="img" aria-label="👍 2 reactions: (⟨@carol:example\.org\|Carol Fern⟩|⟨@bob:example\.org\|Bob Stone⟩), (⟨@carol:example\.org\|Carol Fern⟩|⟨@bob:example\.org\|Bob Stone⟩)" title="[^"]*">👍 2<\/span>/);
      assert.doesNotMatch(welcome.html, /❤️/, 'the redacted reaction is gone');

      assert.equal(byId(list, '$garden13').deleted, true, 'm.room.redaction (content.redacts, room v11)');
      const reply = byId(list, '$garden12');
      assert.equal(reply.replyToKey, messageKey({ chat: GARDEN, author: ALICE, time: edited.time, identity: '$garden08' }));
      assert.equal(rendered(reply).text, 'Noted!', 'the plain reply fallback is cut');
      const root = byId(list, '$garden15');
      assert.equal(byId(list, '$garden16').replyToKey, messageKey({ chat: GARDEN, author: ALICE, time: root.time, identity: '$garden15' }));
      // A real reply inside a thread (is_falling_back false) belongs under the thread's root too.
      assert.equal(byId(list, '$garden17').replyToKey, byId(list, '$garden16').replyToKey, 'a real reply inside a thread');
      for (const id of ['$garden16', '$garden17']) assert.equal(byId(list, id).flags, MessageFlags.threadReply, id);
      assert.equal(reply.flags, undefined, 'a reply outside a thread is a quote-reply');
      assert.equal(byId(list, '$garden18').authorName, 'Dave Moss', 'names from the pages’ state');
      assert.match(rendered(byId(list, '$garden18')).html, /could not be decrypted/);

      assert.deepEqual(warnings(events).map((w) => w.replace(/^.*?\): /, '')).sort(), [
        '1 edit of messages not in the input: skipped',
        '1 encrypted message the export could not decrypt: shown as such',
        '1 event of type "com.example.poll" not shown',
        '1 reaction to messages not in the input: skipped',
      ]);
    } finally {
      matrixTuning.chunkBytes = 4 << 20;
    }
  }
});

test('matrix: the shared real samples import with exact counts: single events (a bare event is accepted) and a /sync response', { skip: noShared }, async () => {
  const notice = messages(await readAll(join(SHARED, 'matrix-nio-events-message_notice.json')));
  assert.equal(notice.length, 1);
  assert.equal(notice[0].kind, 'notice');
  assert.equal(rendered(notice[0]).html, '<a href="https://github.com/matrix-org/matrix-python-sdk/pull/313" rel="nofollow noopener">313: nio wins!</a>');

  const image = messages(await readAll(join(SHARED, 'matrix-nio-events-room_encrypted_image.json')));
  assert.equal(image.length, 1);
  assert.equal(image[0].kind, 'media');
  assert.deepEqual(image[0].attachments, [{ name: 'orange_cat.jpg', type: 'image/jpeg' }]);

  // A reaction alone has nothing to sit on: no message, and a warning says so.
  const reaction = await readAll(join(SHARED, 'matrix-nio-events-reaction.json'));
  assert.equal(messages(reaction).length, 0);
  assert.deepEqual(warnings(reaction), ['matrix-nio-events-reaction.json: 1 reaction to messages not in the input: skipped']);

  const syncFile = join(SHARED, 'mtxclient-sync_with_crypto.json');
  const sync = JSON.parse(readFileSync(syncFile, 'utf8')) as { rooms: { join: Record<string, { timeline: { events: Json[] }; state: { events: Json[] } }> } };
  const [[roomId, room]] = Object.entries(sync.rooms.join);
  const events = await readAll(syncFile);
  const list = messages(events);
  assert.equal(list.length, shownEvents(room.timeline.events.map((e) => ({ ...e, __room: roomId }))));
  assert.equal(list.length, 5);
  assert.deepEqual(list.map((m) => m.kind), ['event', 'event', 'event', 'event', 'text']);
  assert.equal(ofType(events, 'chat').at(-1)!.chat.title, 'Encry');
  assert.equal(ofType(events, 'chat').at(-1)!.chat.nativeId, roomId);
  assert.match(rendered(list[4]).html, /could not be decrypted/);
  assert.equal(warnings(events).filter((w) => /1 encrypted message the export could not decrypt/.test(w)).length, 1);

  const db = openStore(join(tempDir(), 'store.sqlite'));
  try {
    const paths = readdirSync(SHARED).filter((n) => n.endsWith('.json')).map((n) => join(SHARED, n));
    const first = await importPaths(db, paths);
    assert.equal(first.newMessages, 1 + 1 + 0 + 5);
    const again = await importPaths(db, paths);
    assert.equal(again.newMessages, 0);
    assert.equal(again.unchangedMessages, 7);
  } finally {
    db.close();
  }
});

test('matrix: through the importer: re-import adds nothing; an overlapping later export (an edit, a redaction, a new message) updates in place', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [ZIP, API]);
    assert.equal(first.files.map((f) => f.format).join(','), 'matrix,matrix');
    assert.equal(first.newMessages, 31 + 9);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL'), 2 + 3);
    // Bob has a name per room (Matrix profiles are per room): the last room read names him.
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = ?`, BOB), 'Bob Stone');
    assert.equal(scalar(db, `SELECT count(*) FROM media`), 4);
    const again = await importPaths(db, [ZIP, API]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, 40);

    // The same room saved later: both pages again, and a newer one with an edit, a redaction and a new message.
    const later = join(dir, 'later');
    cpSync(API, later, { recursive: true });
    const t = Date.UTC(2024, 5, 1, 11, 0);
    const base = { room_id: GARDEN, unsigned: {} };
    writeFileSync(join(later, 'messages-page-0.json'), JSON.stringify({ chunk: [
      { ...base, type: 'm.room.message', event_id: '$garden30', sender: ALICE, origin_server_ts: t, content: { msgtype: 'm.text', body: 'Harvest on Sunday' } },
      { ...base, type: 'm.room.message', event_id: '$garden31', sender: BOB, origin_server_ts: t + 60000, content: { msgtype: 'm.text', body: '* I have basil and mint seeds', 'm.new_content': { msgtype: 'm.text', body: 'I have basil and mint seeds' }, 'm.relates_to': { rel_type: 'm.replace', event_id: '$garden16' } } },
      { ...base, type: 'm.room.redaction', event_id: '$garden32', sender: BOB, origin_server_ts: t + 120000, redacts: '$garden12', content: {} },
    ] }));
    const merged = await importPaths(db, [later]);
    assert.equal(merged.newMessages, 1);
    assert.equal(merged.updatedMessages, 2);
    assert.equal(merged.unchangedMessages, 9 - 2);
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = '$garden16'`), 'I have basil and mint seeds');
    assert.equal(scalar(db, `SELECT deleted FROM messages WHERE native_id = '$garden12'`), 1);
    assert.equal(scalar(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ?`, GARDEN), 10);
  } finally {
    db.close();
  }
});

test('matrix: bad files: truncated JSON is a SourceError naming the file, line and column (the zip entry and byte); one bad event is a warning and the rest imports', async () => {
  const dir = tempDir();
  const whole = readFileSync(join(UNPACKED, 'export.json'), 'utf8');
  const truncated = join(dir, 'truncated.json');
  writeFileSync(truncated, whole.slice(0, Math.floor(whole.length * 0.6)));
  await rejects(truncated, (err) => {
    assert.equal(err.file, truncated);
    assert.match(err.position ?? '', /^line \d+, column \d+$/);
  });
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello');
  await rejects(notJson, (err) => assert.match(err.message, /not a Matrix export/));
  const other = join(dir, 'other.json');
  writeFileSync(other, JSON.stringify({ hello: 'world' }));
  await rejects(other, (err) => assert.match(err.message, /not a Matrix export/));
  // A zip whose export.json is cut: the error names the zip and the entry.
  const badZip = join(dir, 'bad.zip');
  writeZip(badZip, [{ name: `${NAME}/export.json`, data: Buffer.from(whole.slice(0, 500)) }]);
  await rejects(badZip, (err) => {
    assert.equal(err.file, badZip);
    assert.match(err.position ?? '', new RegExp(`^${NAME.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/export\\.json, byte \\d+$`));
  });

  // One event without a time, one that is no object: warnings naming them; the rest imports.
  const json = JSON.parse(whole) as { messages: unknown[] };
  delete (json.messages[7] as Json).origin_server_ts;
  json.messages.splice(9, 0, 42);
  const damaged = join(dir, 'one-bad.json');
  writeFileSync(damaged, JSON.stringify(json, null, 1));
  const events = await readAll(damaged);
  assert.equal(messages(events).length, 31 - 1);
  const listed = warnings(events);
  assert.ok(listed.some((w) => /^one-bad\.json, event messages\.7 \(byte \d+\): no valid origin_server_ts; skipped$/.test(w)), listed.join('\n'));
  assert.ok(listed.some((w) => /^one-bad\.json, event messages\.9 \(byte \d+\): not an event object; skipped$/.test(w)), listed.join('\n'));
  assert.equal(listed.length, 3, listed.join('\n')); // and the undecryptable message

  // A folder with a JSON file that is no Matrix: skipped with a warning naming it.
  const folder = join(dir, 'pages');
  cpSync(API, folder, { recursive: true });
  writeFileSync(join(folder, 'notes.json'), JSON.stringify({ hello: 'world' }));
  const withNotes = await readAll(folder);
  assert.equal(messages(withNotes).length, 9);
  assert.ok(warnings(withNotes).includes('notes.json: not Matrix events or an Element export; skipped'));
});

test('matrix: an Element zip packed by the test writer in another order finds the same files', async () => {
  const dir = tempDir();
  const zip = join(dir, basename(ZIP));
  writeZip(zip, folderEntries(UNPACKED, `${NAME}/`).reverse());
  const a = messages(await readAll(ZIP)).map((m) => JSON.stringify(m.attachments ?? null));
  const b = messages(await readAll(zip)).map((m) => JSON.stringify(m.attachments ?? null));
  assert.deepEqual(b, a);
});
