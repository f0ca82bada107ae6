import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { renderBody } from '../collector/markup/index.js';
import { linesToHtml } from '../collector/markup/html.js';
import { fragmentProblems, isCanonicalFragment } from '../collector/markup/sanitize.js';
import { discord, DISCORD_DELETED_HTML, formatTimestamp, type DiscordEnvelope } from '../collector/markup/discord/index.js';
import type { RenderedBody } from '../collector/markup/types.js';
import { assertProperty } from './helpers/seeds.js';
import { visibleRefs } from './helpers/person-refs.js';

const root = new URL('../../', import.meta.url); // dist/test/ → the repository

function render(body: string, kind = 'text', deleted = false): RenderedBody {
  return discord(body, { chat: 'discord:900000000000000100', kind, deleted });
}

function envelope(env: DiscordEnvelope, kind = 'text'): RenderedBody {
  return render(JSON.stringify(env), kind);
}

/** html and text of a body (people as `⟨discord:1|name⟩`), checked against the allow-list on the way. */
function check(body: string, html: string, text: string, kind = 'text'): void {
  const out = render(body, kind);
  assert.deepEqual(fragmentProblems(out.html), [], `unsafe html for ${JSON.stringify(body)}: ${out.html}`);
  assert.deepEqual({ html: visibleRefs(out.html), text: visibleRefs(out.text) }, { html, text }, JSON.stringify(body));
}

/** Both forms of a rendered body with people as `⟨discord:1|name⟩`. */
function visible(out: RenderedBody): RenderedBody {
  return { html: visibleRefs(out.html), text: visibleRefs(out.text) };
}

const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** How deeply the tags of a fragment nest. */
function maxDepth(html: string): number {
  let depth = 0;
  let max = 0;
  for (const [, close, name] of html.matchAll(/<(\/?)([a-z]+)[^>]*>/g)) {
    if (name === 'br') continue;
    depth += close ? -1 : 1;
    max = Math.max(max, depth);
  }
  return max;
}

