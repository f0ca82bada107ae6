import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { whatsapp } from '../collector/markup/whatsapp.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import type { MarkupContext } from '../collector/markup/types.js';
import { shownRefs, visibleRefs } from './helpers/person-refs.js';

const root = new URL('../../', import.meta.url);
const ctx = (kind = 'text', deleted = false): MarkupContext => ({ chat: 'whatsapp:Test', kind, deleted });
const html = (body: string, kind = 'text') => whatsapp(body, ctx(kind)).html;
const text = (body: string, kind = 'text') => whatsapp(body, ctx(kind)).text;

test('inline formatting: bold, italic, strike, monospace, code, at word boundaries', () => {
  assert.equal(html('*bold* _italic_ ~strike~'), '<b>bold</b> <i>italic</i> <s>strike</s>');
  assert.equal(text('*bold* _italic_ ~strike~'), 'bold italic strike');
  assert.equal(html('*_both_*'), '<b><i>both</i></b>');
  assert.equal(html('a ```x *not bold* y``` b'), 'a <code>x *not bold* y</code> b');
  assert.equal(html('```\nline 1\n  line 2\n```'), '<pre>\nline 1\n  line 2\n</pre>');
  assert.equal(html('use `npm i` now'), 'use <code>npm i</code> now');
  assert.equal(html('2*3*4 = 24'), '2*3*4 = 24', 'markers inside words are text');
  assert.equal(html('snake_case_name'), 'snake_case_name');
  assert.equal(html('* not bold *'), '<ul><li>not bold *</li></ul>', 'a star and a space start a bullet');
  assert.equal(html('*not closed'), '*not closed');
  assert.equal(html('**'), '**');
  assert.equal(html('__init__ and **not bold** and __pwned(1) x__'), '__init__ and **not bold** and __pwned(1) x__', 'doubled markers are text');
  assert.equal(html('(*bold*), "_it_"!'), '(<b>bold</b>), &quot;<i>it</i>&quot;!');
  assert.equal(html('*first\nsecond*'), '*first<br>second*', 'no span across lines');
  assert.equal(html('¡*Olé*!'), '¡<b>Olé</b>!');
  assert.equal(html('straße*x*'), 'straße*x*', 'letters beyond ASCII are word characters');
});

test('links: bare URLs, underscores and trailing markers stay outside the formatting', () => {
  assert.equal(
    html('see https://example.com/a_b_c?x=1&y=2.'),
    'see <a href="https://example.com/a_b_c?x=1&amp;y=2" rel="nofollow noopener">https://example.com/a_b_c?x=1&amp;y=2</a>.',
  );
  assert.equal(html('*https://example.com*'), '<b><a href="https://example.com" rel="nofollow noopener">https://example.com</a></b>');
  assert.equal(html('javascript:alert(1)'), 'javascript:alert(1)');
  assert.equal(html('`https://example.com`'), '<code>https://example.com</code>');
});

test('blocks: quotes, bullets, numbered lists, line breaks', () => {
  assert.equal(html('> quoted\n> more\nreply'), '<blockquote class="cc-quote">quoted<br>more</blockquote>reply');
  assert.equal(html('list:\n- one\n- *two*\n1. first\n2. second'), 'list:<ul><li>one</li><li><b>two</b></li></ul><ol><li>first</li><li>second</li></ol>');
  assert.equal(text('list:\n- one\n- two'), 'list:\none\ntwo');
  assert.equal(html('a\nb\n\nc'), 'a<br>b<br><br>c');
  assert.equal(html('>not a quote'), '&gt;not a quote');
});

