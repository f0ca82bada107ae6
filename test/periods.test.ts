import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';
import fc from 'fast-check';
import { openStore } from '../collector/store/open.js';
import { dayOf, isDated, monthRange, pagePathOf, slotOf } from '../collector/store/periods.js';
import { openSearchEngine, periodsModuleOf } from '../site/search/node-engine.js';
import { writeFixture, type FixtureMessage } from './helpers/fixture-db.js';
import { anchorsIn, archivePages, buildInto, listFiles, read } from './helpers/site.js';
import { propertySeeds } from './helpers/seeds.js';
import { tempDir } from './helpers/temp.js';

/**
 * A message's page (its URL) is decided by one rule: the site's pages, its search index and the
 * `chatchannels search` command must name the same page for every message, including messages
 * dated outside years 1–9999 (the out-of-range pages) and in years 0–99, where JavaScript's
 * two-digit-year rules bite.
 */

const CLI = resolve('dist/collector/cli.js');
const at = (year: number, month = 0, day = 1, ms = 0): number => new Date(0).setUTCFullYear(year, month, day) + ms;

/** Edge times, each a message holding the word `edge`. */
const EDGE_TIMES: [string, number][] = [
  ['about year -125,000', -4e15],
  ['year -1', at(-1, 6, 15)],
  ['last instant of year 0', at(1) - 1],
  ['first instant of year 1', at(1)],
  ['year 50', at(50, 2, 31, 3_600_000)],
  ['last instant of year 99', at(100) - 1],
  ['first instant of 1970', 0],
  ['last instant of 1969', -1],
  ['a leap day', at(2024, 1, 29, 43_200_000)],
  ['last instant of February 2023', at(2023, 2, 1) - 1],
  ['last instant of year 9999', at(10000) - 1],
  ['first instant of year 10000', at(10000)],
  ['about year 128,700', 4e15],
];

/**
 * Times the search index cannot hold today: its document store writes time deltas as zigzag
 * varints exact below 2^52 ms (site/search/bytes.ts), so a message near the ends of the Date range
 * (or beyond) turns the times, and so the page paths, of the documents after it into NaN.
 */
const FAR_TIMES: [string, number][] = [
  ['before the Date range', -9e15],
  ['first Date instant', -8.64e15],
  ['last Date instant', 8.64e15],
  ['beyond the Date range', 9e15],
];

/** `chats/<slug>/<page>#<anchor>` → `<slug>#<anchor>`: a message, wherever it is said to be. */
function keyOf(path: string): string {
  return `${path.split('/')[1]}#${path.split('#')[1]}`;
}

function edgeMessages(times = EDGE_TIMES): FixtureMessage[] {
  return times.map(([name, time], i) => ({ nativeId: `edge${i}`, author: '8:live:ann', authorName: 'Ann', time, body: `edge ${name}` }));
}

/**
 * Months of over 1000 messages (their pages are one per day) in a year below 100 and a recent one:
 * the split rule is the same in every year.
 */
function bigMonth(year: number): FixtureMessage[] {
  return Array.from({ length: 1001 }, (_, i) => ({
    nativeId: `big${year}-${i}`, author: '8:live:bob', authorName: 'Bob', time: at(year, 2, 1 + (i % 28), i * 1000), body: `busy ${year} ${i}`,
  }));
}

test('a month of over 1000 messages is stored as day pages in every year (0050 as 2050)', () => {
  const dir = tempDir('cc-periods-');
  const file = join(dir, 'db.sqlite');
  writeFixture(file, [{ nativeId: '19:busy@thread.skype', title: 'Busy', messages: [...bigMonth(50), ...bigMonth(2050)] }]);
  const db = openStore(file, { readonly: true });
  try {
    assert.deepEqual(db.prepare('SELECT month, by_day FROM periods ORDER BY month').all(), [
      { month: '0050-03', by_day: 1 },
      { month: '2050-03', by_day: 1 },
    ]);
  } finally {
    db.close();
  }
});

