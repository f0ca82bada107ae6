import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { mattermost } from '../collector/sources/mattermost/index.js';
import { detectAdapter } from '../collector/sources/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { MessageFlags, type MessageRecord } from '../collector/model.js';
import { messageKey } from '../collector/identity/key.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { openStore } from '../collector/store/open.js';
import { importPaths } from '../collector/import/index.js';
import { folderEntries, writeZip } from './helpers/archives.js';
import { visibleRefs } from './helpers/person-refs.js';
import { tempDir } from './helpers/temp.js';
import { scalar } from './helpers/sql.js';
import { chip } from './helpers/reaction-chip.js';

const FIXTURES = resolve(process.cwd(), 'test/fixtures/mattermost');
const EXPORT = join(FIXTURES, 'export');
const LATER = join(FIXTURES, 'later');
const SHARED = resolve(process.cwd(), '../shared/fixtures/mattermost/zulip-mattermost-export.json');
const noShared = existsSync(SHARED) ? false : 'the shared fixtures (../shared/fixtures/mattermost) are not here';
const T = 1709546400000;
const m = (k: number): number => T + k * 60_000;

async function readAll(path: string): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of mattermost.read(path, {})) events.push(event);
  return events;
}

function ofType<K extends SourceEvent['type']>(events: SourceEvent[], type: K): Extract<SourceEvent, { type: K }>[] {
  return events.filter((e): e is Extract<SourceEvent, { type: K }> => e.type === type);
}

function messages(events: SourceEvent[]): MessageRecord[] {
  return ofType(events, 'message').map((e) => e.message);
}

/** The converter's HTML and text, people as `⟨mattermost:…|name⟩`; the HTML is audited against the allow-list. */
function rendered(msg: MessageRecord): { html: string; text: string } {
  const out = renderBody(msg.markup, msg.body, { chat: 'x', kind: msg.kind, deleted: !!msg.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], out.html);
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

function at(list: MessageRecord[], time: number): MessageRecord {
  const found = list.find((x) => x.time === time);
  assert.ok(found, `message at ${time}`);
  return found;
}

/** An independent count of a JSONL export: posts and direct posts with a user and a numeric create_at, and such replies. */
function countLines(file: string): { messages: number; chats: Set<string>; badLines: number } {
  let count = 0;
  let bad = 0;
  const chats = new Set<string>();
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    let value: Record<string, unknown>;
    try {
      value = JSON.parse(line) as Record<string, unknown>;
    } catch {
      bad++;
      continue;
    }
    const post = (value.post ?? value.direct_post) as Record<string, unknown> | undefined;
    if (!post || (value.type !== 'post' && value.type !== 'direct_post')) continue;
    const ok = (p: Record<string, unknown>) => typeof p.user === 'string' && typeof p.create_at === 'number';
    if (!ok(post)) continue;
    count++;
    chats.add(value.type === 'post' ? `${String(post.team)}/${String(post.channel)}` : [...new Set(post.channel_members as string[])].sort().join(','));
    for (const reply of (post.replies as Record<string, unknown>[] | null) ?? []) if (ok(reply)) count++;
  }
  return { messages: count, chats, badLines: bad };
}

