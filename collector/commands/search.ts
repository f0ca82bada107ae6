import { DEFAULT_DB, type CommandSpec } from '../cli/args.js';
import { UsageError } from '../import/index.js';
import { isolate } from '../markup/bidi.js';
import { openStore, writeProblem } from '../store/open.js';

export const searchCommand: CommandSpec = {
  name: 'search',
  usage: 'chatchannels search <query…> [--db FILE] [--chat ID] [--limit N] [--json]',
  summary: 'Searches the messages in the database (SQLite full-text search), newest first.',
  details: [
    'Matches like the site\'s search: every word must appear in the text (accents ignored, English',
    'word endings folded), the last word also as the start of a longer one; -word excludes;',
    'author:, chat:, after:YYYY-MM-DD and before: filter. Each result\'s path is its page and',
    'anchor on a site built with authors shown; a site built with --authors hide or pseudonymize',
    'keys its anchors (and names private chats\' folders by a hash), so there it is not the same.',
    '',
    'Options:',
    `  --db FILE    database to read (default: ./${DEFAULT_DB})`,
    '  --chat ID    only this chat (native id or slug)',
    '  --limit N    at most N results (default: 20)',
    '  --json       one JSON object per line',
  ].join('\n'),
  options: { db: { type: 'string' }, chat: { type: 'string' }, limit: { type: 'string' }, json: { type: 'boolean' } },
  async run(values, words) {
    const query = words.join(' ').trim();
    if (!query) throw new UsageError('search needs a query');
    const limit = values.limit === undefined ? 20 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive whole number, not "${values.limit}"`);
    // Read-write where it can: the full-text index is brought up to date first (imports leave
    // that to us). A database it cannot write is searched as far as it is indexed.
    const file = (values.db as string | undefined) ?? DEFAULT_DB;
    const readOnly = writeProblem(file);
    // Loaded here, not at the top: every other command (an import) would pay for the search engine.
    const [{ searchMessages }, { ftsIndexedUpTo, syncFts }] = await Promise.all([import('../search/query.js'), import('../search/fts.js')]);
    const db = openStore(file, { readonly: readOnly !== null, mustExist: true });
    try {
      if (readOnly) {
        const behind = db.prepare(`SELECT count(*) FROM message_rows WHERE id > ?`).pluck().get(ftsIndexedUpTo(db)) as number;
        if (behind) process.stderr.write(`warning: ${readOnly}: the ${behind} message(s) imported since its last search are not searched\n`);
      } else {
        const indexed = syncFts(db);
        if (indexed > 1000 && process.stderr.isTTY) process.stderr.write(`(indexed ${indexed} new messages for search)\n`);
      }
      const hits = searchMessages(db, query, { chat: values.chat as string | undefined, limit });
      for (const hit of hits) {
        if (values.json) {
          process.stdout.write(JSON.stringify(hit) + '\n');
        } else {
          process.stdout.write(`${new Date(hit.time).toISOString().slice(0, 16).replace('T', ' ')}  ${isolate(hit.chat)}  ${isolate(hit.author ?? '')}\n`);
          process.stdout.write(`  ${hit.snippet}\n  ${hit.path}\n`);
        }
      }
      if (!values.json) process.stdout.write(`${hits.length} result(s)\n`);
    } finally {
      db.close();
    }
    return 0;
  },
};
