import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openZip } from '../collector/sources/kit/archive/zip.js';
import { messageKey } from '../collector/identity/key.js';
import { importPaths } from '../collector/import/index.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { detectAdapter } from '../collector/sources/index.js';
import { slack, tsMicros, tsMillis } from '../collector/sources/slack/index.js';
import { SourceError, type SourceEvent } from '../collector/sources/types.js';
import { MessageFlags, type ChatRecord, type MessageRecord } from '../collector/model.js';
import { openStore } from '../collector/store/open.js';
import { namedRefs } from '../collector/store/person-refs.js';
import { folderEntries, writeZip } from './helpers/archives.js';
import { visibleRefs } from './helpers/person-refs.js';
import { scalar } from './helpers/sql.js';
import { adapterReader, byChat as groupByChat, ofType } from './helpers/events.js';
import { tempDir } from './helpers/temp.js';
import { hasFile, needsFile } from './helpers/requires.js';
import { chip } from './helpers/reaction-chip.js';

const root = new URL('../../', import.meta.url); // dist/test/ → the repository
const WORKSPACE = fileURLToPath(new URL('test/fixtures/slack/workspace', root));
const REAL = fileURLToPath(new URL('../shared/fixtures/slack/slack-export-viewer-testarchive.zip', root));
const SKYPE_TINY = fileURLToPath(new URL('test/fixtures/skype/tiny', root));

const { readAll, rejects } = adapterReader(slack);
const byChat = (events: SourceEvent[]) => groupByChat(events, { once: true });

/** The converter's output for a record, people as `⟨slack:U1|name⟩`. */
function html(m: MessageRecord): string {
  return visibleRefs(renderBody(m.markup, m.body, { chat: 'c', kind: m.kind, deleted: !!m.deleted }).html);
}

function text(m: MessageRecord): string {
  return visibleRefs(renderBody(m.markup, m.body, { chat: 'c', kind: m.kind, deleted: !!m.deleted }).text);
}

const ALICE = '⟨slack:U01ALICE|alice⟩';

const T = 'slack:T0TEAM';

/** Messages (objects with a ts) in a fixture folder's readable day files, counted independently. */
function dayFileMessages(folder: string): number {
  let n = 0;
  for (const name of readdirSync(join(WORKSPACE, folder))) {
    if (!/^\d{4}-\d\d-\d\d\.json$/.test(name)) continue;
    let list: unknown;
    try {
      list = JSON.parse(readFileSync(join(WORKSPACE, folder, name), 'utf8'));
    } catch {
      continue;
    }
    if (Array.isArray(list)) n += list.filter((m) => typeof m === 'object' && m !== null && typeof (m as { ts?: unknown }).ts === 'string').length;
  }
  return n;
}
const WORKSPACE_MESSAGES = 29;

// ------------------------------------------------------------------------------------------------

test('ts: exact microseconds, ms rounded down', () => {
  assert.equal(tsMicros('1458980525.000012'), 1458980525000012);
  assert.equal(tsMicros('1458980525.1'), 1458980525100000);
  assert.equal(tsMicros('1458980525'), 1458980525000000);
  assert.equal(tsMillis('1458980525.000999'), 1458980525000);
  assert.equal(tsMillis('1458980525.001999'), 1458980525001);
  for (const bad of ['', 'abc', '1.2.3', '-5', '1458980525.0000001', ' 1458980525']) assert.ok(Number.isNaN(tsMicros(bad)), bad);
});

