import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { teams } from '../collector/sources/teams/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { MessageFlags, type ChatRecord, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { visibleRefs } from './helpers/person-refs.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { ArchiveReader } from '../site/data/reader.js';
import { buildCatalog } from '../site/data/catalog.js';
import { resolveOptions } from '../site/options.js';
import { TimeFormatter } from '../site/render/time.js';
import { SearchSource } from '../site/search/source.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/teams');
const EXPORT = join(FIXTURES, 'export');
/** One user's chats, that user never named: a 1:1 chat and a group chat without a topic. */
const UNTITLED = join(FIXTURES, 'untitled');
const UNTITLED_OWNER = 'e6666666-6666-4666-8666-666666666666';
const UNTITLED_FILE = join(UNTITLED, 'users', UNTITLED_OWNER, `messages_${UNTITLED_OWNER}.json`);
const GRAPH = join(FIXTURES, 'graph');
const SHARED = resolve(process.cwd(), '../shared/fixtures/teams/zulip-TeamsData_ZulipChat-users-3c6ee395-messages.json');
const noShared = existsSync(SHARED) ? false : 'the shared fixtures (../shared/fixtures/teams) are not here';

const ALICE = 'teams:a1111111-1111-4111-8111-111111111111';
const BOB = 'teams:b2222222-2222-4222-8222-222222222222';
const CAROL = 'teams:c3333333-3333-4333-8333-333333333333';
const DAVE = 'teams:a7777777-7777-4777-8777-777777777777';
const BOT = 'teams:d4444444-4444-4444-8444-444444444444';
const CHANNEL = '19:general0000@thread.tacv2';
const DIRECT = '19:a1111111-1111-4111-8111-111111111111_b2222222-2222-4222-8222-222222222222@unq.gbl.spaces';
const GROUP = '19:groupchat0001@thread.v2';
const GCHAT = '19:graphchat@thread.v2';
const T = 1700000000000;
const G = 1710000000000;

async function readAll(path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of teams.read(path, {})) events.push(event);
  return events;
}

function ofType<K extends SourceEvent['type']>(events: SourceEvent[], type: K): Extract<SourceEvent, { type: K }>[] {
  return events.filter((e): e is Extract<SourceEvent, { type: K }> => e.type === type);
}

/** Messages under the chat event before them; a later chat event for the same chat updates it. */
function byChat(events: SourceEvent[]): Map<string, { chat: ChatRecord; messages: MessageRecord[] }> {
  const out = new Map<string, { chat: ChatRecord; messages: MessageRecord[] }>();
  let current: { chat: ChatRecord; messages: MessageRecord[] } | null = null;
  for (const e of events) {
    if (e.type === 'chat') {
      current = out.get(e.chat.nativeId) ?? { chat: e.chat, messages: [] };
      current.chat = { ...current.chat, ...Object.fromEntries(Object.entries(e.chat).filter(([, v]) => v !== null && v !== undefined)) };
      out.set(e.chat.nativeId, current);
    } else if (e.type === 'message') {
      assert.ok(current, 'a message before any chat');
      current.messages.push(e.message);
    }
  }
  return out;
}

