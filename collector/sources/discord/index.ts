/**
 * DiscordChatExporter (https://github.com/Tyrrrz/DiscordChatExporter) JSON exports: one file per
 * channel or thread, or a folder of them (searched a few levels deep, skipping the `…json_Files`
 * media folders). Each file is one chat, `discord:<channel id>`.
 *
 *   {"guild": {"id", "name", "iconUrl"},
 *    "channel": {"id", "type", "categoryId", "category", "name", "topic"},   (for a thread,
 *               "category" is the parent channel)
 *    "dateRange", "exportedAt",
 *    "messages": [{"id", "type", "timestamp", "timestampEdited", "callEndedTimestamp", "isPinned",
 *                  "content", "author": {"id", "name", "nickname", "isBot"…},
 *                  "attachments": [{"id", "url", "fileName", "fileSizeBytes"}], "embeds",
 *                  "stickers", "reactions", "mentions", "reference": {"messageId", "channelId"…},
 *                  "interaction", "forwardedMessage"}…],
 *    "messageCount"}
 *
 * Streaming: a file can be hundreds of MB, so it goes through collector/json/scanner.ts: the root
 * and the `messages` list are entered, `guild` and `channel` are taken (they come first in every
 * export), and each message is taken and `JSON.parse`d alone, then dropped. What a reply needs of
 * an earlier message (its author and time, for the key the writer gave it) stays in a small index:
 * 28 bytes a message. DiscordChatExporter writes messages oldest first and a reply always comes
 * after what it answers, so one pass finds every target in the file.
 *
 * Mapping: people are `discord:<user id>`, named by nickname (else user name). `timestamp` with
 * any UTC offset → UTC ms; `timestampEdited` → editedAt. Types: Default/Reply/commands → text
 * (media/file when only attachments), Call → call, the join/pin/thread/rename/recipient notices
 * (and Discord's other numbered system types 1–18) → event; an unknown type is imported and
 * counted in one warning. The body is the content as written, or a JSON envelope with the parts
 * a page shows besides it (collector/markup/discord/envelope.ts: DiscordEnvelope), people in it with their
 * user ids (a system message's author, a slash command's user, mentions) so that the converter
 * writes person references. Attachments (and
 * sticker images): a relative path from `--media` (either separator) whose file exists inside the
 * export's folder is hashed and emitted as a `media` event before its message; otherwise the
 * attachment keeps its name, size and (http) URL. Paths that leave the export folder (absolute,
 * `..`, symlinks) are never read: an export must not pull other files into a published archive.
 *
 * Files: detect.ts (which files are exports), scan.ts (the scanner's handler), channel.ts (one
 * file's chat and messages), records.ts (fields, titles, kinds), envelope.ts, media.ts,
 * reply-index.ts, time.ts, tally.ts.
 *
 * Errors: a file that is not such an export, truncated, or not UTF-8 is a SourceError naming the
 * file and byte offset (the importer then rolls the whole import back); a message without a time
 * or author is skipped with a warning naming its index and byte offset.
 */
import { describeFormat } from '../modules.js';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import { JsonScanner } from '../kit/json/scanner.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { notAJsonObject, statInput } from '../kit/files.js';
import { scanJsonFile } from '../kit/json-file.js';
import { Warnings } from '../kit/warnings.js';
import { ChannelReader } from './channel.js';
import { detect, jsonFiles, looksLikeExport } from './detect.js';
import { scanError } from './scan.js';

export { looksLikeExportHead } from './detect.js';
export { MessageIndex } from './reply-index.js';
export { parseTimestamp } from './time.js';

export const discord: SourceAdapter = {
  format: 'discord',
  description: describeFormat('discord'),
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const discordTuning = {
  /** Bytes read per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
};

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

interface Progress {
  /** Bytes of the files before this one. */
  base: number;
  total: number;
}

/** A file, or every export in a folder; the warnings are the whole import's (a folder's files share them). */
async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const info = await statInput(path);
  const warnings = new Warnings(path);
  if (info.isDirectory()) {
    const exports: { file: string; size: number }[] = [];
    for (const file of await jsonFiles(path)) {
      if (await looksLikeExport(file)) exports.push({ file, size: (await stat(file)).size });
      else warnings.add(relative(path, file), 'not a DiscordChatExporter JSON export; skipped');
    }
    if (!exports.length) throw new SourceError(path, null, 'not a DiscordChatExporter export: the folder has no DiscordChatExporter JSON files');
    const progress: Progress = { base: 0, total: exports.reduce((n, e) => n + e.size, 0) };
    for (const { file, size } of exports) {
      yield* readExport(file, path, relative(path, file), options, progress, warnings);
      progress.base += size;
    }
    yield warnings.summary();
    yield [{ type: 'progress', done: progress.total, total: progress.total }];
  } else {
    const progress: Progress = { base: 0, total: info.size };
    yield* readExport(path, dirname(path), basename(path), options, progress, warnings);
    yield warnings.summary();
    yield [{ type: 'progress', done: info.size, total: info.size }];
  }
}

/** One export file. `root` is the folder its media must lie in; `label` names it in warnings. */
async function* readExport(
  file: string,
  root: string,
  label: string,
  options: ReadOptions,
  progress: Progress,
  warnings: Warnings,
): AsyncGenerator<SourceEvent[]> {
  const fh = await open(file, 'r');
  try {
    const size = (await fh.stat()).size;
    const what = await notAJsonObject(fh, 0, size);
    if (what) throw new SourceError(file, null, `not a DiscordChatExporter export: the file is ${what}`);
    const reader = new ChannelReader(file, root, label, options, warnings);
    const chunks = scanJsonFile(fh, 0, size, new JsonScanner(reader.scanner), discordTuning.chunkBytes, (err) => scanError(file, err));
    for await (const done of chunks) {
      const events = await reader.drain();
      events.push({ type: 'progress', done: progress.base + done, total: progress.total });
      yield events;
    }
    yield reader.finish();
  } finally {
    await fh.close();
  }
}
