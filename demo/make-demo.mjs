#!/usr/bin/env node
/**
 * Writes the bundled demo: demo/skype-export/, a small Skype "Export chats and files" export in
 * the real format (one line of JSON, newest message first, members as a JSON string, bare and
 * `8:` ids, 1–3 fraction digits in times, media/<AMS id>.1.<ext> + media/<AMS id>.json).
 *
 * Deterministic: the same script writes the same bytes. Run `node demo/make-demo.mjs` after
 * changing it, and commit its output. Everything in it is made up.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const OUT = join(dirname(fileURLToPath(import.meta.url)), 'skype-export');

// ------------------------------------------------------------------------------------------------
// Deterministic randomness

let seed = 20230612;
function random() {
  // mulberry32
  seed = (seed + 0x6d2b79f5) | 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(random() * list.length)];
const between = (lo, hi) => lo + Math.floor(random() * (hi - lo + 1));

// ------------------------------------------------------------------------------------------------
// People and chats

const SELF_ID = 'live:.cid.7f3a2b9c41d05e68';
const people = {
  alice: { id: SELF_ID, name: 'Alice Moreau' }, // the account that exported: no displayName on her messages
  bob: { id: '8:bob.tanaka', name: 'Bob Tanaka' },
  chloe: { id: '8:chloe.dubois', name: 'Chloé Dubois' },
  dev: { id: '8:live:devpatel_42', name: 'Dev Patel' },
  ema: { id: '8:ema.kowalski', name: 'Ema Kowalski' },
  ci: { id: '28:0d5d6cff-595d-49d7-9cf8-973173f5233b', name: 'Lighthouse CI' },
  skype: { id: '28:concierge', name: 'Skype' },
};
const withPrefix = (id) => (/^\d+:/.test(id) ? id : `8:${id}`);

const HIKERS = '19:a6c3e1f0b2d94e7a8c5f1d2e3b4a5c6d@thread.skype';
const LIGHTHOUSE = '19:4f0e9d8c7b6a5e4d3c2b1a0f9e8d7c6b@thread.skype';
const BOB = people.bob.id;
const CONCIERGE = people.skype.id;

// ------------------------------------------------------------------------------------------------
// Markup helpers (Skype's XML-ish message markup)

const esc = (text) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const at = (p) => `<at id="${withPrefix(p.id)}">${esc(p.name.split(' ')[0])}</at>`;
const ss = (type, text) => `<ss type="${type}">${text}</ss>`;
const link = (url, text = url) => `<a href="${esc(url)}">${esc(text)}</a>`;

function quote(original, chat, reply) {
  const when = new Date(original.time);
  const hhmm = `${String(when.getUTCHours()).padStart(2, '0')}:${String(when.getUTCMinutes()).padStart(2, '0')}`;
  const author = people[original.who];
  const text = original.content.replace(/<[^>]+>/g, '');
  return (
    `<quote author="${withPrefix(author.id)}" authorname="${esc(author.name)}" timestamp="${Math.floor(original.time / 1000)}" ` +
    `conversation="${chat}" messageid="${original.id}" cuid="${cuid()}"><legacyquote>[${hhmm}] ${esc(author.name)}: </legacyquote>` +
    `${text}<legacyquote>\n\n&lt;&lt;&lt; </legacyquote></quote>${reply}`
  );
}
function cuid() {
  let s = '';
  for (let i = 0; i < 19; i++) s += between(0, 9);
  return s;
}

function activity(tag, initiator, { targets = [], value } = {}) {
  const parts = [`<${tag}><eventtime>{eventtime}</eventtime><initiator>${withPrefix(initiator.id)}</initiator>`];
  for (const t of targets) parts.push(`<target>${withPrefix(t.id)}</target>`);
  if (value !== undefined) parts.push(`<value>${esc(value)}</value>`);
  parts.push(`<detailedinitiatorinfo><friendlyname>${esc(initiator.name)}</friendlyname></detailedinitiatorinfo>`);
  for (const t of targets) parts.push(`<detailedtargetinfo><id>${withPrefix(t.id)}</id><friendlyname>${esc(t.name)}</friendlyname></detailedtargetinfo>`);
  parts.push(`</${tag}>`);
  return parts.join('');
}

function call(type, parts, seconds) {
  const body = parts
    .map((p) => `<part identity="${withPrefix(p.id)}"><name>${esc(p.name)}</name>${seconds ? `<duration>${seconds.toFixed(2)}</duration>` : ''}</part>`)
    .join('');
  return `<partlist type="${type}" alt="" callId="${cuid()}">${body}</partlist>`;
}

// ------------------------------------------------------------------------------------------------
// Media: two tiny PNGs drawn here, and a text file

function crc32(bytes) {
  let c = ~0;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
function png(width, height, pixel) {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 3 + 1)] = 0; // filter: none
    for (let x = 0; x < width; x++) raw.set(pixel(x, y), y * (width * 3 + 1) + 1 + x * 3);
  }
  const chunk = (type, data) => {
    const length = Buffer.alloc(4);
    length.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(body));
    return Buffer.concat([length, body, crc]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header.set([8, 2, 0, 0, 0], 8); // 8-bit RGB
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// A summit view at dawn: sky gradient, sun, two mountain ridges.
const summitPng = png(64, 40, (x, y) => {
  const ridge1 = 24 + Math.round(6 * Math.sin(x / 7) + 3 * Math.sin(x / 2.3));
  const ridge2 = 30 + Math.round(4 * Math.sin(x / 5 + 1));
  if (y >= ridge2) return [46, 74, 58];
  if (y >= ridge1) return [88, 110, 128];
  if ((x - 46) ** 2 + (y - 12) ** 2 <= 20) return [255, 214, 120];
  const t = y / 40;
  return [Math.round(120 + 120 * t), Math.round(150 + 60 * t), Math.round(220 - 40 * t)];
});
// A trail map: green land, a blue lake, a dashed red path.
const trailPng = png(48, 32, (x, y) => {
  const path = Math.abs(y - (8 + x / 2 + 3 * Math.sin(x / 4))) < 1 && x % 4 !== 3;
  if (path) return [200, 40, 40];
  if ((x - 36) ** 2 / 2 + (y - 8) ** 2 <= 30) return [70, 130, 200];
  return [110 + ((x * 7 + y * 3) % 13), 160 + ((x + y) % 9), 90];
});
const packingList = Buffer.from(
  'Packing list: Saturday ridge loop\n\n- water (2 l each)\n- sandwiches + trail mix\n- rain jacket\n- headlamp (sunset is at 21:40)\n- first-aid kit (Bob)\n- map & compass (Alice)\n- sunscreen\n',
);

const media = {
  summit: { ams: '0-weu-d3-9c1f5e2a7b3d4f6e8a0b1c2d3e4f5a6b', ext: 'png', name: 'summit-view.png', type: 'Picture.1', bytes: summitPng },
  trail: { ams: '0-weu-d8-5b8e2f0c9d1a4e7b6c3f2a1d0e9b8c7a', ext: 'png', name: 'trail-map.png', type: 'Picture.1', bytes: trailPng },
  packing: { ams: '0-weu-d1-2e7d4c1b0a9f8e7d6c5b4a3f2e1d0c9b', ext: 'txt', name: 'packing-list.txt', type: 'File.1', bytes: packingList },
};
const OBJECTS = 'https://api.asm.skype.com/v1/objects';

function photo(m) {
  return (
    `<URIObject uri="${OBJECTS}/${m.ams}" url_thumbnail="${OBJECTS}/${m.ams}/views/imgt1_anim" type="${m.type}" doc_id="${m.ams}" width="64" height="40">` +
    `To view this shared photo, go to: ${link(`https://login.skype.com/login/sso?go=xmmfallback?pic=${m.ams}`)}` +
    `<OriginalName v="${m.name}"></OriginalName><FileSize v="${m.bytes.length}"></FileSize><meta type="photo" originalName="${m.name}"/></URIObject>`
  );
}
function file(m) {
  return (
    `<URIObject uri="${OBJECTS}/${m.ams}" url_thumbnail="${OBJECTS}/${m.ams}/views/thumbnail" type="${m.type}" doc_id="${m.ams}">` +
    `To view this file, go to: ${link(`https://login.skype.com/login/sso?go=webclient.xmm&docid=${m.ams}`)}` +
    `<OriginalName v="${m.name}"></OriginalName><FileSize v="${m.bytes.length}"></FileSize></URIObject>`
  );
}
// Media whose file is not in the export (Skype keeps shared files only for a while).
function voiceMessage(ams, seconds) {
  return (
    `<URIObject uri="${OBJECTS}/${ams}" url_thumbnail="${OBJECTS}/${ams}/views/thumbnail" type="Audio.1/Message.1" doc_id="${ams}">` +
    `To hear this voice message, go to: ${link(`https://login.skype.com/login/sso?go=xmmfallback?vim=${ams}`)}` +
    `<OriginalName v="audio.m4a"></OriginalName><FileSize v="${seconds * 4000}"></FileSize><duration_ms>${seconds * 1000}</duration_ms></URIObject>`
  );
}
function video(ams, name, size) {
  return (
    `<URIObject uri="${OBJECTS}/${ams}" url_thumbnail="${OBJECTS}/${ams}/views/thumbnail" type="Video.1/Message.1" doc_id="${ams}" width="640" height="360">` +
    `To view this video message, go to: ${link(`https://login.skype.com/login/sso?go=xmmfallback?vim=${ams}`)}` +
    `<OriginalName v="${name}"></OriginalName><FileSize v="${size}"></FileSize></URIObject>`
  );
}

// ------------------------------------------------------------------------------------------------
// Building a conversation: messages are written oldest first here, and reversed on output.

function conversation() {
  const list = [];
  let clock = 0;
  const api = {
    list,
    at(iso) {
      clock = Date.parse(iso);
      return api;
    },
    /** Moves the clock on by about `seconds` (±40 %). */
    wait(seconds) {
      clock += Math.round(seconds * 1000 * (0.6 + random() * 0.8)) + between(0, 999);
      return api;
    },
    say(who, content, extra = {}) {
      const m = { who, time: clock, type: extra.type ?? 'RichText', content, ...extra };
      m.id = String(clock + between(40, 400));
      list.push(m);
      return m;
    },
    event(type, content, extra = {}) {
      return api.say(extra.who ?? 'alice', content, { ...extra, type });
    },
  };
  return api;
}