/** The converter's HTML and text, people as `⟨teams:…|name⟩`; the HTML is audited against the allow-list. */
function rendered(m: MessageRecord): { html: string; text: string } {
  const out = renderBody(m.markup, m.body, { chat: 'x', kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], out.html);
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

function byId(messages: MessageRecord[], id: number | string): MessageRecord {
  const m = messages.find((x) => x.nativeId === String(id));
  assert.ok(m, `message ${id}`);
  return m;
}

/**
 * The titles the site publishes (authors shown), by chat native id, as the pages and the search
 * index give them (both must agree), with each chat's slug.
 */
function publishedTitles(file: string): Map<string, { title: string; slug: string }> {
  const reader = new ArchiveReader(file);
  const out = new Map<string, { title: string; slug: string }>();
  try {
    for (const chat of buildCatalog(reader, resolveOptions({ db: file }), new TimeFormatter('UTC', 'en')).chats) out.set(chat.nativeId, { title: chat.title, slug: chat.slug });
  } finally {
    reader.close();
  }
  const search = new SearchSource({ db: file, authors: 'show' });
  try {
    const byId = new Map(search.chats.map((c) => [c.slug, c.title]));
    for (const { title, slug } of out.values()) assert.equal(byId.get(slug), title, `search titles ${slug} as the pages do`);
  } finally {
    search.close();
  }
  return out;
}

async function importedTitles(paths: string[], into?: string): Promise<Map<string, { title: string; slug: string }>> {
  const file = into ?? join(tempDir(), 'store.sqlite');
  const db = openStore(file);
  try {
    await importPaths(db, paths);
  } finally {
    db.close();
  }
  return publishedTitles(file);
}

async function rejects(path: string, check: (err: SourceError) => void): Promise<void> {
  await assert.rejects(readAll(path), (err: unknown) => {
    assert.ok(err instanceof SourceError, `expected a SourceError, got ${String(err)}`);
    check(err);
    return true;
  });
}

// ------------------------------------------------------------------------------------------------

test('teams: detected from content (export folder, Graph pages, one file, the real sample); other formats keep their files', async () => {
  for (const path of [EXPORT, GRAPH, join(GRAPH, 'messages-page-1.json'), join(EXPORT, 'users')]) {
    assert.equal(await teams.detect(path), true, path);
    assert.equal((await detectAdapter(path)).format, 'teams', path);
  }
  if (!noShared) assert.equal((await detectAdapter(SHARED)).format, 'teams');
  const others: [string, string][] = [
    ['test/fixtures/skype/tiny/messages.json', 'skype-export'],
    ['test/fixtures/discord/export', 'discord'],
    ['test/fixtures/slack/workspace', 'slack'],
    ['test/fixtures/telegram/full', 'telegram'],
    ['test/fixtures/whatsapp/WhatsApp Chat with Bob.txt', 'whatsapp'],
    ['test/fixtures/irc/irssi', 'irc'],
  ];
  for (const [path, format] of others) {
    const full = resolve(process.cwd(), path);
    if (!existsSync(full)) continue;
    assert.equal(await teams.detect(full), false, path);
    assert.equal((await detectAdapter(full)).format, format, path);
  }
  // No shared sample of another app (Matrix events, Mattermost, Messenger…) looks like Teams messages.
  const shared = resolve(process.cwd(), '../shared/fixtures');
  if (existsSync(shared)) {
    for (const folder of readdirSync(shared, { withFileTypes: true })) {
      if (!folder.isDirectory() || folder.name === 'teams') continue;
      for (const name of readdirSync(join(shared, folder.name))) assert.equal(await teams.detect(join(shared, folder.name, name)), false, `${folder.name}/${name}`);
    }
  }
  // Metadata alone (a team list) is no message export.
  assert.equal(await teams.detect(join(EXPORT, 'teams', 'teamsList.json')), false);
});

test('teams: the export tool folder (PascalCase): channels with threads, chats, people, edits, deletions, events', async () => {
  const events = await readAll(EXPORT);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()].sort(), [CHANNEL, DIRECT, GROUP].sort());

  const channel = chats.get(CHANNEL)!;
  assert.equal(channel.chat.kind, 'channel');
  assert.equal(channel.chat.title, 'Contoso / #General', 'names from teamsList.json and channels_<team>.json');
  assert.equal(channel.messages.length, 7);
  const direct = chats.get(DIRECT)!;
  assert.equal(direct.chat.kind, 'direct');
  assert.deepEqual(direct.chat.members?.map((p) => p.nativeId).sort(), [ALICE, BOB]);
  assert.equal(direct.chat.owner, ALICE, 'users/<id>/messages_<id>.json is that user’s export');
  assert.equal(direct.messages.length, 3);
  const group = chats.get(GROUP)!;
  assert.equal(group.chat.kind, 'group');
  assert.equal(group.chat.title, 'Weekend plans', 'the chat’s rename event names it');
  assert.equal(group.messages.length, 5);

  // Threads: the reply (listed before its parent, as the export tool does) points at the parent's key.
  const parent = byId(channel.messages, T);
  const reply = byId(channel.messages, T + 100000);
  assert.equal(reply.replyToKey, messageKey({ chat: CHANNEL, author: ALICE, time: T, identity: String(T) }));
  assert.equal(parent.replyToKey ?? null, null);
  assert.equal(reply.flags, MessageFlags.threadReply, 'a channel reply (replyToId) is a thread reply');
  // Edits, subject, a file reference (an attachment of the record), reactions with who.
  assert.equal(parent.editedAt, T + 600000);
  assert.deepEqual(parent.attachments, [
    { name: 'plan.docx', type: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', url: 'https://contoso.sharepoint.com/sites/team/Shared%20Documents/plan.docx' },
  ]);
  const p = rendered(parent);
  assert.match(p.html, /<b>Quarterly plan<\/b>/);
  assert.match(p.html, /<span class="cc-reaction" role="img" aria-label="👍 2 reactions: ⟨teams:b2222222[^⟩]*\|Bob Baker⟩, ⟨teams:c3333333[^⟩]*\|Carol Cole⟩" title="[^"]*">👍 2<\/span>/);
  assert.match(p.html, /❤️ 1/);
  assert.match(p.text, /^Quarterly plan\nPlan attached: plan\.docx$/);
  // A mention is a person reference with the person's id.
  const r = rendered(reply);
  assert.equal(r.html, `<p>Thanks <span class="cc-mention">⟨${ALICE}|Alice Archer⟩</span>!</p>`);
  assert.equal(r.text, `Thanks ⟨${ALICE}|Alice Archer⟩!`);
  // An application sender; its adaptive card's text.
  const bot = byId(channel.messages, T + 200000);
  assert.equal(bot.authorId, BOT);
  assert.equal(bot.authorName, 'Build Bot');
  assert.match(rendered(bot).html, /<blockquote class="cc-card">Build 42 passed<br>All 120 tests green<\/blockquote>/);
  // Deleted.
  const deleted = byId(channel.messages, T + 300000);
  assert.equal(deleted.deleted, true);
  assert.match(rendered(deleted).html, /deleted/);
  // System events: readable, people as references.
  const added = byId(channel.messages, T + 50000);
  assert.equal(added.kind, 'event');
  assert.equal(added.authorId, ALICE);
  assert.equal(rendered(added).text, `⟨${ALICE}|Alice Archer⟩ added ⟨${CAROL}|Carol Cole⟩`);
  assert.equal(rendered(byId(channel.messages, T + 500000)).text, `⟨${ALICE}|Alice Archer⟩ renamed the channel to “General chat”`);
  // Hostile HTML and names: sanitized (rendered() audits the allow-list), the name is a name.
  const hostile = byId(channel.messages, T + 400000);
  assert.equal(hostile.authorName, '<script>alert("name")</script>Mallory');
  const h = rendered(hostile);
  assert.doesNotMatch(h.html, /alert\(2\)|javascript:|<img|<iframe|onclick|onerror|p\{\}/);
  assert.equal(h.text, 'Hi link🖼 image');

  // Chats: an emoji, a quoted reply with an inline image, an edit.
  const hi = rendered(byId(direct.messages, T + 1000000));
  assert.equal(hi.text, 'Hi Bob 🙂');
  const quote = byId(direct.messages, T + 1060000);
  assert.equal(quote.replyToKey, messageKey({ chat: DIRECT, author: ALICE, time: T + 1000000, identity: String(T + 1000000) }));
  assert.equal(quote.flags, undefined, 'a quoted message is a quote-reply, not a thread');
  const q = rendered(quote);
  assert.match(q.html, new RegExp(`^<blockquote class="cc-quote"><b>⟨${ALICE}\\|Alice Archer⟩</b><br>Hi Bob 🙂</blockquote><p>Hello! Look:</p><p><span class="cc-image">🖼 image</span></p>$`));
  assert.equal(byId(direct.messages, T + 1120000).editedAt, T + 1130000);
  // A text body is text: its markup is shown, not applied.
  const plain = rendered(byId(group.messages, T + 2060000));
  assert.equal(plain.html, 'a &lt;b&gt;plain&lt;/b&gt; text &amp; more');
  const call = byId(group.messages, T + 2120000);
  assert.equal(call.kind, 'call');
  assert.equal(rendered(call).text, `Call ended after 1 h 2 min (⟨${ALICE}|Alice Archer⟩, ⟨${CAROL}|Carol Cole⟩)`);
  assert.equal(rendered(byId(group.messages, T + 2180000)).text, `⟨${ALICE}|Alice Archer⟩ removed ⟨${BOB}|Bob Baker⟩`);
  const unknown = byId(group.messages, T + 2240000);
  assert.equal(unknown.kind, 'event');
  assert.equal(unknown.authorId, CAROL);
  assert.equal(rendered(unknown).text, `⟨${CAROL}|Carol Cole⟩: a system event the export gives no details of`);

  assert.deepEqual(ofType(events, 'warning'), []);
  const progress = ofType(events, 'progress');
  assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
});