test('mattermost: the own export folder, counted independently: messages, chats, threads, warnings naming lines', async () => {
  const events = await readAll(EXPORT);
  const list = messages(events);
  const own = countLines(join(EXPORT, 'import.jsonl'));
  assert.equal(list.length, own.messages);
  assert.equal(list.length, 13);
  assert.equal(new Set(ofType(events, 'chat').map((e) => e.chat.nativeId)).size, own.chats.size);
  assert.deepEqual(new Set(ofType(events, 'chat').map((e) => e.chat.nativeId)), new Set(['orbit/launch-plans', 'orbit/town-square', '@amara,bjorn.l', '@amara,bjorn.l,chidi']));
  const chats = new Map(ofType(events, 'chat').filter((e) => e.chat.title !== undefined || e.chat.members).map((e) => [e.chat.nativeId, e.chat]));
  assert.equal(chats.get('orbit/launch-plans')!.title, 'Orbit Labs / Launch Plans');
  assert.equal(chats.get('@amara,bjorn.l')!.kind, 'direct');
  assert.equal(chats.get('@amara,bjorn.l,chidi')!.kind, 'group');
  assert.deepEqual(chats.get('orbit/launch-plans')!.members!.map((p) => p.nativeId).sort(), ['mattermost:amara', 'mattermost:bjorn.l']);

  const warnings = ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
  assert.equal(own.badLines, 1);
  assert.ok(warnings.some((w) => /^import\.jsonl line 12: not JSON/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /^import\.jsonl line 14: no valid create_at/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /line 19: 1 line of type "thread_follower" skipped/.test(w)), warnings.join('\n'));
  assert.ok(warnings.some((w) => /1 attached file is not in the export \(first: \.\.\/\.\.\/\.\.\/etc\/passwd/.test(w)), warnings.join('\n'));

  // A thread: the replies point at the root's key.
  const root = at(list, m(2));
  const rootKey = messageKey({ chat: 'orbit/launch-plans', author: root.authorId, time: root.time, identity: root.nativeId! });
  assert.equal(root.nativeId, String(m(2)));
  assert.equal(at(list, m(6)).replyToKey, rootKey);
  assert.equal(at(list, m(8)).replyToKey, rootKey);
  for (const t of [m(6), m(8)]) assert.equal(at(list, t).flags, MessageFlags.threadReply, 'a reply is a thread reply');
  assert.equal(root.flags, undefined);
  assert.equal(at(list, m(21)).replyToKey, messageKey({ chat: '@amara,bjorn.l', author: 'mattermost:bjorn.l', time: m(20), identity: String(m(20)) }));
  assert.equal(root.editedAt, m(5));
  assert.equal(at(list, m(6)).editedAt, null);
  assert.equal(root.authorName, 'Amara Okafor');
  assert.equal(at(list, m(6)).authorName, 'Bear', 'a nickname without a full name');
  assert.equal(at(list, m(13)).authorName, 'Deploy Bot');
});

test('mattermost: bodies — mentions as people, ~channels, emoji and reactions, system posts, /me, cards, code and raw HTML as typed', async () => {
  const list = messages(await readAll(EXPORT));
  const root = rendered(at(list, m(2)));
  assert.match(root.html, /<strong>Launch<\/strong> is on <em>Friday<\/em>\. <span class="cc-mention">@⟨mattermost:bjorn\.l\|Bear⟩<\/span> can you own the <span class="cc-mention">~Town Square<\/span> announcement\? 🚀/);
  assert.ok(root.html.includes(chip('👍 1', '👍 1 reaction: ⟨mattermost:bjorn.l|Bear⟩')), root.html);
  assert.match(root.html, /👍🏽 1 /);
  assert.ok(root.html.includes(chip(':partyparrot: 1', ':partyparrot: 1 reaction: ⟨mattermost:chidi|Chidi Eze⟩')), root.html);
  assert.equal(root.text, 'Launch is on Friday. @⟨mattermost:bjorn.l|Bear⟩ can you own the ~Town Square announcement? 🚀');

  const join = at(list, m(0));
  assert.equal(join.kind, 'event');
  assert.equal(rendered(join).text, '⟨mattermost:bjorn.l|Bear⟩ joined the channel.');
  assert.equal(rendered(at(list, m(1))).text, '⟨mattermost:chidi|Chidi Eze⟩ added to the channel by ⟨mattermost:amara|Amara Okafor⟩.');
  assert.equal(rendered(at(list, m(15))).text, '⟨mattermost:amara|Amara Okafor⟩ updated the channel header from: old to: Welcome!');

  const me = at(list, m(12));
  assert.equal(me.kind, 'emote');
  assert.equal(rendered(me).html, '<em>waves at everyone</em>');
  const card = rendered(at(list, m(13)));
  assert.match(card.html, /<blockquote class="cc-card"><a href="https:\/\/ci\.orbit\.example\/builds\/42" rel="nofollow noopener"><b>Build 42<\/b><\/a><br>All <strong>12<\/strong> checks passed<br><b>Branch<\/b><br>main<\/blockquote>/);
  const code = rendered(at(list, m(14)));
  assert.match(code.html, /<code>@chidi<\/code> in code, &lt;b&gt;not html&lt;\/b&gt;, and see <a href="https:\/\/orbit\.example\/@chidi\/:rocket"/);
  assert.ok(!code.html.includes('⟨'), 'no mention inside code or a URL');
});

test('mattermost: a mention inside emphasis is a person (the text Mattermost shows as one); inside a word it is not', () => {
  const render = (message: string) => renderBody('mattermost', JSON.stringify({ message, people: { amara: 'Amara Okafor' } }), { chat: 'x', kind: 'text', deleted: false }).html;
  for (const message of ['_@amara_', '__@amara__', '*@amara*', '**@amara**', '~~@amara~~', '(@amara)']) {
    const html = render(message);
    assert.match(html, /<span class="cc-mention">@⟨mattermost:amara\|Amara Okafor⟩<\/span>|cc-mention/, `${message}: ${html}`);
    assert.doesNotMatch(html.replace(/<span class="cc-mention">[^]*?<\/span>/g, ''), /amara/i, `${message}: no name outside the reference: ${html}`);
  }
  assert.doesNotMatch(render('snake_@amara'), /cc-mention/, 'inside a word: as typed');
});

test('mattermost: attachments from data/ — stored once with their hash; a path leaving data/ is never read', async () => {
  const events = await readAll(EXPORT);
  const list = messages(events);
  const media = ofType(events, 'media');
  assert.deepEqual(media.map((e) => e.media.name).sort(), ['minutes.txt', 'route.pdf', 'whiteboard.png']);
  const files = at(list, m(10));
  assert.equal(files.kind, 'file');
  assert.deepEqual(files.attachments!.map((a) => [a.name, Boolean(a.hash)]), [['minutes.txt', true], ['passwd', false]]);
  assert.ok(!media.some((e) => e.media.bytes.toString().includes('root:')));
  const png = at(list, m(8)).attachments![0];
  assert.equal(png.type, 'image/png');
  assert.equal(png.hash, media.find((e) => e.media.name === 'whiteboard.png')!.hash);
});

test('mattermost: the zip (import.jsonl at the root, or in a folder as export.jsonl) and the .jsonl alone read as the folder does', async () => {
  const dir = tempDir();
  const strip = (events: SourceEvent[]) => JSON.stringify(events.filter((e) => e.type === 'message' || e.type === 'media' || e.type === 'chat'));
  const folder = strip(await readAll(EXPORT));
  const zip = join(dir, 'mattermost_export.zip');
  writeZip(zip, folderEntries(EXPORT));
  assert.equal((await detectAdapter(zip)).format, 'mattermost');
  assert.equal(strip(await readAll(zip)), folder);
  const nested = join(dir, 'nested.zip');
  writeZip(nested, folderEntries(EXPORT, 'export-2024/').map((e) => (e.name.endsWith('import.jsonl') ? { ...e, name: 'export-2024/export.jsonl' } : e)));
  assert.equal(strip(await readAll(nested)), folder);
  assert.equal(strip(await readAll(join(EXPORT, 'import.jsonl'))), folder);
  assert.equal((await detectAdapter(EXPORT)).format, 'mattermost');
});

test('mattermost: through the importer — re-import adds nothing, a later overlapping export merges (edited post and new reactions updated, nothing doubled)', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [EXPORT]);
    assert.equal(first.newMessages, 13);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'), 0);
    assert.equal(scalar(db, 'SELECT count(*) FROM media'), 3);
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = 'mattermost:chidi'`), 'Chidi Eze');
    const again = await importPaths(db, [EXPORT]);
    assert.equal(again.newMessages, 0);
    assert.equal(again.updatedMessages, 0);
    // The later export carries its files too (exported the same way).
    const laterDir = join(dir, 'later');
    cpSync(LATER, laterDir, { recursive: true });
    cpSync(join(EXPORT, 'data'), join(laterDir, 'data'), { recursive: true });
    const later = await importPaths(db, [laterDir]);
    assert.equal(later.newMessages, 1, 'only the new post');
    assert.equal(later.updatedMessages, 1, 'the edited post with its new reaction');
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), 14);
    const text = scalar(db, `SELECT text FROM messages WHERE time = ?`, m(2)) as string;
    assert.match(text, /Saturday/);
    assert.match(scalar(db, `SELECT html FROM messages WHERE time = ?`, m(2)) as string, /🎉 1/);
    // Account e-mail addresses are read nowhere.
    const dump = (db.prepare(`SELECT group_concat(coalesce(body, '') || coalesce(html, '') || coalesce(text, ''), ' ') FROM messages`).pluck().get() as string) +
      (db.prepare(`SELECT group_concat(native_id || ' ' || coalesce(display_name, ''), ' ') FROM people`).pluck().get() as string);
    assert.ok(!/orbit\.example\b(?!\/)/.test(dump.replace(/https:\/\/[^\s"]+/g, '')), 'no e-mail address stored');
  } finally {
    db.close();
  }
});

test('mattermost: a re-import of the export without its files keeps the stored files (hashes) of every attachment', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    await importPaths(db, [EXPORT]);
    const files = () => db.prepare(`SELECT key, attachments FROM messages WHERE attachments IS NOT NULL ORDER BY key`).all();
    const before = files();
    const hashes = (before as { attachments: string }[]).flatMap((r) => (JSON.parse(r.attachments) as { hash?: string }[]).filter((a) => a.hash));
    assert.equal(hashes.length, 3, 'the three files of the export are stored');
    // The same export, bulk-exported without attachments: import.jsonl alone.
    const bare = join(dir, 'bare');
    cpSync(join(EXPORT, 'import.jsonl'), join(bare, 'import.jsonl'), { recursive: true });
    const again = await importPaths(db, [bare]);
    assert.equal(again.newMessages + again.updatedMessages + again.mergedMessages, 0, 'nothing new in it');
    assert.deepEqual(files(), before);
  } finally {
    db.close();
  }
});

test('mattermost: bad input — SourceErrors naming file and line; one bad line is skipped with a warning, the rest imported', async () => {
  const dir = tempDir();
  const write = (name: string, text: string | Buffer): string => {
    writeFileSync(join(dir, name), text);
    return join(dir, name);
  };
  const version = '{"type":"version","version":1}\n';
  const post = (k: number, extra = '') => `{"type":"post","post":{"team":"t","channel":"c","user":"u","message":"p${k}","create_at":${m(k)}${extra}}}\n`;
  const rejects = async (file: string, pattern: RegExp) =>
    assert.rejects(readAll(file), (err: unknown) => err instanceof SourceError && err.file === file && pattern.test(err.message));
  await rejects(write('empty.jsonl', ''), /the file is empty/);
  await rejects(write('noversion.jsonl', post(1) + version), /line 1: not a Mattermost bulk export: the first line is not a version line/);
  await rejects(write('notjson.jsonl', 'hello\n' + version), /line 1: not a Mattermost bulk export: the first line is not JSON/);
  await rejects(write('utf8.jsonl', Buffer.concat([Buffer.from(version + post(1)), Buffer.from([0xc3, 0x28, 0x0a])])), /line 3 \(byte \d+\): invalid UTF-8/);
  // One bad line among good ones: a warning naming it.
  const file = write('one-bad.jsonl', version + post(1) + '{"type":"post","post":{"user":\n' + post(2) + '{"type":"post","post":{"team":"t","channel":"c","message":"x","create_at":1}}\n' + post(3, ',"replies":[{"user":"v"},{"user":"v","message":"r","create_at":1709546500000}]'));
  const events = await readAll(file);
  assert.deepEqual(messages(events).map((x) => x.body), ['p1', 'p2', 'p3', 'r']);
  const warnings = ofType(events, 'warning').map((e) => `${e.warning.position}: ${e.warning.message}`);
  assert.equal(warnings.length, 3, warnings.join('\n'));
  assert.match(warnings[0], /^line 3: not JSON \(.+\); skipped$/);
  assert.deepEqual(warnings.slice(1), ['line 5: no user; skipped', 'line 6: reply 0: no valid create_at (ms); skipped']);
});

test('mattermost: detection — every export form is found, no other format\'s fixture is taken for one', async () => {
  assert.equal(await mattermost.detect(EXPORT), true);
  assert.equal(await mattermost.detect(join(EXPORT, 'import.jsonl')), true);
  assert.equal(await mattermost.detect(LATER), true);
  for (const other of ['teams/export', 'slack/workspace', 'discord/export', 'telegram/full', 'irc/irssi', 'skype/tiny']) {
    const path = resolve(process.cwd(), 'test/fixtures', other);
    if (existsSync(path)) assert.equal(await mattermost.detect(path), false, other);
  }
});

test('mattermost: the shared sample (Zulip\'s Mattermost fixture) imports with exact counts, threads to the right root, joins as events', { skip: noShared }, async () => {
  const own = countLines(SHARED);
  const events = await readAll(SHARED);
  const list = messages(events);
  assert.equal(list.length, own.messages);
  assert.equal(new Set(ofType(events, 'chat').map((e) => e.chat.nativeId)).size, own.chats.size);
  assert.equal((await detectAdapter(SHARED)).format, 'mattermost');
  // Its join and add sentences have no type: they are events, their people references.
  const lines = readFileSync(SHARED, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { type: string; post?: { message: string } });
  const sentences = lines.filter((l) => l.type === 'post' && /^\w+ (joined the (channel|team)|added to the channel by \w+)\.$/.test(l.post!.message)).length;
  assert.equal(list.filter((x) => x.kind === 'event').length, sentences);
  for (const e of list.filter((x) => x.kind === 'event')) assert.ok(!/\b(harry|ron|malfoy)\b/.test(rendered(e).text.replace(/⟨[^⟩]*⟩/g, '')), rendered(e).text);
  // Two posts of harry in the same millisecond: both kept, each reply under its own post.
  const twins = list.filter((x) => x.time === 1553166657086);
  assert.deepEqual(twins.map((x) => x.nativeId), ['1553166657086', '1553166657086#1']);
  const replies = list.filter((x) => x.replyToKey);
  assert.equal(replies.length, 2);
  assert.deepEqual(
    replies.map((r) => r.replyToKey).sort(),
    twins.map((t) => messageKey({ chat: 'gryffindor/dumbledores-army', author: t.authorId, time: t.time, identity: t.nativeId! })).sort(),
  );
  const mention = rendered(list.find((x) => x.body.includes('Welcome mate'))!);
  assert.equal(mention.text, '@⟨mattermost:ron|Ron Weasley⟩ Welcome mate!');
  const html = rendered(list.find((x) => x.body.includes('html2text'))!);
  assert.ok(html.html.includes('&lt;g:brand&gt;&lt;![CDATSALOMON'), html.html);
  const rofl = rendered(list.find((x) => x.body.includes(':rofl:'))!);
  assert.match(rofl.html, /^🤣 4<p><span class="cc-reactions"><span class="cc-reaction" role="img" aria-label=":peerdium: 1 reaction: [^"]*" title="[^"]*">:peerdium: 1</);

  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [SHARED]);
    assert.equal(first.newMessages, own.messages);
    assert.equal(scalar(db, 'SELECT count(*) FROM chats'), own.chats.size);
    assert.equal((await importPaths(db, [SHARED])).newMessages, 0);
  } finally {
    db.close();
  }
});