test('detect: the folder, the zip (top level or in one folder); not other things', async () => {
  const dir = tempDir();
  assert.equal(await slack.detect(WORKSPACE), true);
  const zip = join(dir, 'export.zip');
  writeZip(zip, folderEntries(WORKSPACE));
  assert.equal(await slack.detect(zip), true);
  const nested = join(dir, 'nested.zip');
  writeZip(nested, folderEntries(WORKSPACE, 'My Workspace Slack export Mar 1 2024/'));
  assert.equal(await slack.detect(nested), true);
  const deep = join(dir, 'deep.zip');
  writeZip(deep, folderEntries(WORKSPACE, 'a/b/'));
  assert.equal(await slack.detect(deep), false, 'two folders down is not an export');
  const noUsers = join(dir, 'no-users.zip');
  writeZip(noUsers, folderEntries(WORKSPACE).filter((e) => e.name !== 'users.json'));
  assert.equal(await slack.detect(noUsers), false);
  const other = join(dir, 'other.zip');
  writeZip(other, [{ name: '_chat.txt', data: '[01.01.24, 10:00:00] A: hi\n' }]);
  assert.equal(await slack.detect(other), false);
  writeFileSync(join(dir, 'users.json'), '[]');
  assert.equal(await slack.detect(dir), false, 'users.json alone');
  assert.equal(await slack.detect(SKYPE_TINY), false);
  assert.equal(await slack.detect(join(dir, 'missing')), false);
  writeFileSync(join(dir, 'fake.zip'), 'PK\u0003\u0004 not really');
  assert.equal(await slack.detect(join(dir, 'fake.zip')), false);
  assert.equal((await detectAdapter(WORKSPACE)).format, 'slack', '--format auto finds it');
  assert.equal((await detectAdapter(zip)).format, 'slack');
});

test('the workspace fixture: chats, kinds, titles, members', async () => {
  const events = await readAll(WORKSPACE);
  const chats = byChat(events);
  assert.deepEqual([...chats.keys()], [`${T}:C0GENERAL`, `${T}:G0SECRET`, `${T}:G0MPIM`, `${T}:D0DM`], 'channels, private channels, group DMs, DMs; the empty channel is no chat');
  assert.deepEqual(
    [...chats.values()].map(({ chat }) => [chat.kind, chat.title]),
    [
      ['channel', '#general'],
      ['channel', '#secret-plans'],
      ['group', 'alice, Bob Builder, carol'],
      ['direct', 'alice, Bob Builder'],
    ],
  );
  assert.deepEqual(chats.get(`${T}:C0GENERAL`)!.chat.members, [
    { nativeId: 'slack:U01ALICE', displayName: 'alice' },
    { nativeId: 'slack:U02BOB', displayName: 'Bob Builder' },
    { nativeId: 'slack:U03CAROL', displayName: 'carol' },
    { nativeId: 'slack:U04EVIL', displayName: '<script>alert(1)</script> & co' },
  ], 'display name, else real name, else name');
  // The day files' own counts: every message with a ts, the unreadable day file and bad entries aside.
  assert.deepEqual([...chats.values()].map(({ messages }) => messages.length), ['general', 'secret-plans', 'mpdm-alice.w--bob--carol-1', 'D0DM'].map(dayFileMessages));
});