test('teams: Graph API pages (camelCase, value + @odata.nextLink): every page read, mentions, emoji reactions, member events', async () => {
  const events = await readAll(GRAPH);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], [GCHAT]);
  const { chat, messages } = chats.get(GCHAT)!;
  assert.equal(chat.kind, 'group');
  assert.equal(messages.length, 5);
  const mention = rendered(byId(messages, G + 180000));
  assert.equal(mention.text, `⟨${ALICE}|Alice Archer⟩ and ⟨${DAVE}|Dave Diaz⟩, welcome!`);
  assert.match(mention.html, /<span class="cc-reaction" role="img" aria-label="😂 1 reaction: ⟨teams:b2222222[^|]*\|⟩" title="[^"]*">😂 1<\/span>/);
  const added = byId(messages, G + 120000);
  assert.equal(added.kind, 'event');
  assert.equal(rendered(added).text, `⟨${ALICE}|⟩ added ⟨${DAVE}|Dave Diaz⟩`);
  assert.equal(rendered(byId(messages, G + 60000)).html, '<p>Hello <b>Graph</b></p>');
  assert.deepEqual(ofType(events, 'warning'), []);
});

test('teams: keys are matched whatever their case', async () => {
  const dir = tempDir();
  const file = join(dir, 'mixed.json');
  writeFileSync(file, JSON.stringify([
    { ID: '1', CREATEDDATETIME: '2024-01-02T03:04:05.678Z', body: { CONTENTTYPE: 'html', content: '<p>upper</p>' }, FROM: { user: { ID: 'u1', DISPLAYNAME: 'Upper' } }, CHATID: '19:mixed@thread.v2', messageType: 'message' },
  ]));
  const [m] = ofType(await readAll(file), 'message').map((e) => e.message);
  assert.equal(m.time, Date.UTC(2024, 0, 2, 3, 4, 5, 678));
  assert.equal(m.authorId, 'teams:u1');
  assert.equal(m.authorName, 'Upper');
  assert.equal(rendered(m).text, 'upper');
});