// --- Weekend Hikers: a group with a topic, photos, a poll, calls, members coming and going -------

function weekendHikers() {
  const c = conversation();
  c.at('2023-05-02T18:03:11.482Z');
  c.event('ThreadActivity/AddMember', activity('addmember', people.alice, { targets: [people.bob, people.chloe] }), { fromThread: true });
  c.wait(40).event('ThreadActivity/TopicUpdate', activity('topicupdate', people.alice, { value: 'Weekend Hikers' }), { fromThread: true });
  c.wait(90).say('alice', `Hi both! ${ss('smile', ':)')} Made a group for our weekend walks so we stop losing plans in twenty different chats.`);
  c.wait(200).say('bob', `Great idea. I&apos;m in for anything under 15 km ${ss('laugh', ':D')}`);
  c.wait(120).say('chloe', 'Count me in! Could we also invite Ema? She was asking about the lake trail.');
  c.wait(60).say('alice', `Sure, adding her now.`);
  c.wait(30).event('ThreadActivity/AddMember', activity('addmember', people.alice, { targets: [people.ema] }), { fromThread: true });
  c.wait(300).say('ema', `Hello hikers ${ss('wave', '(wave)')} thanks for the invite!`);
  c.wait(3600 * 20).say('bob', 'First trip this Saturday? Forecast says sunny, 19°C.');
  const poll = c.wait(400).say(
    'alice',
    '<pollquestion>Which trail on Saturday?</pollquestion><polloption>Ridge loop (12 km)</polloption><polloption>Lake path (8 km)</polloption><polloption>Both, with a picnic in between</polloption>',
    { type: 'Poll' },
  );
  void poll;
  c.wait(500).say('chloe', 'Voted! The ridge loop has the best view in the whole valley.');
  c.wait(200).say('ema', `Ridge loop it is then. ${at(people.alice)} do you still have the map?`);
  c.wait(180).say('alice', 'Here it is, the red dashes are the path:', { type: 'RichText' });
  c.wait(5).say('alice', photo(media.trail), { type: 'RichText/UriObject', amsreferences: [media.trail.ams] });
  const meeting = c.wait(600).say('bob', 'Meeting point: the car park by the old mill, 8:30?');
  c.wait(240).say('chloe', quote(meeting, HIKERS, '8:30 works, but can we say 8:45? The first bus only gets there at 8:40.'));
  c.wait(120).say('bob', `8:45 then ${ss('coffee', '(coffee)')} I&apos;ll bring a thermos.`, { properties: { edittime: String(c.list.at(-1).time + 200_000) } });
  c.wait(3600 * 30).say('alice', `${at(people.bob)} ${at(people.chloe)} ${at(people.ema)} quick call tonight to sort out the cars?`);
  c.wait(1800).event('Event/Call', call('started', [people.alice]), { who: 'alice' });
  c.wait(640).event('Event/Call', call('ended', [people.alice, people.bob, people.ema], 641.3), { who: 'alice' });
  c.wait(120).say('ema', 'Sorry I missed most of it! So: Bob drives, Chloé and I take the bus?');
  c.wait(90).say('bob', 'Exactly. Back seats are yours on the way home.');

  // The trip.
  c.at('2023-05-06T09:12:40.5Z');
  c.say('chloe', 'On the trail! <b>Fog</b> everywhere, but it should lift soon.');
  c.wait(3000).say('bob', 'Halfway. Legs: <i>fine</i>. Snacks: <s>plenty</s> running low.');
  c.wait(2400).say('alice', photo(media.summit), { type: 'RichText/UriObject', amsreferences: [media.summit.ams] });
  c.wait(30).say('alice', `Made it to the top ${ss('heart', '(heart)')} worth every step.`);
  c.wait(200).say('ema', `${ss('cool', '(cool)')} that light!`);
  c.wait(400).event('ThreadActivity/PictureUpdate', activity('pictureupdate', people.alice, { value: `URL@${OBJECTS}/${media.summit.ams}` }), { fromThread: true });
  c.wait(3600 * 5).say('chloe', video('0-weu-d6-7a7b7c7d7e7f70717273747576777879', 'descent.mp4', 18_442_311), { type: 'RichText/Media_Video', amsreferences: ['0-weu-d6-7a7b7c7d7e7f70717273747576777879'] });
  c.wait(600).say('bob', 'Home. 23 km on my watch, not 12 <ss type="wink">;)</ss>');
  c.wait(300).say('alice', 'Oops. Next time the lake path, promised.');
  c.wait(120).say('ema', '');
  c.list.at(-1).properties = { deletetime: String(c.list.at(-1).time + 60_000) };

  // Later: a new topic, someone leaves, plans for June.
  c.at('2023-05-21T16:40:09.07Z');
  c.event('ThreadActivity/TopicUpdate', activity('topicupdate', people.chloe, { value: 'Weekend Hikers 🥾' }), { fromThread: true });
  c.wait(120).say('chloe', 'Added a boot to the name, it felt right.');
  c.wait(3600 * 26).say('ema', 'I&apos;m moving to Kraków for the summer, so I&apos;ll leave the group for now. Have fun out there!');
  c.wait(200).say('alice', `Safe move ${ss('hug', '(hug)')} come back in September!`);
  c.wait(60).event('ThreadActivity/DeleteMember', activity('deletemember', people.ema, { targets: [people.ema] }), { fromThread: true });
  c.wait(3600 * 50).say('bob', `Lake path on the 10th? I found a café at the far end: ${link('https://example.org/lakeside-cafe', 'Lakeside Café')}`);
  c.wait(400).say('chloe', 'Yes please. Their blueberry tart is famous.');
  c.wait(3600 * 40).say('alice', 'Packing list for the lake walk is in my chat with Bob, I&apos;ll copy the important bits here:');
  c.wait(60).say('alice', '<pre>water 2 l\nrain jacket\nswimming things?!</pre>');
  c.wait(300).say('chloe', 'Swimming things, absolutely.');
  return c.list;
}

