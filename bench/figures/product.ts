import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * What the product offers right now. Other parts (search, `serve --watch`) land while the harness
 * exists, so it asks instead of assuming: a missing feature becomes a figure with a reason.
 */
export interface BuildSearchIndexResult {
  shards: number;
  bytes: number;
  ms: number;
}

export type SearchModule =
  | { available: true; file: string }
  | { available: false; reason: string };

/**
 * site/search/index.ts compiled, exporting buildSearchIndex({ db, outDir, pathPrefix }); while the
 * feature has no index.ts yet, its build.ts (which defines the function) stands in.
 */
export async function findSearchModule(root: string): Promise<SearchModule> {
  const problems: string[] = [];
  for (const file of searchModuleCandidates(root)) {
    if (!existsSync(file)) continue;
    try {
      const mod = (await import(pathToFileURL(file).href)) as { buildSearchIndex?: unknown };
      if (typeof mod.buildSearchIndex === 'function') return { available: true, file };
      problems.push(`${relative(root, file)} exports no buildSearchIndex function`);
    } catch (error) {
      problems.push(`${relative(root, file)} fails to load: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  return { available: false, reason: problems.length ? problems.join('; ') : 'site/search/index.ts does not exist yet (no search index builder)' };
}

export function searchModuleCandidates(root: string): string[] {
  return ['index.js', 'build.js'].map((name) => join(root, 'dist', 'site', 'search', name));
}

/** `chatchannels <command> --help`, or null when the command does not exist. */
export async function commandHelp(cli: string, command: string): Promise<string | null> {
  try {
    const { stdout } = await promisify(execFile)(process.execPath, [cli, command, '--help'], { timeout: 30_000 });
    return stdout;
  } catch {
    return null;
  }
}

/** Whether a help text documents a long option, e.g. `--watch`. */
export function hasOption(help: string | null, option: string): boolean {
  return help !== null && new RegExp(`(^|\\s|\\[)${option.replace(/-/g, '\\-')}(\\s|=|\\]|$)`, 'm').test(help);
}
