import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Where the search feature's non-TypeScript parts live: the browser scripts (site/client/search/,
 * shipped as they are, never compiled) and Lunr's stemmer and stop word sources (bundled into the
 * client so the browser stems exactly as the builder did).
 */
const here = dirname(fileURLToPath(import.meta.url));

/** site/client/search/, from the sources (tsx) or from dist/site/search/ (compiled). */
export function clientDir(): string {
  const candidates = [resolve(here, '../client/search'), resolve(here, '../../../site/client/search')];
  for (const dir of candidates) if (existsSync(join(dir, 'pipeline.js'))) return dir;
  throw new Error(`chatchannels search: browser scripts not found (looked in ${candidates.join(', ')})`);
}

/** node_modules/lunr/lib/, for the stemmer and stop word filter sources. */
export function lunrLibDir(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve('lunr/package.json')), 'lib');
}

/** Output layout, relative to the site root. */
export const SEARCH_DIR = 'search/';
export const DATA_DIR = 'search/data/';
export const CLIENT_FILE = 'search/search.js';
export const PAGE_FILE = 'search/index.html';

/** The delta manifest (search/data/delta.js), loaded afresh with every query. */
export const DELTA_KEY = 'delta';
/** A delta's own data files live in DATA_DIR + deltaFolder(version); their keys start with it. */
export const deltaFolder = (version: string) => `delta-${version}/`;
export const DELTA_FOLDER = /^delta-[0-9a-f]+$/;

/** Data files, relative to DATA_DIR, without `.js` (that is also their key). */
export const dataKeys = {
  manifest: 'manifest',
  bucket: (n: number) => `t/${n}`,
  part: (n: number) => `p/${n}`,
  docs: (n: number) => `d/${n}`,
  times: (n: number) => `m/${n}`,
};