/**
 * Builds a site of `edges` (one chat) and a day-split month (another), and asserts that the site's
 * pages, its search index (read by the browser's engine) and `chatchannels search` name the same
 * page for every message holding the word `edge`.
 */
async function assertSamePages(edges: FixtureMessage[]): Promise<void> {
  const dir = tempDir('cc-periods-');
  const file = join(dir, 'db.sqlite');
  writeFixture(file, [
    { nativeId: '19:edges@thread.skype', title: 'Edges of time', messages: edges },
    { nativeId: '19:busy@thread.skype', title: 'Busy', messages: [...bigMonth(2050), { author: '8:live:bob', time: at(2050, 3, 1) - 1, body: 'edge end of a busy month' }] },
  ]);
  const { out } = await buildInto(file);

  // The site: the page each anchor is on.
  const site = new Map<string, string>();
  for (const page of archivePages(listFiles(out))) {
    const path = page.slice(0, -'index.html'.length);
    for (const anchor of anchorsIn(read(out, page))) site.set(keyOf(`${path}#${anchor}`), `${path}#${anchor}`);
  }

  // Its search index, read by the browser's own engine.
  const engine = openSearchEngine(join(out, 'search', 'data'));
  const result = await engine.search('edge');
  const index = new Map<string, string>();
  for (const doc of await result.take(0, result.count)) index.set(keyOf((await engine.document(doc)).path), (await engine.document(doc)).path);

  // The command line.
  const run = spawnSync(process.execPath, [CLI, 'search', 'edge', '--db', file, '--json', '--limit', '1000'], { encoding: 'utf8', env: { ...process.env, CI: '1' } });
  assert.equal(run.status, 0, run.stderr);
  const cli = new Map<string, string>();
  for (const line of run.stdout.trim().split('\n')) {
    const { path } = JSON.parse(line) as { path: string };
    cli.set(keyOf(path), path);
  }

  assert.equal(index.size, edges.length + 1, 'every edge message is found');
  assert.deepEqual(new Map([...cli].sort()), new Map([...index].sort()), '`chatchannels search` and the site search name the same pages');
  for (const [key, path] of index) assert.equal(site.get(key), path, `the site has ${key} on ${path}`);
  assert.ok([...index.values()].some((p) => p.includes('/out-of-range/early/')) && [...index.values()].some((p) => p.includes('/out-of-range/late/')));
  assert.ok([...index.values()].some((p) => /\/2050\/03\/31\/#/.test(p)), 'a day page');
}

test('every message is on the same page in the built site, its search index and `chatchannels search` (edge dates, month and day pages)', async () => {
  await assertSamePages(edgeMessages());
});

test(
  'messages dated at the ends of the Date range are on the same page in the site, its search index and `chatchannels search`',
  { todo: 'the search data format writes document times as zigzag varints exact below 2^52 ms only (site/search/bytes.ts, shards.ts): a format change' },
  async () => {
    await assertSamePages(edgeMessages([...FAR_TIMES, ...EDGE_TIMES]));
  },
);

// ---------------------------------------------------------------- the browser's copy

/**
 * The browser's date and path code: site/client/search/periods.js, evaluated as the site's
 * search.js bundles it (site/search/bundle.ts), so the test runs the very code the browser runs.
 */
interface BrowserPeriods {
  pagePath(slotLabel: string, byDay: boolean, time: number): string;
  slotRange(label: string): [number, number];
}

function browserPeriods(): BrowserPeriods {
  const found = periodsModuleOf();
  assert.ok(typeof found.pagePath === 'function' && typeof found.slotRange === 'function', 'periods.js exports pagePath and slotRange');
  return found;
}

/** An open end of a slot: the browser says ±Infinity, the server ±2^64 (beyond any SQLite INTEGER). */
const openEnd = (t: number): number => (Math.abs(t) >= 2 ** 63 ? Math.sign(t) * Infinity : t);

/** Edge times: every month boundary (±1 ms) of years around the ends of the dated range, 1970 and a leap year, the Date range's ends. */
function edgeTimes(): number[] {
  const times = new Set<number>([0, -1, 1, -8.64e15, -8.64e15 + 1, 8.64e15, 8.64e15 - 1, -9e15, 9e15, -(2 ** 60), 2 ** 60]);
  for (const year of [-10000, -1, 0, 1, 2, 50, 99, 100, 999, 1000, 1899, 1900, 1969, 1970, 2000, 2024, 2100, 9998, 9999, 10000, 10001, 275759]) {
    for (let month = 0; month < 12; month++) {
      const start = at(year, month);
      for (const t of [start - 1, start, start + 1, start + 14 * 86_400_000 + 43_200_000]) times.add(t);
    }
  }
  return [...times].filter(Number.isFinite).sort((a, b) => a - b);
}

function assertBrowserAgrees(browser: BrowserPeriods, time: number): void {
  const slot = slotOf(time);
  assert.ok(time >= slot.start && time < slot.end, `${time} is in its slot ${slot.label}`);
  assert.deepEqual(browser.slotRange(slot.label).map(openEnd), [slot.start, slot.end].map(openEnd), `slot ${slot.label} of ${time}`);
  if (isDated(time)) assert.deepEqual(monthRange(slot.label), [slot.start, slot.end]);
  for (const byDay of [false, true]) {
    assert.equal(browser.pagePath(slot.label, byDay, time), pagePathOf(time, byDay), `page of ${time} (${byDay ? 'day' : 'month'} pages)`);
  }
  const path = pagePathOf(time, false);
  assert.equal(path, isDated(time) ? `${slot.label.replace('-', '/')}/` : time < 0 ? 'out-of-range/early/' : 'out-of-range/late/');
  if (isDated(time)) assert.equal(pagePathOf(time, true), `${dayOf(time).replace(/-/g, '/')}/`);
}

test('the browser search computes the same slots, month ranges and page paths as periods.ts (edge times)', () => {
  const browser = browserPeriods();
  for (const time of edgeTimes()) assertBrowserAgrees(browser, time);
});

test('the browser search computes the same slots, month ranges and page paths as periods.ts (random times)', (t) => {
  const browser = browserPeriods();
  for (const seed of propertySeeds(t)) {
    fc.assert(
      fc.property(fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: at(-2), max: at(10002) }), fc.maxSafeInteger()), (time) => {
        assertBrowserAgrees(browser, time);
      }),
      { seed, numRuns: 2000 },
    );
  }
});