// --- Bob: a 1:1 with a file, calls, a voice message, an edit and a quote ------------------------

function bobChat() {
  const c = conversation();
  c.at('2023-04-28T07:55:02.31Z');
  c.say('bob', 'Morning! Are you free for a quick call about the hiking group idea?');
  c.wait(900).event('Event/Call', call('missed', [people.bob]), { who: 'bob' });
  c.wait(600).say('alice', 'Sorry, was on the train. Calling you now.');
  c.wait(30).event('Event/Call', call('started', [people.alice]), { who: 'alice' });
  c.wait(480).event('Event/Call', call('ended', [people.alice, people.bob], 476.8), { who: 'alice' });
  c.wait(120).say('bob', 'Good chat. I&apos;ll draft a packing list.');
  c.at('2023-05-04T20:11:45.9Z');
  c.say('bob', file(media.packing), { type: 'RichText/Media_GenericFile', amsreferences: [media.packing.ams] });
  const list = c.wait(30).say('bob', 'Here you go. Anything missing?');
  c.wait(600).say('alice', quote(list, BOB, 'Perfect. Maybe add a <b>headlamp</b>, sunset is late but the descent is long.'));
  c.wait(200).say('bob', 'Added! And I&apos;ll bring the first-aid kit as usual.', { properties: { edittime: String(c.list.at(-1).time + 45_000) } });
  c.wait(3600 * 3).say('bob', voiceMessage('0-weu-d2-1f2e3d4c5b6a79880716253443526170', 14), { type: 'RichText/Media_AudioMsg', amsreferences: ['0-weu-d2-1f2e3d4c5b6a79880716253443526170'] });
  c.wait(300).say('alice', 'Ha, I can hear the rain in your message. See you Saturday!');
  c.at('2023-05-07T10:30:00.004Z');
  c.say('bob', `Photos from yesterday are in the group ${ss('smile', ':)')}`);
  c.wait(60).say('alice', 'Saw them. My calves are still complaining.');
  c.wait(90).say('bob', 'Mine too <e_m a="bob.tanaka" ts_ms="1683455671000" ts="1683455671" t="61"/>');
  c.wait(45).say('bob', '<e_m a="bob.tanaka" ts_ms="1683455730000" ts="1683455730" t="61"/>');
  c.wait(100).say('alice', `By the way, the code for the shared calendar is <pre>HIKE-2023-MAY</pre> ${ss('wink', ';)')}`);
  c.wait(3600 * 24 * 9).say('bob', `Found this for the lake walk: ${link('https://example.org/trails/lake-path')}`);
  c.wait(300).say('alice', 'Bookmarked, thanks!');
  return c.list;
}

