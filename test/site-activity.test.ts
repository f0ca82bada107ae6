import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, posix } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildSite } from '../site/build.js';
import { ActivityStore, type ChatActivity } from '../site/data/activity.js';
import { buildCatalog } from '../site/data/catalog.js';
import { LocalCalendar } from '../site/data/local-calendar.js';
import { ArchiveReader } from '../site/data/reader.js';
import { resolveOptions } from '../site/options.js';
import { TimeFormatter } from '../site/render/time.js';
import { serveSite } from '../site/serve.js';
import type { BuildStats } from '../site/state.js';
import { writeFixture, type FixtureChat, type FixtureMessage } from './helpers/fixture-db.js';
import { scanForLeaks, secretsOf } from './helpers/leak-scan.js';
import { buildInto, listFiles, read } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';

/**
 * The activity pictures (heatmap per local day, bars per local month) and "who talks", from a
 * real import and a real build: their numbers against an independent count of the fixture (Intl
 * in the site's zone, not the site's code), every link to a page that exists and holds the day's
 * separator, privacy modes, byte-identical rebuilds, and incremental rebuilds.
 */
const ZONE = 'America/New_York';
const MIN = 60_000;
const HOUR = 60 * MIN;

const PEOPLE = Array.from({ length: 23 }, (_, i) => ({ nativeId: `8:live:person${i}`, displayName: `Speaker ${String.fromCharCode(65 + i)}lias` }));

function say(author: number, time: number | string, body: string, extra: Partial<FixtureMessage> = {}): FixtureMessage {
  return { nativeId: `${body}@${String(time)}`, author: PEOPLE[author].nativeId, authorName: PEOPLE[author].displayName, time, body, ...extra };
}

/** Times chosen around local midnight, month ends, a DST change, a month split into days, and beyond the heatmap's years. */
function lighthouse(): FixtureChat {
  const messages: FixtureMessage[] = [
    say(0, '2018-05-10T12:00:00Z', 'old one'),
    say(1, '2018-05-10T13:00:00Z', 'old two'),
    say(0, '2019-11-30T23:30:00Z', 'old three'), // 18:30 local, 30 Nov; UTC is still November
    say(0, '1975-01-01T00:00:00Z', 'implausible clock'),
    say(0, '2023-07-01T02:30:00Z', 'June night'), // 22:30 on 30 June in New York, on the July page
    say(1, '2023-07-01T05:00:00Z', 'July morning'), // 01:00 on 1 July
    say(0, '2023-03-12T04:30:00Z', 'before the change'), // 23:30 EST on 11 March
    say(1, '2023-03-12T06:30:00Z', 'in the last hour'), // 01:30 EST on 12 March
    say(2, '2023-03-12T08:00:00Z', 'after the change'), // 04:00 EDT on 12 March
    say(22, '2023-03-12T09:00:00Z', 'joined', { kind: 'event' }),
  ];
  // February 2024: 1,100 messages, so the month is split into day pages; every 37 minutes, so
  // local days straddle UTC day pages.
  for (let i = 0; i < 1100; i++) messages.push(say(i % 22, Date.UTC(2024, 1, 1, 3) + i * 37 * MIN, `busy ${i}`));
  return { nativeId: '19:lighthouse@thread.skype', title: 'Lighthouse', members: PEOPLE, messages };
}

function quiet(): FixtureChat {
  return {
    nativeId: '19:quiet@thread.skype',
    title: 'Quiet',
    members: PEOPLE.slice(0, 2),
    messages: [say(0, '2021-01-01T04:59:00Z', 'still 2020 here'), say(1, '2024-12-31T23:00:00Z', 'new year eve'), say(1, '2024-03-10T07:30:00Z', 'spring')],
  };
}

const localDate = new Intl.DateTimeFormat('en-CA', { timeZone: ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });
const localDay = (t: number): string => localDate.format(t);

/** Independent counts of plausibly dated messages (1980–2100) per local day and month. */
function expected(chats: FixtureChat[]): { days: Map<string, number>; months: Map<string, number> } {
  const days = new Map<string, number>();
  const months = new Map<string, number>();
  for (const chat of chats) {
    for (const m of chat.messages) {
      const t = typeof m.time === 'number' ? m.time : Date.parse(m.time);
      if (t < Date.UTC(1980, 0, 1)) continue;
      const day = localDay(t);
      days.set(day, (days.get(day) ?? 0) + 1);
      months.set(day.slice(0, 7), (months.get(day.slice(0, 7)) ?? 0) + 1);
    }
  }
  return { days, months };
}

