import { before, test } from 'node:test';
import assert from 'node:assert/strict';
import { closeSync, copyFileSync, existsSync, mkdirSync, openSync, readFileSync, truncateSync, writeFileSync, writeSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { folderEntries, writeTar } from './helpers/archives.js';
import { cli, cliAsync, contentDigest, integrityProblems, type CliResult } from './helpers/db-state.js';
import Database from 'better-sqlite3';
import { adapterSamples, ordinaryChats, packed, writeHostileMessages, FORMAT_SAMPLES, type FormatSample } from './helpers/format-samples.js';
import { scratchDir } from './helpers/temp.js';
import { openStore } from '../collector/store/open.js';

/**
 * Every importer on bad files, through the real CLI (`node dist/collector/cli.js import`): empty
 * files, another format's file, truncated files and archives, binary garbage, a 50 MB line with
 * no line end. Each either fails — exit 1, a message naming the file (and the position where the
 * format has one), the database exactly as it was — or imports what is sound and reports what it
 * skipped. Never a crash, a stack trace, exit 0 in silence over a file it could not read, or a
 * half-written database.
 */

const HUGE = 50 * 1024 * 1024;

interface Case {
  format: string;
  what: string;
  /** The path given to `import`. */
  path: string;
  /** The file that was damaged (named in the error, or the path itself). */
  file: string;
  /** `--format` given, or none (auto-detection). */
  explicit: boolean;
  /** The error must say where (byte, line or entry). */
  position?: boolean;
  /** Why exit 0 is fine too: the damage leaves a valid, smaller input. */
  undetectable?: string;
  /** Not damaged: must import whole (a check on the archive writers). */
  intact?: boolean;
}

let dir: string;
let baseDb: string;
let baseDigest: string;

const samples = adapterSamples().filter((a) => a.sample).map((a) => a.sample!) as FormatSample[];

/** The format's ordinary sample, written into `<dir>/<format>/<sub>/`. */
function writeOrdinary(sample: FormatSample, sub: string): string {
  const folder = join(dir, sample.format, sub.replace(/\W+/g, '-'));
  mkdirSync(folder, { recursive: true });
  const chats = ordinaryChats();
  return sample.write(folder, sample.multiChat ? chats : chats.slice(0, 1));
}

/** The format's ordinary sample with its main file's bytes replaced. */
function damaged(sample: FormatSample, what: string, bytes: Buffer | ((original: Buffer) => Buffer)): { path: string; file: string } {
  const path = writeOrdinary(sample, what);
  const file = sample.mainFile(path);
  writeFileSync(file, typeof bytes === 'function' ? bytes(readFileSync(file)) : bytes);
  return { path, file };
}

function isJson(bytes: Buffer): boolean {
  try {
    JSON.parse(bytes.toString('utf8'));
    return true;
  } catch {
    return false;
  }
}

/** How many messages the ordinary sample of a format holds. */
function expectedMessages(format: string): number {
  const sample = samples.find((s) => s.format === format)!;
  return (sample.multiChat ? ordinaryChats() : ordinaryChats().slice(0, 1)).reduce((n, chat) => n + chat.messages.length, 0);
}

function garbage(size: number, seed: number): Buffer {
  const out = Buffer.alloc(size);
  let s = seed;
  for (let i = 0; i < size; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}

/** A 50 MB file of one line without a line end, written in pieces. */
function hugeLine(file: string, head: string): void {
  const fd = openSync(file, 'w');
  try {
    writeSync(fd, head);
    const block = Buffer.alloc(1 << 20, 'a');
    for (let written = 0; written < HUGE; written += block.length) writeSync(fd, block);
  } finally {
    closeSync(fd);
  }
}

function cases(): Case[] {
  const out: Case[] = [];
  samples.forEach((sample, i) => {
    const other = FORMAT_SAMPLES[(FORMAT_SAMPLES.indexOf(sample) + 1) % FORMAT_SAMPLES.length];
    const add = (what: string, bytes: Buffer | ((b: Buffer) => Buffer), extra: Partial<Case> = {}) => {
      out.push({ format: sample.format, what, ...damaged(sample, what, bytes), explicit: true, ...extra });
    };
    // Text and JSON formats can say where a file breaks off; SQLite cannot. A log (text) has no
    // end marker: cut short, it is a shorter log.
    const original = readFileSync(sample.mainFile(writeOrdinary(sample, 'probe')));
    const sqlite = original.subarray(0, 16).toString('latin1') === 'SQLite format 3\0';
    const text = !sqlite && !isJson(original);
    add('empty file', Buffer.alloc(0), { undetectable: text ? 'an empty log has nothing yet' : undefined });
    add('binary garbage', garbage(64 * 1024, i + 1));
    add('truncated in half', (b) => b.subarray(0, Math.floor(b.length / 2)), {
      position: !sqlite,
      undetectable: text ? 'a log cut short is a shorter log' : undefined,
    });
    add('NUL bytes', (b) => Buffer.alloc(b.length));
    // Another format's main file where this one's belongs.
    const foreign = readFileSync(other.mainFile(writeOrdinary(other, `foreign-for-${sample.format}`)));
    add(`a ${other.format} file`, foreign);
    // 50 MB in one line: a JSON string that never ends, or text that never ends its line.
    const huge = damaged(sample, 'huge line', Buffer.alloc(0));
    hugeLine(huge.file, readFileSync(sample.mainFile(writeOrdinary(sample, 'huge-head'))).toString('latin1').slice(0, 40));
    out.push({ format: sample.format, what: '50 MB line', ...huge, explicit: true, undetectable: text ? 'a 50 MB line may be a message' : undefined });
    // Packed forms: an archive cut short, and one that is only garbage.
    const unpacked = writeOrdinary(sample, 'packed');
    const packDir = join(dir, sample.format, 'packed');
    const archive = packed(sample, unpacked, packDir);
    if (archive) {
      // The intact archive first: the cuts below damage something that imports.
      out.push({ format: sample.format, what: 'intact archive', path: archive, file: archive, explicit: true, intact: true });
      const bytes = readFileSync(archive);
      for (const [what, cut] of [['archive cut in half', bytes.length >> 1], ['archive without its end', bytes.length - 30], ['archive of one header', 512]] as const) {
        const file = join(packDir, `${what.replace(/\W+/g, '-')}-${basename(archive)}`);
        writeFileSync(file, bytes.subarray(0, cut));
        out.push({ format: sample.format, what, path: file, file, explicit: true });
      }
    }
  });
  // Auto-detection over what no adapter reads.
  const auto = join(dir, 'auto');
  mkdirSync(auto, { recursive: true });
  for (const [name, bytes] of [['empty.json', Buffer.alloc(0)], ['garbage.bin', garbage(4096, 99)], ['notes.txt', Buffer.from('just some notes\nnothing else\n')]] as const) {
    writeFileSync(join(auto, name), bytes);
    out.push({ format: 'auto', what: name, path: join(auto, name), file: join(auto, name), explicit: false });
  }
  const emptyFolder = join(auto, 'empty-folder');
  mkdirSync(emptyFolder);
  out.push({ format: 'auto', what: 'empty folder', path: emptyFolder, file: emptyFolder, explicit: false });
  return out;
}

before(() => {
  dir = scratchDir('cc-badfiles-');
  baseDb = join(dir, 'base.sqlite');
  const sample = samples[0];
  const good = cli(['import', sample.write(join(dir, 'good'), ordinaryChats()), '--db', baseDb, '--format', sample.format], dir);
  assert.equal(good.code, 0, good.err);
  baseDigest = contentDigest(baseDb);
});

/** Runs the cases two at a time (the machine has two cores), each on its own copy of the database. */
async function runAll(list: Case[]): Promise<{ c: Case; r: CliResult; db: string; ms: number }[]> {
  const results: { c: Case; r: CliResult; db: string; ms: number }[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < list.length) {
      const i = next++;
      const c = list[i];
      const db = join(dir, `case-${i}.sqlite`);
      copyFileSync(baseDb, db);
      const args = ['import', c.path, '--db', db, ...(c.explicit ? ['--format', c.format] : [])];
      const started = performance.now();
      results[i] = { c, r: await cliAsync(args, dirname(c.path)).done, db, ms: performance.now() - started };
    }
  };
  await Promise.all([worker(), worker()]);
  return results;
}

test('every importer, on every kind of bad file: a clear error and an unchanged database, or reported skips', async (t) => {
  assert.ok(samples.length > 0);
  const list = cases();
  const results = await runAll(list);
  const lines: string[] = [];
  const problems: string[] = [];
  for (const { c, r, db, ms } of results) {
    const label = `${c.format}, ${c.what} (${relative(dir, c.path)}, ${Math.round(ms)} ms)`;
    const fail = (why: string) => problems.push(`${label}: ${why}\n    ${(r.err || r.out).trim().split('\n').join('\n    ')}`);
    if (r.signal !== null) fail(`killed by ${r.signal}`);
    if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.err)) fail('a stack trace');
    const unsound = integrityProblems(db);
    if (unsound.length) fail(`integrity_check: ${unsound.join('; ')}`);
    const counts = /messages: (\d+) new, (\d+) updated, (\d+) unchanged/.exec(r.out);
    const read = counts ? Number(counts[1]) + Number(counts[2]) + Number(counts[3]) : -1;
    const whole = c.format !== 'auto' && read === expectedMessages(c.format);
    if (c.intact) {
      if (r.code !== 0 || !whole) fail('the intact archive does not import whole');
      else lines.push(`${label}: imported whole`);
      continue;
    }
    if (r.code === 0) {
      // Imported what was sound. Then it said what it skipped, or nothing was lost (a tar
      // without its end-of-archive blocks still holds every entry whole), or the damage cannot
      // be told from a smaller file (a log cut between lines; a 50 MB message is a message).
      const warned = /warning: .*item\(s\) skipped/.test(r.err);
      if (whole || warned || c.undetectable) lines.push(`${label}: imported ${whole ? 'whole' : warned ? 'with warnings' : `${read} messages (${c.undetectable})`}`);
      else fail('exit 0 over a damaged file, with neither a warning nor every message');
      continue;
    }
    if (r.code !== 1) fail(`exit ${r.code}`);
    const message = r.err.trim();
    if (!/^chatchannels: error: /.test(message)) fail('no error message');
    if (![c.path, c.file, basename(c.file), basename(c.path)].some((name) => message.includes(name))) fail('the error does not name the file');
    if (c.position && !/byte \d+|line \d+|offset \d+|entry |position/i.test(message)) fail('the error does not say where');
    if (contentDigest(db) !== baseDigest) fail('the database changed although the import failed');
    lines.push(`${label}: ${message.slice(21, 200)}`);
  }
  t.diagnostic(`${results.length} cases:\n${lines.join('\n')}`);
  assert.deepEqual(problems, []);
});

