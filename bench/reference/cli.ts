/**
 * Runs one reference system by hand and prints its figures:
 *   node dist/bench/reference/cli.js plain-eleventy --size 100k [--seed N] [--dir DIR] [--max-old-space-mb MB]
 *   node dist/bench/reference/cli.js import-floor --file messages.json
 *   node dist/bench/reference/cli.js pagefind --site DIR [--term WORD]… [--size 100k [--seed N]]
 * (pagefind: with --size, the corpus's benchmark query terms are measured too.)
 */
import { parseArgs } from 'node:util';
import { createCorpus, parseSize, queryTerms } from '../corpus.js';
import { runImportFloor } from './import-floor.js';
import { measurePagefindQueries, runPagefind } from './pagefind.js';
import { runPlainEleventyReference } from './plain-eleventy.js';

const USAGE = `usage:
  reference/cli plain-eleventy --size 100k [--seed N] [--dir DIR] [--max-old-space-mb MB]
  reference/cli import-floor --file messages.json
  reference/cli pagefind --site DIR [--term WORD]... [--size 100k [--seed N]]`;

const mb = (bytes: number | null): string => (bytes === null ? 'n/a' : `${(bytes / 2 ** 20).toFixed(0)} MB`);
const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)} s`;

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      size: { type: 'string' },
      seed: { type: 'string' },
      dir: { type: 'string' },
      'max-old-space-mb': { type: 'string' },
      file: { type: 'string' },
      site: { type: 'string' },
      term: { type: 'string', multiple: true },
    },
  });
  const seed = values.seed === undefined ? {} : { seed: Number(values.seed) };
  switch (positionals[0]) {
    case 'plain-eleventy': {
      if (!values.size) break;
      const build = await runPlainEleventyReference({ messages: parseSize(values.size), ...seed }, {
        ...(values.dir ? { projectDir: values.dir } : {}),
        ...(values['max-old-space-mb'] ? { maxOldSpaceMb: Number(values['max-old-space-mb']) } : {}),
      });
      console.log(`plain Eleventy: ${build.project.messages} messages, ${build.pages} pages, ${seconds(build.wallMs)}, peak ${mb(build.peakRssBytes)} (${build.measured.rssMethod})`);
      console.log(`  data ${mb(build.project.dataBytes)}; site ${build.project.outputDir}`);
      return 0;
    }
    case 'import-floor': {
      if (!values.file) break;
      const floor = await runImportFloor(values.file);
      console.log(`import floor: ${floor.messages} messages, ${floor.messagesPerSecond} messages/s (import ${seconds(floor.importMs)}, process ${seconds(floor.wallMs)}), peak ${mb(floor.peakRssBytes)}`);
      return 0;
    }
    case 'pagefind': {
      if (!values.site) break;
      const index = await runPagefind(values.site);
      console.log(`Pagefind: ${index.pagesIndexed} pages, ${seconds(index.wallMs)}, peak ${mb(index.peakRssBytes)}; index ${mb(index.indexBytes)} in ${index.indexChunks} chunks, bundle ${mb(index.totalBytes)} in ${index.totalFiles} files`);
      const terms = [...(values.term ?? [])];
      if (values.size) terms.push(...Object.values(queryTerms(createCorpus({ messages: parseSize(values.size), ...seed }))));
      for (const cost of await measurePagefindQueries(values.site, terms)) {
        console.log(`  "${cost.term}": ${cost.results} pages, ${(cost.bytes / 1024).toFixed(1)} KB in ${cost.requests} requests (index ${(cost.bytesByKind.index / 1024).toFixed(1)} KB, fragments ${(cost.bytesByKind.fragment / 1024).toFixed(1)} KB), first result ${cost.msToFirstResult.toFixed(0)} ms after load`);
      }
      return 0;
    }
  }
  console.error(USAGE);
  return 2;
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    const badUsage = String((error as { code?: unknown }).code ?? '').startsWith('ERR_PARSE_ARGS');
    process.exit(badUsage ? 2 : 1);
  },
);