const count = (label: string): number => Number(/: ([\d,]+) messages?$/.exec(label)![1].replace(/,/g, ''));
const unescape = (s: string): string => s.replace(/&amp;/g, '&');
const monthLabel = new Intl.DateTimeFormat('en', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const monthOfLabel = (label: string): string => {
  for (let y = 2015; y <= 2026; y++) for (let m = 1; m <= 12; m++) if (monthLabel.format(Date.UTC(y, m - 1, 1)) === label) return `${y}-${String(m).padStart(2, '0')}`;
  throw new Error(`no month ${label}`);
};

/** The activity section of a page, its day cells (link, label) and its month bars. */
function activityOf(html: string): { section: string; days: { href: string | null; label: string }[]; bars: { href: string | null; label: string }[] } {
  const section = /<section class="cc-activity"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  const days = [...section.matchAll(/<(a href="([^"]*)"|g)><title>([^<]*)<\/title><rect [^>]*class="cc-heat\d"/g)].map((m) => ({ href: m[2] ? unescape(m[2]) : null, label: m[3] }));
  const bars = [...section.matchAll(/<(a href="([^"]*)"|g)><title>([^<]*)<\/title><rect [^>]*class="cc-hit"/g)].map((m) => ({ href: m[2] ? unescape(m[2]) : null, label: m[3] }));
  return { section, days, bars };
}

function landingOf(out: string, title: string): string {
  const page = listFiles(out).find((f) => /^chats\/[^/]+\/index\.html$/.test(f) && read(out, f).includes(`<h1>${title}</h1>`));
  assert.ok(page, `a landing page for ${title}`);
  return page;
}

describe('activity pictures and who talks', () => {
  let db: string;
  let out: string;
  const chats = [lighthouse(), quiet()];
  before(async () => {
    db = join(scratchDir('cc-activity-'), 'chats.sqlite');
    writeFixture(db, chats);
    out = (await buildInto(db, { timeZone: ZONE })).out;
  });

  test('a landing page counts each local day of its last three years and each local month, as an independent count does', () => {
    const page = landingOf(out, 'Lighthouse');
    const { days, bars, section } = activityOf(read(out, page));
    const want = expected([chats[0]]);
    const shownDays = new Map(days.map((d) => [/#d(\d{4}-\d\d-\d\d)$/.exec(d.href!)![1], count(d.label)]));
    const wantDays = new Map([...want.days].filter(([day]) => day >= '2022-01-01'));
    assert.deepEqual([...shownDays].sort(), [...wantDays].sort());
    // The local days that UTC would get wrong are there.
    assert.equal(shownDays.get('2023-06-30'), 1);
    assert.equal(shownDays.get('2023-03-11'), 1);
    assert.equal(shownDays.get('2023-03-12'), 3);
    const shownMonths = new Map(bars.map((b) => [monthOfLabel(b.label.replace(/: .*$/, '')), count(b.label)]));
    assert.deepEqual([...shownMonths].sort(), [...want.months].sort());
    assert.equal(shownMonths.get('2019-11'), 1, 'a local month, not the UTC one');
    // Three heatmap years, newest first; months from 2018 on; one implausible date noted.
    assert.deepEqual([...section.matchAll(/<span class="cc-heat-year">(\d+)<\/span>/g)].map((m) => m[1]), ['2024', '2023', '2022']);
    assert.match(section, /1 message has an implausible date and is not shown/);
    // The table says the same as the bars.
    const rows = [...section.matchAll(/<tr><th scope="row"><a href="[^"]*">([^<]+)<\/a><\/th><td>([\d,]+)<\/td><\/tr>/g)];
    assert.deepEqual(rows.map((r) => [monthOfLabel(r[1]), Number(r[2].replace(/,/g, ''))]).sort(), [...want.months].sort());
  });

  test('every day and month link goes to an archive page that holds that day\'s separator', () => {
    const page = landingOf(out, 'Lighthouse');
    const { days, bars, section } = activityOf(read(out, page));
    const links = [...days, ...bars].map((d) => d.href!);
    assert.ok(links.length > 40);
    for (const href of new Set([...links, ...[...section.matchAll(/<a href="([^"#]*#d[^"]*)"/g)].map((m) => unescape(m[1]))])) {
      const [path, fragment] = href.split('#');
      const target = posix.join(dirname(page), path, 'index.html');
      assert.ok(existsSync(join(out, target)), `${href} from ${page}: ${target} exists`);
      assert.ok(read(out, target).includes(`id="${fragment}"`), `${target} has the separator #${fragment}`);
    }
    // A day of the split month links to a day page.
    const busy = days.find((d) => d.href!.endsWith('#d2024-02-10'))!;
    assert.match(busy.href!, /^2024\/02\/(09|10)\/#d2024-02-10$/);
    // The June night is on the July page (UTC), at its local day's separator.
    assert.equal(days.find((d) => d.href!.endsWith('#d2023-06-30'))!.href, '2023/07/#d2023-06-30');
  });

  test('the home page adds every chat up and links days and months to the search page filtered to them', () => {
    const { days, bars } = activityOf(read(out, 'index.html'));
    const want = expected(chats);
    const shownDays = new Map(days.map((d) => [/after=(\d{4}-\d\d-\d\d)/.exec(d.href!)![1], count(d.label)]));
    assert.deepEqual([...shownDays].sort(), [...want.days].filter(([day]) => day >= '2022-01-01').sort());
    assert.equal(days.find((d) => d.href!.includes('after=2024-12-31'))!.href, 'search/?after=2024-12-31&before=2025-01-01');
    const shownMonths = new Map(bars.map((b) => [monthOfLabel(b.label.replace(/: .*$/, '')), count(b.label)]));
    assert.deepEqual([...shownMonths].sort(), [...want.months].sort());
    assert.ok(bars.some((b) => b.href === 'search/?after=2019-11&before=2019-12'));
  });

  test('without search the home page shows the same pictures with no links', async () => {
    const plain = (await buildInto(db, { timeZone: ZONE, search: false })).out;
    const { days, bars, section } = activityOf(read(plain, 'index.html'));
    assert.ok(days.length > 0 && bars.length > 0);
    assert.ok(days.every((d) => d.href === null) && bars.every((b) => b.href === null));
    assert.doesNotMatch(section, /<a href="(?!#cc-activity-end)/);
  });

  test('who talks: counts without system lines, first and last dates, the top 20 and "and N others"', () => {
    const html = read(out, landingOf(out, 'Lighthouse'));
    const who = /<section class="cc-who"[\s\S]*?<\/section>/.exec(html)![0];
    const rows = [...who.matchAll(/<tr><th scope="row"><bdi>([^<]*)<\/bdi><\/th><td class="cc-who-count">([\d,]+) /g)].map((m) => [m[1], Number(m[2].replace(/,/g, ''))] as const);
    const counts = new Map<string, number>();
    for (const m of chats[0].messages) if (m.kind !== 'event') counts.set(m.authorName!, (counts.get(m.authorName!) ?? 0) + 1);
    const ordered = [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    assert.deepEqual(rows, ordered.slice(0, 20));
    const rest = ordered.slice(20);
    assert.match(who, new RegExp(`and ${rest.length} others \\(${rest.reduce((n, r) => n + r[1], 0)} messages\\)`));
    assert.ok(!who.includes(PEOPLE[22].displayName), 'someone with only a join line does not talk');
    // Speaker A's first plausible message is in 2018, the 1975 one is left out.
    assert.match(who, /<bdi>Speaker Alias<\/bdi><\/th><td class="cc-who-count">[^<]*<svg[\s\S]*?<\/svg><\/td><td><time datetime="2018-05-10T12:00:00.000Z">/);
  });

  test('hidden and pseudonymized authors: no name or id in any byte; pseudonyms, or only the distribution', async () => {
    const secrets = secretsOf(db);
    const hidden = (await buildInto(db, { timeZone: ZONE, authors: 'hide' })).out;
    assert.deepEqual(scanForLeaks(hidden, secrets), []);
    const whoHidden = /<section class="cc-who"[\s\S]*?<\/section>/.exec(read(hidden, landingOf(hidden, 'Lighthouse')))![0];
    assert.match(whoHidden, /22 people wrote messages; names are not published/);
    assert.doesNotMatch(whoHidden, /<time|Person /);
    const pseudo = (await buildInto(db, { timeZone: ZONE, authors: 'pseudonymize' })).out;
    assert.deepEqual(scanForLeaks(pseudo, secrets), []);
    const whoPseudo = /<section class="cc-who"[\s\S]*?<\/section>/.exec(read(pseudo, landingOf(pseudo, 'Lighthouse')))![0];
    assert.equal([...whoPseudo.matchAll(/<bdi>Person [0-9a-f]{4}<\/bdi>/g)].length, 20);
  });

  test('excluded authors stay excluded from who talks and from the counts', async () => {
    const excluded = (await buildInto(db, { timeZone: ZONE, excludeAuthors: [PEOPLE[0].nativeId] })).out;
    const html = read(excluded, landingOf(excluded, 'Lighthouse'));
    assert.ok(!html.includes(PEOPLE[0].displayName));
    const { bars } = activityOf(html);
    const want = expected([{ ...chats[0], messages: chats[0].messages.filter((m) => m.author !== PEOPLE[0].nativeId) }]);
    assert.deepEqual(new Map(bars.map((b) => [monthOfLabel(b.label.replace(/: .*$/, '')), count(b.label)])), want.months);
  });

  test('two builds of one database are the same bytes', async () => {
    const again = (await buildInto(db, { timeZone: ZONE })).out;
    const files = listFiles(out);
    assert.deepEqual(listFiles(again), files);
    for (const file of files) assert.ok(readFileSync(join(again, file)).equals(readFileSync(join(out, file))), `${file} has the same bytes`);
  });
});

test('an incremental build puts a new message\'s day into the landing page\'s and the home page\'s pictures', async () => {
  const dir = scratchDir('cc-activity-incr-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [lighthouse(), quiet()]);
  const incremental = join(dir, 'incremental');
  const first = await buildSite({ db, out: incremental, timeZone: ZONE, search: false, quiet: true });
  const before = activityOf(read(incremental, landingOf(incremental, 'Quiet')));
  assert.ok(!before.days.some((d) => d.label.startsWith('Thursday, September 5, 2024')));

  writeFixture(db, [{ nativeId: '19:quiet@thread.skype', title: 'Quiet', messages: [say(1, '2024-09-06T02:00:00Z', 'late night')] }]);
  const second = await buildSite({ db, out: incremental, timeZone: ZONE, search: false, quiet: true, since: first.changeSeq });
  assert.equal(second.incremental, true);
  const landing = activityOf(read(incremental, landingOf(incremental, 'Quiet')));
  assert.deepEqual(
    landing.days.find((d) => d.label.startsWith('Thursday, September 5, 2024')),
    { href: '2024/09/#d2024-09-05', label: 'Thursday, September 5, 2024: 1 message' },
  );
  const home = activityOf(read(incremental, 'index.html'));
  assert.ok(home.days.some((d) => d.label === 'Thursday, September 5, 2024: 1 message'));

  const full = join(dir, 'full');
  await buildSite({ db, out: full, timeZone: ZONE, search: false, quiet: true });
  for (const file of ['index.html', landingOf(full, 'Quiet'), landingOf(full, 'Lighthouse')]) {
    assert.equal(read(incremental, file), read(full, file), `${file}: incremental = full`);
  }
});

test('watch mode (serve, incremental): a new message\'s day shows on both pages, the unchanged chat\'s pictures are reused, and all equals a full build', async () => {
  const dir = scratchDir('cc-activity-serve-');
  const db = join(dir, 'chats.sqlite');
  writeFixture(db, [lighthouse(), quiet()]);
  const out = join(dir, 'served');
  const builds: BuildStats[] = [];
  let waiting: (() => void) | null = null;
  // Port 0: any free port, chosen by the system (a port probed here could be taken by a parallel test).
  const server = await serveSite({ db, out, port: 0, quiet: true, search: false, timeZone: ZONE, onBuild: (stats) => (builds.push(stats), waiting?.()) });
  const nextBuild = async (count: number) => {
    for (let i = 0; i < 300 && builds.length < count; i++) await new Promise<void>((resolve) => ((waiting = resolve), setTimeout(resolve, 100)));
    assert.equal(builds.length, count, 'the rebuild happened');
  };
  const label = 'Thursday, September 5, 2024: 1 message';
  try {
    await nextBuild(1);
    assert.ok(!activityOf(read(out, 'index.html')).days.some((d) => d.label === label));
    writeFixture(db, [{ nativeId: '19:quiet@thread.skype', title: 'Quiet', messages: [say(1, '2024-09-06T02:00:00Z', 'late night')] }]);
    await nextBuild(2);
    assert.equal(builds[1].incremental, true);
    assert.ok(activityOf(read(out, landingOf(out, 'Quiet'))).days.some((d) => d.label === label), 'the landing page');
    assert.ok(activityOf(read(out, 'index.html')).days.some((d) => d.label === label), 'the home page');
  } finally {
    await server.close();
  }
  const full = join(dir, 'full');
  await buildSite({ db, out: full, search: false, timeZone: ZONE, quiet: true });
  for (const file of ['index.html', landingOf(full, 'Quiet'), landingOf(full, 'Lighthouse')]) {
    assert.equal(read(out, file), read(full, file), `${file}: served rebuild = full build`);
  }
});

test('a changed chat\'s activity counted again from the previous one around its changed days equals one counted afresh, with fewer counts', () => {
  const db = join(scratchDir('cc-activity-recount-'), 'chats.sqlite');
  const chat = { nativeId: '19:lighthouse@thread.skype', title: 'Lighthouse' };
  writeFixture(db, [lighthouse()]);
  const calendar = new LocalCalendar(new TimeFormatter(ZONE, 'en'));
  /** The chat's activity in the database as it is now: afresh, and from `previous`; the range counts each took. */
  const countNow = (previous: { activity: ChatActivity; seq: number } | null) => {
    const reader = new ArchiveReader(db);
    try {
      const catalog = buildCatalog(reader, resolveOptions({ db, timeZone: ZONE }), new TimeFormatter(ZONE, 'en'), null);
      const summary = catalog.chats.find((c) => c.title === chat.title)!;
      let counts = 0;
      const countInRange = reader.countInRange.bind(reader);
      reader.countInRange = (...args) => (counts++, countInRange(...args));
      const fresh = new ActivityStore(reader, calendar).of(summary);
      const freshCounts = counts;
      counts = 0;
      const again = previous ? new ActivityStore(reader, calendar, new Map([[summary.id, previous.activity]]), new Set([summary.id]), reader.changesSince(previous.seq).days).of(summary) : null;
      return { fresh, again, freshCounts, againCounts: counts, seq: catalog.changeSeq };
    } finally {
      reader.close();
    }
  };
  let last = countNow(null);
  const changes: [string, FixtureMessage[]][] = [
    ['a minute after the newest', [say(3, Date.UTC(2024, 1, 1, 3) + 1100 * 37 * MIN, 'probe one')]],
    ['months later: a new day and month', [say(3, '2024-10-01T03:30:00Z', 'probe two')]], // 23:30 on 30 September in New York
    ['a new year: the heatmap\'s years move', [say(4, '2025-01-02T15:00:00Z', 'probe three')]],
    ['back-filled before the first', [say(5, '2017-02-03T10:00:00Z', 'early bird')]],
    ['around the DST change, in a month and day that have messages', [say(6, '2023-03-12T07:10:00Z', 'in the gap')]],
    ['an edit and a deletion', [{ ...say(1, '2023-07-01T05:00:00Z', 'July morning'), body: 'July morning, edited', editedAt: Date.parse('2025-01-03T00:00:00Z') }, { ...say(0, '2023-07-01T02:30:00Z', 'June night'), deleted: true }]],
    ['an implausible date', [say(0, '1976-06-01T00:00:00Z', 'another implausible clock')]],
  ];
  for (const [what, messages] of changes) {
    writeFixture(db, [{ ...chat, messages }]);
    const now = countNow({ activity: last.fresh, seq: last.seq });
    assert.deepEqual(now.again, now.fresh, `${what}: the same activity`);
    assert.ok(now.againCounts < now.freshCounts, `${what}: ${now.againCounts} range counts, afresh ${now.freshCounts}`);
    last = now;
  }
});