test('the workspace fixture: order, identity, authors, kinds', async () => {
  const general = byChat(await readAll(WORKSPACE)).get(`${T}:C0GENERAL`)!.messages;
  const ids = general.map((m) => m.nativeId!);
  assert.deepEqual(ids, [...ids].sort((a, b) => tsMicros(a) - tsMicros(b)), 'in ts order');
  const [join_, first, second] = general;
  assert.deepEqual(join_, {
    nativeId: '1709290000.000100',
    authorId: 'slack:U01ALICE',
    authorName: 'alice',
    time: 1709290000000,
    kind: 'event',
    body: '{"text":"<@U01ALICE> has joined the channel","names":{"U01ALICE":"alice"}}',
    markup: 'slack',
    editedAt: null,
    deleted: false,
    replyToKey: null,
    attachments: undefined,
  });
  assert.deepEqual([first.body, second.body], ['first in the same ms', 'second in the same ms'], 'sub-ms order from the full ts, whatever the file order');
  assert.equal(first.time, second.time);

  const find = (ts: string): MessageRecord => general.find((m) => m.nativeId === ts)!;
  const bot = find('1709290600.000700');
  assert.deepEqual([bot.authorId, bot.authorName, bot.kind], ['slack:B0HOOK', 'deploy-bot', 'text'], 'a bot without a user: its bot id, its username');
  const kinds = Object.fromEntries(['1709290700.000800', '1709290701.000100', '1709290702.000100', '1709290703.000100', '1709290704.000100', '1709290800.000100'].map((ts) => [ts, find(ts).kind]));
  assert.deepEqual(Object.values(kinds), ['event', 'event', 'event', 'event', 'event', 'emote'], 'topic, purpose, name, pin, leave; /me');
  assert.equal(text(find('1709290702.000100')), `@${ALICE} has renamed the channel from "old" to "general"`);
  assert.deepEqual([find('1709290705.000100').kind, text(find('1709290705.000100'))], ['event', `@${ALICE} channel archive`], 'an event without text: its subtype, and who');
  const guest = find('1709338000.000100');
  assert.deepEqual([guest.authorId, guest.authorName], ['slack:U06GUEST', 'guest from elsewhere']);

  const secret = byChat(await readAll(WORKSPACE)).get(`${T}:G0SECRET`)!.messages;
  assert.deepEqual([secret[0].authorId, secret[0].authorName], ['slack:U05BOTUSER', 'Helper Bot'], 'a bot user is a user');
  assert.equal(html(secret[0]), '<b>Daily summary</b><br>Open tasks: <b>3</b>', 'blocks stand in for an empty text');
  assert.equal(text(secret[1]), 'thanks @⟨slack:U05BOTUSER|Helper Bot⟩');
});

test('threads: replies point at their parent, across day files', async () => {
  const general = byChat(await readAll(WORKSPACE)).get(`${T}:C0GENERAL`)!.messages;
  const find = (ts: string): MessageRecord => general.find((m) => m.nativeId === ts)!;
  // The writer's key for a message (occurrence 0): chat, author, time, ts.
  const keyOf = (m: MessageRecord): string => messageKey({ chat: `${T}:C0GENERAL`, author: m.authorId, time: m.time, identity: m.nativeId! });
  const parent = find('1709290100.000200');
  assert.equal(parent.replyToKey, null);
  for (const ts of ['1709290200.000300', '1709337600.000100', '1709337700.000100']) {
    assert.equal(find(ts).replyToKey, keyOf(parent), `reply ${ts}`);
    assert.equal(find(ts).flags, MessageFlags.threadReply, `reply ${ts} is a thread reply`);
  }
  assert.equal(parent.flags, undefined, 'a root is no reply');
  assert.equal(find('1709337700.000100').kind, 'text', 'a reply also sent to the channel');
  const tombstone = find('1709291100.000100');
  assert.deepEqual([tombstone.deleted, tombstone.authorId, html(tombstone)], [true, 'slack:USLACKBOT', '<span class="cc-deleted">This message was deleted.</span>']);
  assert.equal(find('1709337800.000100').replyToKey, keyOf(tombstone), 'a reply to a deleted parent keeps its thread');
  assert.equal(
    find('1709337900.000100').replyToKey,
    messageKey({ chat: `${T}:C0GENERAL`, author: 'slack:U02BOB', time: 1700000000000, identity: '1700000000.000100' }),
    'a parent older than the export: its author from parent_user_id',
  );
});

