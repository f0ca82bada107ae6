import { existsSync, realpathSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, join, relative, resolve } from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../import/index.js';

/**
 * Refuses an `--out` folder a build would damage or mix into (exit 2, unless `--force`): a file,
 * `/`, the home or working folder or one holding them, the database's folder or one holding it,
 * an export's folder, one inside it or holding it. A build writes index.html, chats/, media/…
 * there and removes what an earlier build wrote and no longer publishes.
 */
export function checkOutFolder(out: string, db: string, extraSources: readonly string[] = []): void {
  const target = real(out);
  if (existsSync(target) && !statSync(target).isDirectory()) throw new UsageError(`--out ${out} is a file, not a folder`);
  const refuse = (why: string) => new UsageError(`--out ${out} ${why}: give the site a folder of its own (or add --force)`);
  if (target === dirname(target)) throw refuse('is the root of the file system');
  const within = (folder: string) => isWithin(target, folder);
  for (const [label, folder] of [
    ['the working folder', process.cwd()],
    ['your home folder', homedir()],
  ] as const) {
    const place = real(folder);
    if (target === place) throw refuse(`is ${label}`);
    if (within(place) === 'contains') throw refuse(`contains ${label} (${folder})`);
  }
  const dbFile = real(db);
  if (target === dirname(dbFile)) throw refuse(`is the database's folder (${dirname(db)})`);
  if (within(dbFile) === 'contains') throw refuse(`contains the database ${db}`);
  for (const source of [...sourcesOf(db), ...extraSources]) {
    const path = real(source);
    let folder = path;
    try {
      if (!statSync(path).isDirectory()) folder = dirname(path);
    } catch {
      continue; // gone: nothing to protect
    }
    if (target === folder) throw refuse(`is the folder of the export ${source}`);
    const how = isWithin(target, path);
    if (how === 'contains') throw refuse(`contains the export ${source}`);
    if (how === 'inside' && folder === path) throw refuse(`is inside the export folder ${source}`);
  }
}

/** Whether `a` contains `b`, is inside it, or neither (or equal: 'same'). */
function isWithin(a: string, b: string): 'same' | 'contains' | 'inside' | null {
  if (a === b) return 'same';
  const down = relative(a, b);
  if (down && !down.startsWith('..') && !isAbsolute(down)) return 'contains';
  const up = relative(b, a);
  if (up && !up.startsWith('..') && !isAbsolute(up)) return 'inside';
  return null;
}

/** The real path of `path`, through its nearest existing ancestor (symlinks resolved). */
function real(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    const parent = dirname(full);
    return parent === full ? full : join(real(parent), basename(full));
  }
}

/** The paths imported into the database (its sources table); none when it cannot be read. */
function sourcesOf(db: string): string[] {
  if (!existsSync(db)) return [];
  try {
    const conn = new Database(db, { readonly: true, fileMustExist: true });
    try {
      return conn.prepare(`SELECT path FROM sources`).pluck().all() as string[];
    } finally {
      conn.close();
    }
  } catch {
    return [];
  }
}
