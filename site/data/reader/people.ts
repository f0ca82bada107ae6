import type { Statement } from 'better-sqlite3';
import type { Db } from '../../../collector/store/contract.js';

export interface PersonRow {
  nativeId: string;
  displayName: string | null;
  /** Whose archive this is (people.owner): a direct chat is titled with the other member. */
  owner?: boolean;
}

/** People by id (authors, members) and by native id (person references in markup), cached: pages ask for the same few again and again. */
export class People {
  private readonly byId = new Map<number, PersonRow | null>();
  private readonly namesByNativeId = new Map<string, string | null>();
  private readonly personStmt: Statement;
  private nameStmt: Statement | undefined;

  constructor(private readonly db: Db) {
    this.personStmt = db.prepare(`SELECT native_id, display_name, owner FROM people WHERE id = ?`).raw();
  }

  person(id: number | null): PersonRow | null {
    if (id === null) return null;
    let person = this.byId.get(id);
    if (person === undefined) {
      const row = this.personStmt.get(id) as [string, string | null, number] | undefined;
      person = row ? { nativeId: row[0], displayName: row[1], owner: row[2] === 1 } : null;
      this.byId.set(id, person);
    }
    return person;
  }

  /** A person's display name by native id (person references in markup), cached. */
  displayNameOf(nativeId: string): string | null {
    let name = this.namesByNativeId.get(nativeId);
    if (name === undefined) {
      this.nameStmt ??= this.db.prepare('SELECT display_name FROM people WHERE native_id = ?').pluck();
      name = (this.nameStmt.get(nativeId) as string | null | undefined) ?? null;
      this.namesByNativeId.set(nativeId, name);
    }
    return name;
  }
}

/** Every person of the database (for the privacy checks of chat titles). */
export function allPeople(db: Db): PersonRow[] {
  return (db.prepare('SELECT native_id, display_name FROM people').raw().all() as [string, string | null][]).map(([nativeId, displayName]) => ({
    nativeId,
    displayName,
  }));
}

/**
 * Whether some rows still have the stored form of before person references (names baked into
 * event lines): the next import renders them again (collector/store/rerender.ts).
 */
export function needsRerender(db: Db): boolean {
  return db.prepare(`SELECT 1 FROM meta WHERE key = 'rerender'`).get() !== undefined;
}
