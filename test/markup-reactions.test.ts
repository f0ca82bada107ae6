import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { renderBody } from '../collector/markup/index.js';
import { reactionsHtml } from '../collector/markup/reactions.js';
import { ensureSafeFragment, fragmentProblems, isCanonicalFragment, sanitizeFragment } from '../collector/markup/sanitize.js';
import { storedRefs, withoutPeopleLists } from '../collector/store/person-refs.js';
import { AuthorNamer, resolveRefsHtml } from '../site/data/authors.js';

/**
 * The one reaction renderer (collector/markup/reactions.ts) and what the site makes of its chips:
 * emoji and count shown, reactors as person references in the title and accessible name, escaped
 * in the attribute whatever their names hold, and dropped altogether with authors hidden. Then
 * every converter whose format has reactions draws them with it.
 */

const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');

/** [shown, aria-label, title] of every chip, attribute values decoded. */
function chips(html: string): [string, string, string][] {
  return [...html.matchAll(/<span class="cc-reaction" role="img" aria-label="([^"]*)" title="([^"]*)">([^<]*)<\/span>/g)].map((m) => [decode(m[3]), decode(m[1]), decode(m[2])]);
}

function site(stored: string, mode: 'show' | 'pseudonymize' | 'hide'): string {
  const names: Record<string, string> = { 'x:ivo': 'Ivo Brandt', 'x:evil': 'Eve "><img src=x onerror=alert(1)> & Co' };
  // Every other id is Ivo's (the converters' tests name no one else).
  return resolveRefsHtml(new AuthorNamer(mode, 'salt', (id) => names[id] ?? 'Ivo Brandt'), stored);
}

const HOSTILE = 'Eve "><img src=x onerror=alert(1)> & Co';

