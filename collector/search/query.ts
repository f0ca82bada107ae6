import { engineModuleOf } from '../../site/search/node-engine.js';
import { searchPipeline } from './fts.js';
import type { Db } from '../store/open.js';
import { monthOf, pagePathOf } from '../store/periods.js';
import { namedRefs, withoutPersonMarks } from '../store/person-refs.js';

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
 * The FTS5 query for what a person types, by the site search's rule (client query.js parseQuery and
 * planQuery): every positive term required, the last word typed also matching as a prefix,
 * `-word` excluded. Terms are the pipeline's (messages_fts holds the same, fts.ts), quoted so
 * that nothing in them is FTS syntax. '' when nothing is left to match (stop words only).
 */
export function toFtsQuery(input: string): { match: string; terms: string[]; prefix: string | null; filters: QueryFilters } {
  const { parseQuery, planQuery } = engineModuleOf();
  const q = parseQuery(input);
  const plan = planQuery(searchPipeline(), q);
  const quote = (t: string) => `"${t.replace(/"/g, '""')}"`;
  let match = plan.order.map((t) => (t === plan.prefix ? `${quote(t)}*` : quote(t))).join(' ');
  if (match) for (const t of plan.excluded) match += ` NOT ${quote(t)}`;
  return { match, terms: plan.order, prefix: plan.prefix, filters: { authors: plan.authorTerms, chats: q.chats, after: q.after, before: q.before } };
}

interface QueryFilters {
  /** Per author: value, its terms (all in the author's name). */
  authors: string[][];
  chats: string[];
  after: string | null;
  before: string | null;
}

interface Row {
  chat_id: number;
  slug: string;
  native_id: string;
  title: string | null;
  author: string;
  time: number;
  anchor: string;
  text: string | null;
}

const SELECT = `SELECT m.chat_id, c.slug, c.native_id, c.title, coalesce(m.author_name, p.display_name, p.native_id) AS author, m.time, m.anchor, m.text
  FROM messages m
  JOIN chats c ON c.id = m.chat_id
  LEFT JOIN people p ON p.id = m.author_id`;

export function searchMessages(db: Db, input: string, options: { chat?: string; limit: number }): SearchHit[] {
  const query = toFtsQuery(input);
  const { filters } = query;
  const filtered = filters.authors.length > 0 || filters.chats.length > 0 || filters.after !== null || filters.before !== null;
  if (!query.match && !filtered) return [];
  const chat = options.chat ?? null;
  // Messages with text only, as the site indexes them.
  const where = `m.deleted = 0 AND trim(coalesce(m.text, '')) != '' AND (? IS NULL OR c.slug = ? OR c.native_id = ?)`;
  const rows = query.match
    ? db.prepare(`${SELECT} JOIN messages_fts f ON f.rowid = m.id WHERE messages_fts MATCH ? AND ${where} ORDER BY m.time DESC`).iterate(query.match, chat, chat, chat)
    : db.prepare(`${SELECT} WHERE ${where} ORDER BY m.time DESC`).iterate(chat, chat, chat);
  const keep = filterOf(filters);
  const nameOf = db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
  // The page of a hit, by the rule the site's pages follow (periods.ts), with the month layout stored.
  const byDay = db.prepare('SELECT by_day FROM periods WHERE chat_id = ? AND month = ?').pluck();
  const hits: SearchHit[] = [];
  for (const r of rows as IterableIterator<Row>) {
    if (!keep(r)) continue;
    hits.push({
      chat: r.slug,
      title: r.title,
      author: r.author,
      time: r.time,
      // People in the text are references (person-refs.ts), named as the site names them by default.
      snippet: snippetOf(withoutPersonMarks(namedRefs(r.text ?? '', (id) => nameOf.get(id) as string | null)), query.terms, query.prefix),
      path: `chats/${r.slug}/${pagePathOf(r.time, byDay.get(r.chat_id, monthOf(r.time)) === 1)}#${r.anchor}`,
    });
    if (hits.length >= options.limit) break;
  }
  return hits;
}

/** The typed filters (author:, chat:, after:, before:; dates in UTC). */
function filterOf(filters: QueryFilters): (r: Row) => boolean {
  const { parseDate } = engineModuleOf();
  const pipeline = searchPipeline();
  const after = filters.after ? parseDate(filters.after, 'UTC') : null;
  const before = filters.before ? parseDate(filters.before, 'UTC') : null;
  return (r) => {
    if (after !== null && r.time < after) return false;
    if (before !== null && r.time >= before) return false;
    if (filters.chats.length) {
      const title = new Set(pipeline.terms(r.title ?? ''));
      const named = filters.chats.some((value) => {
        const v = value.trim().toLowerCase();
        if (v === r.slug || v === r.native_id.toLowerCase()) return true;
        const want = pipeline.terms(v);
        return want.length > 0 && want.every((t) => title.has(t));
      });
      if (!named) return false;
    }
    if (filters.authors.length) {
      const name = new Set(pipeline.terms(r.author));
      if (!filters.authors.some((want) => want.every((t) => name.has(t)))) return false;
    }
    return true;
  };
}

/** About 16 words around the first match, matches in [brackets]. */
function snippetOf(text: string, terms: string[], prefix: string | null): string {
  const pipeline = searchPipeline();
  const wanted = new Set(terms);
  const words = text.replace(/\s+/g, ' ').trim().split(' ');
  const hit = (word: string) => pipeline.terms(word).some((t) => wanted.has(t) || (prefix !== null && t.startsWith(prefix)));
  const marks = words.map(hit);
  const first = Math.max(0, marks.indexOf(true));
  const from = Math.max(0, first - 4);
  const to = Math.min(words.length, from + 16);
  const shown = words.slice(from, to).map((w, i) => (marks[from + i] ? `[${w}]` : w));
  return `${from > 0 ? '…' : ''}${shown.join(' ')}${to < words.length ? '…' : ''}`;
}
