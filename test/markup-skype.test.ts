import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { renderBody } from '../collector/markup/index.js';
import { linesToHtml } from '../collector/markup/html.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { DELETED_HTML, formatBytes, skype } from '../collector/markup/skype/index.js';
import { formatDuration } from '../collector/markup/duration.js';
import { SKYPE_EMOTICONS } from '../collector/markup/skype/emoticons.js';
import type { RenderedBody } from '../collector/markup/types.js';
import { assertProperty } from './helpers/seeds.js';
import { visibleRefs } from './helpers/person-refs.js';
import { needsFile } from './helpers/requires.js';

const root = new URL('../../', import.meta.url); // dist/test/ → the repository
const shared = new URL('../shared/fixtures/', root);

function render(body: string, kind = 'text', deleted = false): RenderedBody {
  return skype(body, { chat: '19:test@thread.skype', kind, deleted });
}

/** html and text of a body, checked against the allow-list on the way. */
function check(body: string, html: string, text: string, kind = 'text'): void {
  const out = render(body, kind);
  assert.deepEqual(fragmentProblems(out.html), [], `unsafe html for ${JSON.stringify(body)}: ${out.html}`);
  assert.deepEqual({ html: visibleRefs(out.html), text: visibleRefs(out.text) }, { html, text }, JSON.stringify(body));
}