describe('the reaction renderer', () => {
  test('a chip per emoji: emoji and count shown, label and title the same, one reaction or several', () => {
    const html = reactionsHtml([
      { emoji: '👍', count: 3, reactors: [{ id: 'x:ivo', name: 'Ivo Brandt' }, { id: '', name: 'Oona Vale' }] },
      { emoji: '❤️', reactors: [{ id: 'x:ivo', name: 'Ivo Brandt' }] },
      { emoji: ':partyparrot:', count: 2, reactors: [] },
    ]);
    assert.match(html, /^<span class="cc-reactions"><span class="cc-reaction" /);
    const shown = chips(site(storedRefs(html), 'show'));
    assert.deepEqual(shown, [
      ['👍 3', '👍 3 reactions: \u2068Ivo Brandt\u2069, \u2068Oona Vale\u2069 and 1 more', '👍 3 reactions: \u2068Ivo Brandt\u2069, \u2068Oona Vale\u2069 and 1 more'],
      ['❤️ 1', '❤️ 1 reaction: \u2068Ivo Brandt\u2069', '❤️ 1 reaction: \u2068Ivo Brandt\u2069'],
      [':partyparrot: 2', ':partyparrot: 2 reactions', ':partyparrot: 2 reactions'],
    ]);
  });

  test('counts: fewer than the people named is the people named; none stated is the people, at least one; 0 with no one is no chip; empty emoji is no chip', () => {
    const counts = (r: Parameters<typeof reactionsHtml>[0]) => chips(reactionsHtml(r)).map((c) => c[0]);
    assert.deepEqual(counts([{ emoji: '👍', count: 1, reactors: [{ id: '', name: 'A' }, { id: '', name: 'B' }] }]), ['👍 2']);
    assert.deepEqual(counts([{ emoji: '👍', reactors: [] }]), ['👍 1']);
    assert.deepEqual(counts([{ emoji: '👍', count: 0, reactors: [] }, { emoji: ' ', reactors: [] }, { emoji: '🎉', count: Number.NaN, reactors: [] }]), []);
    assert.equal(reactionsHtml([]), '');
  });

  test('hostile emoji and names stay inside the attribute: escaped once, canonical, no problems for the audit, the same after sanitize-html', () => {
    const html = reactionsHtml([{ emoji: '"><script>x</script>', count: 2, reactors: [{ id: 'x:evil', name: HOSTILE }, { id: '', name: HOSTILE }] }]);
    assert.deepEqual(fragmentProblems(html), []);
    assert.ok(isCanonicalFragment(html), html);
    assert.equal(ensureSafeFragment(html), html);
    // A converter may pass the chips through sanitize-html with foreign HTML: they keep what they say.
    assert.deepEqual(chips(sanitizeFragment(html)), chips(html));
    assert.equal(chips(html).length, 1);
    for (const mode of ['show', 'pseudonymize', 'hide'] as const) {
      const page = site(storedRefs(html), mode);
      assert.deepEqual(fragmentProblems(page.replace(/[\u2068\u2069]/g, '')), [], `${mode}: ${page}`);
      const [[shown, label, title]] = chips(page);
      assert.equal(shown, '"><script>x</script> 2');
      assert.equal(label, title);
      if (mode === 'show') assert.equal(title, `"><script>x</script> 2 reactions: \u2068${HOSTILE}\u2069, \u2068${HOSTILE}\u2069`);
      if (mode === 'pseudonymize') assert.match(title, /^"><script>x<\/script> 2 reactions: \u2068Person [0-9a-f]{4}\u2069, \u2068Person [0-9a-f]{4}\u2069$/);
      if (mode === 'hide') assert.equal(title, '"><script>x</script> 2 reactions');
      if (mode !== 'show') assert.ok(!page.includes('Eve'), page);
    }
  });

  test('sanitize-html keeps a span role only when it is "img"', () => {
    assert.equal(sanitizeFragment('<span class="cc-x" role="button" title="t">a</span>'), '<span class="cc-x" title="t">a</span>');
    assert.deepEqual(fragmentProblems('<span role="button">a</span>'), ['role "button"']);
  });

  test('hidden authors: the list of people is dropped, "and N more" with it; text outside attributes and lists without people are left alone', () => {
    const P = (id: string) => `\uE000${id}\uE002\uE001`;
    assert.equal(withoutPeopleLists(`<span title="👍 3 reactions: ${P('a')}, ${P('b')} and 1 more">👍 3</span>`), '<span title="👍 3 reactions">👍 3</span>');
    assert.equal(withoutPeopleLists(`<span title="Note: ${P('a')}">x</span> said: ${P('b')}, hi`), `<span title="Note">x</span> said: ${P('b')}, hi`);
    assert.equal(withoutPeopleLists('<span title="Time: 10:30">x</span>'), '<span title="Time: 10:30">x</span>');
  });
});

/** One body per converter with reactions: 👍 by Ivo (and one more counted), as each adapter writes it. */
const BODIES: { markup: string; body: string; count: number }[] = [
  { markup: 'slack', body: JSON.stringify({ text: 'hi', reactions: [{ name: '+1', count: 2, users: [{ id: 'U0IVO', name: 'Ivo Brandt' }] }] }), count: 2 },
  { markup: 'discord', body: JSON.stringify({ content: 'hi', reactions: [{ emoji: '👍', count: 2, users: [{ id: '300', name: 'Ivo Brandt' }] }] }), count: 2 },
  { markup: 'telegram', body: JSON.stringify({ text: 'hi', reactions: [{ type: 'emoji', emoji: '👍', count: 2, recent: [{ from: 'Ivo Brandt', from_id: 'user300' }] }] }), count: 2 },
  { markup: 'teams', body: JSON.stringify({ content: '<p>hi</p>', reactions: [{ emoji: '👍', users: [{ id: 'teams:300', name: 'Ivo Brandt' }] }] }), count: 1 },
  { markup: 'google-chat', body: JSON.stringify({ text: 'hi', reactions: [{ emoji: '👍', users: [{ id: 'gchat:ivo@example.org', name: 'Ivo Brandt' }] }] }), count: 1 },
  { markup: 'matrix', body: JSON.stringify({ body: 'hi', reactions: [{ emoji: '👍', users: [{ id: '@ivo:example.org', name: 'Ivo Brandt' }] }] }), count: 1 },
  { markup: 'mattermost', body: JSON.stringify({ message: 'hi', people: { ivo: 'Ivo Brandt' }, reactions: [{ emoji: '+1', users: ['ivo'] }] }), count: 1 },
  { markup: 'meta', body: JSON.stringify({ text: 'hi', reactions: [{ emoji: '👍', by: { id: 'messenger:Ivo Brandt', name: 'Ivo Brandt' } }] }), count: 1 },
];

describe('every converter with reactions draws them with the one renderer', () => {
  for (const { markup, body, count } of BODIES) {
    test(markup, () => {
      const { html, text } = renderBody(markup, body, { chat: 'c', kind: 'text', deleted: false });
      assert.deepEqual(fragmentProblems(html), []);
      assert.equal((html.match(/class="cc-reaction"/g) ?? []).length, 1, html);
      const [[shown, , title]] = chips(site(storedRefs(html), 'show'));
      assert.equal(shown, `👍 ${count}`);
      assert.match(title, new RegExp(`^👍 ${count} reactions?: \u2068Ivo Brandt\u2069${count > 1 ? ' and 1 more' : ''}$`));
      assert.ok(!html.includes('cc-reactors'), 'no reactor names in visible text');
      assert.ok(!text.includes('Ivo'), 'reactions are not searched');
      const [[, , hidden]] = chips(site(storedRefs(html), 'hide'));
      assert.equal(hidden, `👍 ${count} ${count > 1 ? 'reactions' : 'reaction'}`);
    });
  }
});