test('system lines: the people they name are references with the ids of their own messages', () => {
  const cases: [string, string][] = [
    ['Loris created group “Trip”', '⟨whatsapp:Loris|Loris⟩ created group “Trip”'],
    ['Loris changed the subject from "A" to "B"', '⟨whatsapp:Loris|Loris⟩ changed the subject from "A" to "B"'],
    ["Loris changed this group's icon", "⟨whatsapp:Loris|Loris⟩ changed this group's icon"],
    ['Loris deleted this group’s icon', '⟨whatsapp:Loris|Loris⟩ deleted this group’s icon'],
    ['Ann joined using this group’s invite link', '⟨whatsapp:Ann|Ann⟩ joined using this group’s invite link'],
    ['Loris created this group', '⟨whatsapp:Loris|Loris⟩ created this group'],
    ['Loris added John', '⟨whatsapp:Loris|Loris⟩ added ⟨whatsapp:John|John⟩'],
    ['Loris added John, Emily and Ben', '⟨whatsapp:Loris|Loris⟩ added ⟨whatsapp:John|John⟩, ⟨whatsapp:Emily|Emily⟩ and ⟨whatsapp:Ben|Ben⟩'],
    ['Loris removed you', '⟨whatsapp:Loris|Loris⟩ removed you'],
    ['You added Ben', 'You added ⟨whatsapp:Ben|Ben⟩'],
    ['Anna added \u202a+49 170 1234567\u202c', '⟨whatsapp:Anna|Anna⟩ added ⟨whatsapp:+49 170 1234567|+49 170 1234567⟩'],
    ['Ben left', '⟨whatsapp:Ben|Ben⟩ left'],
    ['Ben changed their phone number to a new number. Tap to message or add the new number.', '⟨whatsapp:Ben|Ben⟩ changed their phone number to a new number. Tap to message or add the new number.'],
    ['+1 555 0100 changed to +1 555 0199', '⟨whatsapp:+1 555 0100|+1 555 0100⟩ changed to ⟨whatsapp:+1 555 0199|+1 555 0199⟩'],
    ['You were added', 'You were added'],
    ['Messages and calls are end-to-end encrypted. No one outside of this chat can read them.', 'Messages and calls are end-to-end encrypted. No one outside of this chat can read them.'],
    ['Loris hat Emily hinzugefügt', 'Loris hat Emily hinzugefügt'],
  ];
  for (const [line, expected] of cases) {
    const out = whatsapp(line, ctx('event'));
    assert.equal(visibleRefs(out.text), expected, line);
    assert.equal(visibleRefs(out.html), expected.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/'/g, '&#39;'), line);
    assert.deepEqual(fragmentProblems(out.html), [], line);
  }
  assert.equal(visibleRefs(html('<b>Eve</b> left', 'event')), '⟨whatsapp:&lt;b&gt;Eve&lt;/b&gt;|&lt;b&gt;Eve&lt;/b&gt;⟩ left');
  assert.equal(html('See https://x.org', 'event'), 'See <a href="https://x.org" rel="nofollow noopener">https://x.org</a>', 'links still linked');
});

test('special messages: deleted, system lines, polls, media markers with captions, omitted media', () => {
  assert.deepEqual(whatsapp('This message was deleted', ctx('text', true)), { html: '<span class="cc-deleted">This message was deleted</span>', text: '' });
  assert.equal(shownRefs(html('Loris changed the subject to "*Plans*"', 'event')), 'Loris changed the subject to &quot;*Plans*&quot;', 'system lines are not formatted');
  const poll = whatsapp('POLL:\nWhen can we *meet*?\nOPTION: Thursday (2 votes)\nOPTION: Friday (1 vote)\nOPTION: <Never>', ctx('poll'));
  assert.equal(poll.html, '<p><b>When can we <b>meet</b>?</b></p><ul><li>Thursday <span class="cc-votes">(2 votes)</span></li><li>Friday <span class="cc-votes">(1 vote)</span></li><li>&lt;Never&gt;</li></ul>');
  assert.equal(poll.text, 'When can we meet?\nThursday (2 votes)\nFriday (1 vote)\n<Never>');
  assert.deepEqual(whatsapp('<attached: 00000001-PHOTO.jpg>', ctx('media')), { html: '', text: '' }, 'the site shows the file');
  assert.deepEqual(whatsapp('IMG-1.jpg (file attached)\nour *dog*', ctx('media')), { html: 'our <b>dog</b>', text: 'our dog' });
  // The note is shown; the text is the caption alone, as with the file (collector/store/merge.ts).
  assert.deepEqual(whatsapp('<Media omitted>', ctx('media')), { html: '<i>Media omitted</i>', text: '' });
  assert.deepEqual(whatsapp('\u200eimage omitted', ctx('media')), { html: '<i>image omitted</i>', text: '' });
  assert.deepEqual(whatsapp('<Media omitted>\nour *dog*', ctx('media')), { html: '<i>Media omitted</i><br>our <b>dog</b>', text: 'our dog' });
  assert.equal(whatsapp('<Media omitted>\nour *dog*', ctx('media')).text, whatsapp('IMG-1.jpg (file attached)\nour *dog*', ctx('media')).text);
  assert.equal(html('<attached: x.jpg>', 'text'), '&lt;attached: x.jpg&gt;', 'as text when the adapter said text');
});

test('hostile bodies: every output is inside the allow-list, and long marker runs stay fast enough to finish', () => {
  const hostile = JSON.parse(readFileSync(new URL('test/fixtures/hostile/skype-bodies.json', root), 'utf8')) as string[];
  const extra = [
    '<script>alert(1)</script>', '*<img src=x onerror=alert(1)>*', '```</pre><script>x</script>```', '`<b>`',
    'https://x.org/"onmouseover="alert(1)', '> <iframe>', '- <a href="javascript:alert(1)">x</a>', '\u0000\u0001*x*\ud800',
    'POLL:\n<script>\nOPTION: <img onerror=x> (1 vote)',
  ];
  for (const body of [...hostile, ...extra]) {
    for (const kind of ['text', 'event', 'poll', 'media', 'file']) {
      for (const deleted of [false, true]) {
        const out = whatsapp(body, ctx(kind, deleted));
        assert.deepEqual(fragmentProblems(out.html), [], `${kind} ${JSON.stringify(body).slice(0, 80)} → ${out.html.slice(0, 120)}`);
      }
    }
  }
  // Quadratic behaviour would take minutes here; n log n takes milliseconds.
  for (const body of ['*a '.repeat(40_000), '_'.repeat(100_000), '*a* '.repeat(30_000), '```'.repeat(30_000), '`'.repeat(100_000), 'https://x.org/ '.repeat(20_000)]) {
    const out = whatsapp(body, ctx());
    assert.deepEqual(fragmentProblems(out.html), []);
  }
});