test('teams: bad files: truncated JSON is a SourceError naming the file, line and column; one bad message is a warning and the rest imports', async () => {
  const dir = tempDir();
  const whole = readFileSync(join(EXPORT, 'users', 'a1111111-1111-4111-8111-111111111111', 'messages_a1111111-1111-4111-8111-111111111111.json'), 'utf8');
  const truncated = join(dir, 'truncated.json');
  writeFileSync(truncated, whole.slice(0, Math.floor(whole.length * 0.6)));
  await rejects(truncated, (err) => {
    assert.equal(err.file, truncated);
    assert.match(err.position ?? '', /^line \d+, column \d+$/);
  });
  const garbage = join(dir, 'garbage.json');
  writeFileSync(garbage, '[{"Id": "1", "CreatedDateTime": "2024-01-01T00:00:00Z", "Body": {"Content": "x"}} {"Id": "2"}]');
  await rejects(garbage, (err) => assert.equal(err.position, 'line 1, column 83'));
  const notJson = join(dir, 'not.json');
  writeFileSync(notJson, 'hello');
  await rejects(notJson, (err) => assert.match(err.message, /not a Teams export/));

  // One message without a time, one that is not an object: warnings naming them; the rest imports.
  const list = JSON.parse(whole) as Record<string, unknown>[];
  delete list[2].CreatedDateTime;
  const damaged = join(dir, 'one-bad.json');
  writeFileSync(damaged, JSON.stringify([...list.slice(0, 4), 42, ...list.slice(4)], null, 1));
  const events = await readAll(damaged);
  assert.equal(ofType(events, 'message').length, list.length - 1);
  const warnings = ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
  assert.equal(warnings.length, 2, warnings.join('\n'));
  assert.match(warnings[0], /one-bad\.json, message 2 \(byte \d+\): .*createdDateTime/);
  assert.match(warnings[1], /one-bad\.json, message 4 \(byte \d+\): not an object; skipped/);
});

