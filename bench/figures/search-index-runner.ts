/**
 * Builds our search index in a process of its own, so its time and peak memory can be measured
 * from outside like Pagefind's:
 *   node dist/bench/figures/search-index-runner.js <module> <db> <site-dir> [path-prefix] [--page]
 * Calls site/search's buildSearchIndex({ db, outDir, pathPrefix }) and prints its result as one
 * JSON line ({ shards, bytes, ms, … }). `--page` also asks for its standalone search page
 * (`page: true`), for sites whose build does not render one.
 */
import { pathToFileURL } from 'node:url';

const args = process.argv.slice(2);
const page = args.includes('--page');
const [moduleFile, db, outDir, pathPrefix = '/'] = args.filter((a) => a !== '--page');
if (!moduleFile || !db || !outDir) {
  console.error('usage: search-index-runner <module> <db> <site-dir> [path-prefix] [--page]');
  process.exit(2);
}
// Loaded by path (product.ts found it): it may not exist yet when the benchmark is compiled.
const mod = (await import(pathToFileURL(moduleFile).href)) as {
  buildSearchIndex(options: { db: string; outDir: string; pathPrefix: string; page?: boolean }): Promise<unknown> | unknown;
};
const result = await mod.buildSearchIndex({ db, outDir, pathPrefix, ...(page ? { page: true } : {}) });
console.log(JSON.stringify(result));
