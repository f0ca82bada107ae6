#!/usr/bin/env node
import { chatsCommand } from './commands/chats.js';
import { importCommand } from './commands/import.js';
import { buildCommand } from './commands/build.js';
import { serveCommand } from './commands/serve.js';
import { searchCommand } from './commands/search.js';
import { watchCommand } from './commands/watch.js';
import { createRequire } from 'node:module';
import { closest, helpText, parseCommandArgs, type CommandSpec } from './cli/args.js';
import { UsageError } from './import/index.js';

const COMMANDS: CommandSpec[] = [importCommand, chatsCommand, buildCommand, serveCommand, watchCommand, searchCommand];

const OVERVIEW = `usage: chatchannels <command> [options]

Turns chat exports into a static, searchable, subscribable web archive.

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(8)} ${c.summary}`).join('\n')}

Run "chatchannels <command> --help" for a command's options, "chatchannels --version" for the version.
`;

/** Exit codes (docs/design.md, CLI contract): 0 success, 1 an error (named file and position), 2 bad usage. */
async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(OVERVIEW);
    return name ? 0 : 2;
  }
  if (name === '--version' || name === '-V' || name === 'version') {
    process.stdout.write(`chatchannels ${packageVersion()}\n`);
    return 0;
  }
  const spec = COMMANDS.find((c) => c.name === name);
  if (!spec) {
    const guess = closest(name.replace(/^-+/, ''), COMMANDS.map((c) => c.name));
    throw new UsageError(`unknown command "${name}"${guess ? ` (did you mean "${guess}"?)` : ''}\n\n${OVERVIEW}`);
  }
  const { values, positionals } = parseCommandArgs(spec, rest);
  if (values.help) {
    process.stdout.write(helpText(spec));
    return 0;
  }
  assertWorkingFolder();
  return spec.run(values, positionals);
}

/**
 * Every command resolves paths (the default database, --out, exports) against the working folder;
 * once it is deleted, process.cwd() throws inside Eleventy and a build waited forever.
 */
function assertWorkingFolder(): void {
  try {
    process.cwd();
  } catch {
    throw new Error('the working folder no longer exists (deleted or moved away): cd to an existing folder and run again');
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: Error) => {
    const usage = err instanceof UsageError;
    process.stderr.write(`chatchannels: ${usage ? '' : 'error: '}${err.message}\n`);
    if (process.env.CHATCHANNELS_DEBUG && err.stack) process.stderr.write(`${err.stack}\n`);
    process.exitCode = usage ? 2 : 1;
  },
);

/** The installed package's version (dist/collector/cli.js → the package root). */
function packageVersion(): string {
  return (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
}