// --- Project Lighthouse: a long-running work chat (several months: pagination) -----------------

const LIGHTHOUSE_LINES = [
  ['dev', 'Pushed the new gallery layout, have a look when you can.'],
  ['chloe', 'Looks lovely on my phone. The captions wrap a bit early on tablets though.'],
  ['alice', 'Standup in 5 minutes!'],
  ['bob', 'Running late, start without me.'],
  ['dev', 'Deploy to staging is done.'],
  ['alice', 'The museum sent new photos of the lens room, I put them in the shared folder.'],
  ['chloe', 'Font question: do we keep the serif for headings? The curator likes it.'],
  ['dev', 'Serif headings, sans body: best of both.'],
  ['bob', 'I&apos;ll write the copy for the opening hours page today.'],
  ['alice', 'Reminder: the keeper&apos;s diary transcription needs a second pair of eyes.'],
  ['chloe', 'On it. Some of the 1894 entries are hard to read.'],
  ['dev', 'Search now covers the diary too, try “storm”.'],
  ['bob', 'Tried it, 42 results. There were a lot of storms in 1894.'],
  ['alice', 'Accessibility review is booked for Thursday.'],
  ['chloe', 'Contrast on the map legend is too low, fixing it.'],
  ['dev', 'Image sizes are down 60 % with the new pipeline.'],
  ['bob', 'Museum director loved the timeline page!'],
  ['alice', 'Lunch? The fish place by the harbour?'],
  ['chloe', 'Yes, 12:30.'],
  ['dev', 'Found the bug with the ticket form: a time zone thing, of course.'],
  ['bob', 'Can someone check the French translation of the tour page?'],
  ['chloe', 'Je m&apos;en occupe.'],
  ['alice', 'Budget update: we&apos;re fine until August.'],
  ['dev', 'New favicon: a tiny lighthouse. It blinks in dark mode (it does not).'],
  ['chloe', 'The printed leaflet needs the QR code by Friday.'],
  ['bob', 'Weekly notes are up on the wiki.'],
  ['alice', 'Volunteers&apos; page is live.'],
  ['dev', 'Upgraded the server, 4 minutes of downtime, nobody noticed.'],
  ['chloe', 'The curator asked whether the lamp photos can be zoomable. Dev?'],
  ['dev', 'The zoomable lamp photos are on staging.'],
  ['bob', 'School groups booking form: first three bookings already!'],
  ['alice', 'Great week everyone, thank you.'],
];