test('teams: the real sample (Microsoft’s export tool, via zulip) imports every entry: counted independently by MessageType', { skip: noShared }, async () => {
  const list = JSON.parse(readFileSync(SHARED, 'utf8')) as { MessageType: string; ChatId: string }[];
  const byType = new Map<string, number>();
  for (const m of list) byType.set(m.MessageType, (byType.get(m.MessageType) ?? 0) + 1);
  const events = await readAll(SHARED);
  const messages = ofType(events, 'message').map((e) => e.message);
  assert.equal(messages.length, list.length);
  assert.equal(messages.filter((m) => m.kind === 'text').length, byType.get('message'));
  assert.equal(messages.filter((m) => m.kind === 'event').length, byType.get('unknownFutureValue'));
  assert.deepEqual([...byChat(events).keys()].sort(), [...new Set(list.map((m) => m.ChatId))].sort());
  assert.equal(messages.filter((m) => m.editedAt).length, 1);
  for (const m of messages) rendered(m);
  assert.deepEqual(ofType(events, 'warning'), []);

  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [SHARED]);
    assert.equal(first.newMessages, list.length);
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE kind = 'event'`), byType.get('unknownFutureValue'));
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id LIKE '%@unq.gbl.spaces'`), 'direct');
    assert.equal(scalar(db, `SELECT count(*) FROM messages WHERE html LIKE '%<img%'`), 0, 'the Graph-hosted image is not loaded from the page');
    const again = await importPaths(db, [SHARED]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.unchangedMessages, list.length);
  } finally {
    db.close();
  }
  // As Teams titles them: the 1:1 chat by the other person (the exporter has no name in the file),
  // the group chat without a topic by its members.
  const titles = publishedTitles(join(dir, 'store.sqlite'));
  assert.equal(titles.get('19:3c6ee395-529d-4681-b5f7-582c707570f6_88cbf3c2-0810-4d32-aa19-863c12bf7be9@unq.gbl.spaces')?.title, 'Pieter K');
  assert.equal(titles.get('19:9738fef44f39480baff12e585aa9685e@thread.v2')?.title, 'Will Begon');
});

