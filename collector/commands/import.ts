import { importPaths, UsageError, type ImportOptions, type ImportSummary } from '../import/index.js';
import { DEFAULT_DB, SOURCE_OPTION_HELP, sourceOptions, sourceTimeZone, sourceZone, type CommandSpec } from '../cli/args.js';
import { progressFor } from '../cli/progress.js';
import { existsSync, lstatSync } from 'node:fs';
import { resolve } from 'node:path';
import { closeRemovingUnused, createStoreAside, openStore, removeStaleAside, type Db } from '../store/open.js';
import { touchChangeMarker } from '../store/marker.js';
import { FORMATS } from '../sources/modules.js';

const WARNINGS_SHOWN = 10;

export const importCommand: CommandSpec = {
  name: 'import',
  usage: 'chatchannels import <path…> [--db FILE] [--format NAME] [--chat ID…]',
  summary: 'Imports chat exports into the database. Re-importing is safe: nothing is doubled.',
  details: [
    'Options:',
    `  --db FILE       database to write (default: ./${DEFAULT_DB}; created if missing)`,
    `  --format NAME   source format: auto (default) or ${FORMATS.map((f) => f.format).join(', ')}`,
    '  --chat ID       import only this chat (native id or slug); repeat for several',
    '  --merge-tolerance SECONDS',
    '                  a message another source already stored, by the same author with the same text',
    '                  and at most this far apart in time, is the same message (default 120; 0: off)',
    '  --full          read every file whole, even logs already read up to a remembered point',
    ...SOURCE_OPTION_HELP,
    '',
    'Formats:',
    ...FORMATS.map((f) => `  ${f.format.padEnd(14)}  ${f.description}`),
  ].join('\n'),
  options: {
    db: { type: 'string' },
    format: { type: 'string' },
    chat: { type: 'string', multiple: true },
    'merge-tolerance': { type: 'string' },
    full: { type: 'boolean' },
    'source-time-zone': { type: 'string' },
    'time-zone': { type: 'string' },
    'date-order': { type: 'string' },
    network: { type: 'string' },
    'max-media-size': { type: 'string' },
  },
  async run(values, paths) {
    if (paths.length === 0) throw new UsageError('import needs at least one path to a chat export');
    const tolerance = values['merge-tolerance'] === undefined ? 120 : Number(values['merge-tolerance']);
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      throw new UsageError(`--merge-tolerance must be a number of seconds ≥ 0, not "${values['merge-tolerance']}"`);
    }
    const source = sourceOptions(sourceTimeZone(values), values['date-order'], values.network, values['max-media-size']);
    const dbFile = (values.db as string | undefined) ?? DEFAULT_DB;
    const options: ImportOptions = {
      format: values.format as string | undefined,
      chats: values.chat as string[] | undefined,
      mergeToleranceMs: tolerance * 1000,
      full: values.full === true,
      source,
    };
    const zone = () => sourceZone(sourceTimeZone(values, () => undefined));
    removeStaleAside(dbFile);
    // A first import writes a new database aside and publishes it whole (store/open.ts); should
    // another process create the database meanwhile, the import runs again into that one.
    // Not when a name is there already, even a link to nothing (link(2) would refuse it: the import would run twice).
    if (!nameTaken(dbFile) && (await importAside(dbFile, paths, options, zone))) return 0;
    const created = !existsSync(dbFile);
    const db = openStore(dbFile);
    try {
      await importWithProgress(db, dbFile, paths, options, zone);
    } finally {
      closeRemovingUnused(db, created);
    }
    return 0;
  },
};

/** Imports into a new database written aside; false when it could not be published (another process created `dbFile` meanwhile, or no hard links here). */
async function importAside(dbFile: string, paths: string[], options: ImportOptions, zone: () => string): Promise<boolean> {
  const aside = createStoreAside(dbFile);
  let published = false;
  try {
    const summary = await importWithProgress(aside.db, dbFile, paths, options, zone, false);
    published = aside.publish();
    if (published && summary.newMessages + summary.updatedMessages + summary.mergedMessages > 0) touchChangeMarker(resolve(dbFile));
    if (published) printSummary(summary, dbFile, summary.ms, zone);
    else if (existsSync(dbFile)) process.stderr.write(`${dbFile} was created by another process during this import: importing into it\n`);
    else process.stderr.write(`${dbFile}: this file system cannot publish a database written aside: importing again in place\n`);
  } finally {
    if (!published) aside.discard();
  }
  return published;
}

/** Whether anything has this name: a file, a folder, or a symbolic link, even one to nothing. */
function nameTaken(file: string): boolean {
  try {
    lstatSync(file);
    return true;
  } catch {
    return false;
  }
}

/** Runs the import with a progress bar; prints its summary unless `print` is false. */
async function importWithProgress(
  db: Db, dbFile: string, paths: string[], options: ImportOptions, zone: () => string, print = true,
): Promise<ImportSummary & { ms: number }> {
  const progress = progressFor();
  const started = performance.now();
  try {
    const summary = await importPaths(db, paths, {
      ...options,
      onFileStart: (file) => progress.start(file),
      onProgress: (_file, done, total) => progress.update(done, total),
    });
    progress.stop();
    const ms = performance.now() - started;
    if (print) printSummary(summary, dbFile, ms, zone);
    return { ...summary, ms };
  } finally {
    progress.stop();
  }
}

/** Formats whose times are the wall clock of a device, read in a time zone the user may need to name. */
const WALL_CLOCK_FORMATS = new Set(['whatsapp', 'irc']);

/** `zone` is asked only when a wall-clock source was read: the system zone costs loading ICU's zone data. */
function printSummary(s: ImportSummary, dbFile: string, ms: number, zone: () => string): void {
  for (const file of s.files) {
    if (!file.warnings.length) continue;
    process.stderr.write(`warning: ${file.file} (${file.format}): ${file.warnings.length} item(s) skipped or imported with a problem:\n`);
    for (const w of file.warnings.slice(0, WARNINGS_SHOWN)) process.stderr.write(`  ${w.position}: ${w.message}\n`);
    if (file.warnings.length > WARNINGS_SHOWN) process.stderr.write(`  … and ${file.warnings.length - WARNINGS_SHOWN} more\n`);
  }
  const total = s.newMessages + s.updatedMessages + s.unchangedMessages;
  const rate = total / Math.max(ms / 1000, 0.001);
  process.stdout.write(
    `Imported ${s.files.length} source(s) into ${dbFile}: ${s.chats} chat(s); messages: ${s.newMessages} new, ` +
      `${s.updatedMessages} updated, ${s.unchangedMessages} unchanged` +
      (s.mergedMessages ? `, ${s.mergedMessages} already stored from another source` : '') +
      (s.media ? `; ${s.media} media file(s)` : '') +
      (s.warningCount ? `; ${s.warningCount} warning(s)` : '') +
      ` (${(ms / 1000).toFixed(1)} s, ${Math.round(rate).toLocaleString('en')} messages/s)\n`,
  );
  if (s.files.some((f) => WALL_CLOCK_FORMATS.has(f.format))) {
    process.stdout.write(`Times of ${[...new Set(s.files.map((f) => f.format).filter((f) => WALL_CLOCK_FORMATS.has(f)))].join(' and ')} sources were read as ${zone()} time (--source-time-zone to change).\n`);
  }
}
