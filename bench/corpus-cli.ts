/**
 * Writes a synthetic corpus file:
 *   node dist/bench/corpus-cli.js --size 100k --out FILE [--seed N] [--chats C] [--authors A] [--format skype|plain]
 * `skype` (default) is a Skype messages.json; `plain` the reference systems' JSON array of records.
 */
import { parseArgs } from 'node:util';
import { parseSize, writePlainRecordsJson, writeSkypeExport, type CorpusOptions } from './corpus.js';

const USAGE = 'usage: corpus-cli --size 10k|100k|1M|5M --out FILE [--seed N] [--chats C] [--authors A] [--format skype|plain]';

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        size: { type: 'string' },
        out: { type: 'string' },
        seed: { type: 'string' },
        chats: { type: 'string' },
        authors: { type: 'string' },
        format: { type: 'string', default: 'skype' },
        help: { type: 'boolean' },
      },
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    console.log(USAGE);
    return 0;
  }
  if (!values.size || !values.out || (values.format !== 'skype' && values.format !== 'plain')) {
    console.error(USAGE);
    return 2;
  }
  const options: CorpusOptions = {
    messages: parseSize(values.size),
    ...(values.seed === undefined ? {} : { seed: integer(values.seed, 'seed') }),
    ...(values.chats === undefined ? {} : { chats: integer(values.chats, 'chats') }),
    ...(values.authors === undefined ? {} : { authors: integer(values.authors, 'authors') }),
  };
  const started = performance.now();
  const write = values.format === 'skype' ? writeSkypeExport : writePlainRecordsJson;
  const written = await write(values.out, options);
  const seconds = (performance.now() - started) / 1000;
  console.log(`messages ${written.messages}  chats ${written.chats}  bytes ${written.bytes}  (${seconds.toFixed(1)} s, ${values.out})`);
  return 0;
}

function integer(text: string, name: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value)) throw new RangeError(`--${name} must be an integer`);
  return value;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(error instanceof RangeError ? 2 : 1);
  },
);
