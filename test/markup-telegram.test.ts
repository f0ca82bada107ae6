import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { telegram } from '../collector/markup/telegram/index.js';
import { formatDuration } from '../collector/markup/duration.js';
import { renderBody } from '../collector/markup/index.js';
import { fragmentProblems } from '../collector/markup/sanitize.js';
import { assertProperty } from './helpers/seeds.js';
import { shownRefs, visibleRefs } from './helpers/person-refs.js';

const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function render(body: unknown, kind = 'text', deleted = false): { html: string; text: string } {
  const source = typeof body === 'string' ? body : JSON.stringify(body);
  const out = telegram(source, { chat: 'telegram:1', kind, deleted });
  assert.deepEqual(fragmentProblems(out.html), [], `unsafe HTML for ${source.slice(0, 200)}: ${out.html}`);
  assert.doesNotMatch(out.text, CONTROL, `control character in the text of ${source.slice(0, 200)}`);
  return out;
}

test('registered under the name the adapter writes', () => {
  assert.deepEqual(renderBody('telegram', 'hi', { chat: 'telegram:1', kind: 'text', deleted: false }), { html: 'hi', text: 'hi' });
});

test('plain bodies: escaped, line breaks kept, URLs not linked (Telegram marks its links as entities)', () => {
  assert.deepEqual(render('a < b & "c"\nnext'), { html: 'a &lt; b &amp; &quot;c&quot;<br>next', text: 'a < b & "c"\nnext' });
  assert.equal(render('see https://example.org').html, 'see https://example.org');
  assert.deepEqual(render('{not an envelope'), { html: '{not an envelope', text: '{not an envelope' }, 'a body starting with { that is not JSON is text');
  assert.equal(render('').html, '');
});

test('every entity type', () => {
  const cases: [Record<string, unknown>, string, string?][] = [
    [{ type: 'plain', text: 'a<b' }, 'a&lt;b'],
    [{ type: 'bold', text: 'b' }, '<b>b</b>'],
    [{ type: 'italic', text: 'i' }, '<i>i</i>'],
    [{ type: 'underline', text: 'u' }, '<span class="cc-underline">u</span>'],
    [{ type: 'strikethrough', text: 's' }, '<s>s</s>'],
    [{ type: 'spoiler', text: 'secret' }, '<span class="cc-spoiler">secret</span>'],
    [{ type: 'code', text: 'a<b' }, '<code>a&lt;b</code>'],
    [{ type: 'pre', text: 'x = 1\ny = "2"', language: 'python' }, '<span class="cc-code-language">python</span><pre><code>x = 1\ny = &quot;2&quot;</code></pre>'],
    [{ type: 'pre', text: 'no language' }, '<pre><code>no language</code></pre>'],
    [{ type: 'blockquote', text: 'quoted\nlines' }, '<blockquote class="cc-quote">quoted<br>lines</blockquote>'],
    [{ type: 'expandable_blockquote', text: 'more' }, '<blockquote class="cc-quote">more</blockquote>'],
    [{ type: 'link', text: 'https://telegram.org/faq' }, '<a href="https://telegram.org/faq" rel="nofollow noopener">https://telegram.org/faq</a>'],
    [{ type: 'link', text: 'example.com/a?b=1&c=2' }, '<a href="http://example.com/a?b=1&amp;c=2" rel="nofollow noopener">example.com/a?b=1&amp;c=2</a>'],
    [{ type: 'text_link', text: 'docs', href: 'https://example.org/docs' }, '<a href="https://example.org/docs" rel="nofollow noopener">docs</a>'],
    [{ type: 'email', text: 'ada@example.org' }, '<a href="mailto:ada@example.org" rel="nofollow noopener">ada@example.org</a>'],
    [{ type: 'phone', text: '+1 555 0100' }, '<span class="cc-phone">+1 555 0100</span>'],
    [{ type: 'mention', text: '@bob' }, '<span class="cc-mention">@bob</span>'],
    [{ type: 'mention_name', text: 'Carol', user_id: 3001 }, '<span class="cc-mention">⟨telegram:user3001|Carol⟩</span>', '⟨telegram:user3001|Carol⟩'],
    [{ type: 'text_mention', text: 'Dan', user_id: 'user3002' }, '<span class="cc-mention">⟨telegram:user3002|Dan⟩</span>', '⟨telegram:user3002|Dan⟩'],
    [{ type: 'hashtag', text: '#tag' }, '<span class="cc-hashtag">#tag</span>'],
    [{ type: 'cashtag', text: '$USD' }, '<span class="cc-hashtag">$USD</span>'],
    [{ type: 'bot_command', text: '/start@Bot' }, '<span class="cc-bot-command">/start@Bot</span>'],
    [{ type: 'custom_emoji', text: '🔥', document_id: '5368324170671202286' }, '<span class="cc-custom-emoji">🔥</span>'],
    [{ type: 'bank_card', text: '4242 4242' }, '4242 4242'],
    [{ type: 'some_future_type', text: 'still <text>' }, 'still &lt;text&gt;'],
  ];
  for (const [entity, html, text] of cases) {
    const out = render({ text: [entity] });
    assert.equal(visibleRefs(out.html), html, JSON.stringify(entity));
    assert.equal(visibleRefs(out.text), text ?? String(entity.text).trim(), `text of ${JSON.stringify(entity)}`);
  }
});

