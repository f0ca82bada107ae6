import { DEFAULT_DB, DEFAULT_OUT, PRIVACY_OPTION_HELP, PRIVACY_OPTIONS, privacyOptions, type CommandSpec } from '../cli/args.js';

export const buildCommand: CommandSpec = {
  name: 'build',
  usage: 'chatchannels build [--db FILE] [--out DIR] [--path-prefix P] [--time-zone TZ] [--authors MODE] [--include ID…] [--exclude ID…]',
  summary: 'Builds the static site (archive pages, feeds, search index) from the database.',
  details: [
    'Options:',
    `  --db FILE          database to read (default: ./${DEFAULT_DB})`,
    `  --out DIR          output folder (default: ./${DEFAULT_OUT})`,
    '  --path-prefix P    the URL path the site is served under, e.g. /archive/ (default: /)',
    '  --time-zone TZ     IANA time zone for displayed times, e.g. Europe/Berlin (default: UTC)',
    '  --site-url URL     absolute URL of the site, for feeds (recommended when publishing)',
    ...PRIVACY_OPTION_HELP,
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
    ...PRIVACY_OPTIONS,
  },
  async run(values) {
    const started = performance.now();
    const out = (values.out as string | undefined) ?? DEFAULT_OUT;
    const result = await (await import('../../site/build.js')).buildSite({
      db: (values.db as string | undefined) ?? DEFAULT_DB,
      out,
      pathPrefix: values['path-prefix'] as string | undefined,
      timeZone: values['time-zone'] as string | undefined,
      siteUrl: values['site-url'] as string | undefined,
      ...privacyOptions(values),
      quiet: true,
    });
    process.stdout.write(
      `Built ${out}/: ${result.pages} page(s), ${result.feeds} feed(s) in ${((performance.now() - started) / 1000).toFixed(1)} s\n`,
    );
    return 0;
  },
};
