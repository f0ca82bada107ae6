import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Finds an installed package's folder the way Node's lookup walks `node_modules` upwards, but on disk:
 * some packages (Eleventy) export no `package.json` and their CLI files, so `require.resolve` cannot.
 */
export function packageDir(name: string, from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return candidate;
    if (dirname(dir) === dir) throw new Error(`Package ${name} is not installed (searched upwards from ${from})`);
  }
}

export function packageVersion(name: string): string {
  return (JSON.parse(readFileSync(join(packageDir(name), 'package.json'), 'utf8')) as { version: string }).version;
}

/** Eleventy's command-line entry, run as `node <it> --input … --output …`. */
export function eleventyCli(): string {
  return join(packageDir('@11ty/eleventy'), 'cmd.cjs');
}

/**
 * The Pagefind executable itself (not the npm wrapper, which would add a Node process around it):
 * the platform package's `pagefind_extended`, or `pagefind`, honouring PAGEFIND_BINARY_PATH like
 * Pagefind's own wrapper.
 */
export function pagefindBinary(): string {
  const fromEnv = process.env['PAGEFIND_EXTENDED_BINARY_PATH'] ?? process.env['PAGEFIND_BINARY_PATH'];
  if (fromEnv) return fromEnv;
  const platform = process.platform === 'win32' ? 'windows' : process.platform;
  const dir = packageDir(`@pagefind/${platform}-${process.arch}`);
  for (const name of ['pagefind_extended', 'pagefind']) {
    const file = join(dir, 'bin', platform === 'windows' ? `${name}.exe` : name);
    if (existsSync(file)) return file;
  }
  throw new Error(`No Pagefind executable in ${dir}/bin`);
}
