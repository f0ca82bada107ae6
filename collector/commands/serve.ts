import { DEFAULT_DB, DEFAULT_OUT, portOption, PRIVACY_OPTION_HELP, PRIVACY_OPTIONS, privacyOptions, sourceOptions, type CommandSpec } from '../cli/args.js';
import { checkOutFolder } from '../cli/output-check.js';
import { openStore } from '../store/open.js';
import type { SourceWatcher } from '../watch.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  usage: 'chatchannels serve [--watch [path…]] [--db FILE] [--host H] [--port N] [--out DIR] [--path-prefix P] [--force]',
  summary: 'Builds the site and serves it on http://127.0.0.1:PORT/, rebuilding what changes as imports land.',
  details: [
    'With --watch, also imports the given sources as they change (as "chatchannels watch" does;',
    'with no paths, every source imported into the database before). Pages open in a browser',
    'reload when the site is rebuilt. Rebuilds write only the chats and days that changed.',
    'The first build resumes from the output folder\'s last complete build (same database, options',
    'and chatchannels) when it can, writing only what changed since; else it builds in full, and says why.',
    '',
    'Options:',
    '  --watch            import sources as they change, in this process',
    '  --format NAME      source format for --watch (default: auto)',
    '  --source-time-zone TZ, --date-order O, --network NAME, --max-media-size MB',
    '                     how --watch reads WhatsApp and IRC sources and media (see "import --help")',
    `  --db FILE          database to read (default: ./${DEFAULT_DB})`,
    '  --host H           address to listen on (default: 127.0.0.1, this machine only;',
    '                     0.0.0.0 puts every chat in the database on the network)',
    '  --port N           port to listen on (default: 8080; a port in use is an error;',
    '                     0: any free port, the "serving" line says which)',
    `  --out DIR          output folder (default: ./${DEFAULT_OUT})`,
    '  --path-prefix P    the URL path the site is served under (default: /)',
    '  --time-zone TZ     IANA time zone for displayed times (default: UTC)',
    '  --force            serve from --out even if it is the working, home or database folder,',
    '                     or holds (or is inside) a watched or imported export',
    ...PRIVACY_OPTION_HELP,
    '',
    'Stop with Ctrl-C.',
  ].join('\n'),
  options: {
    watch: { type: 'boolean' },
    format: { type: 'string' },
    'source-time-zone': { type: 'string' },
    'date-order': { type: 'string' },
    network: { type: 'string' },
    'max-media-size': { type: 'string' },
    db: { type: 'string' },
    host: { type: 'string' },
    port: { type: 'string' },
    out: { type: 'string' },
    'path-prefix': { type: 'string' },
    'time-zone': { type: 'string' },
    force: { type: 'boolean' },
    ...PRIVACY_OPTIONS,
  },
  async run(values, positionals) {
    const dbFile = (values.db as string | undefined) ?? DEFAULT_DB;
    if (positionals.length && !values.watch) throw new Error(`serve takes paths only with --watch (got ${positionals.join(' ')})`);
    const out = (values.out as string | undefined) ?? DEFAULT_OUT;
    if (!values.force) checkOutFolder(out, dbFile, positionals);
    const log = (line: string) => process.stdout.write(`${new Date().toISOString().slice(11, 19)}  ${line}\n`);

    // The collector side first: the first build then shows what the sources hold now.
    let watcher: SourceWatcher | null = null;
    let db: ReturnType<typeof openStore> | null = null;
    if (values.watch) {
      const source = sourceOptions(values['source-time-zone'], values['date-order'], values.network, values['max-media-size']);
      db = openStore(dbFile);
      const paths = positionals.length ? positionals : (db.prepare(`SELECT path FROM sources ORDER BY id`).pluck().all() as string[]);
      if (!paths.length) {
        db.close();
        throw new Error(`${dbFile}: no sources to watch: name some paths after --watch, or import them once first`);
      }
      // Loaded only here (chokidar): a plain serve, or any other command, does not pay for it.
      const { watchSources } = await import('../watch.js');
      watcher = watchSources(db, dbFile, paths, { format: values.format as string | undefined, source }, {
        onImport: (path, s) => {
          if (s.newMessages + s.updatedMessages + s.mergedMessages > 0) {
            log(`${path}: ${s.newMessages} new, ${s.updatedMessages} updated` + (s.warningCount ? `, ${s.warningCount} warning(s)` : ''));
          }
        },
        onError: (_path, err) => process.stderr.write(`chatchannels: error: ${err.message}\n`),
      });
      await watcher.ready;
      log(`watching ${paths.length} source(s)`);
    }

    // The first build resumed with nothing changed: its start line said so, a "rebuilt 0" line would say it again.
    let resumedUnchanged = false;
    const serving = (await import('../../site/serve.js')).serveSite({
      db: dbFile,
      out,
      host: values.host as string | undefined,
      port: portOption(values.port, 8080),
      pathPrefix: values['path-prefix'] as string | undefined,
      timeZone: values['time-zone'] as string | undefined,
      ...privacyOptions(values),
      onBuild: (s) => {
        if (s.incremental && !(resumedUnchanged && s.archivePages === 0)) log(`rebuilt ${s.archivePages} archive page(s) and what links to them`);
        resumedUnchanged = false;
        if (s.removedFiles) log(`removed ${s.removedFiles} file(s) no longer published`);
      },
      onNotice: (notice) => process.stderr.write(`chatchannels: ${notice}\n`),
      onStart: (start) => {
        resumedUnchanged = start.resumed && start.changedChats === 0;
        log(start.resumed ? `resumed from the last build: ${start.changedChats} chat(s) changed since` : `building in full: ${start.reason}`);
      },
    });
    // Serving refused (a port in use, say): the source watcher would keep the process running.
    const server = await serving.catch(async (err: unknown) => {
      await watcher?.close();
      db?.close();
      throw err;
    });
    const { host, port } = server.address;
    const wildcard = host === '0.0.0.0' || host === '::';
    log(`serving ${server.url}` + (wildcard ? ` (listening on ${host.includes(':') ? `[${host}]` : host}:${port}: every network interface)` : ''));
    if (!server.loopback) {
      process.stderr.write(
        `chatchannels: warning: listening on ${host}, not loopback: anyone on the network who can reach ` +
          `this machine can read every chat in ${dbFile} at port ${port}\n`,
      );
    }
    await new Promise<void>((done) => {
      process.once('SIGINT', () => done());
      process.once('SIGTERM', () => done());
    });
    await server.close();
    await watcher?.close();
    db?.close();
    return 0;
  },
};
