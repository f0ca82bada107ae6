/**
 * Slack as Slack showed it (test/fixtures/slack/fidelity, one channel shaped like real exports):
 * bots by the names the export gives them, link markup in code as its text, link-preview cards
 * escaped once, the source's text kept as it was in `body` (names resolved when rendered), and
 * `ts` kept exactly.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { messageKey } from '../collector/identity/key.js';
import { importPaths } from '../collector/import/index.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import type { MessageRecord } from '../collector/model.js';
import { slack } from '../collector/sources/slack/index.js';
import { openStore } from '../collector/store/open.js';
import { adapterReader, byChat } from './helpers/events.js';
import { visibleRefs } from './helpers/person-refs.js';
import { scalar } from './helpers/sql.js';
import { tempDir } from './helpers/temp.js';

const root = new URL('../../', import.meta.url); // dist/test/ → the repository
const FIDELITY = fileURLToPath(new URL('test/fixtures/slack/fidelity', root));
const CHAT = 'slack:T0FID:C0DEV';
const RAW = JSON.parse(readFileSync(join(FIDELITY, 'dev', '2024-05-01.json'), 'utf8')) as { ts: string; text: string; subtype?: string }[];

const { readAll } = adapterReader(slack);

async function messages(): Promise<MessageRecord[]> {
  return byChat(await readAll(FIDELITY), { once: true }).get(CHAT)!.messages;
}

function rendered(m: MessageRecord): { html: string; text: string } {
  const out = renderBody(m.markup, m.body, { chat: CHAT, kind: m.kind, deleted: !!m.deleted });
  assert.deepEqual(fragmentProblems(out.html), [], m.nativeId);
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

const find = (all: MessageRecord[], ts: string): MessageRecord => all.find((m) => m.nativeId === ts)!;

test('bots: the message\'s username, then its bot_profile, then the bot_add line, wherever that line comes', async () => {
  const all = await messages();
  const names = (ts: string): [string, string | null | undefined] => [find(all, ts).authorId, find(all, ts).authorName];
  assert.deepEqual(names('1714550420.000300'), ['slack:B0GH', 'github'], 'named by the bot_add line before it');
  assert.deepEqual(names('1714550430.000400'), ['slack:B0APP', 'Deploy App'], 'bot_profile.name, with or without the bot_message subtype');
  assert.deepEqual(names('1714550440.000500'), ['slack:B0GH', 'custom-hook'], 'the username the message posted under comes first');
  // Posted before its bot_add line: no made-up name on the message; the person is named by the line.
  assert.deepEqual(names('1714550400.000100'), ['slack:B0LATE', null]);
  for (const m of all) assert.doesNotMatch(m.authorName ?? '', /^Bot B/, m.nativeId);

  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    await importPaths(db, [FIDELITY]);
    // What a page shows with authors shown: the message's own name, else the person's (site/data/authors.ts).
    const shown = db.prepare(`SELECT coalesce(m.author_name, p.display_name) FROM messages m JOIN people p ON p.id = m.author_id WHERE m.native_id = ?`).pluck();
    assert.deepEqual(
      ['1714550400.000100', '1714550420.000300', '1714550430.000400', '1714550440.000500'].map((ts) => shown.get(ts)),
      ['late-bot', 'github', 'Deploy App', 'custom-hook'],
    );
  } finally {
    db.close();
  }
});

test('code blocks and inline code show link markup as Slack does: the label, else the URL; people and channels by name', async () => {
  const { html, text } = rendered(find(await messages(), '1714550460.000700'));
  assert.equal(
    html,
    'run:<pre>call +1 555 123 4567\nwget http://example.com/a?b=1&amp;c=2\nsee the docs ask @⟨slack:U02BOB|Bob &amp; Co⟩ in #dev or #dev\nmail a@example.com &lt;b&gt; typed</pre>' +
      'and <code>http://example.com/x</code> or <code>@⟨slack:U01ALICE|alice⟩</code>',
  );
  assert.equal(
    text,
    'run:\ncall +1 555 123 4567\nwget http://example.com/a?b=1&c=2\nsee the docs ask @⟨slack:U02BOB|Bob & Co⟩ in #dev or #dev\nmail a@example.com <b> typed\nand http://example.com/x or @⟨slack:U01ALICE|alice⟩',
  );
});

test('cards: Slack\'s escaping of &, <, > undone once in every field, so nothing shows an entity and no href holds &amp;amp;', async () => {
  const all = await messages();
  const preview = rendered(find(all, '1714550470.000800'));
  assert.doesNotMatch(preview.html, /&amp;(?:amp|lt|gt);/, preview.html);
  assert.doesNotMatch(preview.text, /&(?:amp|lt|gt);/, preview.text);
  for (const part of [
    '<b>Blog &amp; News</b>',
    '<a href="https://example.com/tips?a=1&amp;b=2" rel="nofollow noopener"><b>Expert Tips &amp; Advice</b></a>',
    'Tips &amp; tricks &lt;3',
    '<b>R&amp;D</b><br>yes &amp; no',
    '<a href="https://example.com/img.png?w=1&amp;h=2" rel="nofollow noopener">',
    '<span class="cc-card-footer">Q&amp;A</span>',
    'Only &amp; fallback',
    '<b>Ann &amp; Co</b>',
    '<b>A &lt;b&gt; title</b>',
  ]) {
    assert.ok(preview.html.includes(part), `${part} in ${preview.html}`);
  }
  for (const part of ['Blog & News', 'Expert Tips & Advice', 'Tips & tricks <3', 'R&D: yes & no', 'Q&A', 'Only & fallback', 'Ann & Co', 'A <b> title']) {
    assert.ok(preview.text.includes(part), `${part} in ${preview.text}`);
  }
  const commit = rendered(find(all, '1714550420.000300'));
  assert.ok(commit.html.includes(': fix &lt;br&gt; &amp; more'), commit.html);
  assert.equal(rendered(find(all, '1714550480.100000')).text.slice(0, 12), 'Fish & chips');
});

test('body: the source\'s text exactly as it was; names resolved when rendered', async () => {
  const all = await messages();
  assert.equal(all.length, RAW.length);
  for (const raw of RAW) {
    const m = find(all, raw.ts);
    const text = m.body.startsWith('{') ? (JSON.parse(m.body) as { text: string }).text : m.body;
    assert.equal(text, raw.text, `${raw.ts}: the text as the export has it`);
  }
  // Names as they are now (users.json), not as the text labelled them; people who left included.
  assert.equal(rendered(find(all, '1714550480.100000')).text, 'Fish & chips, ask @⟨slack:U03GONE|Gone Gary⟩ or @⟨slack:U01ALICE|alice⟩');
  // Events read "<who> <did what>" as Slack shows them, the who added when rendered.
  assert.equal(
    rendered(find(all, '1714550410.000200')).text,
    '@⟨slack:U01ALICE|alice⟩ added an integration to this channel: ⟨slack:B0GH|github⟩',
  );
  assert.equal(rendered(find(all, '1714550500.000900')).text, '@⟨slack:U02BOB|Bob & Co⟩ has joined the channel');
  assert.equal(rendered(find(all, '1714550510.001000')).text, '@⟨slack:U02BOB|Bob & Co⟩ channel archive');
});

test('ts: kept exactly as the message\'s id, in native ids and thread keys; time in ms', async () => {
  const all = await messages();
  assert.deepEqual(all.map((m) => m.nativeId), RAW.map((m) => m.ts));
  const parent = find(all, '1714550480.100000');
  const reply = find(all, '1714550490.000010');
  assert.equal(parent.time, 1714550480100);
  assert.equal(reply.replyToKey, messageKey({ chat: CHAT, author: 'slack:U02BOB', time: 1714550480100, identity: '1714550480.100000' }));

  const dir = tempDir();
  const db = openStore(join(dir, 'store.sqlite'));
  try {
    const first = await importPaths(db, [FIDELITY]);
    assert.equal(first.newMessages, RAW.length);
    assert.deepEqual(db.prepare(`SELECT native_id FROM messages ORDER BY time, native_id`).pluck().all(), RAW.map((m) => m.ts));
    assert.equal(scalar(db, `SELECT count(*) FROM messages m JOIN messages p ON p.key = m.reply_to_key WHERE m.native_id = '1714550490.000010' AND p.native_id = '1714550480.100000'`), 1);
    // Re-reading the same export finds every message as it stored it: nothing new, nothing edited.
    const again = await importPaths(db, [FIDELITY]);
    assert.deepEqual([again.newMessages, again.updatedMessages, again.unchangedMessages], [0, 0, RAW.length]);
  } finally {
    db.close();
  }
});
