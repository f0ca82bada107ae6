import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { before, describe, test } from 'node:test';
import Database from 'better-sqlite3';
import { buildSite } from '../site/build.js';
import { cli } from './helpers/db-state.js';
import { scanForLeaks, secretsOf, type Leak } from './helpers/leak-scan.js';
import { listFiles, scratchDir } from './helpers/site.js';

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
  { name: 'telegram (own fixtures)', paths: ['test/fixtures/telegram/full', 'test/fixtures/telegram/old-export'] },
  { name: 'telegram (shared)', paths: shared('telegram/tgif-coorporate-speak.json') },
  { name: 'whatsapp (own fixtures)', paths: whatsappTexts() },
  { name: 'whatsapp (shared, zip with media)', paths: shared('whatsapp/pustur-whatsapp-chat-parser-example.zip') },
  { name: 'irc (own fixtures)', paths: ['test/fixtures/irc/irssi', 'test/fixtures/irc/weechat', 'test/fixtures/irc/znc'] },
  { name: 'irc (shared)', paths: shared('irc/znc-qtox_20160602.log.txt'), args: ['--network', 'freenode'] },
];

function describeLeaks(leaks: Leak[]): string {
  return leaks
    .slice(0, 12)
    .map((l) => `${l.file}: "${l.secret}" in …${l.context}…`)
    .join('\n');
}

for (const source of PRIVACY_SOURCES) {
  describe(`privacy: ${source.name}`, { skip: source.paths === null && 'input not present here' }, () => {
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
        const leaks = scanForLeaks(out, secrets);
        assert.equal(leaks.length, 0, `${leaks.length} leak(s):\n${describeLeaks(leaks)}`);
      });
    }

    test('authors: show — the same scan finds the names (the rows above can fail)', async () => {
      const out = join(scratchDir('cc-privacy-show-'), '_site');
      await buildSite({ db, out, quiet: true });
      assert.ok(scanForLeaks(out, secrets).length > 0, 'a show build publishes some name or id');
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
