import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../collector/store/contract.js';

/** A file the export contained, as the `media` table stores it (by the SHA-256 of its bytes). */
export interface MediaRow {
  hash: string;
  name: string;
  type: string | null;
  size: number;
}

/** The `media` table: what is known of each file, and its bytes. */
export class MediaFiles {
  private readonly rows: Statement;
  private readonly data: Statement;

  constructor(db: Db) {
    this.rows = db.prepare(`SELECT hash, name, type, size FROM media WHERE hash IN (SELECT value FROM json_each(?))`).raw();
    this.data = db.prepare(`SELECT data FROM media WHERE hash = ?`).pluck();
  }

  media(hashes: string[]): Map<string, MediaRow> {
    const map = new Map<string, MediaRow>();
    if (hashes.length === 0) return map;
    for (const [hash, name, type, size] of this.rows.all(JSON.stringify(hashes)) as [string, string, string | null, number][]) {
      map.set(hash, { hash, name, type, size });
    }
    return map;
  }

  mediaData(hash: string): Buffer | undefined {
    return this.data.get(hash) as Buffer | undefined;
  }
}