test('links only to http(s) and mailto: anything else stays text', () => {
  for (const href of ['javascript:alert(1)', ' javascript:alert(1)', 'java\tscript:alert(1)', 'data:text/html,<b>x</b>', 'vbscript:x', 'tg://resolve?domain=x', '//evil.example', '']) {
    const out = render({ text: [{ type: 'text_link', text: 'click', href }] });
    assert.equal(out.html, 'click', href);
  }
  assert.equal(render({ text: [{ type: 'link', text: 'javascript:alert(1)' }] }).html, 'javascript:alert(1)');
  assert.equal(render({ text: [{ type: 'email', text: 'a"b@x onmouseover=y' }] }).html, 'a&quot;b@x onmouseover=y');
  assert.match(render({ text: [{ type: 'pre', text: 'x', language: '"><script>alert(1)</script>' }] }).html, /cc-code-language">&quot;&gt;&lt;script&gt;/);
});

test('blocks sit on their own lines without blank lines around them', () => {
  const out = render({ text: ['Look:\n', { type: 'pre', text: 'code' }, '\nafter', { type: 'blockquote', text: 'q' }, '\nend'] });
  assert.equal(out.html, 'Look:<pre><code>code</code></pre>after<blockquote class="cc-quote">q</blockquote>end');
  assert.equal(out.text, 'Look:\ncode\n\nafter\nq\n\nend');
});

test('control characters: vertical tab and form feed break lines, the rest vanish', () => {
  assert.deepEqual(render('one\u000btwo\u000cthree\u0000\u0001four'), { html: 'one<br>two<br>three' + 'four', text: 'one\ntwo\nthreefour' });
  assert.equal(render({ text: [{ type: 'bold', text: 'a\u000bb' }] }).html, '<b>a<br>b</b>');
});

test('forwards, replies outside the archive, via bot, signatures, reactions', () => {
  const out = render({
    forwarded_from: 'Carol <Jones>',
    cc_reply_missing: 10819,
    via_bot: '@gif',
    text: 'Hello',
    author: 'Ada L.',
    reactions: [
      { type: 'emoji', count: 2, emoji: '👍', recent: [{ from: 'Ada', from_id: 'user1', date: '2023-01-01T00:00:00' }, { from: null }] },
      { type: 'custom_emoji', count: 1, document_id: '1' },
      { type: 'paid', count: 5 },
    ],
  });
  assert.equal(
    visibleRefs(out.html),
    '<span class="cc-forward">Forwarded from <b>⟨|Carol &lt;Jones&gt;⟩</b></span><br>' +
      '<span class="cc-reply-missing">↩ In reply to a message not in this archive (#10819)</span><br>' +
      '<span class="cc-via">via ⟨|@gif⟩</span><br>Hello<br><span class="cc-signature">— ⟨|Ada L.⟩</span>' +
      '<p><span class="cc-reactions"><span class="cc-reaction" role="img" aria-label="👍 2 reactions: ⟨telegram:user1|Ada⟩, ⟨telegram:deleted|Deleted Account⟩" title="👍 2 reactions: ⟨telegram:user1|Ada⟩, ⟨telegram:deleted|Deleted Account⟩">👍 2</span> ' +
      '<span class="cc-reaction" role="img" aria-label="custom emoji 1 reaction" title="custom emoji 1 reaction">custom emoji 1</span> ' +
      '<span class="cc-reaction" role="img" aria-label="⭐ 5 reactions" title="⭐ 5 reactions">⭐ 5</span></span></p>',
  );
  assert.equal(visibleRefs(out.text), 'Forwarded from ⟨|Carol <Jones>⟩\nHello', 'reactions and notes are not searched');
  assert.equal(visibleRefs(render({ forwarded_from: 'Bob', forwarded_from_id: 'user2', saved_from: 'Eve', saved_from_id: 'user5', text: 'x' }).text), 'Forwarded from ⟨telegram:user2|Bob⟩\nSaved from ⟨telegram:user5|Eve⟩\nx');
  assert.match(render({ forwarded_from: null, text: 'x' }).html, /Forwarded from <b>a hidden or deleted account<\/b>/);
});

test('media: stickers, placeholders for files the export left out, notes for files it has', () => {
  assert.equal(render({ file: 'stickers/s.webp', media_type: 'sticker', sticker_emoji: '😊' }).html, '<span class="cc-sticker">😊 Sticker</span>');
  const notIncluded = '(File not included. Change data exporting settings to download.)';
  assert.equal(render({ photo: notIncluded }).html, '<span class="cc-media-missing">🖼 Photo — not included in the export</span>');
  assert.deepEqual(render({ file: notIncluded, file_name: 'report.pdf', text: 'see attached' }), {
    html: '<span class="cc-media-missing">📎 File “report.pdf” — not included in the export</span><br>see attached',
    text: 'File “report.pdf” — not included in the export\nsee attached',
  });
  assert.match(render({ file: '(File exceeds maximum size. Change data exporting settings to download.)', media_type: 'video_file', duration_seconds: 75 }).html, /🎬 Video, 1 min 15 s — too large, not included in the export/);
  assert.match(render({ file: '(File unavailable, please try again later)', media_type: 'voice_message' }).html, /Voice message — was unavailable when the export was made/);
  assert.match(render({ photo: 'photos/p.jpg', cc_file_missing: true }).html, /Photo — missing from the export folder/);
  assert.equal(render({ photo: 'photos/p.jpg', text: 'caption' }).html, 'caption', 'a photo in the archive is drawn by the site, not the body');
  assert.match(render({ file: 'files/song.mp3', media_type: 'audio_file', performer: 'Band', title: 'Song', duration_seconds: 200 }).html, /🎵 Audio: Band — Song, 3 min 20 s/);
});

test('polls, contacts, places', () => {
  const poll = render({ poll: { question: 'Lunch?', closed: true, total_voters: 3, answers: [{ text: 'Pizza', voters: 2, chosen: true }, { text: [{ type: 'bold', text: 'Salad' }], voters: 1, chosen: false }] } }, 'poll');
  assert.equal(poll.html, '<span class="cc-poll">📊 <b>Lunch?</b></span><ul><li>Pizza — 2 votes ✓</li><li><b>Salad</b> — 1 vote</li></ul><span class="cc-poll">3 voters · closed</span>');
  assert.equal(poll.text, 'Lunch?\nPizza\nSalad');
  assert.equal(visibleRefs(render({ contact_information: { first_name: 'Carol', last_name: '', phone_number: '+1 555' } }).html), '<span class="cc-contact">👤 ⟨|Carol⟩ · +1 555</span>');
  assert.equal(visibleRefs(render({ contact_information: { first_name: 'Carol', user_id: 3001 } }).text), '⟨telegram:user3001|Carol⟩');
  const place = render({ location_information: { latitude: 51.5, longitude: -0.12 }, place_name: 'Big Ben' });
  assert.match(place.html, /📍 Big Ben <a href="https:\/\/www\.openstreetmap\.org\/\?mlat=51\.5&amp;mlon=-0\.12#map=16\/51\.5\/-0\.12" rel="nofollow noopener">51\.50000, -0\.12000<\/a>/);
  assert.equal(render({ location_information: { latitude: 'x', longitude: 1e9 } }).html, '<span class="cc-location">📍 Location</span>', 'bad coordinates make no link');
});

test('service messages read the way Telegram shows them', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ action: 'create_group', actor: 'Ada', title: 'Club', members: ['Ada', 'Bob', 'Carol'] }, 'Ada created the group «Club» with Bob and Carol'],
    [{ action: 'create_channel', actor: 'News', title: 'News' }, 'Channel «News» created'],
    [{ action: 'invite_members', actor: 'Ada', members: ['Bob', null] }, 'Ada added Bob and Deleted Account'],
    [{ action: 'invite_members', actor: 'Bob', members: ['Bob'] }, 'Bob joined the group'],
    [{ action: 'remove_members', actor: 'Bob', members: ['Bob'] }, 'Bob left the group'],
    [{ action: 'remove_members', actor: 'Ada', members: ['Bob'] }, 'Ada removed Bob'],
    [{ action: 'join_group_by_link', actor: 'Eve', inviter: 'Ada' }, 'Eve joined the group via invite link'],
    [{ action: 'pin_message', actor: 'Ada' }, 'Ada pinned a message'],
    [{ action: 'edit_group_title', actor: 'Ada', title: 'New' }, 'Ada changed the group name to «New»'],
    [{ action: 'edit_group_photo', actor: 'Ada', photo: 'x.jpg' }, 'Ada changed the group photo'],
    [{ action: 'delete_group_photo', actor: 'Ada' }, 'Ada removed the group photo'],
    [{ action: 'migrate_from_group', actor: 'Ada', title: 'Old' }, 'The group «Old» was upgraded to a supergroup'],
    [{ action: 'phone_call', actor: 'Ada', duration_seconds: 192, discard_reason: 'hangup' }, 'Ada called (3 min 12 s)'],
    [{ action: 'phone_call', actor: 'Bob', discard_reason: 'missed' }, 'Missed call from Bob'],
    [{ action: 'phone_call', actor: 'Bob', discard_reason: 'busy' }, 'Bob called (busy)'],
    [{ action: 'phone_call', actor: 'Bob', discard_reason: 'hangup' }, 'Cancelled call from Bob'],
    [{ action: 'group_call', actor: 'Bob', duration: 3725 }, 'Bob started a video chat (1 h 2 min)'],
    [{ action: 'invite_to_group_call', actor: 'Bob', members: ['Ada'] }, 'Bob invited Ada to the video chat'],
    [{ action: 'set_messages_ttl', actor: 'Ada', period: 604800 }, 'Ada set messages to auto-delete after 1 week'],
    [{ action: 'set_messages_ttl', actor: 'Ada', period: 0 }, 'Ada turned off auto-delete'],
    [{ action: 'topic_created', actor: 'Ada', title: 'Ideas' }, 'Ada created the topic «Ideas»'],
    [{ action: 'clear_history', actor: 'Ada' }, 'History was cleared'],
    [{ action: 'take_screenshot', actor: null }, 'Deleted Account took a screenshot'],
    [{ information_text: 'Ada joined via a folder link', actor: 'Ada' }, 'Ada joined via a folder link'],
    [{ action: 'some_new_action', actor: 'Ada' }, 'Ada: some new action'],
  ];
  for (const [env, sentence] of cases) {
    const out = render(env, 'event');
    assert.equal(shownRefs(out.text), sentence, JSON.stringify(env));
    assert.equal(shownRefs(out.html), sentence.replace(/&/g, '&amp;'), JSON.stringify(env));
  }
  assert.equal(shownRefs(render({ action: 'create_group', actor: '<b>x</b>', title: '<script>' }).html), '&lt;b&gt;x&lt;/b&gt; created the group «&lt;script&gt;»');
});

