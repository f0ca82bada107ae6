import { DEFAULT_DB, SOURCE_OPTION_HELP, sourceOptions, sourceTimeZone, type CommandSpec } from '../cli/args.js';
import { existsSync } from 'node:fs';
import { closeRemovingUnused, openStore } from '../store/open.js';

export const watchCommand: CommandSpec = {
  name: 'watch',
  usage: 'chatchannels watch [path…] [--db FILE] [--format NAME]',
  summary: 'Keeps importing sources as they change (collector only; "serve" also rebuilds the site).',
  details: [
    'With no paths, watches every source imported into the database before.',
    '',
    'Options:',
    `  --db FILE       database to write (default: ./${DEFAULT_DB})`,
    '  --format NAME   source format (default: auto)',
    ...SOURCE_OPTION_HELP,
    '',
    'Stop with Ctrl-C: an import in progress is finished or rolled back, never left half done.',
  ].join('\n'),
  options: {
    db: { type: 'string' },
    format: { type: 'string' },
    'source-time-zone': { type: 'string' },
    'time-zone': { type: 'string' },
    'date-order': { type: 'string' },
    network: { type: 'string' },
    'max-media-size': { type: 'string' },
  },
  async run(values, positionals) {
    const source = sourceOptions(sourceTimeZone(values), values['date-order'], values.network, values['max-media-size']);
    const dbFile = (values.db as string | undefined) ?? DEFAULT_DB;
    const created = !existsSync(dbFile);
    const db = openStore(dbFile);
    const paths = positionals.length ? positionals : (db.prepare(`SELECT path FROM sources ORDER BY id`).pluck().all() as string[]);
    if (!paths.length) {
      closeRemovingUnused(db, created);
      throw new Error(`${dbFile}: no sources to watch: name some paths, or import them once first`);
    }
    const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);
    // Loaded here, not at the top: the CLI loads every command's module for any command.
    const { watchSources } = await import('../watch.js');
    const watcher = watchSources(db, dbFile, paths, { format: values.format as string | undefined, source }, {
      onImport: (path, s) =>
        log(`${path}: ${s.newMessages} new, ${s.updatedMessages} updated, ${s.unchangedMessages} unchanged` +
          (s.warningCount ? `, ${s.warningCount} warning(s)` : '')),
      onError: (path, err) => process.stderr.write(`chatchannels: error: ${err.message}\n`),
    });
    await watcher.ready;
    log(`watching ${paths.length} source(s); Ctrl-C to stop`);
    await new Promise<void>((done) => {
      const stop = () => done();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
    await watcher.close();
    db.close();
    return 0;
  },
};
