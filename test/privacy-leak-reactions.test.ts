import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { MARKUP_VERSION } from '../collector/markup/index.js';
import { join } from 'node:path';
import { before, describe, test } from 'node:test';
import { buildSite } from '../site/build.js';
import type { AuthorMode } from '../site/options.js';
import { scanForLeaks, secretsOf } from './helpers/leak-scan.js';
import { archivePages, listFiles } from './helpers/site.js';
import { scratchDir } from './helpers/temp.js';
import { chipsIn, importReactions, REACTION_SOURCES } from './helpers/reaction-chip.js';

/**
 * Reactions, for every format whose exports carry them: the same message ("Lunch at noon?" by
 * Rhea Quill) with 👍 from Ivo Brandt and Oona Vale and ❤ from Oona, as each exporter writes it
 * (test/fixtures/reactions/<format>/), imported and built. The chip shows emoji and count; its
 * title and accessible name say who reacted, as person references the site resolves per its
 * `authors` option: names, pseudonyms, or (hidden) no one at all — "👍 2 reactions".
 */
/** The page holding the reacted-to message. */
function reactedPage(out: string): string {
  for (const file of archivePages(listFiles(out))) {
    const html = readFileSync(join(out, file), 'utf8');
    if (html.includes('Lunch at noon?')) return html;
  }
  assert.fail('no page holds the message');
}

const NAMES = ['Ivo Brandt', 'Oona Vale'];
const isolate = (name: string) => `\u2068${name}\u2069`;

for (const source of REACTION_SOURCES) {
  describe(`reactions: ${source.format}`, () => {
    let db: string;
    const builds = new Map<AuthorMode, string>();
    before(async () => {
      const dir = scratchDir('cc-reactions-');
      db = join(dir, 'archive.sqlite');
      importReactions(source, db);
      for (const authors of ['show', 'pseudonymize', 'hide'] as const) {
        const out = join(dir, `site-${authors}`);
        await buildSite({ db, out, quiet: true, authors });
        builds.set(authors, out);
      }
    });

    const expectedShown = () => [`${source.thumbs.emoji} ${source.thumbs.count}`, `${source.heart} 1`, ...(source.custom ? [`${source.custom} 1`] : [])];

    test('shown: emoji and count on the chip, the reactors by name in its title and accessible name', () => {
      const chips = chipsIn(reactedPage(builds.get('show')!));
      assert.deepEqual(chips.map((c) => c.shown).sort(), expectedShown().sort());
      const thumbs = chips.find((c) => c.shown.startsWith(source.thumbs.emoji))!;
      const more = source.thumbs.count - NAMES.length;
      const who = new RegExp(`^${source.thumbs.emoji} ${source.thumbs.count} reactions: (.*)$`).exec(thumbs.title);
      assert.ok(who, thumbs.title);
      assert.deepEqual(who[1].replace(/ and \d+ more$/, '').split(', ').sort(), NAMES.map(isolate).sort());
      if (more > 0) assert.match(thumbs.title, new RegExp(` and ${more} more$`));
      const heart = chips.find((c) => c.shown.startsWith(source.heart))!;
      assert.equal(heart.title, `${source.heart} 1 reaction: ${isolate('Oona Vale')}`);
      for (const chip of chips) assert.equal(chip.label, chip.title, 'the accessible name says what the title says');
    });

    test('pseudonymized: pseudonyms in the title, no name or id anywhere in the site', () => {
      const out = builds.get('pseudonymize')!;
      const thumbs = chipsIn(reactedPage(out)).find((c) => c.shown.startsWith(source.thumbs.emoji))!;
      assert.match(thumbs.title, new RegExp(`^${source.thumbs.emoji} ${source.thumbs.count} reactions: \u2068Person [0-9a-f]{4}\u2069, \u2068Person [0-9a-f]{4}\u2069( and 1 more)?$`));
      const leaks = scanForLeaks(out, secretsOf(db));
      assert.deepEqual(leaks.slice(0, 5), []);
    });

    test('hidden: the title is the count alone, no name, pseudonym or "someone", no name or id anywhere in the site', () => {
      const out = builds.get('hide')!;
      const chips = chipsIn(reactedPage(out));
      assert.deepEqual(chips.map((c) => c.shown).sort(), expectedShown().sort());
      for (const chip of chips) {
        const [emoji, count] = chip.shown.split(/ (?=\d+$)/);
        assert.equal(chip.title, `${emoji} ${count} ${count === '1' ? 'reaction' : 'reactions'}`);
        assert.equal(chip.label, chip.title);
      }
      const leaks = scanForLeaks(out, secretsOf(db));
      assert.deepEqual(leaks.slice(0, 5), []);
    });
  });
}

