import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from '../import.js';

export const DEFAULT_DB = 'chatchannels.sqlite';
export const DEFAULT_OUT = '_site';

export interface CommandSpec {
  name: string;
  usage: string;
  summary: string;
  options: NonNullable<ParseArgsConfig['options']>;
  /** Longer help: what each option does. */
  details: string;
  run(values: Record<string, unknown>, positionals: string[]): Promise<number>;
}

/** Parses a command's arguments strictly; unknown options are usage errors (exit 2). */
export function parseCommandArgs(spec: CommandSpec, argv: string[]): { values: Record<string, unknown>; positionals: string[] } {
  try {
    const { values, positionals } = parseArgs({
      args: argv,
      options: { ...spec.options, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
    return { values: values as Record<string, unknown>, positionals };
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\nusage: ${spec.usage}`);
  }
}

export function helpText(spec: CommandSpec): string {
  return `usage: ${spec.usage}\n\n${spec.summary}\n\n${spec.details}\n`;
}

export function portOption(value: unknown, fallback: number): number {
  if (value === undefined) return fallback;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new UsageError(`--port must be a number from 0 to 65535, not "${value}"`);
  return port;
}