function lighthouse() {
  const c = conversation();
  c.at('2023-02-01T09:02:17.3Z');
  c.event('ThreadActivity/AddMember', activity('addmember', people.alice, { targets: [people.bob, people.chloe, people.dev] }), { fromThread: true });
  c.wait(20).event('ThreadActivity/TopicUpdate', activity('topicupdate', people.alice, { value: 'Project Lighthouse' }), { fromThread: true });
  c.wait(30).event('ThreadActivity/HistoryDisclosedUpdate', activity('historydisclosedupdate', people.alice, { value: 'true' }), { fromThread: true });
  c.wait(60).say('alice', `Welcome to <b>Project Lighthouse</b>: the new website for the Cap Fréhel lighthouse museum ${ss('smile', ':)')}`);
  c.wait(300).say('dev', `Repo is ready: ${link('https://example.org/git/lighthouse')}`);
  c.wait(60).event('ThreadActivity/AddMember', activity('addmember', people.dev, { targets: [people.ci] }), { fromThread: true });
  c.wait(60).say('ci', '✅ Build #1 passed (main, 2 min 14 s)');

  let day = Date.parse('2023-02-02T08:00:00Z');
  const end = Date.parse('2023-06-30T18:00:00Z');
  let build = 2;
  let line = 0;
  let edited = 0;
  while (day < end) {
    const weekday = new Date(day).getUTCDay();
    if (weekday !== 0 && weekday !== 6 && random() < 0.62) {
      c.at(new Date(day + between(0, 3) * 3600_000 + between(0, 59) * 60_000).toISOString());
      const n = between(1, 4);
      for (let k = 0; k < n; k++) {
        const [who, text] = LIGHTHOUSE_LINES[line++ % LIGHTHOUSE_LINES.length];
        const m = c.wait(k ? between(40, 900) : 0).say(who, text);
        if (text.includes('Dev?')) c.wait(200).say('dev', quote(m, LIGHTHOUSE, `Zoom is easy, ${at(people.chloe)}: give me a day.`));
        if (line % 23 === 7 && edited < 3) {
          m.properties = { edittime: String(m.time + 90_000) };
          edited++;
        }
      }
      if (random() < 0.35) {
        const secs = between(70, 200);
        c.wait(600).say('ci', `✅ Build #${build++} passed (main, ${Math.floor(secs / 60)} min ${secs % 60} s)`);
      }
    }
    day += 86_400_000;
  }

  // Special moments, in time order.
  c.at('2023-06-30T17:05:00.010Z');
  c.say('dev', 'Launch day tomorrow! Freezing main now.');
  c.wait(120);
  // The bot posted the same line twice in the same second (a retried webhook): both are kept.
  const twice = '⚠️ Build #' + build + ' is waiting for approval';
  const first = c.say('ci', twice);
  c.list.push({ ...first, id: String(Number(first.id) + 1) });
  c.wait(300).say('alice', 'Approved. Go go go!');
  c.wait(200).event('ThreadActivity/DeleteMember', activity('deletemember', people.dev, { targets: [people.ci] }), { fromThread: true });
  c.wait(60).say('dev', 'Removed the CI bot from the chat, it was getting chatty.');
  c.wait(3600 * 16).say('bob', `We&apos;re live: ${link('https://example.org/lighthouse', 'the new museum website')} ${ss('heart', '(heart)')}`);
  c.wait(120).event('Event/Call', call('started', [people.bob]), { who: 'bob' });
  c.wait(1500).event('Event/Call', call('ended', [people.bob, people.alice, people.chloe, people.dev], 1502.44), { who: 'bob' });
  c.wait(60).say('chloe', 'Champagne emoji, but Skype has none, so: (clap)(clap)(clap)');
  return c.list;
}

