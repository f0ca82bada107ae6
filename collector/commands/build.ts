import { DEFAULT_DB, DEFAULT_OUT, type CommandSpec } from '../cli/args.js';
import { openStore, StoreError } from '../store/open.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  usage: 'chatchannels build [--db FILE] [--out DIR] [--path-prefix P] [--time-zone TZ]',
  summary: 'Builds the static site (archive pages, feeds, search index) from the database.',
  details: [
    'Options:',
    `  --db FILE          database to read (default: ./${DEFAULT_DB})`,
    `  --out DIR          output folder (default: ./${DEFAULT_OUT})`,
    '  --path-prefix P    the URL path the site is served under, e.g. /archive/ (default: /)',
    '  --time-zone TZ     IANA time zone for displayed times, e.g. Europe/Berlin (default: UTC)',
    '  --site-url URL     absolute URL of the site, for feeds (recommended when publishing)',
    '',
    'For more control (which chats, pseudonymized authors, …) use the Eleventy plugin in your own',
    'Eleventy project: see the README.',
  ].join('\n'),
  options: {
    db: { type: 'string' },
    out: { type: 'string' },
    'path-prefix': { type: 'string' },
    'time-zone': { type: 'string' },
    'site-url': { type: 'string' },
  },
  async run(values) {
    const started = performance.now();
    const out = (values.out as string | undefined) ?? DEFAULT_OUT;
    const db = (values.db as string | undefined) ?? DEFAULT_DB;
    assertHoldsChats(db);
    const result = await (await import('../../site/build.js')).buildSite({
      db,
      out,
      pathPrefix: values['path-prefix'] as string | undefined,
      timeZone: values['time-zone'] as string | undefined,
      siteUrl: values['site-url'] as string | undefined,
      quiet: true,
    });
    process.stdout.write(
      `Built ${out}/: ${result.pages} page(s), ${result.feeds} feed(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
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
