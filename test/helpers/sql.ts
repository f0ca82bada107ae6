import type { Db } from '../../collector/store/open.js';

/** The first column of the first row: counts and single values in assertions. */
export function scalar(db: Db, sql: string, ...params: unknown[]): unknown {
  return db.prepare(sql).pluck().get(...params);
}