test('a failed first import leaves no database it created, and an empty one it did not with its indexes (no half-applied bulk mode)', () => {
  const db = join(dir, 'fresh.sqlite');
  const sample = samples[0];
  const { path } = damaged(sample, 'fresh truncated', (b) => b.subarray(0, Math.floor(b.length * 0.8)));
  const r = cli(['import', path, '--db', db, '--format', sample.format], dir);
  assert.equal(r.code, 1, r.err);
  assert.equal(existsSync(db), false, 'a database this import created and stored nothing in is removed');
  const existing = join(dir, 'existing-empty.sqlite');
  openStore(existing).close();
  assert.equal(cli(['import', path, '--db', existing, '--format', sample.format], dir).code, 1);
  const good = cli(['import', sample.write(join(dir, 'good-fresh'), ordinaryChats()), '--db', join(dir, 'reference.sqlite'), '--format', sample.format], dir);
  assert.equal(good.code, 0, good.err);
  // Same schema (indexes included) as a database whose first import succeeded.
  const schema = (file: string) => contentDigest(file, []);
  assert.equal(schema(existing), schema(join(dir, 'reference.sqlite')));
});

test('every JSON format: messages with hostile lookup keys or nested 5,000, 100,000 and 300,000 deep are skipped with a warning or imported harmless; the rest is imported', async (t) => {
  const withRaw = samples.filter((s) => s.raw);
  assert.deepEqual(withRaw.map((s) => s.format).sort(), ['discord', 'google-chat', 'instagram', 'matrix', 'mattermost', 'messenger', 'skype-export', 'slack', 'teams', 'telegram']);
  const problems: string[] = [];
  const lines: string[] = [];
  for (const sample of withRaw) {
    const folder = join(dir, 'hostile-messages', sample.format);
    mkdirSync(folder, { recursive: true });
    const { path, normal, cases } = writeHostileMessages(sample, folder);
    const db = join(folder, 'db.sqlite');
    const r = await cliAsync(['import', path, '--db', db, '--format', sample.format], folder).done;
    const fail = (why: string) => problems.push(`${sample.format}: ${why}\n    ${(r.err || r.out).trim().split('\n').slice(0, 8).join('\n    ')}`);
    if (r.code !== 0) {
      fail(`exit ${r.code}`);
      continue;
    }
    if (/\n\s+at .+:\d+:\d+\)?\n/.test(r.err)) fail('a stack trace');
    const store = new Database(db, { readonly: true });
    const bodies = (store.prepare('SELECT body FROM messages').pluck().all() as string[]).join('\n');
    store.close();
    for (const body of normal) if (!bodies.includes(body)) fail(`"${body}" was not imported`);
    const imported = (/messages: (\d+) new/.exec(r.out) ?? [])[1];
    const skipped = 2 + cases.length - Number(imported);
    if (skipped > 0 && !/warning: .*item\(s\) skipped/.test(r.err)) fail(`${skipped} message(s) missing without a warning`);
    if (skipped > 0 && !/could not be read|skipped/.test(r.err)) fail('the warning does not say what was skipped');
    lines.push(`${sample.format}: ${cases.length} hostile messages, ${skipped} skipped with a warning, the rest imported`);
  }
  t.diagnostic(lines.join('\n'));
  assert.deepEqual(problems, []);
});