/** An event-handler attribute in some tag (attribute values, which may quote anything, are skipped). */
function hasHandler(html: string): boolean {
  for (const [tag] of html.matchAll(/<[a-z][^>]*>/gi)) if (/\son[a-z]+\s*=/i.test(tag.replace(/"[^"]*"|'[^']*'/g, '""'))) return true;
  return false;
}

const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** What every output must satisfy, whatever the input. */
function assertSafe(body: string, kind: string): void {
  let out: RenderedBody;
  try {
    out = render(body, kind);
  } catch (err) {
    assert.fail(`threw on ${JSON.stringify(body.slice(0, 200))}: ${(err as Error).stack}`);
  }
  const where = `${kind}: ${JSON.stringify(body.slice(0, 200))} → ${JSON.stringify(out.html.slice(0, 300))}`;
  assert.equal(typeof out.html, 'string');
  assert.equal(typeof out.text, 'string');
  assert.deepEqual(fragmentProblems(out.html), [], where);
  assert.doesNotMatch(out.html, /<script/i, where);
  assert.ok(!hasHandler(out.html), where);
  // In a tag: the text "href=javascript:" shown as text is harmless.
  assert.doesNotMatch(out.html, /<[^>]*\shref\s*=\s*["']?\s*(?:javascript|data|vbscript):/i, where);
  assert.doesNotMatch(out.html, /<img|url_thumbnail|\]\]>/i, where);
  assert.doesNotMatch(out.html, CONTROL, where);
  assert.doesNotMatch(out.text, CONTROL, where);
  // The text holds no markup: every `<` in it is one the HTML shows as a character.
  const ltInText = out.text.split('<').length - 1;
  const ltShown = out.html.split('&lt;').length - 1;
  assert.ok(ltInText <= ltShown, `text carries markup: ${where} / ${JSON.stringify(out.text.slice(0, 300))}`);
}

const KINDS = ['text', 'emote', 'event', 'call', 'media', 'file', 'poll', 'notice', 'sms', 'contact'];

// ---------------------------------------------------------------------------------------------
// Text

test('plain text: escaped, line breaks, bare URLs linked (the fast path)', () => {
  check('hello world', 'hello world', 'hello world');
  check('a "quote" & \'b\'\nnext line\r\nthird', 'a &quot;quote&quot; &amp; &#39;b&#39;<br>next line<br>third', 'a "quote" & \'b\'\nnext line\r\nthird');
  check('see https://example.com/a?b=1, ok', 'see <a href="https://example.com/a?b=1" rel="nofollow noopener">https://example.com/a?b=1</a>, ok', 'see https://example.com/a?b=1, ok');
  // Without `<` and `&` the result is exactly escaping + linking.
  const body = 'x > y, see http://a.example/p. Done';
  assert.deepEqual(render(body), { html: linesToHtml(body), text: body });
});

test('entities are decoded for the text and escaped again for the HTML', () => {
  check('I&apos;m here &amp; &quot;there&quot;', 'I&#39;m here &amp; &quot;there&quot;', 'I\'m here & "there"');
  check('&lt;b&gt;not bold&lt;/b&gt; &#39;&#x1F600;&#128512; &nbsp;&hellip; &unknown; &amp', '&lt;b&gt;not bold&lt;/b&gt; &#39;😀😀 \u00a0… &amp;unknown; &amp;amp', '<b>not bold</b> \'😀😀 \u00a0… &unknown; &amp');
  check('Hi <b>x</b> &lt;3', 'Hi <b>x</b> &lt;3', 'Hi x <3');
  // The real main.db bodies.
  check('Hi European Competitor, I&apos;d like to add you as a contact. Gen Beringer', 'Hi European Competitor, I&#39;d like to add you as a contact. Gen Beringer', 'Hi European Competitor, I\'d like to add you as a contact. Gen Beringer');
});

test('bold, italic, strike and pre; raw_pre/raw_post attributes are dropped', () => {
  check('Okay now <b raw_pre="*" raw_post="*">I</b> will', 'Okay now <b>I</b> will', 'Okay now I will');
  check('<i raw_pre="_" raw_post="_">it</i> <s raw_pre="~" raw_post="~">gone</s>', '<i>it</i> <s>gone</s>', 'it gone');
  check('<pre raw_pre="{code}" raw_post="{code}">if (a &lt; b)\n  go();</pre>after', '<pre>if (a &lt; b)\n  go();</pre>after', 'if (a < b)\n  go();after');
  check('<b>bold <i>both</i></b>', '<b>bold <i>both</i></b>', 'bold both');
});

test('links: http, https and mailto only, always rel="nofollow noopener", never nested', () => {
  check('<a href="https://www.dropbox.com/s/3t95y5d8j64azsj/Recipes.docx">https://www.dropbox.com/s/3t95y5d8j64azsj/Recipes.docx</a>',
    '<a href="https://www.dropbox.com/s/3t95y5d8j64azsj/Recipes.docx" rel="nofollow noopener">https://www.dropbox.com/s/3t95y5d8j64azsj/Recipes.docx</a>',
    'https://www.dropbox.com/s/3t95y5d8j64azsj/Recipes.docx');
  check('<a href="https://x.example/?a=1&amp;b=2" target="_blank" rel="opener">x</a>', '<a href="https://x.example/?a=1&amp;b=2" rel="nofollow noopener">x</a>', 'x');
  check('<a href="mailto:bob@example.com">mail</a>', '<a href="mailto:bob@example.com" rel="nofollow noopener">mail</a>', 'mail');
  check('<a href="ftp://x.example/">ftp</a> <a href="javascript:alert(1)">js</a> <a>none</a>', 'ftp js none', 'ftp js none');
  check('<a href="https://a.example/"><a href="https://b.example/">inner</a></a>', '<a href="https://a.example/" rel="nofollow noopener">inner</a>', 'inner');
  check('<a href="https://e.example/"></a>', '<a href="https://e.example/" rel="nofollow noopener">https://e.example/</a>', 'https://e.example/');
});

test('emoticons become emoji; unknown ids keep their text; flags', () => {
  check('<ss type="smile">:)</ss> <ss type="heart">(heart)</ss> <ss type="like">(y)</ss>', '🙂 ❤️ 👍', '🙂 ❤️ 👍');
  check('<ss type="skypeunknown">(what)</ss>', '(what)', '(what)');
  check('<ss type="Laugh">:D</ss><ss type="smile"/>', '😃🙂', '😃🙂');
  check('<ss type="constructor">x</ss>', 'x', 'x');
  check('<flag country="gb">(flag:gb)</flag> <flag country="zzz">(flag:zzz)</flag>', '🇬🇧 (flag:zzz)', '🇬🇧 (flag:zzz)');
  assert.ok(SKYPE_EMOTICONS.size >= 60);
  for (const id of ['smile', 'sad', 'laugh', 'wink', 'cool', 'heart', 'like', 'yes', 'no', 'cry', 'kiss', 'surprised',
    'tongueout', 'angry', 'wasntme', 'facepalm', 'party', 'cake', 'coffee', 'beer']) {
    assert.ok(SKYPE_EMOTICONS.get(id), id);
  }
});

test('mentions', () => {
  check('Hi <at id="8:bob">Bob</at>!', 'Hi <span class="cc-mention">@⟨8:bob|Bob⟩</span>!', 'Hi @⟨8:bob|Bob⟩!');
  check('<at id="8:live:bob"></at> <at id="8:x">@Xavier</at>', '<span class="cc-mention">@⟨8:live:bob|live:bob⟩</span> <span class="cc-mention">@⟨8:x|Xavier⟩</span>', '@⟨8:live:bob|live:bob⟩ @⟨8:x|Xavier⟩');
});

test('quotes: a blockquote with a cite, legacy parts dropped', () => {
  check('<quote author="8:bob" authorname="Bob" timestamp="1630000000" conversation="19:x@thread.skype" messageid="1630000000000"><legacyquote>[30/08/2021 12:00:00] Bob: </legacyquote>quoted text<legacyquote>\n\n&lt;&lt;&lt; </legacyquote></quote>My reply',
    '<blockquote class="cc-quote"><cite>⟨8:bob|Bob⟩</cite>quoted text</blockquote>My reply', '> ⟨8:bob|Bob⟩: quoted text\nMy reply');
  check('<quote author="8:live:ann">a\nb</quote>\nreply', '<blockquote class="cc-quote"><cite>⟨8:live:ann|live:ann⟩</cite>a<br>b</blockquote>reply', '> ⟨8:live:ann|live:ann⟩: a\n> b\nreply');
  check('before<quote authorname="A"><quote authorname="B">inner</quote>outer</quote>', 'before<blockquote class="cc-quote"><cite>⟨|A⟩</cite><blockquote class="cc-quote"><cite>⟨|B⟩</cite>inner</blockquote>outer</blockquote>', 'before\n> ⟨|A⟩: > ⟨|B⟩: inner\n> outer');
});

test('edit markers are dropped; deleted messages show a notice and no text', () => {
  check('Fixed the typo<e_m ts="1630000000" ts_ms="1630000000123" a="live:bob" t="61"/>', 'Fixed the typo', 'Fixed the typo');
  check('a <e_m ts="1" a="x" t="61"/> b', 'a  b', 'a  b');
  assert.deepEqual(render('<b>whatever</b>', 'text', true), { html: '<span class="cc-deleted">This message has been removed.</span>', text: '' });
  assert.equal(render('', 'text', true).html, DELETED_HTML);
});

test('unknown tags are dropped with their text kept; dangerous ones with their content', () => {
  check('<font color="red">red</font> <u>under</u> <div>block</div>', 'red under block', 'red under block');
  check('a<script>alert(1)</script>b<style>*{}</style>c', 'abc', 'abc');
  check('x <3 y < z', 'x &lt;3 y &lt; z', 'x <3 y < z');
  check('cut <b>off', 'cut <b>off</b>', 'cut off');
  check('cut <b off="', 'cut', 'cut');
});

test('<img> (only in hand-edited exports) becomes a link, never an image', () => {
  check('Check out this amazing view! <img src="https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png" alt="image"/>',
    'Check out this amazing view! <a href="https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png" rel="nofollow noopener">🖼 image</a>',
    'Check out this amazing view! https://upload.wikimedia.org/wikipedia/commons/4/47/PNG_transparency_demonstration_1.png');
  check('<img src="https://x.example/a/cat%20pic.jpg?s=1">', '<a href="https://x.example/a/cat%20pic.jpg?s=1" rel="nofollow noopener">🖼 cat pic.jpg</a>', 'https://x.example/a/cat%20pic.jpg?s=1');
  check('<img src="data:image/png;base64,AAAA" alt="dot">', 'dot', 'dot');
});

// ---------------------------------------------------------------------------------------------
// Whole-message structures

test('calls', () => {
  const ended = '<partlist type="ended" alt=""><part identity="live:a"><name>A</name><duration>65</duration></part><part identity="8:b"><name>B</name><duration>64</duration></part></partlist>';
  check(ended, '<span class="cc-call">📞 Call ended · 1 min 5 s · ⟨8:live:a|A⟩, ⟨8:b|B⟩</span>', '📞 Call ended · 1 min 5 s · ⟨8:live:a|A⟩, ⟨8:b|B⟩', 'call');
  check('<partlist type="started" alt=""><part identity="live:a"><name>A</name></part></partlist>', '<span class="cc-call">📞 Call started</span>', '📞 Call started', 'call');
  check('<partlist type="missed" alt=""><part identity="live:a"><name>A</name></part></partlist>', '<span class="cc-call">📞 Missed call</span>', '📞 Missed call', 'call');
  check('<ended/><partlist alt="" callId="x"><part identity="8:a"><name>A</name><duration>3700</duration></part><part identity="8:c"></part></partlist>',
    '<span class="cc-call">📞 Call ended · 1 h 1 min · ⟨8:a|A⟩, ⟨8:c|c⟩</span>', '📞 Call ended · 1 h 1 min · ⟨8:a|A⟩, ⟨8:c|c⟩', 'call');
  check('<partlist alt=""><part identity="bob"><name>Bob</name></part></partlist>', '<span class="cc-call">📞 Call · ⟨8:bob|Bob⟩</span>', '📞 Call · ⟨8:bob|Bob⟩', 'call');
  assert.equal(formatDuration(5), '5 s');
  assert.equal(formatDuration(120), '2 min');
  assert.equal(formatDuration(7200), '2 h');
});

test('thread activity, with display names where the markup has them', () => {
  check('<addmember><eventtime>1630000000000</eventtime><initiator>8:alice</initiator><target>8:bob</target></addmember>',
    '<span class="cc-event">⟨8:alice|alice⟩ added ⟨8:bob|bob⟩</span>', '⟨8:alice|alice⟩ added ⟨8:bob|bob⟩', 'event');
  check('<addmember><eventtime>1</eventtime><initiator>8:a</initiator><target>8:b</target><target>8:live:c</target><detailedtargetinfo><id>8:b</id><friendlyName>Bob</friendlyName></detailedtargetinfo><detailedinitiatorinfo><friendlyName>Ann</friendlyName></detailedinitiatorinfo></addmember>',
    '<span class="cc-event">⟨8:a|Ann⟩ added ⟨8:b|Bob⟩ and ⟨8:live:c|live:c⟩</span>', '⟨8:a|Ann⟩ added ⟨8:b|Bob⟩ and ⟨8:live:c|live:c⟩', 'event');
  check('<addmember><eventtime>1</eventtime><initiator>8:a</initiator><target>8:a</target></addmember>', '<span class="cc-event">⟨8:a|a⟩ joined</span>', '⟨8:a|a⟩ joined', 'event');
  check('<deletemember><eventtime>1</eventtime><initiator>8:a</initiator><target>8:a</target></deletemember>', '<span class="cc-event">⟨8:a|a⟩ left</span>', '⟨8:a|a⟩ left', 'event');
  check('<deletemember><eventtime>1</eventtime><initiator>8:a</initiator><target>8:b</target></deletemember>', '<span class="cc-event">⟨8:a|a⟩ removed ⟨8:b|b⟩</span>', '⟨8:a|a⟩ removed ⟨8:b|b⟩', 'event');
  check('<topicupdate><eventtime>1</eventtime><initiator>8:a</initiator><value>New &amp; better</value></topicupdate>',
    '<span class="cc-event">⟨8:a|a⟩ changed the topic to “New &amp; better”</span>', '⟨8:a|a⟩ changed the topic to “New & better”', 'event');
  check('<topicupdate><eventtime>1</eventtime><initiator>8:a</initiator><value></value></topicupdate>', '<span class="cc-event">⟨8:a|a⟩ removed the topic</span>', '⟨8:a|a⟩ removed the topic', 'event');
  check('<pictureupdate><eventtime>1</eventtime><initiator>8:a</initiator><value>URL@https://api.asm.skype.com/v1/objects/0-x/views/avatar_fullsize</value></pictureupdate>',
    '<span class="cc-event">⟨8:a|a⟩ changed the group picture</span>', '⟨8:a|a⟩ changed the group picture', 'event');
  check('<historydisclosedupdate><eventtime>1</eventtime><initiator>8:a</initiator><value>true</value></historydisclosedupdate>',
    '<span class="cc-event">⟨8:a|a⟩ let new members see the chat history</span>', '⟨8:a|a⟩ let new members see the chat history', 'event');
  check('<historydisclosedupdate><eventtime>1</eventtime><initiator>8:a</initiator><value>false</value></historydisclosedupdate>',
    '<span class="cc-event">⟨8:a|a⟩ hid the chat history from new members</span>', '⟨8:a|a⟩ hid the chat history from new members', 'event');
  check('<joiningenabledupdate><eventtime>1</eventtime><initiator>8:a</initiator><value>true</value></joiningenabledupdate>',
    '<span class="cc-event">⟨8:a|a⟩ allowed joining this chat with a link</span>', '⟨8:a|a⟩ allowed joining this chat with a link', 'event');
  check('<roleupdate><eventtime>1</eventtime><initiator>8:a</initiator><target><id>8:b</id><role>admin</role></target></roleupdate>',
    '<span class="cc-event">⟨8:a|a⟩ changed roles: ⟨8:b|b⟩ admin</span>', '⟨8:a|a⟩ changed roles: ⟨8:b|b⟩ admin', 'event');
  check('<somethingnew><eventtime>1</eventtime><initiator>8:a</initiator><value>v</value></somethingnew>',
    '<span class="cc-event">⟨8:a|a⟩ updated the chat (somethingnew: v)</span>', '⟨8:a|a⟩ updated the chat (somethingnew: v)', 'event');
});

test('media and files: a file line, never the remote thumbnail', () => {
  const picture = '<URIObject type="Picture.1" uri="https://api.asm.skype.com/v1/objects/0-weu-d1-abc" url_thumbnail="https://api.asm.skype.com/v1/objects/0-weu-d1-abc/views/imgt1">To view this shared photo, go to: <a href="https://login.skype.com/login/sso?go=xmmfallback?pic=0-weu-d1-abc">https://login.skype.com/login/sso?go=xmmfallback?pic=0-weu-d1-abc</a><Title/><Description/><OriginalName v="photo.jpg"/><FileSize v="12345"/><meta type="photo" originalName="photo.jpg"/></URIObject>';
  check(picture, '<span class="cc-file">📎 photo.jpg (12 KB)</span>', '📎 photo.jpg (12 KB)', 'media');
  assert.doesNotMatch(render(picture, 'media').html, /api\.asm\.skype\.com|<img/);
  check('<URIObject type="Video.1/Message.1" uri="u"><Title>Title: clip.mp4</Title></URIObject>', '<span class="cc-file">📎 clip.mp4</span>', '📎 clip.mp4', 'media');
  check('<URIObject type="Audio.1/Message.1" uri="u"></URIObject>', '<span class="cc-file">📎 Voice message</span>', '📎 Voice message', 'media');
  check('<URIObject type="Picture.1" uri="a"><OriginalName v="a.jpg"/></URIObject> \n <URIObject type="Picture.1" uri="b"><OriginalName v="b.jpg"/><FileSize v="3500000"/></URIObject>',
    '<span class="cc-file">📎 a.jpg</span><br><span class="cc-file">📎 b.jpg (3.3 MB)</span>', '📎 a.jpg\n📎 b.jpg (3.3 MB)', 'media');
  check('<files alt="report.pdf"><file size="2345678" index="0" tid="4">report.pdf</file><file size="10" index="1">a.txt</file></files>',
    '<span class="cc-file">📎 report.pdf (2.2 MB)</span><br><span class="cc-file">📎 a.txt (10 B)</span>', '📎 report.pdf (2.2 MB)\n📎 a.txt (10 B)', 'file');
  assert.equal(formatBytes(1023), '1023 B');
  assert.equal(formatBytes(1024 * 1024 * 1024 * 5), '5 GB');
});

test('contacts and SMS', () => {
  check('<contacts><c t="s" s="live:bob" f="Bob Smith"/><c t="s" s="alice"/></contacts>',
    '<span class="cc-contact">👤 ⟨8:live:bob|Bob Smith⟩</span><br><span class="cc-contact">👤 ⟨8:alice|alice⟩</span>', '👤 ⟨8:live:bob|Bob Smith⟩\n👤 ⟨8:alice|alice⟩', 'contact');
  // The real SMS body of the plaso main.db (type 64).
  check('<sms alt="f you want I can copy some documents for you, if you can pay it... ;)"><type>2</type><status>6</status><failurereason>0</failurereason><targets><target status="6">+34123456789</target></targets><price>0.116 EUR</price><body><chunk id="0">f you want I can copy some documents for you, if you can pay it... ;)</chunk><untilnext>72</untilnext></body><encoded_body>f you want I can copy some documents for you, if you can pay it... ;)</encoded_body><sendtimestamp>13727168620</sendtimestamp></sms>',
    '<span class="cc-sms">📱 SMS to ⟨4:+34123456789|+34123456789⟩</span><br>f you want I can copy some documents for you, if you can pay it... ;)',
    '📱 SMS to ⟨4:+34123456789|+34123456789⟩\nf you want I can copy some documents for you, if you can pay it... ;)', 'sms');
});

test('polls: XML options or JSON', () => {
  check('<pollquestion>Lunch?</pollquestion><polloption>Pizza</polloption> <polloption>Sushi &amp; rice</polloption>',
    '<span class="cc-poll">📊 Lunch?</span><ul><li>Pizza</li><li>Sushi &amp; rice</li></ul>', '📊 Lunch?\n• Pizza\n• Sushi & rice', 'poll');
  check('{"question":"Where?","options":[{"text":"Here"},{"title":"There"},"<b>Nowhere</b>"]}',
    '<span class="cc-poll">📊 Where?</span><ul><li>Here</li><li>There</li><li>Nowhere</li></ul>', '📊 Where?\n• Here\n• There\n• Nowhere', 'poll');
  check('Created a poll: Lunch?', 'Created a poll: Lunch?', 'Created a poll: Lunch?', 'poll');
});

test('Notice and PopCard JSON cards become safe text', () => {
  check('[{"language":"en","clientVersion":"1","attachments":[{"iconUrl":"https://x/i.png","content":{"title":"New <b>feature</b>","text":"Try it &amp; see","mainActionUri":"https://go.skype.com/x"}}]}]',
    '<span class="cc-notice"><b>New feature</b><br>Try it &amp; see</span><br><a href="https://go.skype.com/x" rel="nofollow noopener">https://go.skype.com/x</a>',
    'New feature\nTry it & see\nhttps://go.skype.com/x', 'notice');
  check('[{"content":{"title":"","text":"Hello from Skype"}}]', '<span class="cc-notice">Hello from Skype</span>', 'Hello from Skype', 'notice');
  check('[{"content":{"mainActionUri":"javascript:alert(1)"}}]', '[{&quot;content&quot;:{&quot;mainActionUri&quot;:&quot;javascript:alert(1)&quot;}}]', '[{"content":{"mainActionUri":"javascript:alert(1)"}}]', 'notice');
  check('[not json', '[not json', '[not json', 'notice');
});

test('the converter is registered under "skype"', () => {
  assert.deepEqual(renderBody('skype', '<b>x</b>', { chat: 'c', kind: 'text', deleted: false }), { html: '<b>x</b>', text: 'x' });
});

// ---------------------------------------------------------------------------------------------
// Real exports

test('the real main.db bodies (plaso, Temptin) render', { skip: needsFile(new URL('skype/maindb-plaso/skype_main.db', shared)) }, () => {
  const files = ['skype/maindb-plaso/skype_main.db', 'skype/maindb-temptin/test.acc2001.db', 'skype/maindb-temptin/test.acc2002.db'];
  let count = 0;
  for (const file of files) {
    const db = new Database(fileURLToPath(new URL(file, shared)), { readonly: true, fileMustExist: true });
    try {
      for (const row of db.prepare('SELECT type, body_xml FROM Messages').all() as { type: number; body_xml: string | null }[]) {
        const body = row.body_xml ?? '';
        const kind = row.type === 64 ? 'sms' : row.type === 68 ? 'file' : row.type === 61 ? 'text' : 'event';
        assertSafe(body, kind);
        const { text } = render(body, kind);
        assert.doesNotMatch(text, /&(?:apos|quot|amp|lt|gt);|<\/?[a-z]/i, `${file}: ${body}`);
        count++;
      }
    } finally {
      db.close();
    }
  }
  assert.ok(count > 50);
  assert.equal(render('Okay now I am going to add you to the same conference but <b raw_pre="*" raw_post="*">I</b> will be the one doing it instead.').html,
    'Okay now I am going to add you to the same conference but <b>I</b> will be the one doing it instead.');
});

test('the fedorzima messages.json bodies render, images as links', { skip: needsFile(new URL('skype/export-json-fedorzima/messages.json', shared)) }, () => {
  const data = JSON.parse(readFileSync(new URL('skype/export-json-fedorzima/messages.json', shared), 'utf8')) as {
    conversations: { MessageList: { content: string }[] }[];
  };
  let count = 0;
  for (const conversation of data.conversations) {
    for (const message of conversation.MessageList) {
      assertSafe(message.content, 'text');
      const { html } = render(message.content);
      if (message.content.includes('<img')) assert.match(html, /<a href="https:\/\/upload\.wikimedia\.org\/[^"]+" rel="nofollow noopener">🖼 image<\/a>$/);
      count++;
    }
  }
  assert.ok(count > 0);
});

// ---------------------------------------------------------------------------------------------
// Hostile input

const hostile = JSON.parse(readFileSync(new URL('test/fixtures/hostile/skype-bodies.json', root), 'utf8')) as string[];

test('hostile bodies from the fixture are neutralized, for every kind', () => {
  assert.ok(hostile.length >= 60);
  for (const body of hostile) for (const kind of KINDS) assertSafe(body, kind);
});

test('hostile bodies: specific outcomes', () => {
  assert.equal(render('<script>alert(1)</script>').html, '');
  assert.equal(render('<a href="jav&#x09;ascript:alert(1)">x</a>').html, 'x');
  assert.equal(render('<a href=" javascript:alert(1)">x</a>').html, 'x');
  assert.equal(render('<a href="data:text/html,<script>alert(1)</script>">x</a>').html, 'x');
  assert.equal(render('<img src=x onerror=alert(1)>').html, '');
  assert.equal(render('<svg onload=alert(1)>').html, '');
  assert.equal(render('a\u0000b\u000bc\ufffed\uffff').text, 'abcd');
  assert.equal(render('&#0;&#1;&#x0B;&#xD800;&#x110000;&#xFFFE;ok').text, 'ok');
  assert.equal(render('&lt;script&gt;alert(1)&lt;/script&gt;').html, '&lt;script&gt;alert(1)&lt;/script&gt;');
});

test('huge and deeply nested bodies stay linear and safe', () => {
  const big = 'word &amp; <b>bold</b> <ss type="smile">:)</ss> https://e.example/x\n'.repeat(16_000); // ~1 MB
  const cases = [
    'x'.repeat(1 << 20),
    big,
    '<img src=x onerror=alert(1)><script>x</script>'.repeat(22_000),
    `${'<b>'.repeat(10_000)}deep${'</b>'.repeat(10_000)}`,
    `${'<b>'.repeat(10_000)}deep`,
    `${'<quote authorname="a"><legacyquote>x</legacyquote>'.repeat(5_000)}q${'</quote>'.repeat(5_000)}`,
    '<'.repeat(200_000),
    '&'.repeat(200_000),
    `${'&'.repeat(200_000)};`,
    `${'&#'.repeat(100_000)};`,
    `${'<a '.repeat(100_000)}>`,
    `${'<b '.repeat(50_000)}x="`,
    `<${'x'.repeat(1 << 20)}`,
    `<a ${Array.from({ length: 100_000 }, (_, i) => `a${i}=${i}`).join(' ')}>x</a>`,
    `<partlist type="ended">${Array.from({ length: 50_000 }, (_, i) => `<part identity="8:p${i}"><name>P${i}</name></part>`).join('')}</partlist>`,
    `<addmember><initiator>8:a</initiator>${'<target>8:b</target><detailedtargetinfo><id>8:b</id><friendlyName>B</friendlyName></detailedtargetinfo>'.repeat(20_000)}</addmember>`,
    `<a href="${'x'.repeat(1 << 20)}`,
    `<!--${'x'.repeat(1 << 20)}`,
  ];
  for (const body of cases) {
    const start = performance.now();
    assertSafe(body, 'text');
    assert.ok(performance.now() - start < 20_000, `too slow: ${body.slice(0, 40)}`);
  }
  const nested = render(`${'<b>'.repeat(10_000)}deep${'</b>'.repeat(10_000)}`);
  assert.equal(nested.text, 'deep');
  assert.ok(nested.html.split('<b>').length - 1 <= 64);
  assert.equal(render(big).text.split('\n').length, 16_000);
});

// ---------------------------------------------------------------------------------------------
// Properties

const TAG_SOUP = fc.constantFrom(
  '<b>', '</b>', '<i>', '</i>', '<s>', '<pre>', '</pre>', '<a href="https://ok.example/">', '<a href="javascript:alert(1)">', '</a>',
  '<a href="jav&#x09;ascript:x">', '<at id="8:x">', '</at>', '<ss type="smile">', '<ss type="__proto__">', '</ss>',
  '<quote author="8:a" authorname="A">', '</quote>', '<legacyquote>', '</legacyquote>', '<e_m ts="1" a="x" t="61"/>',
  '<partlist type="ended">', '<part identity="8:a">', '<name>', '</name>', '<duration>', '60', '</duration>', '</part>', '</partlist>',
  '<URIObject type="Picture.1" url_thumbnail="https://t.example/x">', '<OriginalName v="a.jpg"/>', '<FileSize v="99"/>', '</URIObject>',
  '<addmember>', '<initiator>8:a</initiator>', '<target>8:b</target>', '</addmember>', '<topicupdate>', '<value>', '</value>',
  '<script>', '</script>', '<style>', '<svg onload=alert(1)>', '<img src=x onerror=alert(1)>', '<iframe>', '<math>', '<!--', '-->',
  '<![CDATA[', ']]>', '<', '>', '&', '&amp;', '&lt;', '&#0;', '&#x0B;', '&#xD800;', '&#x1F600;', '"', "'", '=', ' ', '\n', '\u0000',
  '\u000b', '\ufffe', '\ud800', 'javascript:', 'data:', 'on', 'onerror=', 'href=', 'text', 'https://x.example/p?q=1&r=2', '<br>', '<br/>',
  '<pollquestion>', '<polloption>', '</polloption>', '<contacts><c s="x" f="y"/></contacts>', '<sms alt="a">', '</sms>', '{"question":"q","options":["a"]}',
);

test('property: arbitrary strings give safe output', (t) => {
  assertProperty(t, 
    fc.property(fc.string({ unit: 'binary', maxLength: 300 }), fc.constantFrom(...KINDS), (body, kind) => {
      assertSafe(body, kind);
    }),
    { numRuns: 300 },
  );
});

test('property: tag soups give safe output', (t) => {
  assertProperty(t, 
    fc.property(fc.array(fc.oneof(TAG_SOUP, fc.string({ maxLength: 8 })), { maxLength: 60 }), fc.constantFrom(...KINDS), (parts, kind) => {
      assertSafe(parts.join(''), kind);
    }),
    { numRuns: 300 },
  );
});

test('property: text without markup characters takes the fast path unchanged', (t) => {
  assertProperty(t, 
    fc.property(fc.string({ maxLength: 200 }).filter((s) => !/[<&\0-\x08\x0B\x0C\x0E-\x1F]/.test(s)), (body) => {
      assert.deepEqual(render(body), { html: linesToHtml(body), text: body });
    }),
    { numRuns: 300 },
  );
});
