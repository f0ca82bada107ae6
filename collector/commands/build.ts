import { DEFAULT_DB, DEFAULT_OUT, PRIVACY_OPTION_HELP, PRIVACY_OPTIONS, privacyOptions, type CommandSpec } from '../cli/args.js';
import { checkOutFolder } from '../cli/output-check.js';
import { openStore, StoreError } from '../store/open.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  usage: 'chatchannels build [--db FILE] [--out DIR] [--path-prefix P] [--time-zone TZ] [--authors MODE] [--include ID…] [--exclude ID…] [--force]',
  summary: 'Builds the static site (archive pages, feeds, search index) from the database.',
  details: [
    'Options:',
    `  --db FILE          database to read (default: ./${DEFAULT_DB})`,
    `  --out DIR          output folder (default: ./${DEFAULT_OUT})`,
    '  --path-prefix P    the URL path the site is served under, e.g. /archive/ (default: /)',
    '  --time-zone TZ     IANA time zone for displayed times, e.g. Europe/Berlin (default: UTC)',
    '  --site-url URL     absolute URL of the site, with or without the path prefix: feed readers',
    '                     need it to subscribe to the feeds and the OPML (recommended)',
    '  --force            build into --out even if it is the working, home or database folder,',
    '                     or holds (or is inside) an imported export',
    ...PRIVACY_OPTION_HELP,
    '',
    'A build removes from --out the files an earlier build wrote that it no longer publishes,',
    'and nothing else. One build writes an output folder at a time.',
    '',
    'For more control (layout, feed sizes, …) use the Eleventy plugin in your own Eleventy project:',
    'see the README.',
  ].join('\n'),
  options: {
    db: { type: 'string' },
    out: { type: 'string' },
    'path-prefix': { type: 'string' },
    'time-zone': { type: 'string' },
    'site-url': { type: 'string' },
    force: { type: 'boolean' },
    ...PRIVACY_OPTIONS,
  },
  async run(values) {
    const started = performance.now();
    const out = (values.out as string | undefined) ?? DEFAULT_OUT;
    const db = (values.db as string | undefined) ?? DEFAULT_DB;
    if (!values.force) checkOutFolder(out, db);
    assertHoldsChats(db);
    const result = await (await import('../../site/build.js')).buildSite({
      db,
      out,
      pathPrefix: values['path-prefix'] as string | undefined,
      timeZone: values['time-zone'] as string | undefined,
      siteUrl: values['site-url'] as string | undefined,
      ...privacyOptions(values),
      quiet: true,
    });
    for (const notice of result.notices) process.stderr.write(`chatchannels: ${notice}\n`);
    process.stdout.write(
      `Built ${out}/: ${result.pages} page(s), ${result.feeds} feed(s) in ${((performance.now() - started) / 1000).toFixed(1)} s` +
        (result.removed ? `; removed ${result.removed} file(s) no longer published` : '') +
        '\n',
    );
    return 0;
  },
};

/** An empty database (a first import that found no chat) would publish an empty site: refuse. */
function assertHoldsChats(file: string): void {
  const db = openStore(file, { readonly: true });
  try {
    if (!db.prepare(`SELECT 1 FROM chats LIMIT 1`).get()) throw new StoreError(`database ${file} holds no chats: import a chat export into it first`);
  } finally {
    db.close();
  }
}
