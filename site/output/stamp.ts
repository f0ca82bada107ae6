import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Db } from '../../collector/store/contract.js';
import { databaseIdOf } from '../data/snapshot.js';
import type { ResolvedOptions } from '../options.js';
import { permalinkOf, sitePaths } from '../render/links.js';
import { writeFileAtomic } from './atomic.js';
import { MANIFEST_FILE, readManifest } from './manifest.js';
import { openJson, sealJson, secretDigest } from './seal.js';

/**
 * The build stamp: a record, in the output folder, of the last complete build of the product's own
 * site (site/build.ts, site/serve.ts) — which database, up to which change-log point, with which
 * options and which code — so that `serve` can start with an incremental build over it instead of
 * a full one. It is removed when any build of the plugin starts writing (before the first byte), and
 * written again only once a build has completed, pages, media, manifest and search index: a build
 * that stops halfway (a crash, a kill, an error) leaves no stamp, and the next serve builds in full.
 * Never written for a user's Eleventy project (its templates and layout are code we cannot
 * fingerprint), but removed by its builds all the same.
 */
export const STAMP_FILE = '.chatchannels-build.json';

/** What a build saw of its database: its identity, and where its change log stood. */
export interface DatabaseFacts {
  /** `meta.database_id` (collector/store/open.ts), null for a database no import has opened since ids exist. */
  id: string | null;
  /** The change log's last sequence number. */
  changeSeq: number;
  /** That row's chat and day: a copy whose log diverged has another row there. */
  changeRow: string | null;
  /** The largest message id, and that message's key (same reason). */
  lastMessage: number;
  messageKey: string | null;
  /** The largest chat and person ids, and a hash of what the change log does not record of them (stateHash). */
  maxChat: number;
  maxPerson: number;
  state: string;
}

export interface BuildStamp {
  version: 2;
  /** codeVersion(): the code that wrote the output. */
  code: string;
  /** optionsFingerprint(): every option that changes the output's bytes or paths. */
  options: string;
  db: DatabaseFacts;
  /** sha256 of the manifest file the build left. */
  manifest: string;
}

/**
 * The stamp as its file holds it. The file is published with the site, and the facts describe the
 * whole database, excluded chats and people too (their counts, the newest message's key: a hash of
 * its text for sources without message ids, and the day of the last change), while the options'
 * fingerprint would confirm a guess of what they keep private (the ids of excluded authors and
 * chats) once the rest is read off the site. So both are sealed (sealFacts) with a key only the
 * database holds: its random id, of which the file shows a hash.
 */
export interface StoredStamp extends Omit<BuildStamp, 'db' | 'options'> {
  /** The facts and the options' fingerprint, sealed. */
  db: SealedFacts;
}

/** What a stamp seals: the database facts, and the options' fingerprint. */
type SealedContent = DatabaseFacts & { options: string };

export interface SealedFacts {
  /** sha256 of the database's id: tells the stamp's database without revealing the key. */
  id: string;
  /** The facts as JSON, sealed (seal.ts). */
  sealed: string;
}

/** Seals facts of a database with an id (seal.ts): deterministic, so two builds of one database leave the same stamp bytes. */
export function sealFacts(facts: SealedContent & { id: string }): SealedFacts {
  return { id: secretDigest('database id', facts.id).toString('hex'), sealed: sealJson(facts.id, 'stamp', facts) };
}

/** The facts sealed for the database with this id, or why there are none for it. */
export function unsealFacts(sealed: SealedFacts, databaseId: string | null): SealedContent | string {
  if (databaseId === null) return 'the database has no id yet (its next import gives it one)';
  if (sealed.id !== secretDigest('database id', databaseId).toString('hex')) return 'the database is not the one the output was built from';
  const facts = openJson(databaseId, 'stamp', sealed.sealed) as SealedContent | undefined;
  if (facts === undefined || typeof facts !== 'object' || facts === null) return "the output's record of its last build is damaged";
  return facts.id === databaseId ? facts : 'the database is not the one the output was built from';
}

/** Reads what a snapshot shows of the database (main.* : never the excluded-authors views). */
export function databaseFacts(db: Db): DatabaseFacts {
  const id = databaseIdOf(db);
  const changeSeq = db.prepare(`SELECT coalesce(max(seq), 0) FROM main.changes`).pluck().get() as number;
  const row = db.prepare(`SELECT chat_id || '/' || day FROM main.changes WHERE seq = ?`).pluck().get(changeSeq) as string | undefined;
  const lastMessage = db.prepare(`SELECT coalesce(max(id), 0) FROM main.message_rows`).pluck().get() as number;
  const key = db.prepare(`SELECT key FROM main.message_rows WHERE id = ?`).pluck().get(lastMessage) as string | undefined;
  const maxChat = db.prepare(`SELECT coalesce(max(id), 0) FROM main.chats`).pluck().get() as number;
  const maxPerson = db.prepare(`SELECT coalesce(max(id), 0) FROM main.people`).pluck().get() as number;
  return { id, changeSeq, changeRow: row ?? null, lastMessage, messageKey: key ?? null, maxChat, maxPerson, state: stateHash(db, maxChat, maxPerson) };
}