/** What every output must satisfy, whatever the input. */
function assertSafe(body: string, kind = 'text'): RenderedBody {
  let out: RenderedBody;
  try {
    out = render(body, kind);
  } catch (err) {
    assert.fail(`threw on ${JSON.stringify(body.slice(0, 200))}: ${(err as Error).stack}`);
  }
  const where = `${kind}: ${JSON.stringify(body.slice(0, 200))} → ${JSON.stringify(out.html.slice(0, 300))}`;
  assert.deepEqual(fragmentProblems(out.html), [], where);
  assert.doesNotMatch(out.html, /<script|<img|<iframe|<svg/i, where);
  for (const [tag] of out.html.matchAll(/<[a-z][^>]*>/gi)) {
    // (Escaped text in a quoted value other than a link's, a reaction chip's title, is no attribute.)
    const attributes = tag.replace(/(\s(?!href=)[a-z-]+)="[^"]*"/gi, '$1=""');
    assert.doesNotMatch(attributes, /href\s*=\s*["']?\s*(?:javascript|data|vbscript):|\son[a-z]+\s*=/i, where);
  }
  assert.ok(maxDepth(out.html) <= 16, `nested too deep: ${where}`);
  assert.doesNotMatch(out.html, CONTROL, where);
  assert.doesNotMatch(out.text, CONTROL, where);
  // The text holds no markup: every `<` in it is one the HTML shows as a character.
  assert.ok(out.text.split('<').length - 1 <= out.html.split('&lt;').length - 1, `text carries markup: ${where}`);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Text and inline markdown

test('plain text: escaped, line breaks, bare URLs linked, the same as plain linking', () => {
  check('hello world', 'hello world', 'hello world');
  check('a "quote" & \'b\'\nnext', 'a &quot;quote&quot; &amp; &#39;b&#39;<br>next', 'a "quote" & \'b\'\nnext');
  const body = 'x > y, see http://a.example/p. Done';
  assert.deepEqual(render(body), { html: linesToHtml(body), text: body });
  // A URL through the full scanner (an `_` sends it there) links exactly as the fast path does.
  assert.equal(render('see https://a.example/x_y.').html, linesToHtml('see https://a.example/x_y.'));
  assert.equal(render('(https://a.example/p) *x*').html, '(<a href="https://a.example/p" rel="nofollow noopener">https://a.example/p</a>) <em>x</em>');
  check('mail me at a@b.example', 'mail me at a@b.example', 'mail me at a@b.example');
});

test('bold, italic, underline, strike, spoiler, nesting', () => {
  check('**bold** *it* _it_ __under__ ~~gone~~ ||secret||',
    '<strong>bold</strong> <em>it</em> <em>it</em> <span class="cc-underline">under</span> <s>gone</s> <span class="cc-spoiler">secret</span>',
    'bold it it under gone secret');
  check('***both***', '<strong><em>both</em></strong>', 'both');
  check('*a **b** c*', '<em>a <strong>b</strong> c</em>', 'a b c');
  check('**bold across\nlines**', '<strong>bold across<br>lines</strong>', 'bold across\nlines');
  check('__***all***__ ||~~x~~||', '<span class="cc-underline"><strong><em>all</em></strong></span> <span class="cc-spoiler"><s>x</s></span>', 'all x');
  check('a*b*c', 'a<em>b</em>c', 'abc');
});

test('what is not formatting stays as typed', () => {
  check('snake_case_name and file_name.txt', 'snake_case_name and file_name.txt', 'snake_case_name and file_name.txt');
  check('2 * 3 * 4', '2 * 3 * 4', '2 * 3 * 4');
  check('**unclosed and *lonely', '**unclosed and *lonely', '**unclosed and *lonely');
  check('~single~ |single| ~~~~', '~single~ |single| ~~~~', '~single~ |single| ~~~~');
  check('#hashtag and > not a quote and -not a list', '#hashtag and &gt; not a quote and -not a list', '#hashtag and > not a quote and -not a list');
  check('#### four\n>no space', '#### four<br>&gt;no space', '#### four\n>no space');
});

test('escapes: punctuation after a backslash is shown as itself', () => {
  check('\\*not italic\\* \\_no\\_ \\`no code\\` \\||no spoiler\\||', '*not italic* _no_ `no code` ||no spoiler||', '*not italic* _no_ `no code` ||no spoiler||');
  check('\\o/ and C:\\temp', '\\o/ and C:\\temp', '\\o/ and C:\\temp');
  check('\\\\*it*', '\\<em>it</em>', '\\it');
  check('\\<@123>', '&lt;@123&gt;', '<@123>');
});

test('code: inline, double-backtick, fenced with a language; no markdown inside', () => {
  check('`a **b** <c>`', '<code>a **b** &lt;c&gt;</code>', 'a **b** <c>');
  check('``has ` tick``', '<code>has ` tick</code>', 'has ` tick');
  check('`unclosed', '`unclosed', '`unclosed');
  check('before\n```js\nif (a < b) {\n  **x**\n}\n```\nafter',
    'before<pre><code>if (a &lt; b) {\n  **x**\n}</code></pre>after', 'before\nif (a < b) {\n  **x**\n}\nafter');
  check('```\nno language\n```', '<pre><code>no language</code></pre>', 'no language');
  check('```js```', '<pre><code>js</code></pre>', 'js');
  check('text ```inline block``` text', 'text <pre><code>inline block</code></pre> text', 'text \ninline block\n text');
  check('```unclosed fence', '```unclosed fence', '```unclosed fence');
});

test('quotes, headings, subtext, lists', () => {
  check('> one\n> two\nafter', '<blockquote class="cc-quote">one<br>two</blockquote>after', 'one\ntwo\nafter');
  check('before\n>>> all\n# of\nthis', 'before<blockquote class="cc-quote">all<p><span class="cc-heading-large"><strong>of</strong></span></p>this</blockquote>', 'before\nall\nof\nthis');
  check('> quoted **bold**\n> > not nested', '<blockquote class="cc-quote">quoted <strong>bold</strong><br>&gt; not nested</blockquote>', 'quoted bold\n> not nested');
  check('# One\n## Two\n### Three', '<p><span class="cc-heading-large"><strong>One</strong></span></p><p><span class="cc-heading-medium"><strong>Two</strong></span></p><p><span class="cc-heading-small"><strong>Three</strong></span></p>', 'One\nTwo\nThree');
  check('-# small *print*', '<p><span class="cc-subtext">small <em>print</em></span></p>', 'small print');
  check('- a\n* b\n  - c\nend', '<ul><li>a</li><li>b</li><li>c</li></ul>end', 'a\nb\nc\nend');
  check('> q\n\nnext', '<blockquote class="cc-quote">q</blockquote><br>next', 'q\n\nnext');
});

test('links: masked, angle-bracketed, bare; only http, https and mailto', () => {
  check('[label **b**](https://example.com/a)', '<a href="https://example.com/a" rel="nofollow noopener">label <strong>b</strong></a>', 'label b');
  check('[mail](mailto:a@b.example) <https://x.example/y>', '<a href="mailto:a@b.example" rel="nofollow noopener">mail</a> <a href="https://x.example/y" rel="nofollow noopener">https://x.example/y</a>', 'mail https://x.example/y');
  check('[bad](javascript:alert(1)) <javascript:alert(2)> [x](data:text/html,y)',
    '[bad](javascript:alert(1)) &lt;javascript:alert(2)&gt; [x](data:text/html,y)', '[bad](javascript:alert(1)) <javascript:alert(2)> [x](data:text/html,y)');
  check('[no [nesting](https://a.example)](https://b.example)', '[no <a href="https://a.example" rel="nofollow noopener">nesting</a>](<a href="https://b.example" rel="nofollow noopener">https://b.example</a>)', '[no nesting](https://b.example)');
  check('[https://shown.example](https://real.example)', '<a href="https://real.example" rel="nofollow noopener">https://shown.example</a>', 'https://shown.example');
});

test('mentions, channels, roles, commands, custom emoji, timestamps', () => {
  check('<@1> <@!2> <@&3> <#4> </roll dice:5> <:kekw:6> <a:dance:7>',
    '<span class="cc-mention">@unknown-user</span> <span class="cc-mention">@unknown-user</span> <span class="cc-mention">@role</span> <span class="cc-mention">#unknown-channel</span> <span class="cc-mention">/roll dice</span> :kekw: :dance:',
    '@unknown-user @unknown-user @role #unknown-channel /roll dice :kekw: :dance:');
  // Users the message mentions are person references (the adapter's author id form), by `<@id>` or by `@name`.
  const named = visible(envelope({ content: 'hi <@1> and <@!2>, see <#4>; @Bob Smith and @Bobby stay apart; @everyone @here', mentions: { 1: 'Alice', 2: 'Bob Smith' }, channels: { 4: 'general' } }));
  assert.equal(named.html, 'hi <span class="cc-mention">@⟨discord:1|Alice⟩</span> and <span class="cc-mention">@⟨discord:2|Bob Smith⟩</span>, see <span class="cc-mention">#general</span>; <span class="cc-mention">@⟨discord:2|Bob Smith⟩</span> and @Bobby stay apart; <span class="cc-mention">@everyone</span> <span class="cc-mention">@here</span>');
  assert.equal(named.text, 'hi @⟨discord:1|Alice⟩ and @⟨discord:2|Bob Smith⟩, see #general; @⟨discord:2|Bob Smith⟩ and @Bobby stay apart; @everyone @here');
  // Markdown never reaches into a reference: a name with markdown characters stays whole.
  const marked = visible(envelope({ content: '**hey @a_b_c**', mentions: { 9: 'a_b_c' } }));
  assert.deepEqual(marked, { html: '<strong>hey <span class="cc-mention">@⟨discord:9|a_b_c⟩</span></strong>', text: 'hey @⟨discord:9|a_b_c⟩' });
  check('<t:1709287200> <t:1709287200:t> <t:1709287200:T> <t:1709287200:d> <t:1709287200:D> <t:1709287200:F> <t:1709287200:R>',
    '1 March 2024 10:00 UTC 10:00 UTC 10:00:00 UTC 2024-03-01 1 March 2024 Friday, 1 March 2024 10:00 UTC 1 March 2024 10:00 UTC',
    '1 March 2024 10:00 UTC 10:00 UTC 10:00:00 UTC 2024-03-01 1 March 2024 Friday, 1 March 2024 10:00 UTC 1 March 2024 10:00 UTC');
  check('<t:99999999999999>', '&lt;t:99999999999999&gt;', '<t:99999999999999>');
  assert.equal(formatTimestamp(0, 'f'), '1 January 1970 00:00 UTC');
});

test('ordinary messages come out canonical (no sanitize-html pass needed)', () => {
  for (const body of ['**b** *i* __u__ ~~s~~ ||sp|| `c`', '> q\n# h\n-# s\n- l\n```x\ny\n```', '[a](https://a.example) <@1> https://b.example']) {
    const html = render(body).html;
    assert.ok(isCanonicalFragment(html), html);
  }
});

// ---------------------------------------------------------------------------------------------
// Envelopes

test('an envelope: interaction, forward, stickers, embeds, reactions, pin marker, in that order', () => {
  const out = envelope({
    content: 'You rolled **4**',
    interaction: { name: 'roll', user: 'Alice', userId: '100' },
    forwarded: { content: '*fwd*' },
    stickers: ['wave'],
    embeds: [
      { author: 'News', title: 'Title', url: 'https://n.example/a', description: 'Some **text**', fields: [{ name: 'F', value: '`v`' }], footer: 'foot' },
      { title: 'No link', url: 'javascript:alert(1)' },
      {},
    ],
    reactions: [{ emoji: '👍', count: 3 }, { emoji: ':blob:', count: 1 }],
    pinned: true,
  });
  assert.equal(visibleRefs(out.html),
    '<p><span class="cc-interaction">⟨discord:100|Alice⟩ used /roll</span></p>You rolled <strong>4</strong>' +
    '<blockquote class="cc-forward"><span class="cc-forward-label">Forwarded</span><br><em>fwd</em></blockquote>' +
    '<p><span class="cc-sticker">Sticker: wave</span></p>' +
    '<blockquote class="cc-embed"><span class="cc-embed-author">News</span><br><strong><a href="https://n.example/a" rel="nofollow noopener">Title</a></strong><br>Some <strong>text</strong><br><strong>F</strong><br><code>v</code><br><span class="cc-embed-footer">foot</span></blockquote>' +
    '<blockquote class="cc-embed"><strong>No link</strong></blockquote>' +
    '<p><span class="cc-reactions"><span class="cc-reaction" role="img" aria-label="👍 3 reactions" title="👍 3 reactions">👍 3</span> ' +
    '<span class="cc-reaction" role="img" aria-label=":blob: 1 reaction" title=":blob: 1 reaction">:blob: 1</span></span> <span class="cc-pinned">📌 Pinned</span></p>');
  assert.equal(visibleRefs(out.text), '⟨discord:100|Alice⟩ used /roll\nYou rolled 4\nfwd\nSticker: wave\nNews\nTitle\nSome text\nF: v\nfoot\nNo link');
  assert.deepEqual(fragmentProblems(out.html), []);
  // An interaction user without an id (older bodies) is a name without one.
  assert.equal(visibleRefs(envelope({ content: '', interaction: { name: 'roll', user: 'Alice' } }).text), '⟨|Alice⟩ used /roll');
});

test('system messages read as a sentence about their author, people as references', () => {
  const line = (type: string, content: string, extra: Partial<DiscordEnvelope> = {}, kind = 'event') =>
    visibleRefs(envelope({ content, type, author: 'Thomas', authorId: '7', ...extra }, kind).html);
  const T = '⟨discord:7|Thomas⟩';
  assert.equal(line('GuildMemberJoin', 'Joined the server.'), `<span class="cc-event">${T} joined the server.</span>`);
  assert.equal(line('GuildMemberJoin', ''), `<span class="cc-event">${T} joined the server.</span>`);
  assert.equal(line('ThreadCreated', 'Started a thread.'), `<span class="cc-event">${T} started a thread.</span>`);
  assert.equal(line('ChannelPinnedMessage', 'Pinned a message.'), `<span class="cc-event">${T} pinned a message.</span>`);
  // The exporter names the users a notice is about: the ones the message mentions are references.
  assert.equal(line('RecipientAdd', 'Added Bob to the group.', { mentions: { 8: 'Bob' } }), `<span class="cc-event">${T} added ⟨discord:8|Bob⟩ to the group.</span>`);
  assert.equal(line('RecipientAdd', 'Added Bob to the group.', { mentions: { 8: 'Bo' } }), `<span class="cc-event">${T} added Bob to the group.</span>`);
  assert.equal(line('RecipientAdd', 'Added Bob to the group.'), `<span class="cc-event">${T} added Bob to the group.</span>`);
  assert.equal(line('RecipientRemove', 'Left the group.'), `<span class="cc-event">${T} left the group.</span>`);
  assert.equal(line('ChannelNameChange', 'Changed the channel name: <b>x</b>'), `<span class="cc-event">${T} changed the channel name: &lt;b&gt;x&lt;/b&gt;</span>`);
  assert.equal(line('8', ''), `<span class="cc-event">${T} boosted the server.</span>`);
  assert.equal(line('17', 'custom text'), `<span class="cc-event">${T}: custom text</span>`);
  assert.equal(line('Call', 'Started a call that lasted 5 minutes.', { callSeconds: 330 }, 'call'), `<span class="cc-call">${T} started a call that lasted 5 min 30 s.</span>`);
  assert.equal(line('Call', 'Started a call that lasted 0 minutes.', {}, 'call'), `<span class="cc-call">${T} started a call.</span>`);
  assert.equal(line('Call', 'Started a call that lasted 2 hours.', { callSeconds: 6780 }, 'call'), `<span class="cc-call">${T} started a call that lasted 1 h 53 min.</span>`);
  assert.equal(envelope({ content: 'Joined the server.', type: 'GuildMemberJoin' }, 'event').text, 'Someone joined the server.');
  // Older bodies name the author without an id: a name without one.
  assert.equal(visibleRefs(envelope({ content: 'Joined the server.', type: 'GuildMemberJoin', author: 'Thomas' }, 'event').text), '⟨|Thomas⟩ joined the server.');
});

test('a body that only looks like an envelope is text; deleted messages show a notice', () => {
  check('{"content": 5}', '{&quot;content&quot;: 5}', '{"content": 5}');
  check('{not json', '{not json', '{not json');
  check('{"content": "x", "pinned": tru', '{&quot;content&quot;: &quot;x&quot;, &quot;pinned&quot;: tru', '{"content": "x", "pinned": tru');
  // The adapter wraps a content starting with `{`; the converter shows it as written.
  assert.deepEqual(envelope({ content: '{"content": "inner", "pinned": true}' }), {
    html: '{&quot;content&quot;: &quot;inner&quot;, &quot;pinned&quot;: true}', text: '{"content": "inner", "pinned": true}',
  });
  assert.deepEqual(render('**x**', 'text', true), { html: DISCORD_DELETED_HTML, text: '' });
});

test('envelopes with the wrong shapes inside are read defensively', () => {
  for (const body of [
    '{"content": "x", "embeds": "no", "reactions": {"a": 1}, "stickers": [1, null, {}], "mentions": [1], "channels": null, "interaction": 5, "forwarded": [], "pinned": "yes"}',
    '{"content": "x", "embeds": [null, 1, {"fields": [null, {"name": 5}]}], "reactions": [{"emoji": 1, "count": "x"}, {"emoji": "👍", "count": -1}]}',
    '{"content": "", "type": 7, "author": {"x": 1}, "callSeconds": "long"}',
  ]) {
    for (const kind of ['text', 'event', 'call']) assertSafe(body, kind);
  }
  assert.equal(render('{"content": "x", "reactions": [{"emoji": "👍", "count": -1}]}').html, 'x');
});

// ---------------------------------------------------------------------------------------------
// Hostile input

const hostile = JSON.parse(readFileSync(new URL('test/fixtures/hostile/skype-bodies.json', root), 'utf8')) as string[];

test('hostile bodies (the shared hostile fixture, as content and inside every envelope field)', () => {
  for (const body of hostile) {
    assertSafe(body);
    const env: DiscordEnvelope = {
      content: body, type: 'GuildMemberJoin', author: body, interaction: { name: body, user: body }, mentions: { 1: body },
      channels: { 2: body }, forwarded: { content: body }, stickers: [body],
      embeds: [{ author: body, title: body, url: body, description: body, fields: [{ name: body, value: body }], footer: body }],
      reactions: [{ emoji: body, count: 1 }], pinned: true,
    };
    for (const kind of ['text', 'event', 'call']) assertSafe(JSON.stringify(env), kind);
    assertSafe(`**${body}** [x](${body}) <${body}> \`${body}\` > ${body}`);
  }
});

test('hostile bodies: specific outcomes', () => {
  assert.equal(render('<script>alert(1)</script>').html, '&lt;script&gt;alert(1)&lt;/script&gt;');
  assert.equal(render('[x](https://ok.example/" onmouseover="alert(1))').html,
    '[x](<a href="https://ok.example/" rel="nofollow noopener">https://ok.example/</a>&quot; onmouseover=&quot;alert(1))');
  assert.equal(render('[x](https://a.example/&quot;onclick=1)').html, '<a href="https://a.example/&amp;quot;onclick=1" rel="nofollow noopener">x</a>');
  assert.equal(render('a\u0000b\u000bc\ufffed\uffff **e\u0001**').text, 'abcd e');
  assert.equal(render('[x](jav\tascript:alert(1))').html, '[x](jav\tascript:alert(1))');
});

const MARKDOWN_SOUP = fc.constantFrom(
  '*', '**', '***', '_', '__', '~~', '||', '`', '``', '```', '```js\n', '\\', '\n', '> ', '>>> ', '# ', '-# ', '- ',
  '[', '](', ')', '](https://e.example/x)', '](javascript:alert(1))', '<@1>', '<#2>', '<@&3>', '<:e:4>', '<t:5:R>',
  '<https://e.example>', 'https://e.example/a_b', '@everyone', '@Bob', '<script>', '"', '&', '\u0000', '\uD800', ' ',
);

test('random markdown soup: never throws, always safe', (t) => {
  assertProperty(t, 
    fc.property(fc.array(fc.oneof(MARKDOWN_SOUP, fc.string({ maxLength: 6 })), { maxLength: 80 }), fc.constantFrom('text', 'event'), (parts, kind) => {
      const body = parts.join('');
      assertSafe(body, kind);
      assertSafe(JSON.stringify({ content: body, mentions: { 1: 'Bob' }, embeds: [{ title: body, description: body }] }), kind);
    }),
    { numRuns: 400 },
  );
  assertProperty(t, 
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), (body) => {
      assertSafe(body);
    }),
    { numRuns: 300 },
  );
});

test('text without markdown characters comes out as itself', (t) => {
  assertProperty(t, 
    fc.property(fc.string({ maxLength: 200 }).filter((s) => !/[*_~|`<[\\@#>\-\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/.test(s)), (body) => {
      assert.equal(render(body).text, body);
    }),
  );
});

test('huge and pathological bodies finish (work linear in the size) and stay safe', () => {
  const cases = [
    '*a'.repeat(100_000),
    '**a'.repeat(70_000),
    '_a '.repeat(70_000),
    '*_~|`'.repeat(40_000),
    '`'.repeat(200_000),
    '```a'.repeat(50_000),
    `[${'a'.repeat(255)}`.repeat(1_000),
    `[a](http://${'x'.repeat(3_000)}`.repeat(100),
    `${'\\'.repeat(100_000)}*`,
    '**__~~||*'.repeat(20_000) + 'x' + '*||~~__**'.repeat(20_000),
    '> a\n'.repeat(50_000),
    '- a\n'.repeat(50_000),
    '<@1'.repeat(100_000),
    '@'.repeat(200_000),
  ];
  for (const body of cases) assertSafe(body);
  // Every kind of delimiter nested in every other, as deep as it goes: the cap holds.
  const kinds = ['**', '__', '~~', '||', '*', '_'];
  let deep = 'x';
  for (let i = 0; i < 60; i++) deep = `${kinds[i % 6]}a ${deep} a${kinds[i % 6]}`;
  const out = assertSafe(deep);
  assert.ok(maxDepth(out.html) <= 8, out.html.slice(0, 300));
  assert.equal(out.text.replace(/[*_~|a ]/g, ''), 'x');
});

test('registered as the "discord" converter', () => {
  assert.deepEqual(renderBody('discord', '**x**', { chat: 'c', kind: 'text', deleted: false }), { html: '<strong>x</strong>', text: 'x' });
});