test("dayOf names a time's UTC day whatever day it named before (it reuses the last one it formatted)", (t) => {
  const fresh = (time: number): string => {
    const d = new Date(time);
    const pad = (n: number, width: number): string => String(n).padStart(width, '0');
    return `${pad(d.getUTCFullYear(), 4)}-${pad(d.getUTCMonth() + 1, 2)}-${pad(d.getUTCDate(), 2)}`;
  };
  const time = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.integer({ min: at(-2), max: at(10002) }), fc.double());
  // Runs of times around a day's first and last instants, as messages in time order come.
  const around = fc.tuple(time, fc.array(fc.integer({ min: -2, max: 2 }), { maxLength: 6 })).map(([t0, steps]) => {
    const midnight = Math.floor(t0 / 86_400_000) * 86_400_000;
    return [t0, ...steps.map((s) => midnight + s), midnight + 86_400_000 - 1, midnight + 86_400_000];
  });
  // Fractions (a Date cuts them toward zero) and the ends of what a Date holds, in both orders.
  for (const run of [[-2e-316, -1], [0.5, -0.5, -1, -0], [8.64e15 + 1, 8.64e15, 8.64e15 + 1], [-8.64e15 - 1, -8.64e15], [NaN, NaN, 0]]) {
    for (const x of [...run, ...run.reverse()]) assert.equal(dayOf(x), fresh(x), String(x));
  }
  for (const seed of propertySeeds(t)) {
    fc.assert(
      fc.property(fc.array(fc.oneof(time.map((x) => [x]), around), { maxLength: 8 }), (runs) => {
        for (const x of runs.flat()) assert.equal(dayOf(x), fresh(x), String(x));
      }),
      { seed, numRuns: 1000 },
    );
  }
});