/**
 * A hash of what imports may change without logging it in `changes` (collector/store/writer.ts):
 * people's names and owner marks, chat aliases, and chat titles, kinds and members (logged as
 * WHOLE_CHAT since that was added, but not by databases written before it) — of the chats and
 * people up to the given ids. A page that shows them is rewritten only when its chat-day is
 * logged, so when any of these changed, only a full build is sure to be right. Chats and people
 * added later are left out: a chat is published only with messages (logged), and a new person
 * shows only in logged messages or as a new member of a chat (chat_members, hashed whole).
 */
export function stateHash(db: Db, maxChat: number, maxPerson: number): string {
  const hash = createHash('sha256');
  const add = (sql: string, ...params: unknown[]) => {
    for (const row of db.prepare(sql).raw().iterate(...params) as IterableIterator<unknown[]>) hash.update(JSON.stringify(row)).update('\n');
    hash.update('\u0000');
  };
  add(`SELECT id, native_id, slug, format, title, kind FROM main.chats WHERE id <= ? ORDER BY id`, maxChat);
  add(`SELECT id, native_id, display_name, owner FROM main.people WHERE id <= ? ORDER BY id`, maxPerson);
  add(`SELECT chat_id, person_id FROM main.chat_members ORDER BY chat_id, person_id`);
  add(`SELECT native_id, chat_id FROM main.chat_aliases ORDER BY native_id`);
  return hash.digest('hex');
}

let code: string | null = null;

/**
 * The version of the code that writes a site: a hash of the compiled site/ and collector/ code,
 * the shipped assets and search client, the installed dependencies' versions, and Node's (its ICU
 * data formats dates). Read once per process: 5 MB.
 */
export function codeVersion(): string {
  if (code !== null) return code;
  const hash = createHash('sha256');
  hash.update(`node ${process.versions.node} icu ${process.versions.icu ?? ''} tz ${process.versions.tz ?? ''}\n${dependencyVersions()}\n`);
  const here = fileURLToPath(new URL('.', import.meta.url)); // <root>/site/output/ compiled: dist/site/output/
  const roots = [resolve(here, '..'), resolve(here, '../../collector')];
  for (const candidate of [resolve(here, '../../../site'), resolve(here, '../../site')]) {
    if (candidate !== roots[0]) roots.push(join(candidate, 'assets'), join(candidate, 'client'));
  }
  for (const root of roots) {
    for (const file of filesUnder(root)) {
      if (!/\.(js|mjs|css|svg|html|json)$/.test(file) || file.includes('node_modules')) continue;
      hash.update(`${file.slice(root.length)}\u0000`).update(readFileSync(file)).update('\u0000');
    }
  }
  return (code = hash.digest('hex'));
}

/**
 * The installed version of each of the package's dependencies (Eleventy, sanitize-html, gemoji,
 * eleventy-img, better-sqlite3 and its SQLite…): an `npm update` can change output bytes with the
 * same compiled code. Read from each package.json where Node would find it, not imported: loading
 * Eleventy here would register its ESM hooks thread before build.ts can turn it off.
 */
function dependencyVersions(): string {
  const require = createRequire(import.meta.url);
  const own = require('../../../package.json') as { dependencies?: Record<string, string> };
  return Object.keys(own.dependencies ?? {})
    .sort()
    .map((name) => `${name} ${installedVersion(name, require.resolve.paths(name) ?? [])}`)
    .join('\n');
}

function installedVersion(name: string, paths: string[]): string {
  for (const dir of paths) {
    try {
      return (JSON.parse(readFileSync(join(dir, name, 'package.json'), 'utf8')) as { version?: string }).version ?? '?';
    } catch {
      // not installed in this folder: the next one up
    }
  }
  return 'missing';
}

function filesUnder(dir: string): string[] {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return [];
  }
  const files: string[] = [];
  for (const entry of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) files.push(...filesUnder(path));
    else if (entry.isFile()) files.push(path);
  }
  return files;
}

/**
 * Every option that changes what a build writes, as one string; null when one cannot be
 * fingerprinted (a `layout` function). Left out: `db` (the database is known by its id), `since`
 * and `incremental` (how much is written, not what).
 */
export function optionsFingerprint(options: ResolvedOptions, pathPrefix: string | undefined): string | null {
  if (options.layout) return null;
  const { db: _db, since: _since, incremental: _incremental, layout: _layout, ...rest } = options;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256').update(JSON.stringify({ ...sorted, pathPrefix: pathPrefix ?? '/' })).digest('hex');
}

/** When the file of each stamp read was written (mtime, ns): a build removes the file once it has read it, and checks it after. */
const stampTimes = new WeakMap<StoredStamp, bigint>();

export function readStamp(outDir: string): StoredStamp | null {
  try {
    const file = join(outDir, STAMP_FILE);
    const time = statSync(file, { bigint: true }).mtimeNs;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as StoredStamp;
    if (parsed?.version !== 2 || typeof parsed.code !== 'string' || typeof parsed.db?.id !== 'string' || typeof parsed.db.sealed !== 'string') return null;
    stampTimes.set(parsed, time);
    return parsed;
  } catch {
    return null;
  }
}

