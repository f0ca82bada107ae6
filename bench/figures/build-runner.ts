/**
 * Builds the site with the search feature turned off (`search: false`), for the "pages + feeds"
 * figure when `chatchannels build` itself also builds the search index and has no flag to skip it:
 *   node dist/bench/figures/build-runner.js <db> <out>
 * Prints buildSite's result as one JSON line.
 */
import { buildSite } from '../../site/build.js';

const [db, out] = process.argv.slice(2);
if (!db || !out) {
  console.error('usage: build-runner <db> <out>');
  process.exit(2);
}
const result = await buildSite({ db, out, search: false, quiet: true });
console.log(JSON.stringify(result));
