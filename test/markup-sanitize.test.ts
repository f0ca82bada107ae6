import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { decodeEntities, escapeHtml, hasInvalidXml, linesToHtml, safeHref, stripInvalidXml, textToHtml } from '../collector/markup/html.js';
import { ensureSafeFragment, fragmentProblems, isCanonicalFragment, sanitizeFragment } from '../collector/markup/sanitize.js';
import { assertProperty } from './helpers/seeds.js';

const root = new URL('../../', import.meta.url);
const hostile = JSON.parse(readFileSync(new URL('test/fixtures/hostile/skype-bodies.json', root), 'utf8')) as string[];

/** An event-handler attribute in some tag (attribute values, which may quote anything, are skipped). */
function hasHandler(html: string): boolean {
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) if (/\son[a-z]+\s*=/i.test(tag.replace(/"[^"]*"|'[^']*'/g, '""'))) return true;
  return false;
}

const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function assertClean(input: string, output: string): void {
  const where = `${JSON.stringify(input.slice(0, 200))} → ${JSON.stringify(output.slice(0, 300))}`;
  assert.deepEqual(fragmentProblems(output), [], where);
  assert.doesNotMatch(output, /<script/i, where);
  assert.ok(!hasHandler(output), where);
  assert.doesNotMatch(output, /<[^>]*\shref\s*=\s*["']?\s*(?:javascript|data|vbscript):/i, where);
  assert.doesNotMatch(output, CONTROL, where);
}

test('sanitizeFragment keeps the allow-list', () => {
  const kept = '<b>b</b><strong>s</strong><i>i</i><em>e</em><s>s</s><del>d</del><pre>p</pre><code>c</code><br>' +
    '<span class="cc-mention">@x</span><blockquote class="cc-quote"><cite>A</cite>q</blockquote><p>p</p><ul><li>a</li></ul><ol><li>b</li></ol>';
  assert.equal(sanitizeFragment(kept), kept);
  assert.equal(sanitizeFragment('<a href="https://x.example/?a=1&amp;b=2" title="t">x</a>'), '<a href="https://x.example/?a=1&amp;b=2" title="t" rel="nofollow noopener">x</a>');
  assert.equal(sanitizeFragment('<a href="mailto:a@b.example">m</a>'), '<a href="mailto:a@b.example" rel="nofollow noopener">m</a>');
});

test('sanitizeFragment drops everything else', () => {
  assert.equal(sanitizeFragment('<script>alert(1)</script>x'), 'x');
  assert.equal(sanitizeFragment('<img src=x onerror=alert(1)>'), '');
  assert.equal(sanitizeFragment('<a href="javascript:alert(1)" onclick="x" target="_blank" rel="opener">x</a>'), 'x');
  assert.equal(sanitizeFragment('<a href="jav&#x09;ascript:alert(1)">x</a>'), 'x');
  assert.equal(sanitizeFragment('<a href="data:text/html,x">x</a>'), 'x');
  assert.equal(sanitizeFragment('<a href="//evil.example/"><b>x</b></a>'), '<b>x</b>');
  assert.equal(sanitizeFragment('<a>plain</a>'), 'plain');
  assert.equal(sanitizeFragment('<a href=<b>x</a>'), 'x');
  assert.equal(sanitizeFragment('<a href="../admin">rel</a><a href="?q=1">q</a>'), 'relq');
  assert.equal(sanitizeFragment('<span class="cc-ok evil" style="color:red">x</span>'), '<span class="cc-ok">x</span>');
  assert.equal(sanitizeFragment('<blockquote class="evil">q</blockquote>'), '<blockquote>q</blockquote>');
  assert.equal(sanitizeFragment('<svg onload=alert(1)><circle/></svg>ok'), 'ok');
  assert.equal(sanitizeFragment('<iframe src="https://x/"></iframe><style>*{}</style><math><mi>x</mi></math>ok'), 'ok');
  assert.equal(sanitizeFragment('a\u0000b&#1;c\u000b\ufffe'), 'abc');
  assert.equal(sanitizeFragment('<div><u>under</u></div>'), 'under');
});

test('sanitizeFragment neutralizes every hostile fixture body', () => {
  for (const body of hostile) assertClean(body, sanitizeFragment(body));
});

test('sanitizeFragment survives deep nesting and huge input', () => {
  const nested = sanitizeFragment(`${'<b>'.repeat(10_000)}deep${'</b>'.repeat(10_000)}`);
  assertClean('nested', nested);
  assert.ok(nested.includes('deep'));
  assertClean('big', sanitizeFragment('<b>x</b> <img src=x onerror=alert(1)> &amp; '.repeat(20_000)));
});

test('isCanonicalFragment accepts exactly what converters write', () => {
  for (const html of [
    '', 'plain &amp; &lt;b&gt; &quot;q&quot; &#39;', '<b>x</b><i>y</i><s>z</s><pre>p</pre><br>',
    '<a href="https://x.example/?a=1&amp;b=2" rel="nofollow noopener">x</a>', '<a href="mailto:a@b.example" rel="nofollow noopener">m</a>',
    '<span class="cc-call">📞 Call</span>', '<blockquote class="cc-quote"><cite>A</cite>q</blockquote>', '<ul><li>a</li></ul>',
  ]) {
    assert.equal(isCanonicalFragment(html), true, html);
    assert.deepEqual(fragmentProblems(html), [], html);
    assert.equal(ensureSafeFragment(html), html);
  }
  for (const html of [
    '<a href="javascript:alert(1)" rel="nofollow noopener">x</a>', '<a href="https://x/">x</a>', '<a href="https://x/&#10;" rel="nofollow noopener">x</a>',
    '<a href="https://x/&quot; onclick=&quot;x" rel="nofollow noopener">x</a>', '<img src=x>', '<b onclick="x">', '<span class="x">',
    '<span class="cc-x" id="y">', 'a < b', 'a > b', '&nbsp;', '&', '<B>x</B>', 'x\u0000', 'x\ud800', '<script>', '<!-- -->', '<br/>',
  ]) {
    assert.equal(isCanonicalFragment(html), false, html);
    assertClean(html, ensureSafeFragment(html));
  }
});

test('fragmentProblems finds what is wrong', () => {
  assert.deepEqual(fragmentProblems('<b>ok</b>'), []);
  assert.ok(fragmentProblems('<script>x</script>').length);
  assert.ok(fragmentProblems('<img src=x>').length);
  assert.ok(fragmentProblems('<b onclick="x">').length);
  assert.ok(fragmentProblems('<a href="javascript:x">').length);
  assert.ok(fragmentProblems('<a href="jav&#x09;ascript:x">').length);
  assert.ok(fragmentProblems('<a href=" data:x">').length);
  assert.ok(fragmentProblems('<span class="evil">').length);
  assert.ok(fragmentProblems('a\u0000').length);
  assert.ok(fragmentProblems('<!-- x -->').length);
  assert.ok(fragmentProblems('1 < 2 <x').length);
});

test('html helpers: escaping, decoding, URLs, control characters', () => {
  assert.equal(escapeHtml(`<a href="x">'&'</a>`), '&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  assert.equal(escapeHtml('plain'), 'plain');
  assert.equal(decodeEntities('&lt;&gt;&amp;&quot;&apos;&#65;&#x42;&#X43;&nbsp;&bogus;&#;&#xZZ;&amp'), '<>&"\'ABC\u00a0&bogus;&#;&#xZZ;&amp');
  assert.equal(decodeEntities('&#0;&#1;&#11;&#xD800;&#xDFFF;&#xFFFE;&#x110000;&#99999999;x'), 'x');
  assert.equal(decodeEntities('&#9;&#10;&#13;&#x1F600;'), '\t\n\r😀');
  assert.equal(safeHref('https://x.example/a b'), 'https://x.example/a b');
  assert.equal(safeHref('  HTTPS://x.example/\n'), 'HTTPS://x.example/');
  assert.equal(safeHref('ht\ttps://x.example/'), 'https://x.example/');
  for (const bad of ['javascript:alert(1)', 'jav\tascript:x', ' javascript:x', '\u0001javascript:x', 'data:text/html,x', 'vbscript:x', '//x.example/', 'ftp://x', 'https:', 'http://', 'https://x/\u0000y', '/relative', '']) {
    assert.equal(safeHref(bad), null, bad);
  }
  assert.equal(stripInvalidXml('a\u0000\u0008\u000b\u000c\u001f\ufffe\uffffb\t\n\r😀\ud800\udc00x\udc00'), 'ab\t\n\r😀\ud800\udc00x');
  assert.equal(textToHtml('go to https://x.example/a.'), 'go to <a href="https://x.example/a" rel="nofollow noopener">https://x.example/a</a>.');
  assert.equal(linesToHtml('a\nb\r\nc\rd'), 'a<br>b<br>c<br>d');
});

test('property: sanitizeFragment output is always clean', (t) => {
  const soup = fc.constantFrom('<b>', '</b>', '<a href="javascript:x">', '<a href="https://x/">', '</a>', '<img src=x onerror=y>', '<svg>',
    '<script>', '</script>', '<style>', '<math>', '<!--', '-->', '<', '>', '&', '&#0;', '&#x09;', '"', "'", '=', 'on', 'href', ' ', '\u0000', '\ud800');
  assertProperty(t, 
    fc.property(fc.array(fc.oneof(soup, fc.string({ unit: 'binary', maxLength: 6 })), { maxLength: 40 }), (parts) => {
      const input = parts.join('');
      assertClean(input, sanitizeFragment(input));
      assertClean(input, ensureSafeFragment(input));
    }),
    { numRuns: 300 },
  );
});

test('property: canonical fragments pass the independent audit', (t) => {
  const piece = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 10 }).map((s) => escapeHtml(stripInvalidXml(s))),
    fc.constantFrom('<b>', '</b>', '<br>', '<span class="cc-x">', '</span>', '</a>'),
    fc.webUrl().map((url) => `<a href="${escapeHtml(url)}" rel="nofollow noopener">`),
  );
  assertProperty(t, 
    fc.property(fc.array(piece, { maxLength: 20 }), (parts) => {
      const html = parts.join('');
      if (isCanonicalFragment(html)) assert.deepEqual(fragmentProblems(html), [], html);
    }),
    { numRuns: 300 },
  );
});

// XML 1.0's Char production (https://www.w3.org/TR/xml/#charsets), by code point: the test's own
// statement of the rule, not the product's regular expressions. A lone surrogate half iterates as
// its own code point (U+D800–U+DFFF), which is not a Char.
const xmlChar = (cp: number): boolean =>
  cp === 0x9 || cp === 0xa || cp === 0xd || (cp >= 0x20 && cp <= 0xd7ff) || (cp >= 0xe000 && cp <= 0xfffd) || (cp >= 0x10000 && cp <= 0x10ffff);

// hasInvalidXml is stripInvalidXml's (and renderBody's) pre-check: it answers true exactly when
// the text holds a character XML forbids, whatever mix of controls, emoji and lone surrogate halves.
test('property: hasInvalidXml is true exactly when stripInvalidXml removes something', (t) => {
  const piece = fc.oneof(
    fc.constantFrom('a', 'é', ' ', '\t', '\n', '\r', '\0', '\x08', '\x0B', '\x1F', '\uFFFE', '\uFFFF', '\uFFFD', '😀', '\uD83D', '\uDE00', '\uD800', '\uDFFF'),
    fc.string({ unit: 'binary', maxLength: 4 }),
  );
  assertProperty(
    t,
    fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
      const text = parts.join('');
      assert.equal(hasInvalidXml(text), [...text].some((ch) => !xmlChar(ch.codePointAt(0)!)), JSON.stringify(text));
      assert.equal(hasInvalidXml(stripInvalidXml(text)), false);
    }),
    { numRuns: 500 },
  );
});