test('teams: untitled chats are titled as Teams does: a 1:1 chat by the other person, a group by its members but the exporter; never by an id', async () => {
  const direct = `19:${UNTITLED_OWNER}_f8888888-8888-4888-8888-888888888888@unq.gbl.spaces`;
  const group = '19:untitled0002@thread.v2';
  const expected = { [direct]: 'Frank Ode', [group]: 'Gina Park, Hal Ng' };
  const titles = (map: Map<string, { title: string }>) => Object.fromEntries([...map].map(([id, c]) => [id, c.title]));

  // The export tool's layout names the exporter (who has no name anywhere in the file).
  assert.deepEqual(titles(await importedTitles([UNTITLED])), expected, 'users/<id>/messages_<id>.json');
  // The same file alone under another name: the exporter is unknown, and still not shown as an id.
  const dir = tempDir();
  const alone = join(dir, 'chats.json');
  cpSync(UNTITLED_FILE, alone);
  assert.deepEqual(titles(await importedTitles([alone])), expected, 'a lone file, exporter unknown');

  // The exporter with a name (they posted in the group): still left out of the group's title.
  const list = JSON.parse(readFileSync(UNTITLED_FILE, 'utf8')) as Record<string, unknown>[];
  const gina = list.find((m) => m.Id === '1720001100000')!;
  const own = { ...gina, Id: '1720001400000', CreatedDateTime: '2024-07-03T10:10:00.000Z', Body: { ContentType: 'html', Content: '<p>Me too</p>' },
    From: { User: { Id: UNTITLED_OWNER, DisplayName: 'Erin Self', UserIdentityType: 'aadUser' } } };
  const named = join(dir, 'users', UNTITLED_OWNER);
  mkdirSync(named, { recursive: true });
  writeFileSync(join(named, `messages_${UNTITLED_OWNER}.json`), JSON.stringify([...list, own]));
  assert.deepEqual(titles(await importedTitles([join(dir, 'users')])), expected, 'a named exporter');

  // Re-import: a later export where someone new speaks in the group retitles it; slugs stay.
  const store = join(tempDir(), 'store.sqlite');
  const before = await importedTitles([UNTITLED], store);
  const ivy = { ...gina, Id: '1720002000000', CreatedDateTime: '2024-07-04T10:00:00.000Z', Body: { ContentType: 'html', Content: '<p>Hi all</p>' },
    From: { User: { Id: 'a2222222-2222-4222-8222-222222222222', DisplayName: 'Ivy Lane', UserIdentityType: 'aadUser' } } };
  const later = join(tempDir(), 'later.json');
  writeFileSync(later, JSON.stringify([ivy]));
  const after = await importedTitles([later], store);
  assert.equal(after.get(group)?.title, 'Gina Park, Hal Ng, Ivy Lane');
  assert.equal(after.get(direct)?.title, 'Frank Ode');
  for (const [id, { slug }] of before) assert.equal(after.get(id)?.slug, slug, `${id} keeps its slug`);
});

