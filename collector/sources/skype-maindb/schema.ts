import type { Db } from './open.js';

/**
 * Columns differ between Skype versions: every query is built from `PRAGMA table_info`, a missing
 * column reads as NULL, and missing tables are simply not used.
 */
export class Schema {
  /** lower-case table name → [real name, lower-case column names]. */
  private readonly tables = new Map<string, { name: string; columns: Set<string> }>();

  constructor(private readonly db: Db) {
    // CAST: in a damaged file even the schema's names may not be text.
    const names = db.prepare(`SELECT CAST(name AS TEXT) FROM sqlite_master WHERE type = 'table' AND name IS NOT NULL`).pluck().all() as string[];
    for (const name of names) this.tables.set(name.toLowerCase(), { name, columns: new Set() });
  }

  has(table: string, column?: string): boolean {
    const entry = this.tables.get(table.toLowerCase());
    if (!entry) return false;
    if (column === undefined) return true;
    return this.columns(entry).has(column.toLowerCase());
  }

  /** `"Table"` as the file spells it. */
  table(table: string): string {
    return quote(this.tables.get(table.toLowerCase())?.name ?? table);
  }

  /** `alias."column" AS column` when it exists (text columns cast to text), else `NULL AS column`. */
  select(table: string, alias: string, columns: readonly string[]): string {
    return columns
      .map((c) => {
        if (!this.has(table, c)) return `NULL AS ${quote(c)}`;
        const value = `${alias}.${quote(c)}`;
        return `${TEXT_COLUMNS.has(c) ? `CAST(${value} AS TEXT)` : value} AS ${quote(c)}`;
      })
      .join(', ');
  }

  private columns(entry: { name: string; columns: Set<string> }): Set<string> {
    if (entry.columns.size === 0) {
      const rows = this.db.prepare(`PRAGMA table_info(${quote(entry.name)})`).all() as { name: string }[];
      for (const row of rows) entry.columns.add(String(row.name).toLowerCase());
    }
    return entry.columns;
  }
}

/**
 * Columns the reader treats as strings. SQLite lets any cell hold any type, and a damaged or
 * hand-made file may put a number or a blob there: read as text, they cannot trip string code.
 */
const TEXT_COLUMNS = new Set([
  'skypename', 'fullname', 'displayname', 'given_displayname', 'identity', 'meta_topic', 'alt_identity', 'name', 'topic',
  'friendlyname', 'dialog_partner', 'participants', 'activemembers', 'filename', 'dispname', 'target_numbers', 'chatname',
  'author', 'from_dispname', 'body_xml', 'body', 'identities', 'call_guid',
]);

function quote(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