// --- The Skype concierge: notices and cards ----------------------------------------------------

function concierge() {
  const c = conversation();
  c.at('2023-01-15T12:00:00Z');
  c.say(
    'skype',
    JSON.stringify([{ content: { title: 'Welcome to Skype', text: 'Say hi to your contacts, or start a group chat with the + button.' } }]),
    { type: 'PopCard' },
  );
  c.at('2023-07-03T08:00:00.5Z');
  c.say(
    'skype',
    JSON.stringify([
      {
        attachments: [
          {
            content: {
              title: 'Your export is ready',
              text: 'Download your chats and files within 30 days.',
              mainActionUri: 'https://secure.skype.com/en/data-export',
            },
          },
        ],
      },
    ]),
    { type: 'Notice' },
  );
  c.wait(60).say('skype', 'Thanks for using Skype!', { type: 'Text' });
  return c.list;
}

// ------------------------------------------------------------------------------------------------
// Output in the export's shape

function messageJson(m, chatId) {
  const person = people[m.who];
  const time = new Date(m.time).toISOString().replace(/\.?0+Z$/, 'Z'); // 1–3 fraction digits, like Skype
  const self = m.who === 'alice';
  const content = m.content.replace('{eventtime}', String(m.time));
  return {
    id: m.id,
    displayName: self || m.fromThread ? null : person.name,
    originalarrivaltime: time,
    messagetype: m.type,
    version: Number(m.id),
    content,
    conversationid: chatId,
    // Thread activity comes "from" the thread; the export drops the 8: prefix of the account's own id.
    from: m.fromThread ? chatId : person.id,
    properties: m.properties ?? null,
    amsreferences: m.amsreferences ?? null,
  };
}