test('mrkdwn, edits, reactions, files and hostile text as the adapter emits them', async () => {
  const general = byChat(await readAll(WORKSPACE)).get(`${T}:C0GENERAL`)!.messages;
  const find = (ts: string): MessageRecord => general.find((m) => m.nativeId === ts)!;
  for (const m of general) assert.deepEqual(fragmentProblems(html(m)), [], m.nativeId);

  const rich = find('1709290100.000200');
  const richBody = JSON.parse(rich.body) as { text: string; names: Record<string, string> };
  assert.match(richBody.text, /^Hi <@U02BOB> and <@U03CAROL\|oldcarol>, see <#C0GENERAL> and <#C0GENERAL\|general>!/, 'the text as exported');
  assert.deepEqual(richBody.names, { U02BOB: 'Bob Builder', U03CAROL: 'carol', C0GENERAL: 'general' }, 'beside it, the current names of the ids it mentions');
  assert.equal(
    html(rich),
    'Hi <span class="cc-mention">@⟨slack:U02BOB|Bob Builder⟩</span> and <span class="cc-mention">@⟨slack:U03CAROL|carol⟩</span>, see <span class="cc-mention">#general</span> and ' +
      '<span class="cc-mention">#general</span>! <span class="cc-mention">@here</span> <span class="cc-mention">@channel</span> <span class="cc-mention">@everyone</span><br>' +
      '<b>bold</b> <i>italic</i> <s>strike</s> <code>code *not bold*</code> <a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener">a link</a> ' +
      '<a href="https://example.org" rel="nofollow noopener">https://example.org</a> <a href="mailto:alice@example.com" rel="nofollow noopener">mail me</a>' +
      '<blockquote class="cc-quote">quoted <b>line</b></blockquote><pre>if (a &lt; b &amp;&amp; c &gt; d) {}</pre>' +
      '👍 🎉 👍🏼 :custom-party: 5 &lt; 6 &amp;&amp; 7 &gt; 3',
  );

  const edited = find('1709290300.000400');
  assert.equal(edited.editedAt, 1709290360000);
  assert.deepEqual(JSON.parse(edited.body), {
    text: 'edited text',
    reactions: [
      { name: '+1', count: 2, users: [{ id: 'U01ALICE', name: 'alice' }, { id: 'U03CAROL', name: 'carol' }] },
      { name: 'heart::skin-tone-2', count: 1, users: [{ id: 'U01ALICE', name: 'alice' }] },
      { name: 'partyparrot', count: 1, users: [{ id: 'U02BOB', name: 'Bob Builder' }] },
    ],
  });
  assert.ok(
    html(edited).includes(`<p><span class="cc-reactions">${chip('👍 2', `👍 2 reactions: ${ALICE}, ⟨slack:U03CAROL|carol⟩`)} `),
    html(edited),
  );
  assert.equal(text(edited), 'edited text', 'reactions are not searched');

  const oldFile = find('1709290400.000500');
  assert.equal(oldFile.kind, 'file');
  // The link to the file names its uploader in its URL: the label alone (the attachment links to it).
  assert.deepEqual([html(oldFile), text(oldFile)], ['<span class="cc-mention">@⟨slack:U03CAROL|carol⟩</span> uploaded a file: notes', '@⟨slack:U03CAROL|carol⟩ uploaded a file: notes']);
  assert.deepEqual(oldFile.attachments, [{ name: 'notes.txt', size: 1234, type: 'text/plain', url: 'https://team.slack.com/files/U03CAROL/F0OLD/notes.txt' }]);
  const newFiles = find('1709290500.000600');
  assert.equal(newFiles.kind, 'file');
  assert.deepEqual(newFiles.attachments, [
    { name: 'photo.png', size: 204800, type: 'image/png', url: 'https://files.slack.com/files-pri/T0TEAM-F0NEW1/photo.png' },
    { name: 'File deleted' },
  ], 'files[], the export token dropped from the URL; a deleted file named as such');
  for (const m of general) assert.doesNotMatch(JSON.stringify(m), /xoxe-/, 'no token is published');

  const bot = find('1709290600.000700');
  assert.equal(
    html(bot),
    'Deploy <b>finished</b><br>Build <a href="https://ci.example.com/1" rel="nofollow noopener">#1</a><blockquote class="cc-card">' +
      '<a href="https://ci.example.com/release" rel="nofollow noopener"><b>Release v1.2</b></a><br>All <i>green</i> for <span class="cc-mention">@⟨slack:U01ALICE|alice⟩</span>' +
      '<br><b>Env</b><br>prod<br><span class="cc-card-footer">CI</span></blockquote>',
  );

  const evil = find('1709290900.000100');
  assert.equal(evil.authorName, '<script>alert(1)</script> & co', 'names are data; the site escapes them');
  assert.equal(
    html(evil),
    '&lt;script&gt;alert(1)&lt;/script&gt; &lt;img src=x onerror=alert(1)&gt; x y <span class="cc-mention">@⟨slack:U04EVIL|&lt;script&gt;alert(1)&lt;/script&gt; &amp; co⟩</span> <b>javascript:alert(2)</b>',
  );
  const json = find('1709291000.000100');
  assert.deepEqual(JSON.parse(json.body), { text: '{"looks": "like json"}' }, 'text that could pass for an envelope is wrapped');
  assert.equal(text(json), '{"looks": "like json"}');
});

test('warnings: the unreadable day file, bad entries and the unlisted folder, each named', async () => {
  const warnings = ofType(await readAll(WORKSPACE), 'warning').map((w) => w.warning);
  assert.deepEqual(warnings.map((w) => w.position), ['orphan', 'general/2024-03-03.json', 'D0DM/2024-03-02.json [1]', 'D0DM/2024-03-02.json [2]']);
  assert.match(warnings[1].message, /not valid JSON.*skipped/);
  assert.match(warnings[2].message, /without a valid ts/);
});

test('JSON errors say where: line and column of bad syntax, the byte of bad UTF-8, in day files and metadata', async () => {
  const dayWarning = ofType(await readAll(WORKSPACE), 'warning').find((w) => w.warning.position === 'general/2024-03-03.json')!;
  assert.equal(dayWarning.warning.message, 'not valid JSON at line 1, column 78: Unterminated string: the day file is skipped');

  const dir = tempDir();
  const cases: { file: string; bytes: Buffer; message: RegExp }[] = [
    { file: 'users.json', bytes: Buffer.from('[\n {"id": '), message: /not valid JSON at line 2, column 9/ },
    { file: 'channels.json', bytes: Buffer.from('[{"id": "C1",\n  "name": "g\u00e9n\u00e9ral" x}]'), message: /not valid JSON at line 2, column 21/ },
    { file: 'dms.json', bytes: Buffer.from([0x5b, 0x22, 0xff, 0x22, 0x5d]), message: /not valid UTF-8 \(first bad byte at byte 2\)/ },
  ];
  for (const [i, c] of cases.entries()) {
    const copy = join(dir, `meta-${i}`);
    cpSync(WORKSPACE, copy, { recursive: true });
    writeFileSync(join(copy, c.file), c.bytes);
    await rejects(copy, (err) => {
      assert.equal(err.position, c.file);
      assert.match(err.message, c.message, c.file);
    });
  }
  const badDay = join(dir, 'day');
  cpSync(WORKSPACE, badDay, { recursive: true });
  writeFileSync(join(badDay, 'general', '2024-03-02.json'), Buffer.from([0x5b, 0x22, 0x61, 0xc3, 0x22, 0x5d]));
  const warning = ofType(await readAll(badDay), 'warning').find((w) => w.warning.position === 'general/2024-03-02.json')!;
  assert.equal(warning.warning.message, 'not valid UTF-8 (first bad byte at byte 3): the day file is skipped');
});

test('more than 200 warnings: the first 200 listed, then one count in the wording every format uses; the rest imports', async () => {
  const copy = join(tempDir(), 'cap');
  cpSync(WORKSPACE, copy, { recursive: true });
  const day = [{ type: 'message', user: 'U01ALICE', ts: '1709510400.000100', text: 'before' }];
  for (let i = 0; i < 250; i++) day.push({ type: 'message', user: 'U01ALICE', ts: `bad${i}`, text: 'x' });
  day.push({ type: 'message', user: 'U01ALICE', ts: '1709510500.000100', text: 'after' });
  writeFileSync(join(copy, 'general', '2024-03-04.json'), JSON.stringify(day));
  const events = await readAll(copy);
  const texts = ofType(events, 'message').map((e) => e.message.body);
  assert.ok(texts.includes('before') && texts.includes('after'));
  const warnings = ofType(events, 'warning').map((w) => w.warning);
  assert.equal(warnings.length, 201); // the fixture's own 4, then 196 of the 250
  assert.deepEqual(warnings[200], { position: copy, message: '54 more warnings like the ones above were not listed' });
});

test('the zip reads like the folder, at the top level or in one folder; --chat skips the rest', async () => {
  const dir = tempDir();
  const fromFolder = await readAll(WORKSPACE);
  for (const prefix of ['', 'export/']) {
    const zip = join(dir, `export${prefix ? '-nested' : ''}.zip`);
    writeZip(zip, folderEntries(WORKSPACE, prefix));
    const fromZip = await readAll(zip);
    const strip = (events: SourceEvent[]): unknown[] => events.filter((e) => e.type !== 'progress' && e.type !== 'warning');
    assert.deepEqual(strip(fromZip), strip(fromFolder), `zip${prefix ? ' in a folder' : ''}`);
    assert.deepEqual(ofType(fromZip, 'warning').map((w) => w.warning.position), [`${prefix}orphan`, `${prefix}general/2024-03-03.json`, `${prefix}D0DM/2024-03-02.json [1]`, `${prefix}D0DM/2024-03-02.json [2]`]);
    const progress = ofType(fromZip, 'progress');
    assert.equal(progress.at(-1)!.done, progress.at(-1)!.total);
  }
  const only = byChat(await readAll(WORKSPACE, { wantChat: (id) => id === `${T}:D0DM` }));
  assert.deepEqual([...only.keys()], [`${T}:D0DM`]);
});

test('bad input: no users.json, no lists, a damaged zip, a hostile folder name; repeated messages', async () => {
  const dir = tempDir();
  const noUsers = join(dir, 'no-users');
  cpSync(WORKSPACE, noUsers, { recursive: true });
  await import('node:fs').then((fs) => fs.rmSync(join(noUsers, 'users.json')));
  await rejects(noUsers, (err) => assert.match(err.message, /not a Slack export.*users\.json/));
  const noLists = join(dir, 'no-lists');
  mkdirSync(noLists);
  writeFileSync(join(noLists, 'users.json'), '[]');
  await rejects(noLists, (err) => assert.match(err.message, /not a Slack export/));
  await rejects(join(dir, 'missing'), (err) => assert.match(err.message, /no such file/));
  writeFileSync(join(dir, 'notes.txt'), 'hello');
  await rejects(join(dir, 'notes.txt'), (err) => assert.match(err.message, /not a Slack export/));

  const badUsers = join(dir, 'bad-users');
  cpSync(WORKSPACE, badUsers, { recursive: true });
  writeFileSync(join(badUsers, 'users.json'), '[{"id": ');
  await rejects(badUsers, (err) => {
    assert.equal(err.position, 'users.json');
    assert.match(err.message, /not valid JSON/);
  });

  // A zip cut short, and one whose day file's bytes are corrupt (CRC mismatch).
  const zip = join(dir, 'export.zip');
  writeZip(zip, folderEntries(WORKSPACE));
  const bytes = readFileSync(zip);
  writeFileSync(join(dir, 'truncated.zip'), bytes.subarray(0, bytes.length - 100));
  await rejects(join(dir, 'truncated.zip'), (err) => assert.match(err.message, /zip/));
  const entries = folderEntries(WORKSPACE);
  const corrupt = join(dir, 'corrupt.zip');
  writeZip(corrupt, entries);
  const data = readFileSync(corrupt);
  const at = data.indexOf(Buffer.from('general/2024-03-02.json')) + 'general/2024-03-02.json'.length + 20;
  data[at] ^= 0xff;
  writeFileSync(corrupt, data);
  await rejects(corrupt, (err) => assert.equal(err.position, 'entry general/2024-03-02.json'));

  // A conversation name that would leave the export, and a message repeated across two day files.
  const odd = join(dir, 'odd');
  cpSync(WORKSPACE, odd, { recursive: true });
  const channels = JSON.parse(readFileSync(join(odd, 'channels.json'), 'utf8')) as { id: string; name: string }[];
  channels.push({ id: 'C0ESCAPE', name: '../outside' });
  writeFileSync(join(odd, 'channels.json'), JSON.stringify(channels));
  const day = JSON.parse(readFileSync(join(odd, 'D0DM/2024-03-02.json'), 'utf8')) as unknown[];
  writeFileSync(join(odd, 'D0DM/2024-03-03.json'), JSON.stringify([day[0], { type: 'message', user: 'U01ALICE', ts: '1709424000.000100', text: 'new' }]));
  const events = await readAll(odd);
  const warnings = ofType(events, 'warning').map((w) => `${w.warning.position}: ${w.warning.message}`);
  assert.ok(warnings.some((w) => w.startsWith('channels.json [2]: conversation C0ESCAPE has no usable folder name')), warnings.join('\n'));
  // Listed twice, kept twice (like identical messages in any source): the writer numbers them.
  assert.deepEqual(byChat(events).get(`${T}:D0DM`)!.messages.map((m) => m.body), ['direct hello', 'direct reply', 'direct hello', 'new']);
});

test('the real export (slack-export-viewer): every message of every day file', { skip: needsFile(REAL) }, async () => {
  // Counts straight from the day files.
  const zip = await openZip(REAL);
  const expected = new Map<string, number>();
  let bots = 0;
  let fileShares = 0;
  try {
    for (const entry of zip.entries) {
      const m = /^([^/]+)\/\d{4}-\d\d-\d\d\.json$/.exec(entry.name);
      if (!m) continue;
      const list = JSON.parse((await zip.read(entry, entry.size)).toString('utf8')) as { subtype?: string }[];
      expected.set(m[1], (expected.get(m[1]) ?? 0) + list.length);
      bots += list.filter((x) => x.subtype === 'bot_message').length;
      fileShares += list.filter((x) => x.subtype === 'file_share').length;
    }
  } finally {
    zip.close();
  }
  const events = await readAll(REAL);
  const chats = byChat(events);
  assert.deepEqual(ofType(events, 'warning'), []);
  assert.deepEqual(
    new Map([...chats.values()].map(({ chat, messages }) => [chat.title!.slice(1), messages.length])),
    expected,
  );
  assert.deepEqual([...chats.keys()], ['slack:T0BMHLSRH:C0JGLMMNX', 'slack:T0BMHLSRH:C0JL6CGQ2']);
  const all = [...chats.values()].flatMap((c) => c.messages);
  assert.equal(all.filter((m) => m.authorId.startsWith('slack:B')).length, bots, 'bot messages credited to their bot');
  assert.equal(all.filter((m) => m.kind === 'file').length, fileShares);
  assert.ok(all.filter((m) => m.kind === 'file').every((m) => m.attachments?.length === 1 && !m.attachments[0].url!.includes('xoxe')));
  assert.ok(all.some((m) => m.editedAt !== null));
  assert.ok(all.some((m) => m.body.includes('"reactions"')));
  for (const m of all) assert.doesNotMatch(text(m), /⟨slack:(U[A-Z0-9]+)\|\1⟩/, `${m.nativeId}: every known mention named`);
  for (const m of all) assert.deepEqual(fragmentProblems(html(m)), [], m.nativeId);
  const join_ = all.find((m) => m.nativeId === '1452837318.000002')!;
  assert.equal(text(join_), '@⟨slack:U0BMQB6JE|hamza⟩ has joined the channel');
  const botAdd = all.find((m) => m.nativeId === '1452988746.000017')!;
  assert.deepEqual(
    [botAdd.kind, text(botAdd)],
    ['event', '@⟨slack:U0BMQB6JE|hamza⟩ added an integration to this channel: ⟨slack:B0JL6RASU|github⟩'],
    'who did it, as Slack shows events; the integration is its bot, by the bot\'s own id',
  );
  // A bot without a username is named as the event that added it named it, not by its id.
  const botNames = new Set(all.filter((m) => m.authorId === 'slack:B0JL6RASU').map((m) => m.authorName));
  assert.deepEqual([...botNames], ['github']);
});

test('through the importer: real SQLite, threads resolve, re-import and the zip change nothing', async () => {
  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [WORKSPACE]);
    assert.equal(WORKSPACE_MESSAGES, ['general', 'secret-plans', 'mpdm-alice.w--bob--carol-1', 'D0DM'].map(dayFileMessages).reduce((a, b) => a + b));
    assert.equal(first.newMessages, WORKSPACE_MESSAGES);
    assert.equal(first.chats, 4);
    assert.equal(first.warningCount, 4);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages'), WORKSPACE_MESSAGES);
    assert.equal(scalar(db, `SELECT format FROM chats WHERE native_id = ?`, `${T}:C0GENERAL`), 'slack');
    assert.equal(scalar(db, `SELECT kind FROM chats WHERE native_id = ?`, `${T}:D0DM`), 'direct');
    assert.equal(scalar(db, `SELECT display_name FROM people WHERE native_id = 'slack:U02BOB'`), 'Bob Builder');
    // People in stored text are references by id; named as a site with authors shown names them.
    const names = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
    const named = (nativeId: string): string => namedRefs(scalar(db, `SELECT text FROM messages WHERE native_id = ?`, nativeId) as string, (id) => names.get(id) as string | null);
    assert.match(scalar(db, `SELECT text FROM messages WHERE native_id = '1709290702.000100'`) as string, /^@\uE000slack:U01ALICE\uE002\uE001 has renamed/);
    assert.equal(named('1709290702.000100'), '@alice has renamed the channel from "old" to "general"');
    assert.equal(named('1709290100.000200').slice(0, 22), 'Hi @Bob Builder and @c');
    // A reactor is a reference in the HTML only (reactions are not searched): the writer learns them all the same.
    assert.match(scalar(db, `SELECT html FROM messages WHERE native_id = '1709290300.000400'`) as string, /title="👍 2 reactions: \uE000slack:U01ALICE\uE002\uE001, \uE000slack:U03CAROL\uE002\uE001"/);
    assert.equal(scalar(db, 'SELECT count(*) FROM messages WHERE reply_to_key IS NOT NULL'), 5);
    assert.equal(
      scalar(db, 'SELECT count(*) FROM messages m WHERE reply_to_key IS NOT NULL AND NOT EXISTS (SELECT 1 FROM messages q WHERE q.key = m.reply_to_key)'),
      1,
      'every reply finds its parent, but the one whose parent predates the export',
    );
    const parentAnchor = scalar(db, `SELECT anchor FROM messages WHERE native_id = '1709290100.000200'`);
    assert.equal(
      scalar(db, `SELECT count(*) FROM messages m JOIN messages p ON p.key = m.reply_to_key WHERE p.anchor = ?`, parentAnchor),
      3,
    );
    for (const row of db.prepare('SELECT html FROM messages').pluck().all() as string[]) assert.deepEqual(fragmentProblems(row), [], row);
    assert.equal(scalar(db, `SELECT edited_at FROM messages WHERE native_id = '1709290300.000400'`), 1709290360000);
    assert.equal(scalar(db, `SELECT deleted FROM messages WHERE native_id = '1709291100.000100'`), 1);
    assert.match(scalar(db, `SELECT attachments FROM messages WHERE native_id = '1709290500.000600'`) as string, /photo\.png/);

    const again = await importPaths(db, [WORKSPACE]);
    assert.deepEqual([again.newMessages, again.updatedMessages, again.unchangedMessages], [0, 0, WORKSPACE_MESSAGES]);

    const zip = join(dir, 'export.zip');
    writeZip(zip, folderEntries(WORKSPACE, 'export/'));
    const fromZip = await importPaths(db, [zip]);
    assert.deepEqual([fromZip.newMessages, fromZip.updatedMessages, fromZip.unchangedMessages], [0, 0, WORKSPACE_MESSAGES]);
    assert.equal(scalar(db, 'SELECT count(*) FROM chats'), 4);

    if (hasFile(REAL)) {
      const real = await importPaths(db, [REAL]);
      assert.equal(real.newMessages, 158);
      const realAgain = await importPaths(db, [REAL]);
      assert.deepEqual([realAgain.newMessages, realAgain.updatedMessages, realAgain.unchangedMessages], [0, 0, 158]);
    }
  } finally {
    db.close();
  }
});
