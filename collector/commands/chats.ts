import { DEFAULT_DB, type CommandSpec } from '../cli/args.js';
import { isolate } from '../markup/bidi.js';
import { openStore } from '../store/open.js';
import { PLAUSIBLE_SQL } from '../store/plausible.js';

interface ChatRow {
  native_id: string;
  slug: string;
  title: string | null;
  format: string;
  messages: number;
  first: number | null;
  last: number | null;
}

export const chatsCommand: CommandSpec = {
  name: 'chats',
  usage: 'chatchannels chats [--db FILE] [--json]',
  summary: 'Lists the chats in the database: id, slug, title, message count, first and last message time (UTC).',
  details: [`Options:`, `  --db FILE   database to read (default: ./${DEFAULT_DB})`, `  --json      one JSON object per line instead of a table`].join('\n'),
  options: { db: { type: 'string' }, json: { type: 'boolean' } },
  async run(values) {
    const db = openStore((values.db as string | undefined) ?? DEFAULT_DB, { readonly: true });
    try {
      const rows = db
        .prepare(
          `SELECT c.native_id, c.slug, c.title, c.format,
                  (SELECT count(*) FROM messages m WHERE m.chat_id = c.id) AS messages,
                  ${activity('min')} AS first, ${activity('max')} AS last
           FROM chats c ORDER BY last DESC, c.slug`,
        )
        .all() as ChatRow[];
      if (values.json) {
        for (const r of rows) process.stdout.write(JSON.stringify({ ...r, first: iso(r.first), last: iso(r.last) }) + '\n');
        return 0;
      }
      printTable(
        ['ID', 'SLUG', 'TITLE', 'MESSAGES', 'FIRST', 'LAST'],
        rows.map((r) => [r.native_id, r.slug, r.title ?? '', String(r.messages), iso(r.first), iso(r.last)]),
        2, // the title: isolated, a right-to-left one must not reorder the columns after it
      );
      process.stdout.write(`${rows.length} chat(s)\n`);
    } finally {
      db.close();
    }
    return 0;
  },
};

/** A chat's first or last plausible time (any time if it has none), as the site shows its activity. */
function activity(which: 'min' | 'max'): string {
  const of = (where: string) => `(SELECT ${which}(time) FROM messages m WHERE m.chat_id = c.id${where})`;
  return `coalesce(${of(` AND ${PLAUSIBLE_SQL}`)}, ${of('')})`;
}

function iso(time: number | null): string {
  if (time === null) return '';
  const d = new Date(time);
  return Number.isNaN(d.getTime()) ? String(time) : d.toISOString().slice(0, 16).replace('T', ' ');
}

function printTable(header: string[], rows: string[][], isolated: number): void {
  const clip = (s: string) => (s.length > 48 ? `${s.slice(0, 47)}…` : s).replace(/[\0-\x1f\x7f]/g, ' ');
  const cells = [header, ...rows.map((r) => r.map(clip))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => r[i].length)));
  for (const [n, row] of cells.entries()) {
    const shown = row.map((c, i) => (n > 0 && i === isolated ? isolate(c) + ' '.repeat(Math.max(0, widths[i] - c.length)) : c.padEnd(widths[i])));
    process.stdout.write(shown.join('  ').trimEnd() + '\n');
  }
}
