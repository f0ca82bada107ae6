import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { slack, SLACK_DELETED_HTML } from '../collector/markup/slack.js';
import { emojiOf } from '../collector/markup/slack-emoji.js';
import type { SlackEnvelope } from '../collector/markup/slack-envelope.js';
import type { RenderedBody } from '../collector/markup/types.js';
import { assertProperty } from './helpers/seeds.js';
import { visibleRefs } from './helpers/person-refs.js';

function render(body: string, kind = 'text', deleted = false): RenderedBody {
  return slack(body, { chat: 'slack:T1:C1', kind, deleted });
}

/** html and text of a body (people as `⟨slack:U1|name⟩`), checked against the allow-list on the way. */
function check(body: string, html: string, text: string): void {
  const out = render(body);
  assert.deepEqual(fragmentProblems(out.html), [], `unsafe html for ${JSON.stringify(body)}: ${out.html}`);
  assert.deepEqual({ html: visibleRefs(out.html), text: visibleRefs(out.text) }, { html, text }, JSON.stringify(body));
}

const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What every output must satisfy, whatever the input. */
function assertSafe(body: string, kind = 'text'): void {
  let out: RenderedBody;
  try {
    out = render(body, kind);
  } catch (err) {
    assert.fail(`threw on ${JSON.stringify(body.slice(0, 200))}: ${(err as Error).stack}`);
  }
  const where = `${JSON.stringify(body.slice(0, 200))} → ${JSON.stringify(out.html.slice(0, 300))}`;
  assert.deepEqual(fragmentProblems(out.html), [], where);
  assert.doesNotMatch(out.html, /<script|<img|<iframe/i, where);
  // In a tag: the text "href=javascript:" shown as text is harmless.
  assert.doesNotMatch(out.html, /<[^>]*\shref\s*=\s*["']?\s*(?:javascript|data|vbscript):/i, where);
  assert.doesNotMatch(out.html, CONTROL, where);
  assert.doesNotMatch(out.text, CONTROL, where);
  // Every `<` the text holds is one the HTML shows as a character.
  assert.ok(out.text.split('<').length - 1 <= out.html.split('&lt;').length - 1, `text carries markup: ${where}`);
}

const link = (href: string, label: string): string => `<a href="${href}" rel="nofollow noopener">${label}</a>`;
const mention = (name: string): string => `<span class="cc-mention">${name}</span>`;

test('registered as "slack"', () => {
  assert.deepEqual(renderBody('slack', '*hi*', { chat: 'c', kind: 'text', deleted: false }), { html: '<b>hi</b>', text: 'hi' });
});

test('plain text and Slack\'s three entities', () => {
  check('hello world', 'hello world', 'hello world');
  check('5 &lt; 6 &amp;&amp; 7 &gt; 3', '5 &lt; 6 &amp;&amp; 7 &gt; 3', '5 < 6 && 7 > 3');
  // Only &amp; &lt; &gt; are Slack's: what a person typed as `&amp;copy;` stays `&copy;`.
  check('&amp;copy; &amp;lt; &quot;', '&amp;copy; &amp;lt; &amp;quot;', '&copy; &lt; &quot;');
  check('line one\nline two\r\nthree', 'line one<br>line two<br>three', 'line one\nline two\nthree');
});

test('mentions: users (person references with the author id form), channels, specials, user groups, dates', () => {
  check('hi <@U123|alice>', `hi ${mention('@⟨slack:U123|alice⟩')}`, 'hi @⟨slack:U123|alice⟩');
  // Unresolved (the adapter resolves what users.json knows): the id stands for the name.
  check('<@U123>', mention('@⟨slack:U123|U123⟩'), '@⟨slack:U123|U123⟩');
  check('<@W07ENT|grid user>', mention('@⟨slack:W07ENT|grid user⟩'), '@⟨slack:W07ENT|grid user⟩');
  check('<@U1|a&amp;b &lt;c&gt;>', mention('@⟨slack:U1|a&amp;b &lt;c&gt;⟩'), '@⟨slack:U1|a&b <c>⟩');
  check('<@U1|name|with|bars>', mention('@⟨slack:U1|name|with|bars⟩'), '@⟨slack:U1|name|with|bars⟩');
  // Something that is no id is a name without one.
  check('<@not an id|x>', mention('@⟨|x⟩'), '@⟨|x⟩');
  check('see <#C123|general>', `see ${mention('#general')}`, 'see #general');
  check('<#C123>', mention('#C123'), '#C123');
  check('<!here> <!channel> <!everyone>', `${mention('@here')} ${mention('@channel')} ${mention('@everyone')}`, '@here @channel @everyone');
  check('<!here|@here>', mention('@here'), '@here');
  check('<!subteam^S123|@devs>', mention('@devs'), '@devs');
  check('<!date^1392734382^{date_short}|Feb 18, 2014>', 'Feb 18, 2014', 'Feb 18, 2014');
});

test('links: bare, labelled, mailto; only http, https and mailto become links', () => {
  check('<https://example.com>', link('https://example.com', 'https://example.com'), 'https://example.com');
  check('<https://example.com/a?b=1&amp;c=2|the page>', link('https://example.com/a?b=1&amp;c=2', 'the page'), 'the page');
  check('<mailto:alice@example.com|alice@example.com>', link('mailto:alice@example.com', 'alice@example.com'), 'alice@example.com');
  check('<mailto:bob@example.com>', link('mailto:bob@example.com', 'bob@example.com'), 'bob@example.com');
  check('<javascript:alert(1)|x>', 'x', 'x');
  check('<javascript:alert(1)>', 'javascript:alert(1)', 'javascript:alert(1)');
  check('<JaVaScRiPt:alert(1)|y> <data:text/html,hi|z> <vbscript:x|w>', 'y z w', 'y z w');
  check('<https://a.example/x|label with *stars*>', link('https://a.example/x', 'label with *stars*'), 'label with *stars*');
  check('<https://a.example/"onmouseover="x|q>', link('https://a.example/&quot;onmouseover=&quot;x', 'q'), 'q');
});

test('links that name a person: members and integrations are people, Slack-hosted files their label', () => {
  check('added an integration to this channel: <https://team.slack.com/services/B0JL6RASU|github>', 'added an integration to this channel: ⟨slack:B0JL6RASU|github⟩', 'added an integration to this channel: ⟨slack:B0JL6RASU|github⟩');
  check('<https://team.slack.com/team/U02BOB|bob>', '⟨slack:U02BOB|bob⟩', '⟨slack:U02BOB|bob⟩');
  check('<https://team.slack.com/team/U02BOB>', '⟨slack:U02BOB|U02BOB⟩', '⟨slack:U02BOB|U02BOB⟩');
  // The URL names the uploader (and the team): the label alone, or the file's name.
  check('uploaded a file: <https://team.slack.com/files/U03CAROL/F0OLD/notes.txt|notes>', 'uploaded a file: notes', 'uploaded a file: notes');
  check('<https://files.slack.com/files-pri/T0TEAM-F0NEW1/photo.png>', 'photo.png', 'photo.png');
  // Other pages of a workspace, and look-alike hosts, are links as ever.
  check('<https://team.slack.com/archives/C1|x>', link('https://team.slack.com/archives/C1', 'x'), 'x');
  check('<https://slack.com.evil.example/team/U1|x>', link('https://slack.com.evil.example/team/U1', 'x'), 'x');
});

test('formatting: bold, italic, strike, code, nesting, word boundaries', () => {
  check('*bold* _italic_ ~strike~', '<b>bold</b> <i>italic</i> <s>strike</s>', 'bold italic strike');
  check('*_both_*', '<b><i>both</i></b>', 'both');
  check('_*both*_ and ~*x*~', '<i><b>both</b></i> and <s><b>x</b></s>', 'both and x');
  check('`code *not bold* <@U1|al>`', '<code>code *not bold* @⟨slack:U1|al⟩</code>', 'code *not bold* @⟨slack:U1|al⟩');
  check('`a &lt; b`', '<code>a &lt; b</code>', 'a < b');
  check('snake_case_name and 2*3*4', 'snake_case_name and 2*3*4', 'snake_case_name and 2*3*4');
  check('* not bold * and *also not *', '* not bold * and *also not *', '* not bold * and *also not *');
  check('(*yes*), "_quoted_"', '(<b>yes</b>), &quot;<i>quoted</i>&quot;', '(yes), "quoted"');
  check('*see <https://x.example|this>*', `<b>see ${link('https://x.example', 'this')}</b>`, 'see this');
  check('*across\nlines*', '*across<br>lines*', '*across\nlines*');
});

test('code blocks, quotes and >>>', () => {
  check('```\nif (a &lt; b) {\n  go();\n}\n```', '<pre>if (a &lt; b) {\n  go();\n}</pre>', 'if (a < b) {\n  go();\n}');
  check('before\n```*not bold* <@U1|x>```\nafter', 'before<pre>*not bold* @⟨slack:U1|x⟩</pre>after', 'before\n*not bold* @⟨slack:U1|x⟩\nafter');
  check('&gt; quoted *line*\n&gt; second\nafter', '<blockquote class="cc-quote">quoted <b>line</b><br>second</blockquote>after', '> quoted line\n> second\nafter');
  check('intro\n&gt;&gt;&gt; all\nof this', 'intro<blockquote class="cc-quote">all<br>of this</blockquote>', 'intro\n> all\n> of this');
  check('unclosed ``` fence', 'unclosed ``` fence', 'unclosed ``` fence');
  check('a\n\nb', 'a<br><br>b', 'a\n\nb');
});

test('code blocks and code spans show every control sequence as Slack does: its label, else its URL; people and channels by name', () => {
  const names = { U1: 'alice & co', C1: 'dev' };
  // [control sequence, what it reads as in code]
  const cases: [string, string][] = [
    ['<http://example.com/a?b=1&amp;c=2>', 'http://example.com/a?b=1&c=2'],
    ['<https://example.com/docs|the docs>', 'the docs'],
    ['<tel:+15551234567|+1 555 123 4567>', '+1 555 123 4567'],
    ['<tel:+15551234567>', 'tel:+15551234567'],
    ['<mailto:a@example.com|write &lt;me&gt;>', 'write <me>'],
    ['<mailto:a@example.com>', 'a@example.com'],
    ['<@U1>', '@⟨slack:U1|alice & co⟩'],
    ['<@U1|old name>', '@⟨slack:U1|alice & co⟩'],
    ['<@U9|someone>', '@⟨slack:U9|someone⟩'],
    ['<#C1>', '#dev'],
    ['<#C1|old-dev>', '#dev'],
    ['<#C9|other>', '#other'],
    ['<!here>', '@here'],
    ['<!subteam^S1|@devs>', '@devs'],
    ['<!date^1392734382^{date}|Feb 18, 2014>', 'Feb 18, 2014'],
    ['<https://team.slack.com/team/U1|alice>', '⟨slack:U1|alice⟩'],
    ['<https://team.slack.com/files/U1/F1/notes.txt|notes>', 'notes'],
    ['<javascript:alert(1)|x>', 'x'],
  ];
  const escape = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  for (const [sequence, shown] of cases) {
    for (const [body, html, text] of [
      [`\`\`\`\nrun ${sequence} now\n\`\`\``, `<pre>run ${escape(shown)} now</pre>`, `run ${shown} now`],
      [`run \`${sequence}\` now`, `run <code>${escape(shown)}</code> now`, `run ${shown} now`],
    ]) {
      const out = render(JSON.stringify({ text: body, names }));
      assert.deepEqual(fragmentProblems(out.html), [], body);
      assert.deepEqual({ html: visibleRefs(out.html), text: visibleRefs(out.text) }, { html, text }, body);
    }
  }
  // What people type in code is escaped by Slack: shown as typed, never taken for markup.
  check('```a &lt;b&gt; &amp;lt; c```', '<pre>a &lt;b&gt; &amp;lt; c</pre>', 'a <b> &lt; c');
});

test('envelope names: ids named as they are now; the text keeps its ids; hostile names are ignored', () => {
  const out = render(JSON.stringify({ text: 'hi <@U1> and <@U2|old> in <#C1>, <@U3>', names: { U1: 'alice', U2: 'bob &amp; co', C1: 'general', U3: 5 } }));
  assert.equal(visibleRefs(out.text), 'hi @⟨slack:U1|alice⟩ and @⟨slack:U2|bob &amp; co⟩ in #general, @⟨slack:U3|U3⟩', 'names are names, not mrkdwn');
  for (const names of [null, 'x', [1], { __proto__: { U1: 'proto' } }, { toString: 'x' }]) {
    assertSafe(JSON.stringify({ text: '<@U1> <#toString> <@__proto__>', names }));
    assert.equal(visibleRefs(render(JSON.stringify({ text: '<@U1>', names })).text), '@⟨slack:U1|U1⟩', JSON.stringify(names));
  }
  // Events: the actor when the text leaves them out, an empty event's subtype, an app's blocks.
  assert.equal(visibleRefs(render(JSON.stringify({ text: 'added an integration', actor: 'U1', names: { U1: 'alice' } }), 'event').text), '@⟨slack:U1|alice⟩ added an integration');
  assert.equal(visibleRefs(render(JSON.stringify({ text: '<@U1> has joined', actor: 'U1', names: { U1: 'alice' } }), 'event').text), '@⟨slack:U1|alice⟩ has joined');
  assert.equal(visibleRefs(render(JSON.stringify({ text: '', subtype: 'channel_archive', actor: 'U1' }), 'event').text), '@⟨slack:U1|U1⟩ channel archive');
  assert.equal(render(JSON.stringify({ text: ' ', blocks: '*Daily* summary' })).html, '<b>Daily</b> summary');
  assert.equal(render(JSON.stringify({ text: '', actor: '<script>' }), 'event').text, '', 'an actor that is no id is no one');
});

test('cards: Slack\'s escaping undone exactly once in every field the card shows or links', () => {
  // [field, its value as exported, what the text reads (null: a link only)]
  const fields: [string, string, string | null][] = [
    ['pretext', 'Build &amp; test &lt;ok&gt;', 'Build & test <ok>'],
    ['service_name', 'Blog &amp; News &lt;3', 'Blog & News <3'],
    ['author_name', 'Ann &amp; Co &lt;x&gt;', 'Ann & Co <x>'],
    ['title', 'Expert Tips &amp; Advice &lt;2024&gt;', 'Expert Tips & Advice <2024>'],
    ['text', 'Tips &amp; tricks &lt;3', 'Tips & tricks <3'],
    ['footer', 'Q&amp;A &gt; all', 'Q&A > all'],
    ['fallback', 'Only &amp; fallback &lt;3', 'Only & fallback <3'],
    ['title_link', 'https://example.com/tips?a=1&amp;b=2', null],
    ['image_url', 'https://example.com/i.png?w=1&amp;h=2', null],
  ];
  for (const [field, value, shown] of fields) {
    const card: Record<string, unknown> = { [field]: value };
    if (field === 'title_link') card.title = 'T';
    const out = render(JSON.stringify({ text: '', attachments: [card] }));
    const where = `${field}: ${out.html}`;
    assert.deepEqual(fragmentProblems(out.html), [], where);
    assert.doesNotMatch(out.html, /&amp;(?:amp|lt|gt);/, where);
    assert.doesNotMatch(out.text, /&(?:amp|lt|gt);/, where);
    if (shown === null) assert.match(out.html, /href="https:\/\/example\.com\/[^"]*\?\w=1&amp;\w=2"/, where);
    else assert.ok(out.text.includes(shown), `${where} → ${out.text}`);
  }
  const withFields = render(JSON.stringify({ text: '', attachments: [{ fields: [{ title: 'R&amp;D &lt;1&gt;', value: 'yes &amp; no' }] }] }));
  assert.equal(withFields.html, '<blockquote class="cc-card"><b>R&amp;D &lt;1&gt;</b><br>yes &amp; no</blockquote>');
  assert.equal(withFields.text, '> R&D <1>: yes & no');
  // A member's shared message: the author by the name they have now, escaped once.
  const shared = render(JSON.stringify({ text: '', names: { U3: 'Carol &amp; Co' }, attachments: [{ author_name: 'carol &amp; old', author_id: 'U3', text: 'hi' }] }));
  assert.equal(visibleRefs(shared.html), '<blockquote class="cc-card"><b>⟨slack:U3|Carol &amp;amp; Co⟩</b><br>hi</blockquote>');
});

test('emoji shortcodes, skin tones, unknown and custom names', () => {
  check(':+1: :thumbsup: :tada: :simple_smile:', '👍 👍 🎉 🙂', '👍 👍 🎉 🙂');
  check(':wave::skin-tone-4:', '👋🏽', '👋🏽');
  check(':partyparrot: 10:30:smile:', ':partyparrot: 10:30😄', ':partyparrot: 10:30😄');
  check('`:smile:`', '<code>:smile:</code>', ':smile:');
  assert.equal(emojiOf('heart'), '❤️');
  assert.equal(emojiOf('constructor'), undefined);
  assert.equal(emojiOf('__proto__'), undefined);
});

test('envelope: cards (bot attachments, link previews) and reactions under the message', () => {
  const envelope: SlackEnvelope = {
    text: 'Deploy *done*',
    attachments: [
      {
        pretext: 'Build <https://ci.example/1|#1>',
        title: 'Release <v1>',
        title_link: 'https://ci.example/r',
        text: 'All _green_ for <@U1|alice>',
        fields: [{ title: 'Env', value: 'prod' }],
        footer: 'CI',
        fallback: 'never shown: there is text',
      },
      { service_name: 'GitHub', title: 'repo', title_link: 'javascript:alert(1)', text: 'a preview' },
      { fallback: 'only a fallback' },
      { author_name: 'Carol', author_id: 'U3', text: 'a shared message' },
      { author_name: 'A channel', author_id: 'not an id' },
    ],
    reactions: [
      { name: '+1', count: 2, users: [{ id: 'U1', name: 'alice' }, { id: 'U2', name: 'bob' }] },
      { name: 'custom', count: 1, users: [] },
    ],
  };
  const out = render(JSON.stringify(envelope));
  assert.deepEqual(fragmentProblems(out.html), []);
  assert.equal(
    visibleRefs(out.html),
    'Deploy <b>done</b><br>Build ' +
      link('https://ci.example/1', '#1') +
      '<blockquote class="cc-card">' +
      link('https://ci.example/r', '<b>Release &lt;v1&gt;</b>') +
      '<br>All <i>green</i> for ' +
      mention('@⟨slack:U1|alice⟩') +
      '<br><b>Env</b><br>prod<br><span class="cc-card-footer">CI</span></blockquote>' +
      '<blockquote class="cc-card"><b>GitHub</b><br><b>repo</b><br>a preview</blockquote>' +
      '<blockquote class="cc-card">only a fallback</blockquote>' +
      '<blockquote class="cc-card"><b>⟨slack:U3|Carol⟩</b><br>a shared message</blockquote>' +
      '<blockquote class="cc-card"><b>A channel</b></blockquote>' +
      '<p><span class="cc-reactions"><span class="cc-reaction" role="img" aria-label="👍 2 reactions: ⟨slack:U1|alice⟩, ⟨slack:U2|bob⟩" title="👍 2 reactions: ⟨slack:U1|alice⟩, ⟨slack:U2|bob⟩">👍 2</span> ' +
      '<span class="cc-reaction" role="img" aria-label=":custom: 1 reaction" title=":custom: 1 reaction">:custom: 1</span></span></p>',
  );
  assert.equal(
    visibleRefs(out.text),
    'Deploy done\nBuild #1\n> Release <v1>\n> All green for @⟨slack:U1|alice⟩\n> Env: prod\n> CI\n> GitHub\n> repo\n> a preview\n> only a fallback\n> ⟨slack:U3|Carol⟩\n> a shared message\n> A channel',
  );
  // Reactions alone: under an empty text. A reactor given as a bare name (older bodies) has no id.
  const only = render(JSON.stringify({ text: '', reactions: [{ name: 'eyes', count: 1, users: ['carol', { id: 'U4', name: '' }, { name: 'no id' }] }] }));
  // (Three people named where the count says one: the people named are counted.)
  const label = '👀 3 reactions: ⟨|carol⟩, ⟨slack:U4|U4⟩, ⟨|no id⟩';
  assert.equal(visibleRefs(only.html), `<p><span class="cc-reactions"><span class="cc-reaction" role="img" aria-label="${label}" title="${label}">👀 3</span></span></p>`);
  assert.equal(only.text, '');
});

test('a body starting with { that is no envelope is text; deleted messages show as deleted', () => {
  check('{"looks": "like json"', '{&quot;looks&quot;: &quot;like json&quot;', '{"looks": "like json"');
  check('{not json}', '{not json}', '{not json}');
  // An envelope of the wrong shape is shown as the text it is.
  check('{"text": 5}', '{&quot;text&quot;: 5}', '{"text": 5}');
  assert.deepEqual(render('This message was deleted.', 'text', true), { html: SLACK_DELETED_HTML, text: '' });
});

test('hostile input: tags Slack never writes are text, URLs are checked, nothing unsafe survives', () => {
  check('<script>alert(1)</script>', '&lt;script&gt;alert(1)&lt;/script&gt;', '<script>alert(1)</script>');
  check('<img src=x onerror=alert(1)>', '&lt;img src=x onerror=alert(1)&gt;', '<img src=x onerror=alert(1)>');
  const cases = [
    '<https://x.example/" onclick="alert(1)|x>',
    '<https://x.example/\u0000|a\u0001b>',
    '*<javascript:alert(2)>*',
    '<@U1|<script>>',
    '<@U1|&lt;script&gt;alert(1)&lt;/script&gt;>',
    '<#C1|"><img src=x>>',
    '```</pre><script>x</script>```',
    '&gt; <iframe src="javascript:x">',
    '<\tjavascript:alert(1)|t>',
    '<java\nscript:alert(1)|nl>',
    '<https://ok.example|<b>bold</b>>',
    `{"text":"<javascript:x|a>","attachments":[{"title":"t","title_link":"javascript:alert(1)","image_url":"data:image/png;base64,xx","text":"<script>"}],"reactions":[{"name":"<img src=x>","count":"9","users":[1,"<b>"]}]}`,
    `{"text":"","attachments":"nope","reactions":{"a":1}}`,
    '\uFFFC\uFFFC*x*\uFFFC',
    '\uD800 lone surrogate \u0007 bell',
    '_'.repeat(5000) + '*'.repeat(5000),
    '<'.repeat(3000) + '>'.repeat(3000),
    ':'.repeat(4000) + 'smile' + ':'.repeat(4000),
    '*_~'.repeat(3000),
  ];
  for (const body of cases) for (const kind of ['text', 'event', 'emote', 'file']) assertSafe(body, kind);
  const out = render(cases[11]);
  assert.doesNotMatch(out.html, /javascript|data:/);
});

test('property: any text, any mrkdwn-ish mix, and any envelope render safely', (t) => {
  const piece = fc.oneof(
    fc.string(),
    fc.constantFrom('*', '_', '~', '`', '```', '\n', '&gt; ', '&gt;&gt;&gt;', '&amp;', '&lt;', '<', '>', '|', ':', ':smile:', '<@U1|', '<#C1>', '<!here>', 'javascript:', 'https://x.example', '<script>', '"', "'", '\uFFFC'),
  );
  const mrkdwn = fc.array(piece, { maxLength: 30 }).map((parts) => parts.join(''));
  assertProperty(t, fc.property(mrkdwn, (body) => assertSafe(body)), { numRuns: 400 });
  const envelope = fc.record(
    {
      text: mrkdwn,
      blocks: mrkdwn,
      subtype: fc.string(),
      actor: fc.oneof(fc.string(), fc.constant('U1')),
      names: fc.dictionary(fc.oneof(fc.string(), fc.constantFrom('U1', 'C1', '__proto__')), fc.oneof(fc.string(), mrkdwn, fc.integer())),
      attachments: fc.array(
        fc.record(
          { pretext: mrkdwn, title: mrkdwn, title_link: fc.oneof(fc.webUrl(), mrkdwn), text: mrkdwn, footer: mrkdwn, author_name: mrkdwn, author_id: fc.oneof(fc.string(), fc.constant('U1')), service_name: mrkdwn, image_url: fc.oneof(fc.webUrl(), mrkdwn) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      reactions: fc.array(
        fc.record({ name: fc.string(), count: fc.integer(), users: fc.array(fc.oneof(fc.string(), fc.record({ id: fc.string(), name: fc.string() })), { maxLength: 3 }) }),
        { maxLength: 3 },
      ),
    },
    { requiredKeys: ['text'] },
  );
  assertProperty(t, fc.property(envelope, (e) => assertSafe(JSON.stringify(e))), { numRuns: 200 });
});
