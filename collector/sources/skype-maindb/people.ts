import { basename, dirname } from 'node:path';
import { skypePersonId } from '../../identity/skype-ids.js';
import type { PersonRecord } from '../../model.js';
import type { Warnings } from '../kit/warnings.js';
import { nonBlank } from './cells.js';
import type { Db } from './open.js';
import type { Schema } from './schema.js';

/** The account owner and everyone's display name. Authors are `8:<skypename>`. */
export class People {
  /** skypename → display name (Accounts, Contacts, then the latest from_dispname). */
  private readonly names = new Map<string, string>();
  owner: string | null = null;

  constructor(
    private readonly db: Db,
    private readonly schema: Schema,
    private readonly path: string,
  ) {}

  load(warnings: Warnings): void {
    const s = this.schema;
    const fromMessages = (): void => {
      // The latest name each author used, for people without a contact entry.
      if (!s.has('Messages', 'from_dispname')) return;
      const rows = this.db
        .prepare(
          `SELECT author, from_dispname, max(timestamp) FROM ${s.table('Messages')}
           WHERE author IS NOT NULL AND from_dispname IS NOT NULL AND from_dispname != '' GROUP BY author`,
        )
        .raw()
        .all() as [string, string, number][];
      for (const [author, name] of rows) if (!this.names.has(author)) this.names.set(author, name);
    };
    for (const table of ['Accounts', 'Contacts']) {
      if (!s.has(table, 'skypename')) continue;
      const rows = this.db
        .prepare(`SELECT ${s.select(table, 't', ['skypename', 'fullname', 'displayname'])} FROM ${s.table(table)} t ORDER BY t.rowid`)
        .all() as { skypename: string | null; fullname: string | null; displayname: string | null }[];
      for (const row of rows) {
        if (!row.skypename) continue;
        const name = nonBlank(row.fullname) ?? nonBlank(row.displayname);
        if (name && !this.names.has(row.skypename)) this.names.set(row.skypename, name);
        if (table === 'Accounts' && !this.owner) this.owner = row.skypename;
      }
    }
    fromMessages();
    if (!this.owner) this.owner = this.guessOwner();
    if (!this.owner) warnings.add('Accounts', 'the account owner is unknown: dialogs are named by their partner only');
  }

  /** No Accounts row: the author of outgoing messages, else the folder Skype keeps main.db in. */
  private guessOwner(): string | null {
    const s = this.schema;
    if (s.has('Messages', 'chatmsg_status')) {
      const author = this.db
        .prepare(
          `SELECT author FROM ${s.table('Messages')} WHERE chatmsg_status IN (1, 2) AND author IS NOT NULL
           GROUP BY author ORDER BY count(*) DESC LIMIT 1`,
        )
        .pluck()
        .get() as string | undefined;
      if (author) return author;
    }
    const folder = basename(dirname(this.path));
    const seen = this.db.prepare(`SELECT 1 FROM ${s.table('Messages')} WHERE author = ? LIMIT 1`).get(folder);
    return seen ? folder : null;
  }

  nameOf(skypename: string): string | null {
    return this.names.get(skypename) ?? null;
  }

  person(skypename: string): PersonRecord | null {
    const nativeId = skypePersonId(skypename);
    if (!nativeId) return null;
    const displayName = this.nameOf(skypename.trim());
    return displayName ? { nativeId, displayName } : { nativeId };
  }
}
