import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { namedRefs } from '../collector/store/person-refs.js';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildSite } from '../site/build.js';
import { publishableWithoutMetadata, withoutMetadata } from '../site/data/media-metadata.js';
import { publicMediaName, publishedMediaType } from '../site/data/media-name.js';
import { cli } from './helpers/db-state.js';
import { scanForLeaks, scanForStoredIdentities, secretsOf, type Leak } from './helpers/leak-scan.js';
import { listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { slackSample } from './helpers/slack-sample.js';
import { requirement } from './helpers/requires.js';

/**
 * The privacy promise, tested so that it cannot be fooled: for every source, build with authors
 * pseudonymized and hidden, through the plugin and through `chatchannels build --authors`, then
 * look for every display name, account id and id fragment the database holds in every byte and
 * every path written (test/helpers/leak-scan.ts). Zero hits, or the test names file and string.
 */
const SHARED = resolve('../shared/fixtures');

interface PrivacySource {
  name: string;
  /** Paths to import (relative to the repository), or null when the input is missing here. */
  paths: string[] | null;
  args?: string[];
}

const shared = (path: string): string[] | null => (existsSync(join(SHARED, path)) ? [join(SHARED, path)] : null);
const both = (...lists: (string[] | null)[]): string[] | null => (lists.every(Boolean) ? lists.flatMap((l) => l!) : null);

/** Every chat text of the WhatsApp fixtures (one chat each). */
function whatsappTexts(): string[] {
  const dir = 'test/fixtures/whatsapp';
  return readdirSync(dir).filter((f) => f.endsWith('.txt')).sort().map((f) => join(dir, f));
}

export const PRIVACY_SOURCES: PrivacySource[] = [
  { name: 'skype-export (demo)', paths: ['demo/skype-export'] },
  { name: 'skype-export (own fixture)', paths: ['test/fixtures/skype/tiny'] },
  { name: 'skype-export (shared)', paths: shared('skype/export-json-fedorzima/messages.json') },
  { name: 'skype-maindb (shared, two accounts)', paths: both(shared('skype/maindb-temptin/test.acc2001.db'), shared('skype/maindb-temptin/test.acc2002.db')) },
  { name: 'skype-maindb (shared, plaso)', paths: shared('skype/maindb-plaso/skype_main.db') },
  { name: 'slack (own fixture)', paths: ['test/fixtures/slack/workspace'] },
  { name: 'slack (shared)', paths: shared('slack/slack-export-viewer-testarchive.zip') },
  { name: 'discord (own fixture)', paths: ['test/fixtures/discord/export'] },
  { name: 'discord (shared)', paths: shared('discord/dcef-example-guild-general.json') },
  { name: 'telegram (own fixtures)', paths: ['test/fixtures/telegram/full', 'test/fixtures/telegram/old-export'] },
  { name: 'telegram (shared)', paths: shared('telegram/tgif-coorporate-speak.json') },
  { name: 'whatsapp (own fixtures)', paths: whatsappTexts() },
  { name: 'whatsapp (shared, zip with media)', paths: shared('whatsapp/pustur-whatsapp-chat-parser-example.zip') },
  { name: 'irc (own fixtures)', paths: ['test/fixtures/irc/irssi', 'test/fixtures/irc/weechat', 'test/fixtures/irc/znc'] },
  { name: 'teams (own fixtures: export tool folder, Graph pages)', paths: ['test/fixtures/teams/export', 'test/fixtures/teams/graph'] },
  { name: 'teams (shared)', paths: shared('teams/zulip-TeamsData_ZulipChat-users-3c6ee395-messages.json') },
  { name: 'mattermost (own fixture: export folder with data/)', paths: ['test/fixtures/mattermost/export'] },
  { name: 'mattermost (shared)', paths: shared('mattermost/zulip-mattermost-export.json') },
  { name: 'matrix (own fixtures: Element zip, /messages pages)', paths: ['test/fixtures/matrix/element/matrix - Project Falcon - Chat Export - 2024-03-05T10-00-00.000Z.zip', 'test/fixtures/matrix/api'] },
  // (The shared /sync sample's user, `@nheko_test`, has the fragment "test", which the site's own
  // words hold: "latest", `.test(`. Its room's events are the kinds the own fixtures cover.)
  { name: 'matrix (shared single events)', paths: both(shared('matrix/matrix-nio-events-message_notice.json'), shared('matrix/matrix-nio-events-room_encrypted_image.json')) },
  { name: 'google-chat (own fixtures: Takeout folder, locale dates, an export without ids)', paths: ['test/fixtures/google-chat/takeout', 'test/fixtures/google-chat/locales', 'test/fixtures/google-chat/no-ids'] },
  { name: 'irc (shared)', paths: shared('irc/znc-qtox_20160602.log.txt'), args: ['--network', 'freenode'] },
  { name: 'messenger (own fixtures: export and end-to-end encrypted)', paths: ['test/fixtures/meta/facebook-export', 'test/fixtures/meta/e2ee-export'] },
  { name: 'instagram (own fixture)', paths: ['test/fixtures/meta/instagram-export'] },
  { name: 'messenger (shared)', paths: shared('messenger/chat-miner-facebookMessenger-testlog.json') },
  { name: 'instagram (shared)', paths: shared('instagram/chat-miner-instagram-test_export.json'), args: ['--format', 'instagram'] },
];

/**
 * Chats with a message carrying a file the export contained that a privacy-mode site publishes
 * (each has a media gallery): documents and other files whose metadata is not removed, and files
 * whose structure cannot be followed, are withheld (site/data/media-metadata.ts).
 */
function chatsWithMedia(db: string): number {
  const sql = new Database(db, { readonly: true });
  try {
    const rows = sql
      .prepare(
        `SELECT DISTINCT m.chat_id AS chat, media.name, media.type, media.data FROM messages m, json_each(m.attachments) a
         JOIN media ON media.hash = json_extract(a.value, '$.hash') WHERE m.attachments IS NOT NULL`,
      )
      .all() as { chat: number; name: string | null; type: string | null; data: Buffer }[];
    const published = (r: (typeof rows)[number]): boolean => {
      const type = publishedMediaType(publicMediaName(r.name, r.type, 'hide'));
      return publishableWithoutMetadata(type) && withoutMetadata(r.data, type).kind !== 'unreadable';
    };
    return new Set(rows.filter(published).map((r) => r.chat)).size;
  } finally {
    sql.close();
  }
}

function describeLeaks(leaks: Leak[]): string {
  return leaks
    .slice(0, 12)
    .map((l) => `${l.file}: "${l.secret}" in …${l.context}…`)
    .join('\n');
}

for (const source of PRIVACY_SOURCES) {
  describe(`privacy: ${source.name}`, { skip: requirement(source.paths === null && `the shared fixtures (../shared/fixtures) for ${source.name} are not here`) }, () => {
    let db: string;
    let secrets: string[];
    before(() => {
      const dir = scratchDir('cc-privacy-');
      db = join(dir, 'archive.sqlite');
      const run = cli(['import', ...source.paths!.map((p) => resolve(p)), '--db', db, ...(source.args ?? [])], dir);
      assert.equal(run.code, 0, run.err);
      secrets = secretsOf(db);
      assert.ok(secrets.length > 0, 'the database names somebody');
    });

    test('a person named in a message is the person who wrote as them (one person per name)', () => {
      // A reference whose id is not in the form the adapter gives authors makes a second person of
      // the same name, with a pseudonym of their own.
      const people = new Database(db, { readonly: true });
      try {
        const twins = people
          .prepare(
            `SELECT p.display_name, group_concat(p.native_id, ' | ') AS ids FROM people p WHERE p.display_name IS NOT NULL
             GROUP BY lower(trim(p.display_name)) HAVING count(*) > 1
               AND sum(EXISTS (SELECT 1 FROM messages m WHERE m.author_id = p.id)) < count(*)`,
          )
          .all();
        assert.deepEqual(twins, []);
      } finally {
        people.close();
      }
    });

    for (const authors of ['pseudonymize', 'hide'] as const) {
      test(`authors: ${authors} through the plugin — no name or id in any file or path`, async () => {
        const out = join(scratchDir('cc-privacy-site-'), '_site');
        await buildSite({ db, out, quiet: true, authors });
        assert.ok(listFiles(out).some((f) => f.startsWith('chats/')), 'chats were published');
        // Media galleries (alt text, file names, bylines) are among the scanned pages: one per chat with media.
        const galleries = listFiles(out).filter((f) => /^chats\/[^/]+\/media\/index\.html$/.test(f)).length;
        assert.equal(galleries, chatsWithMedia(db), 'a gallery for every chat with media');
        const leaks = scanForLeaks(out, secrets);
        assert.equal(leaks.length, 0, `${leaks.length} leak(s):\n${describeLeaks(leaks)}`);
        const identities = scanForStoredIdentities(out, db);
        assert.equal(identities.length, 0, `${identities.length} stored anchor(s) or key(s) published:\n${describeLeaks(identities)}`);
      });
    }

    test('authors: show — the same scan finds the names (the rows above can fail)', async () => {
      const out = join(scratchDir('cc-privacy-show-'), '_site');
      await buildSite({ db, out, quiet: true });
      assert.ok(scanForLeaks(out, secrets).length > 0, 'a show build publishes some name or id');
      assert.ok(scanForStoredIdentities(out, db).length > 0, 'a show build publishes its stored anchors and keys');
    });

    test('authors: hide through `chatchannels build --authors hide`', () => {
      const dir = scratchDir('cc-privacy-cli-');
      const run = cli(['build', '--db', db, '--out', join(dir, 'site'), '--authors', 'hide', '--pseudonym-salt', 's3cret'], dir);
      assert.equal(run.code, 0, run.err);
      const leaks = scanForLeaks(join(dir, 'site'), secrets);
      assert.equal(leaks.length, 0, `${leaks.length} leak(s):\n${describeLeaks(leaks)}`);
    });
  });
}

test('the scanner finds what it looks for: a show build of the demo carries its names', async () => {
  const dir = scratchDir('cc-privacy-show-');
  const db = join(dir, 'demo.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const out = join(dir, '_site');
  await buildSite({ db, out, quiet: true });
  const found = new Set(scanForLeaks(out, secretsOf(db)).map((l) => l.secret));
  for (const name of ['Bob Tanaka', 'Chloé Dubois', 'tanaka']) assert.ok(found.has(name), `${name} found in a show build`);
});

test('a database imported before person references: the next import renders its rows again, and until then hiding names refuses to build', async () => {
  const dir = scratchDir('cc-privacy-old-');
  const db = join(dir, 'old.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  // Turn it into what schema 1 stored: names baked into event lines, no owner column, version 1.
  const raw = new Database(db);
  const rows = raw.prepare(`SELECT id, html, text FROM message_rows WHERE coalesce(text, '') LIKE '%' || char(57344) || '%'`).all() as { id: number; html: string | null; text: string }[];
  assert.ok(rows.length > 3, 'the demo has person references');
  const named = (s: string | null): string | null => (s === null ? null : namedRefs(s, (id) => raw.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck().get(id) as string | null));
  for (const row of rows) raw.prepare('UPDATE message_rows SET html = ?, text = ? WHERE id = ?').run(named(row.html), named(row.text), row.id);
  raw.exec(`ALTER TABLE people DROP COLUMN owner; PRAGMA user_version = 1`);
  raw.close();

  // `search` opens it read-write: the schema moves on, the rows are still the old form.
  assert.equal(cli(['search', 'hike', '--db', db], dir).code, 0);
  const refused = cli(['build', '--db', db, '--out', join(dir, 'site'), '--authors', 'hide'], dir);
  assert.equal(refused.code, 1);
  assert.match(refused.err, /older chatchannels.*run "chatchannels import"/);

  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const out = join(dir, 'site');
  await buildSite({ db, out, quiet: true, authors: 'hide' });
  const leaks = scanForLeaks(out, secretsOf(db));
  assert.equal(leaks.length, 0, describeLeaks(leaks));
});

test("a direct chat is titled with the other person, not the archive's owner", async () => {
  const dir = scratchDir('cc-privacy-owner-');
  const db = join(dir, 'demo.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const out = join(dir, '_site');
  await buildSite({ db, out, quiet: true });
  const titles = [...readFileSync(join(out, 'index.html'), 'utf8').matchAll(/<h2><a href="[^"]*">([^<]*)/g)].map((m) => m[1]);
  assert.ok(titles.includes('Bob Tanaka'), titles.join(' | '));
  assert.ok(!titles.some((t) => t.includes('Alice Moreau')), `the owner names no chat: ${titles.join(' | ')}`);
});

test('excludeAuthors: their messages are not published anywhere and others refer to them as "someone"; redact: content removed, anchor kept', async () => {
  const dir = scratchDir('cc-privacy-exclude-');
  const db = join(dir, 'demo.sqlite');
  assert.equal(cli(['import', resolve('demo/skype-export'), '--db', db], dir).code, 0);
  const raw = new Database(db, { readonly: true });
  const chloe = raw.prepare(`SELECT id FROM people WHERE native_id = '8:chloe.dubois'`).pluck().get() as number;
  const theirs = raw.prepare(`SELECT count(*) FROM messages WHERE author_id = ?`).pluck().get(chloe) as number;
  const victim = raw.prepare(`SELECT anchor, key, text FROM messages WHERE author_id != ? AND kind = 'text' AND length(text) > 30 ORDER BY time LIMIT 1`).get(chloe) as { anchor: string; key: string; text: string };
  raw.close();
  assert.ok(theirs > 3, 'Chloé wrote messages');

  const out = join(dir, '_site');
  const result = await buildSite({ db, out, quiet: true, excludeAuthors: ['8:chloe.dubois'], redact: [victim.key] });
  const full = await buildSite({ db, out: join(dir, 'full'), quiet: true });
  assert.equal(full.messages - result.messages, theirs, 'exactly their messages left out');
  // (Others' own words may still say "Chloé": text people typed is published as they typed it.)
  const leaks = scanForLeaks(out, ['Chloé Dubois', 'chloe.dubois']);
  assert.equal(leaks.length, 0, describeLeaks(leaks));
  const secret = victim.text.slice(0, 30);
  assert.equal(scanForLeaks(out, [secret]).length, 0, 'the redacted text is nowhere, search data included');
  const page = listFiles(out).map((f) => readFileSync(join(out, f), 'utf8')).find((html) => html.includes(`id="${victim.anchor}"`));
  assert.ok(page, 'the redacted message keeps its anchor');
  assert.match(page!, new RegExp(`id="${victim.anchor}"[^]*?Message removed`));
});

test('threads: the list under a root names repliers only as the build shows authors; excluded authors’ replies are not counted, redacted ones show no text', async () => {
  const dir = scratchDir('cc-privacy-thread-');
  const root = { id: '101', author: 'alice', authorName: 'Alice Archer', time: Date.UTC(2024, 2, 5, 10), body: 'Shall we plan the launch' };
  const reply = (id: string, author: string, authorName: string, minutes: number, body: string) =>
    ({ id, author, authorName, time: root.time + minutes * 60_000, body, threadOf: { id: root.id, author: root.author, time: root.time } });
  const messages = [
    root,
    reply('102', 'bob', 'Bob Baker', 5, 'Yes on Friday'),
    reply('103', 'carol', 'Carol Cook', 40, 'Friday works for me'),
    reply('104', 'dave', 'Dave Dale', 90, 'A secret launch code'),
  ];
  const path = slackSample.write(dir, [{ id: 'C0PRIVATE', title: 'Launch', messages }]);
  const db = join(dir, 'threads.sqlite');
  assert.equal(cli(['import', path, '--db', db], dir).code, 0);
  const secrets = secretsOf(db);
  const raw = new Database(db, { readonly: true });
  const dave = raw.prepare(`SELECT key FROM messages WHERE text = 'A secret launch code'`).pluck().get() as string;
  raw.close();
  const summary = (out: string): string[] =>
    listFiles(out).flatMap((f) => [...readFileSync(join(out, f), 'utf8').matchAll(/<details class="cc-replies"><summary>([^<]*)/g)].map((m) => m[1]));

  for (const authors of ['pseudonymize', 'hide'] as const) {
    const out = join(dir, authors);
    await buildSite({ db, out, quiet: true, authors, search: false });
    assert.deepEqual(summary(out), ['3 replies, last '], 'the thread is shown');
    const leaks = scanForLeaks(out, secrets);
    assert.equal(leaks.length, 0, `${authors}: ${leaks.length} leak(s):\n${describeLeaks(leaks)}`);
  }
  const shown = join(dir, 'show');
  await buildSite({ db, out: shown, quiet: true, search: false });
  assert.ok(scanForLeaks(shown, ['Carol Cook']).length > 0, 'a show build names the repliers (the scans above can fail)');

  const out = join(dir, 'excluded');
  await buildSite({ db, out, quiet: true, search: false, excludeAuthors: ['slack:UCAROL'], redact: [dave] });
  assert.deepEqual(summary(out), ['2 replies, last '], 'the excluded author’s reply is not counted');
  assert.equal(scanForLeaks(out, ['Carol Cook', 'Friday works for me', 'A secret launch code']).length, 0);
  const page = listFiles(out).map((f) => readFileSync(join(out, f), 'utf8')).find((html) => html.includes('<details class="cc-replies">'))!;
  assert.match(page, /<details class="cc-replies">[^]*Message removed[^]*<\/details>/, 'the redacted reply is listed without its text');
});

test('authors hidden: anchors are keyed, so a guessed author cannot be confirmed; they stay put, and `redact` takes them', async () => {
  // For WhatsApp and IRC a message key hashes chat, author, time and text, all but the author on
  // a hide page: a published prefix of it would confirm a guessed author (site/data/public-anchor.ts).
  const dir = scratchDir('cc-privacy-anchors-');
  const fixture = resolve('test/fixtures/whatsapp/WhatsApp Chat with Silvester 2020.txt');
  const importTo = (name: string): string => {
    const db = join(dir, name);
    const run = cli(['import', fixture, '--db', db], dir);
    assert.equal(run.code, 0, run.err);
    return db;
  };
  const one = importTo('one.sqlite');
  const two = importTo('two.sqlite');
  const build = async (db: string, name: string, more: { pseudonymSalt?: string; redact?: string[] } = {}): Promise<string> => {
    const out = join(dir, name);
    await buildSite({ db, out, quiet: true, authors: 'hide', ...more });
    return out;
  };
  const anchorsOf = (out: string): string[] =>
    listFiles(out)
      .filter((f) => f.endsWith('.html'))
      .flatMap((f) => [...readFileSync(join(out, f), 'utf8').matchAll(/<div class="cc-msg[^"]*" id="(m[0-9a-f]+)"/g)].map((m) => m[1]))
      .sort();
  const sql = new Database(one, { readonly: true });
  const rows = sql.prepare(`SELECT key, anchor, coalesce(text, body) AS text FROM message_rows`).all() as { key: string; anchor: string; text: string }[];
  sql.close();

  const first = await build(one, 'first');
  const published = anchorsOf(first);
  assert.ok(published.length > 5, `anchors published: ${published.length}`);
  const stored = new Set(rows.map((r) => r.anchor));
  assert.deepEqual(published.filter((a) => stored.has(a)), [], 'no published anchor is a stored one');
  assert.deepEqual(scanForStoredIdentities(first, one), [], 'no stored anchor or key in any byte');
  assert.equal(new Set(published).size, published.length, 'unique within the chat');
  assert.deepEqual(anchorsOf(await build(one, 'again')), published, 'the same database builds the same anchors');
  assert.notDeepEqual(anchorsOf(await build(two, 'other')), published, 'without a salt, keyed with the database: another one gives others');
  const salted = anchorsOf(await build(one, 'salted', { pseudonymSalt: 'pepper' }));
  assert.deepEqual(anchorsOf(await build(two, 'salted-two', { pseudonymSalt: 'pepper' })), salted, 'with a salt, the same in every database');
  assert.notDeepEqual(salted, published);

  // `redact` with an anchor as the published page shows it: gone from pages, feeds and search.
  const { publicAnchors } = await import('../site/data/public-anchor.js');
  const sqlOne = new Database(one, { readonly: true });
  const secret = (sqlOne.prepare(`SELECT value FROM meta WHERE key = 'database_id'`).pluck().get() as string);
  sqlOne.close();
  const keyed = publicAnchors('hide', '', secret);
  const target = rows.find((r) => r.text.length > 12 && rows.filter((o) => o.text.includes(r.text)).length === 1)!;
  const shown = keyed.shown(target.anchor);
  assert.ok(published.includes(shown), 'the test computes the anchors the build publishes');
  const everything = (out: string): string => listFiles(out).map((f) => readFileSync(join(out, f), 'utf8')).join('\n');
  const words = target.text.slice(0, 12);
  assert.ok(everything(first).includes(words), `"${words}" is published without redact`);
  for (const [name, entry] of [['by-anchor', shown], ['by-entry-id', keyed.shownKey(target.key)]]) {
    const redacted = await build(one, `redacted-${name}`, { redact: [entry] });
    assert.ok(!everything(redacted).includes(words), `redact ${name}: "${words}" is gone from every file`);
  }
});