test('service messages: every person is a reference with the id the adapter gives their messages', () => {
  const cases: [Record<string, unknown>, string][] = [
    [{ action: 'create_group', actor: 'Ada', actor_id: 'user1', title: 'Club', members: ['Ada', 'Bob'] }, '⟨telegram:user1|Ada⟩ created the group «Club» with ⟨|Bob⟩'],
    [{ action: 'invite_members', actor: 'Ada', actor_id: 'user1', members: ['Bob', null] }, '⟨telegram:user1|Ada⟩ added ⟨|Bob⟩ and ⟨telegram:deleted|Deleted Account⟩'],
    [{ action: 'invite_members', actor: 'Bob', actor_id: 2, members: ['Bob'] }, '⟨telegram:user2|Bob⟩ joined the group'],
    [{ action: 'invite_members', actor: 'Ada', actor_id: 'user1', members: ['Ada', 'Bob'] }, '⟨telegram:user1|Ada⟩ added ⟨telegram:user1|Ada⟩ and ⟨|Bob⟩'],
    [{ action: 'phone_call', actor: 'Bob', actor_id: 'user2', discard_reason: 'missed' }, 'Missed call from ⟨telegram:user2|Bob⟩'],
    [{ action: 'invite_to_group_call', actor: 'Bob', actor_id: 'user2', members: ['Ada'] }, '⟨telegram:user2|Bob⟩ invited ⟨|Ada⟩ to the video chat'],
    [{ action: 'proximity_reached', from: 'Ada', from_id: 'user1', to: 'Bob', to_id: 'user2', distance: 50 }, '⟨telegram:user1|Ada⟩ is within 50 m of ⟨telegram:user2|Bob⟩'],
    [{ action: 'pin_message', actor: 'Old Timer' }, '⟨telegram:name:Old Timer|Old Timer⟩ pinned a message'],
    [{ action: 'take_screenshot', actor: null }, '⟨telegram:deleted|Deleted Account⟩ took a screenshot'],
    [{ information_text: 'Ada joined via a folder link', actor: 'Ada', actor_id: 'user1' }, '⟨telegram:user1|Ada⟩ joined via a folder link'],
    [{ action: 'some_new_action', actor: 'Ada', actor_id: 'user1' }, '⟨telegram:user1|Ada⟩: some new action'],
  ];
  for (const [env, sentence] of cases) {
    const out = render(env, 'event');
    assert.equal(visibleRefs(out.text), sentence, JSON.stringify(env));
    assert.equal(visibleRefs(out.html), sentence.replace(/&/g, '&amp;'), JSON.stringify(env));
  }
  assert.equal(visibleRefs(render({ action: 'pin_message', actor: '<b>x</b>', actor_id: 'user<9>' }).html), '⟨telegram:user&lt;9&gt;|&lt;b&gt;x&lt;/b&gt;⟩ pinned a message', 'ids and names escaped in HTML');
});

