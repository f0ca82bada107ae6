import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type SourceOptions } from '../import/index.js';
import { DEFAULT_MAX_MEDIA_BYTES, MAX_MEDIA_BYTES_LIMIT } from '../sources/kit/media-files.js';

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
    const e = err as Error & { code?: string };
    if (e.code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION') {
      const flag = /'(-[^']*)'/.exec(e.message)?.[1] ?? '';
      const known = [...Object.keys(spec.options), 'help'];
      const guess = closest(flag.replace(/^-+/, '').split('=')[0], known);
      throw new UsageError(`${spec.name}: unknown option ${flag}${guess ? ` (did you mean --${guess}?)` : ''}\nusage: ${spec.usage}\n(see "chatchannels ${spec.name} --help")`);
    }
    throw new UsageError(`${spec.name}: ${e.message}\nusage: ${spec.usage}`);
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

const MB = 1024 * 1024;

/** Options that tell adapters how to read sources without zones or ids (import, watch, serve --watch). */
export const SOURCE_OPTION_HELP = [
  '  --source-time-zone TZ  IANA zone of wall-clock times in WhatsApp exports and IRC logs',
  '                    (default: this machine\'s zone)',
  '  --date-order O    WhatsApp dates: dmy, mdy or ymd (default: inferred from the whole file)',
  '  --network NAME    IRC network of logs whose file names name none (default: their folder)',
  `  --max-media-size MB  media files larger than this are listed, not stored (default ${DEFAULT_MAX_MEDIA_BYTES / MB};`,
  `                    at most ${Math.floor(MAX_MEDIA_BYTES_LIMIT / MB)}, what one database value holds)`,
];

/** `--max-media-size MB` in bytes (undefined: the adapters' default). */
function maxMediaBytes(value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const mb = Number(value);
  if (typeof value !== 'string' || value.trim() === '' || !Number.isFinite(mb) || mb < 0 || mb * MB > MAX_MEDIA_BYTES_LIMIT) {
    throw new UsageError(`--max-media-size must be a number of megabytes from 0 to ${Math.floor(MAX_MEDIA_BYTES_LIMIT / MB)}, not "${String(value)}"`);
  }
  return Math.floor(mb * MB);
}

/** `--time-zone`, `--date-order`, `--network`, `--max-media-size` (named `zoneFlag` etc. where a command uses the names otherwise). */
export function sourceOptions(timeZone: unknown, dateOrder: unknown, network: unknown, maxMediaSize?: unknown): SourceOptions {
  const options: SourceOptions = {};
  const maxMedia = maxMediaBytes(maxMediaSize);
  if (maxMedia !== undefined) options.maxMediaBytes = maxMedia;
  if (typeof timeZone === 'string') {
    try {
      new Intl.DateTimeFormat('en', { timeZone });
    } catch {
      throw new UsageError(`--time-zone: "${timeZone}" is not an IANA time zone such as Europe/Berlin`);
    }
  }
  if (dateOrder !== undefined && dateOrder !== 'dmy' && dateOrder !== 'mdy' && dateOrder !== 'ymd') {
    throw new UsageError(`--date-order must be dmy, mdy or ymd, not "${String(dateOrder)}"`);
  }
  if (timeZone !== undefined || dateOrder !== undefined) {
    options.whatsapp = { ...(timeZone ? { timeZone: timeZone as string } : {}), ...(dateOrder ? { dateOrder: dateOrder as 'dmy' | 'mdy' | 'ymd' } : {}) };
  }
  if (timeZone !== undefined || network !== undefined) {
    options.irc = { ...(timeZone ? { timeZone: timeZone as string } : {}), ...(network ? { network: network as string } : {}) };
  }
  return options;
}

/** The zone wall-clock sources are read in, for summaries. */
export function sourceZone(timeZone: unknown): string {
  return typeof timeZone === 'string' ? timeZone : Intl.DateTimeFormat().resolvedOptions().timeZone;
}