/** Removed before a build writes anything: from then on, until it completes, the output is no complete build. */
export function removeStamp(outDir: string): void {
  rmSync(join(outDir, STAMP_FILE), { force: true });
}

/** The stamp as its file holds it, or null for a database without an id (never stamped). */
export function storedStamp(stamp: BuildStamp): StoredStamp | null {
  const { db, options, ...rest } = stamp;
  return db.id === null ? null : { ...rest, db: sealFacts({ ...db, id: db.id, options }) };
}

export function writeStamp(outDir: string, stamp: StoredStamp): void {
  writeFileAtomic(join(outDir, STAMP_FILE), `${JSON.stringify(stamp, null, 1)}\n`);
}

/**
 * Whether a build that does not keep the stamp wrote the output after `stamp` (as readStamp read
 * it) was written: a file every build of
 * every chatchannels rewrites — the site's index page (the index template), the manifest (each
 * full build of a version that has one) — is newer than the stamp, which our builds remove before
 * writing anything and write last. A chatchannels older than the stamp leaves it as it is, and
 * may leave the manifest's bytes (and hash) as they were too (the same paths, other bytes in the
 * pages). Told by the files' times, not recorded in the stamp: two builds of one database leave
 * the same stamp bytes. A build on a file system with coarse times (FAT: 2 s) that rewrote those
 * within the stamp's own tick is not told: no older build starts and finishes that fast.
 */
export function writtenSinceStamp(outDir: string, stamp: StoredStamp): boolean {
  const stamped = stampTimes.get(stamp);
  if (stamped === undefined) return true;
  const time = (file: string) => statSync(join(outDir, file), { bigint: true, throwIfNoEntry: false })?.mtimeNs ?? 0n;
  return [permalinkOf(sitePaths.index).slice(1), MANIFEST_FILE].some((file) => time(file) > stamped);
}

export function manifestHash(outDir: string): string | null {
  try {
    return createHash('sha256').update(readFileSync(join(outDir, MANIFEST_FILE))).digest('hex');
  } catch {
    return null;
  }
}

/**
 * Where the stamped build stood in the change log, when `now` (this snapshot) is the same database
 * grown from that build's snapshot by logged changes only; else why not.
 */
export function builtFrom(sealed: SealedFacts, now: DatabaseFacts, db: Db, options: string): { changeSeq: number } | { problem: string } {
  const then = unsealFacts(sealed, now.id);
  if (typeof then === 'string') return { problem: then };
  if (then.options !== options) return { problem: 'the site options changed since the last build' };
  if (now.changeSeq < then.changeSeq || now.lastMessage < then.lastMessage) return { problem: 'the database is older than the last build (a copy?)' };
  const row = db.prepare(`SELECT chat_id || '/' || day FROM main.changes WHERE seq = ?`).pluck().get(then.changeSeq) as string | undefined;
  const logged = db.prepare(`SELECT count(*) FROM main.changes WHERE seq > ? AND seq <= ?`).pluck().get(then.changeSeq, now.changeSeq) as number;
  const key = db.prepare(`SELECT key FROM main.message_rows WHERE id = ?`).pluck().get(then.lastMessage) as string | undefined;
  if ((row ?? null) !== then.changeRow || logged !== now.changeSeq - then.changeSeq || (key ?? null) !== then.messageKey) {
    return { problem: "the database's change log is not the one the output was built from (a copy, or rows removed)" };
  }
  const state = then.maxChat === now.maxChat && then.maxPerson === now.maxPerson ? now.state : stateHash(db, then.maxChat, then.maxPerson);
  if (state !== then.state) return { problem: 'chats or people were renamed or changed since the last build (the change log does not record that)' };
  return { changeSeq: then.changeSeq };
}

/**
 * Why `stamp` is no base for an incremental build of `outDir` with this code, or null when it is
 * (`options`: optionsFingerprint, null for options that cannot be fingerprinted; the stamp's own
 * are sealed: builtFrom compares them). The output's side: its manifest is the one
 * the stamped build left and every file it lists is still there (one stat each, nothing read).
 */
export function stampProblem(outDir: string, stamp: StoredStamp | null, options: string | null): string | null {
  if (!stamp) return 'no record of a complete build in the output folder';
  if (options === null) return 'a custom layout';
  if (stamp.code !== codeVersion()) return 'chatchannels changed since the last build';
  if (manifestHash(outDir) !== stamp.manifest) return "the output's file list changed since the last build";
  if (writtenSinceStamp(outDir, stamp)) return 'the output was written since the last build by a build that does not keep this record (an older chatchannels?)';
  const files = readManifest(outDir) ?? new Set<string>();
  let missing = 0;
  for (const path of files) if (!statSync(join(outDir, path), { throwIfNoEntry: false })) missing++;
  if (missing) return `${missing} file(s) of the last build are missing from the output`;
  return null;
}