test('formatDuration', () => {
  assert.equal(formatDuration(0), '0 s');
  assert.equal(formatDuration(59), '59 s');
  assert.equal(formatDuration(60), '1 min');
  assert.equal(formatDuration(192), '3 min 12 s');
  assert.equal(formatDuration(3600), '1 h');
  assert.equal(formatDuration(3725), '1 h 2 min');
});

test('deleted messages', () => {
  assert.deepEqual(render('anything', 'text', true), { html: '<span class="cc-deleted">This message was deleted.</span>', text: '' });
});

test('envelopes of the wrong shape never throw and stay clean', () => {
  const odd: unknown[] = [
    {}, { text: 5 }, { text: null }, { text: [null, 1, [], { type: 'bold' }, { type: 'bold', text: 7 }, { text: 'no type' }] },
    { text: [{ type: 'text_link', text: 'x', href: { a: 1 } }] }, { reactions: 'many' }, { reactions: [null, { emoji: 5 }, { type: 'emoji', emoji: '<i>', count: -1 }] },
    { poll: { answers: 'x' } }, { poll: { question: { a: 1 }, answers: [null, 'a', { text: 5 }] } }, { action: 5 }, { action: 'invite_members', members: 'Bob' },
    { action: 'phone_call', duration_seconds: 'long' }, { location_information: null }, { contact_information: [] }, { photo: 5, file: {} },
    { cc_reply_missing: 'x' }, { cc_reply_missing: 12.5 }, { forwarded_from: 5 }, { via_bot: ['x'] }, { text: Array.from({ length: 10_000 }, () => ({ type: 'bold', text: 'b' })) },
    { action: 'invite_members', actor: 'A', members: Array.from({ length: 500 }, (_, i) => `M${i}`) },
    '{"text": "\\u0000\\ud800<script>"}', '{', '{}', '[1,2]', '{"text": [{"type": "bold", "text": "\\u0007"}]}',
  ];
  for (const body of odd) render(body);
  assert.match(render({ action: 'invite_members', actor: 'A', members: Array.from({ length: 500 }, (_, i) => `M${i}`) }).text, /and 400 more$/);
});