/** What `build` and `serve` publish, as the plugin's options of the same names (site/README.md "Privacy"). */
export const PRIVACY_OPTIONS = {
  authors: { type: 'string' },
  'pseudonym-salt': { type: 'string' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  'exclude-author': { type: 'string', multiple: true },
  redact: { type: 'string', multiple: true },
  'publish-uncleaned-media': { type: 'boolean' },
} as const;

export const PRIVACY_OPTION_HELP = [
  '  --authors MODE     show (default), pseudonymize or hide. With pseudonymize, every person is',
  '                     "Person 3f2a" (stable); with hide, no names at all. Either way no name or',
  '                     account id is written in any page, feed, search file or path (chat folders',
  '                     become c-<hash>); text people typed is published as it is',
  '  --pseudonym-salt S mixed into pseudonyms, chat paths and anchors, so they cannot be recomputed',
  '                     from a known account id (keep it secret, and the same across builds).',
  '                     Without it anchors are keyed with the database\'s own random id, and a',
  '                     pseudonym or chat path can be recomputed by someone who guesses an id',
  '  --include ID       publish only these chats (native id or slug; repeat the option)',
  '  --exclude ID       never publish these chats (repeatable; wins over --include)',
  '  --exclude-author ID  publish none of this person\'s messages (their account id, e.g.',
  '                     8:live:bob; repeatable); other messages call them "someone"',
  '  --redact ANCHOR    show this message (its anchor m… or key, as stored or as the site shows',
  '                     it) as "Message removed"; its permalink keeps working (repeatable)',
  '  --publish-uncleaned-media  with authors hidden or pseudonymized, also publish files whose',
  '                     metadata cannot be removed (PDF and Office documents, archives, TIFF…)',
  '                     as they came; by default they are listed, not published, as they',
  '                     can carry their author\'s name (photos, videos and sound lose theirs)',
];

export function privacyOptions(values: Record<string, unknown>): {
  authors?: 'show' | 'hide' | 'pseudonymize';
  pseudonymSalt?: string;
  include?: string[];
  exclude?: string[];
  excludeAuthors?: string[];
  redact?: string[];
  publishUncleanedMedia?: boolean;
} {
  const authors = values.authors;
  if (authors !== undefined && authors !== 'show' && authors !== 'hide' && authors !== 'pseudonymize') {
    throw new UsageError(`--authors must be show, hide or pseudonymize, not "${String(authors)}"`);
  }
  return {
    authors: authors as 'show' | 'hide' | 'pseudonymize' | undefined,
    pseudonymSalt: values['pseudonym-salt'] as string | undefined,
    include: values.include as string[] | undefined,
    exclude: values.exclude as string[] | undefined,
    excludeAuthors: values['exclude-author'] as string[] | undefined,
    redact: values.redact as string[] | undefined,
    publishUncleanedMedia: values['publish-uncleaned-media'] as boolean | undefined,
  };
}

/**
 * The zone wall-clock sources are read in: `--source-time-zone`, the same name on every command
 * (`build` and `serve` take `--time-zone` for the zone times are shown in). `import` and `watch`
 * used to call it `--time-zone`: still accepted there, with a note.
 */
export function sourceTimeZone(values: Record<string, unknown>, warn: (line: string) => void = (l) => process.stderr.write(`${l}\n`)): unknown {
  if (values['time-zone'] !== undefined && values['source-time-zone'] === undefined) {
    warn('chatchannels: note: --time-zone is now --source-time-zone here (the zone of the source\'s wall-clock times)');
    return values['time-zone'];
  }
  return values['source-time-zone'];
}

/** The closest of `candidates` to a mistyped `word` (edit distance ≤ 2, or a prefix), or null. */
export function closest(word: string, candidates: readonly string[]): string | null {
  let best: string | null = null;
  let bestDistance = 3;
  for (const candidate of candidates) {
    const d = candidate.startsWith(word) && word.length >= 2 ? 1 : editDistance(word, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length];
}
