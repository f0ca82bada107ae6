/**
 * Mattermost bulk export (`mmctl export create`, System Console › Bulk Export): JSON Lines, one
 * object per line with a `type` — `version` first, then `team`, `channel` {team, name,
 * display_name, type O/P, header, purpose}, `user` {username, email, first_name, last_name,
 * nickname, teams: [{name, channels: [{name}]}]}, `post` {team, channel, user, type, message,
 * props, create_at (ms), edit_at, reactions: [{user, emoji_name, create_at}], replies: [{user,
 * message, create_at, edit_at, reactions, attachments}], attachments: [{path}]}, `emoji`,
 * `direct_channel` {members | participants}, `direct_post` {channel_members, user, message,
 * create_at, replies…} (Mattermost's server/channels/app/imports/import_types.go).
 *
 * Input: the export's zip (`import.jsonl` and `data/` with the attached files), its folder, or the
 * `.jsonl` alone (input.ts). The lines are streamed (kit/text-lines.ts: exports run to gigabytes),
 * each parsed alone (lines.ts); posts become messages with their replies as a thread (posts.ts),
 * their files are read from `data/`. Bodies are Mattermost markdown or an envelope for
 * collector/markup/mattermost.ts. People are their usernames; e-mail addresses are never read.
 *
 * Errors: a file whose first line is not the version line (or is not UTF-8) is a SourceError
 * naming the line; a bad line later is skipped with a warning naming its line, the rest imports.
 */
import { describeFormat } from '../modules.js';
import { ZipError } from '../kit/archive/zip.js';
import { flatten } from '../kit/batches.js';
import { LineSplitter, TextLineError } from '../kit/text-lines.js';
import { Warnings } from '../kit/warnings.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { detect } from './detect.js';
import { openInput, type ExportInput } from './input.js';
import { ExportReader } from './lines.js';
import { MAX_RECORD_BYTES } from '../kit/limits.js';

export const mattermost: SourceAdapter = {
  format: 'mattermost',
  description: describeFormat('mattermost'),
  detect,
  read: (path, options) => flatten(readBatches(path, options)),
};

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const input = await openInput(path);
  try {
    const warnings = new Warnings(path);
    const reader = new ExportReader(input, options, warnings);
    // A line is one record: Mattermost's own importer reads lines of up to 16 MiB too.
    const splitter = new LineSplitter((line) => reader.line(line), MAX_RECORD_BYTES);
    let done = 0;
    for await (const chunk of chunks(input)) {
      done += chunk.length;
      split(input, () => splitter.push(chunk));
      yield [...(await reader.flush()), { type: 'progress', done, total: input.size }];
    }
    split(input, () => splitter.end());
    reader.finish();
    const last = await reader.flush();
    reader.summary();
    yield [...last, ...warnings.summary(), { type: 'progress', done: input.size, total: input.size }];
  } finally {
    input.close();
  }
}

/** The lines file's bytes; read failures (a damaged zip entry) become SourceErrors naming it. */
async function* chunks(input: ExportInput): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of await input.lines()) yield chunk as Buffer;
  } catch (err) {
    if (err instanceof SourceError) throw err;
    const why = err instanceof ZipError ? err.message : `cannot read: ${(err as Error)?.message ?? String(err)}`;
    throw new SourceError(input.file, input.where.trim() || null, why);
  }
}

/** Runs the splitter, turning bad bytes into a SourceError with line and byte. */
function split(input: ExportInput, step: () => void): void {
  try {
    step();
  } catch (err) {
    if (err instanceof TextLineError) throw new SourceError(input.file, `${input.where}line ${err.line} (byte ${err.offset})`, err.reason);
    throw err;
  }
}