test('teams: through the importer: re-import adds nothing, an overlapping later export merges (new, edited, unchanged)', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [EXPORT, GRAPH]);
    assert.equal(first.files.map((f) => f.format).join(','), 'teams,teams');
    assert.equal(first.newMessages, 15 + 5);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL'), 2);
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = ?`, DAVE), 'Dave Diaz');
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = ?`, CHANNEL), 'Contoso / #General');
    const again = await importPaths(db, [EXPORT, GRAPH]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    assert.equal(again.unchangedMessages, 20);

    // A later export of the Graph chat: the second page again, one message edited, one new.
    const later = join(dir, 'later');
    mkdirSync(later);
    const page = JSON.parse(readFileSync(join(GRAPH, 'messages-page-2.json'), 'utf8')) as { value: Record<string, unknown>[] };
    const edited = { ...page.value[0], body: { contentType: 'html', content: '<p>Hello <b>Graph</b>, edited</p>' }, lastEditedDateTime: new Date(G + 70000).toISOString() };
    const added = { ...page.value[1], id: String(G + 300000), createdDateTime: new Date(G + 300000).toISOString(), body: { contentType: 'html', content: '<p>Newer</p>' } };
    writeFileSync(join(later, 'page.json'), JSON.stringify({ value: [added, edited, page.value[1]] }));
    const merged = await importPaths(db, [later]);
    assert.equal(merged.newMessages, 1);
    assert.equal(merged.updatedMessages, 1);
    assert.equal(merged.unchangedMessages, 1);
    assert.equal(scalar(db, `SELECT count(*) FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id = ?`, GCHAT), 6);
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = ?`, String(G + 60000)), 'Hello Graph, edited');
  } finally {
    db.close();
  }
});

test('teams: a folder copy with a non-export JSON file imports with a warning naming it', async () => {
  const dir = tempDir();
  const folder = join(dir, 'copy');
  cpSync(GRAPH, folder, { recursive: true });
  writeFileSync(join(folder, 'notes.json'), JSON.stringify({ hello: 'world' }));
  const events = await readAll(folder);
  assert.equal(ofType(events, 'message').length, 5);
  const warnings = ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
  assert.deepEqual(warnings, ['notes.json: not a Teams message or directory file; skipped']);
  // A folder whose only message file is damaged beyond recognition: the error names that file.
  const broken = join(dir, 'broken');
  mkdirSync(broken);
  writeFileSync(join(broken, 'messages_x.json'), Buffer.from([0x5b, 0xff, 0xfe, 0x00]));
  await rejects(broken, (err) => assert.match(err.message, /no files of Teams messages \(messages_x\.json: not valid UTF-8/));
});

test('teams (free) personal export: a Skype-shaped messages.json with 19:…@thread.v2 conversations is read by skype-export', async () => {
  const dir = tempDir();
  const folder = join(dir, 'teams-personal');
  mkdirSync(folder);
  writeFileSync(join(folder, 'messages.json'), JSON.stringify({
    userId: '8:live:.cid.1234567890abcdef',
    exportDate: '2024-05-01T10:00',
    conversations: [{
      id: '19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.v2',
      displayName: 'Family',
      version: 1714557600000,
      properties: { conversationblocked: false, lastimreceivedtime: '2024-05-01T09:00:00Z' },
      threadProperties: { membercount: 2, members: '["8:live:.cid.1234567890abcdef","8:live:.cid.fedcba0987654321"]', topic: 'Family' },
      MessageList: [
        { id: '1714554060000', displayName: 'Mum', originalarrivaltime: '2024-05-01T09:01:00.000Z', messagetype: 'RichText/Html', version: 1714554060000,
          content: '<p>Dinner at <b>7</b>?</p>', conversationid: '19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.v2', from: '8:live:.cid.fedcba0987654321', properties: null, amsreferences: null },
        { id: '1714554000000', displayName: 'Me', originalarrivaltime: '2024-05-01T09:00:00.000Z', messagetype: 'Text', version: 1714554000000,
          content: 'Hi all', conversationid: '19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.v2', from: '8:live:.cid.1234567890abcdef', properties: null, amsreferences: null },
      ],
    }],
  }));
  assert.equal((await detectAdapter(folder)).format, 'skype-export');
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const summary = await importPaths(db, [folder]);
    assert.equal(summary.newMessages, 2);
    assert.equal(summary.warningCount, 0, JSON.stringify(summary.files[0].warnings));
    assert.equal(scalar(db, `SELECT title FROM chats WHERE native_id = '19:0f1e2d3c4b5a69788796a5b4c3d2e1f0@thread.v2'`), 'Family');
    assert.equal(scalar(db, `SELECT html FROM messages WHERE native_id = '1714554060000'`), '<p>Dinner at <b>7</b>?</p>');
    assert.equal(scalar(db, `SELECT text FROM messages WHERE native_id = '1714554000000'`), 'Hi all');
  } finally {
    db.close();
  }
});