test('a media file over --max-media-size is listed with its name, not read: every message imports (folders, and a Skype tar claiming 1.1 GB)', { timeout: 300_000 }, async (t) => {
  const withMedia = samples.filter((s) => s.mediaFile);
  assert.deepEqual(withMedia.map((s) => s.format).sort(), ['discord', 'google-chat', 'instagram', 'mattermost', 'messenger', 'skype-export', 'telegram', 'whatsapp']);
  const BIG = 300 * 1024 * 1024; // over the default 256 MB; a hole on disk (truncate), never real bytes
  const problems: string[] = [];
  const lines: string[] = [];
  const chat = ordinaryChats()[0];
  const names = ['small.txt', 'big.mp4'];
  const messages = chat.messages.map((m, i) => (i < names.length ? { ...m, attachment: names[i] } : m));
  const run = async (format: string, what: string, path: string, extra: string[], expect: { stored: string[]; skipped: string[]; size: number }) => {
    const folder = dirname(path);
    const db = join(folder, `${what.replace(/\W+/g, '-')}.sqlite`);
    const r = await cliAsync(['import', path, '--db', db, '--format', format, ...extra], folder).done;
    const fail = (why: string) => problems.push(`${format}, ${what}: ${why}\n    ${(r.err || r.out).trim().split('\n').slice(0, 8).join('\n    ')}`);
    if (r.code !== 0) return fail(`exit ${r.code}`);
    const store = new Database(db, { readonly: true });
    try {
      const count = store.prepare('SELECT count(*) FROM messages').pluck().get() as number;
      if (count !== chat.messages.length) fail(`${count} of ${chat.messages.length} messages imported`);
      const stored = store.prepare('SELECT name, size FROM media').all() as { name: string; size: number }[];
      for (const name of expect.stored) if (!stored.some((m) => m.name.endsWith(name.slice(name.lastIndexOf('.'))))) fail(`${name} is not stored`);
      if (stored.some((m) => m.size > 256 * 1024 * 1024)) fail('a file over the limit is stored');
      const attachments = (store.prepare('SELECT attachments FROM messages WHERE attachments IS NOT NULL').pluck().all() as string[]).flatMap((a) => JSON.parse(a) as { name: string; hash?: string }[]);
      for (const name of expect.skipped) {
        if (!attachments.some((a) => a.name === name && !a.hash)) fail(`the message does not keep "${name}" as an attachment without its file`);
        if (!new RegExp(`${name.replace('.', '\\.')}.*\\(${expect.size} bytes\\), larger than the media limit`).test(r.err)) fail(`no warning naming ${name} and its size`);
      }
    } finally {
      store.close();
    }
    lines.push(`${format}, ${what}: imported whole, ${expect.skipped.join(', ') || 'nothing'} listed without the file`);
  };
  for (const sample of withMedia) {
    const folder = join(dir, 'big-media', sample.format);
    mkdirSync(folder, { recursive: true });
    const path = sample.write(folder, [{ ...chat, messages }]);
    for (const name of names) mkdirSync(dirname(sample.mediaFile!(path, name)), { recursive: true });
    writeFileSync(sample.mediaFile!(path, 'small.txt'), 'a small attachment');
    writeFileSync(sample.mediaFile!(path, 'big.mp4'), '');
    truncateSync(sample.mediaFile!(path, 'big.mp4'), BIG);
    await run(sample.format, 'a 300 MB file', path, [], { stored: ['small.txt'], skipped: ['big.mp4'], size: BIG });
    // The limit is the user's: 10 bytes leave the small file out too.
    await run(sample.format, '--max-media-size 0.00001', path, ['--max-media-size', '0.00001'], { stored: [], skipped: ['small.txt'], size: 18 });
  }
  // A Skype tar whose media entry claims 1.1 GB (a hole in the tar file).
  const skype = samples.find((s) => s.format === 'skype-export')!;
  const folder = join(dir, 'big-media', 'skype-tar');
  mkdirSync(folder, { recursive: true });
  const unpacked = skype.write(folder, [{ ...chat, messages }]);
  const entries = folderEntries(unpacked).filter((e) => !e.name.startsWith('media/'));
  const HUGE_ENTRY = 1_100_000_000;
  entries.push({ name: relative(unpacked, skype.mediaFile!(unpacked, 'big.mp4')).split(sep).join('/'), data: Buffer.alloc(0), sparseSize: HUGE_ENTRY });
  const tar = join(folder, 'skype-export.tar');
  writeTar(tar, entries);
  await run('skype-export', 'a tar with a 1.1 GB entry', tar, [], { stored: [], skipped: ['big.mp4'], size: HUGE_ENTRY });
  t.diagnostic(lines.join('\n'));
  assert.deepEqual(problems, []);
});
