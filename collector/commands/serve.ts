import { DEFAULT_DB, DEFAULT_OUT, portOption, type CommandSpec } from '../cli/args.js';

export const serveCommand: CommandSpec = {
  name: 'serve',
  usage: 'chatchannels serve [--db FILE] [--port N] [--out DIR] [--path-prefix P]',
  summary: 'Builds the site and serves it on http://localhost:PORT/, rebuilding when the database changes.',
  details: [
    'Options:',
    `  --db FILE          database to read (default: ./${DEFAULT_DB})`,
    '  --port N           port to listen on (default: 8080)',
    `  --out DIR          output folder (default: ./${DEFAULT_OUT})`,
    '  --path-prefix P    the URL path the site is served under (default: /)',
    '  --time-zone TZ     IANA time zone for displayed times (default: UTC)',
  ].join('\n'),
  options: {
    db: { type: 'string' },
    port: { type: 'string' },
    out: { type: 'string' },
    'path-prefix': { type: 'string' },
    'time-zone': { type: 'string' },
  },
  async run(values) {
    await (await import('../../site/serve.js')).serveSite({
      db: (values.db as string | undefined) ?? DEFAULT_DB,
      out: (values.out as string | undefined) ?? DEFAULT_OUT,
      port: portOption(values.port, 8080),
      pathPrefix: values['path-prefix'] as string | undefined,
      timeZone: values['time-zone'] as string | undefined,
    });
    return 0;
  },
};