describe('messages stored by the previous version', () => {
  test('the next import of any source renders them again (chips with reactors), logs their days as changed, and the one after does nothing', async () => {
    const dir = scratchDir('cc-reactions-old-');
    const db = join(dir, 'archive.sqlite');
    const slack = REACTION_SOURCES.find((s) => s.format === 'slack')!;
    importReactions(slack, db);
    // What the previous version stored: reactors as visible text, and no markup version recorded.
    const P = (id: string) => `\uE000${id}\uE002\uE001`;
    const old =
      `Lunch at noon?<br><span class="cc-reactions"><span class="cc-reaction">👍 3 <span class="cc-reactors">(${P('slack:U0IVOB')}, ${P('slack:U0OONA')})</span></span> ` +
      `<span class="cc-reaction">❤️ 1 <span class="cc-reactors">(${P('slack:U0OONA')})</span></span></span>`;
    const raw = new Database(db);
    assert.equal(raw.prepare(`SELECT value FROM meta WHERE key = 'markup_version'`).pluck().get(), String(MARKUP_VERSION), 'an import records the markup version');
    assert.equal(raw.prepare(`UPDATE message_rows SET html = ? WHERE body LIKE '%Lunch at noon?%'`).run(old).changes, 1);
    raw.exec(`DELETE FROM meta WHERE key = 'markup_version'`);
    const seq = raw.prepare(`SELECT coalesce(max(seq), 0) FROM changes`).pluck().get() as number;
    raw.close();

    await buildSite({ db, out: join(dir, 'before'), quiet: true });
    assert.equal(chipsIn(reactedPage(join(dir, 'before'))).length, 0, 'a build alone shows what is stored');

    // Another source's import is enough: the stored rows are brought up to date first.
    importReactions(REACTION_SOURCES.find((s) => s.format === 'mattermost')!, db);
    const after = new Database(db, { readonly: true });
    try {
      assert.equal(after.prepare(`SELECT value FROM meta WHERE key = 'markup_version'`).pluck().get(), String(MARKUP_VERSION));
      const html = after.prepare(`SELECT html FROM messages m JOIN chats c ON c.id = m.chat_id WHERE c.native_id LIKE 'slack:%' AND m.text = 'Lunch at noon?'`).pluck().get() as string;
      assert.match(html, /<span class="cc-reaction" role="img" aria-label="👍 3 reactions: /);
      assert.doesNotMatch(html, /cc-reactors/);
      const logged = after.prepare(`SELECT ch.day FROM changes ch JOIN chats c ON c.id = ch.chat_id WHERE ch.seq > ? AND c.native_id LIKE 'slack:%'`).pluck().all(seq);
      assert.deepEqual(logged, ['2024-05-01'], 'the changed day is logged for incremental builds');
    } finally {
      after.close();
    }
    await buildSite({ db, out: join(dir, 'after'), quiet: true });
    const pages = archivePages(listFiles(join(dir, 'after'))).map((f) => readFileSync(join(dir, 'after', f), 'utf8'));
    const slackPage = pages.find((html) => html.includes(':partyparrot:'));
    assert.ok(slackPage, 'the Slack chat is built');
    assert.deepEqual(chipsIn(slackPage).map((c) => c.shown), ['👍 3', '❤️ 1', ':partyparrot: 1']);

    // Up to date: the next import renders nothing again and logs no change for the chat.
    const seq2 = (() => {
      const d = new Database(db, { readonly: true });
      try {
        return d.prepare(`SELECT coalesce(max(seq), 0) FROM changes`).pluck().get() as number;
      } finally {
        d.close();
      }
    })();
    importReactions(slack, db);
    const last = new Database(db, { readonly: true });
    try {
      assert.equal(last.prepare(`SELECT count(*) FROM changes WHERE seq > ?`).pluck().get(seq2), 0);
    } finally {
      last.close();
    }
  });
});