test('property: any envelope of entities gives clean HTML and text', (t) => {
  const hostile = fc.oneof(
    fc.string({ unit: 'binary', maxLength: 20 }),
    fc.constantFrom('<script>alert(1)</script>', '"><img src=x onerror=y>', 'javascript:alert(1)', ' java\tscript:x', 'data:text/html,x', '&#0;', '\u000b', '\ud800', ']]>'),
  );
  const entity = fc.record({
    type: fc.constantFrom('plain', 'bold', 'italic', 'underline', 'strikethrough', 'spoiler', 'code', 'pre', 'blockquote', 'link', 'text_link', 'email', 'phone', 'mention', 'mention_name', 'text_mention', 'hashtag', 'bot_command', 'custom_emoji', 'x'),
    text: hostile,
    user_id: fc.oneof(hostile, fc.integer()),
    href: hostile,
    language: hostile,
  });
  const envelope = fc.record(
    {
      text: fc.oneof(hostile, fc.array(fc.oneof(hostile, entity), { maxLength: 8 })),
      actor_id: fc.oneof(hostile, fc.integer()),
      forwarded_from_id: hostile,
      forwarded_from: fc.oneof(hostile, fc.constant(null)),
      via_bot: hostile,
      action: fc.constantFrom('create_group', 'invite_members', 'phone_call', 'pin_message', 'whatever'),
      actor: fc.oneof(hostile, fc.constant(null)),
      members: fc.array(fc.oneof(hostile, fc.constant(null)), { maxLength: 4 }),
      title: hostile,
      file: hostile,
      file_name: hostile,
      media_type: fc.constantFrom('sticker', 'photo', 'video_file', 'x'),
      sticker_emoji: hostile,
      reactions: fc.array(fc.record({ type: fc.constantFrom('emoji', 'custom_emoji', 'paid'), emoji: hostile, count: fc.integer(), recent: fc.array(fc.record({ from: fc.oneof(hostile, fc.constant(null)), from_id: hostile }), { maxLength: 2 }) }), { maxLength: 3 }),
      poll: fc.record({ question: hostile, answers: fc.array(fc.record({ text: hostile, voters: fc.integer() }), { maxLength: 3 }) }),
    },
    { requiredKeys: [] },
  );
  assertProperty(t, 
    fc.property(envelope, fc.boolean(), (env, deleted) => {
      render(env, 'text', deleted);
    }),
    { numRuns: 500 },
  );
});

test('a file or reply link the store kept from an earlier export: no note that the export lacked it', () => {
  const kept = (body: Record<string, unknown>, context: { files?: boolean; replyLinked?: boolean }) =>
    telegram(JSON.stringify(body), { chat: 'telegram:1', kind: 'media', deleted: false, ...context });
  const notIncluded = '(File not included. Change data exporting settings to download.)';
  assert.equal(kept({ photo: notIncluded, text: 'caption' }, { files: true }).html, 'caption', 'the site shows the kept file');
  assert.equal(kept({ photo: 'photos/p.jpg', cc_file_missing: true }, { files: true }).html, '');
  assert.match(kept({ file: notIncluded, media_type: 'video_file', duration_seconds: 75 }, { files: true }).html, /🎬 Video: 1 min 15 s/, 'what the file does not say is still drawn');
  assert.match(kept({ photo: notIncluded }, { files: false }).html, /not included in the export/, 'without the file, the note stays');
  assert.equal(kept({ cc_reply_missing: 7, text: 'yes' }, { replyLinked: true }).html, 'yes');
  assert.match(kept({ cc_reply_missing: 7, text: 'yes' }, {}).html, /not in this archive/);
});