function conversationJson(id, displayName, threadProperties, list) {
  const sorted = [...list].sort((a, b) => b.time - a.time || Number(b.id) - Number(a.id)); // newest first
  const last = sorted[0];
  return {
    id,
    displayName,
    version: last.time + 2000,
    properties: {
      conversationblocked: false,
      lastimreceivedtime: new Date(last.time).toISOString(),
      consumptionhorizon: `${last.time};${last.time + 1};${cuid()}`,
      conversationstatus: null,
    },
    threadProperties,
    MessageList: sorted.map((m) => messageJson(m, id)),
  };
}

const members = (...list) => JSON.stringify(list.map((p) => p.id));

const exportJson = {
  userId: `8:${SELF_ID}`,
  exportDate: '2023-07-03T07:58',
  conversations: [
    conversationJson(HIKERS, 'Weekend Hikers 🥾', { membercount: 4, members: members(people.alice, people.bob, people.chloe), topic: 'Weekend Hikers 🥾' }, weekendHikers()),
    conversationJson(BOB, 'Bob Tanaka', null, bobChat()),
    conversationJson(LIGHTHOUSE, 'Project Lighthouse', { membercount: 4, members: members(people.alice, people.bob, people.chloe, people.dev), topic: 'Project Lighthouse' }, lighthouse()),
    conversationJson(CONCIERGE, 'Skype', null, concierge()),
  ],
};

// Skype writes versions as floats ("version":1630565395224.0): so do we.
const text = JSON.stringify(exportJson).replace(/"version":(\d+)([,}])/g, '"version":$1.0$2');

rmSync(OUT, { recursive: true, force: true });
mkdirSync(join(OUT, 'media'), { recursive: true });
writeFileSync(join(OUT, 'messages.json'), text);
writeFileSync(
  join(OUT, 'endpoints.json'),
  JSON.stringify({ endpoints: [{ id: '{d9a6c1f0-5e2b-4c7a-9f31-0b8e2d4a6c17}', type: 'desktop', os: 'Windows 11', lastSeen: '2023-07-03T07:40:12Z' }] }),
);
for (const m of Object.values(media)) {
  writeFileSync(join(OUT, 'media', `${m.ams}.1.${m.ext}`), m.bytes);
  writeFileSync(join(OUT, 'media', `${m.ams}.json`), JSON.stringify({ filename: m.name, fileSize: m.bytes.length, expiryDate: '2023-08-02T07:58:00Z' }));
}
const count = exportJson.conversations.reduce((n, c) => n + c.MessageList.length, 0);
console.log(`wrote ${OUT}: ${exportJson.conversations.length} chats, ${count} messages, ${Object.keys(media).length} media files`);
