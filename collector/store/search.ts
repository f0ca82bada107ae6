import type { Db } from './open.js';
import { pagePathOf } from './periods.js';
import { namedRefs, withoutPersonMarks } from './person-refs.js';

export interface SearchHit {
  chat: string; // slug
  title: string | null;
  author: string;
  time: number;
  snippet: string;
  /** Site path of the message: chats/<slug>/<period>/#<anchor>. */
  path: string;
}

/**
 * Turns what a person types into a safe FTS5 query: each word becomes a quoted string (so `:`,
 * `-`, `(` and friends are literal), a trailing `*` stays a prefix search, and "phrases" stay phrases.
 */
export function toFtsQuery(input: string): string {
  const parts: string[] = [];
  for (const m of input.matchAll(/"([^"]*)"|(\S+)/g)) {
    const phrase = m[1] ?? m[2];
    const prefix = m[2]?.endsWith('*') && m[2].length > 1;
    const text = prefix ? phrase.slice(0, -1) : phrase;
    if (!text.trim()) continue;
    parts.push(`"${text.replace(/"/g, '""')}"${prefix ? '*' : ''}`);
  }
  return parts.join(' ');
}

export function searchMessages(db: Db, input: string, options: { chat?: string; limit: number }): SearchHit[] {
  const fts = toFtsQuery(input);
  if (!fts) return [];
  const rows = db
    .prepare(
      `SELECT c.slug, c.title, coalesce(p.display_name, m.author_name, p.native_id) AS author, m.time, m.anchor,
              coalesce(pr.by_day, 0) AS by_day,
              snippet(messages_fts, 0, '[', ']', '…', 16) AS snippet
       FROM messages_fts
       JOIN messages m ON m.id = messages_fts.rowid
       JOIN chats c ON c.id = m.chat_id
       LEFT JOIN people p ON p.id = m.author_id
       LEFT JOIN periods pr ON pr.chat_id = m.chat_id AND pr.month = strftime('%Y-%m', m.time / 1000, 'unixepoch')
       WHERE messages_fts MATCH ? AND m.deleted = 0 AND (? IS NULL OR c.slug = ? OR c.native_id = ?)
       ORDER BY m.time DESC LIMIT ?`,
    )
    .all(fts, options.chat ?? null, options.chat ?? null, options.chat ?? null, options.limit) as {
    slug: string;
    title: string | null;
    author: string;
    time: number;
    anchor: string;
    by_day: number;
    snippet: string;
  }[];
  const nameOf = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
  return rows.map((r) => ({
    chat: r.slug,
    title: r.title,
    author: r.author,
    time: r.time,
    // People in the text are references (person-refs.ts), named as the site names them by default.
    snippet: withoutPersonMarks(namedRefs(r.snippet, (id) => nameOf.get(id) as string | null)).replace(/\s+/g, ' '),
    path: `chats/${r.slug}/${pagePathOf(r.time, r.by_day === 1)}#${r.anchor}`,
  }));
}
