/**
 * Skype "Export chats and files" (https://secure.skype.com/en/data-export): the `.tar` download,
 * its unpacked folder, or `messages.json` alone.
 *
 *   messages.json   {"userId", "exportDate", "conversations": [{"id", "displayName",
 *                    "threadProperties": {"topic", "members": "<JSON string>"}, "MessageList": [
 *                    {"id", "displayName", "originalarrivaltime", "messagetype", "content", "from",
 *                     "properties": {"edittime"|"deletetime"…}, "amsreferences": [AMS id…]}…]}…]}
 *   media/<AMS id>.1.<ext>   a shared file (`0-weu-d1-abc….1.jpg`); media/<AMS id>.json its metadata
 *                            ({"filename": …}); endpoints.json is ignored.
 *
 * How it stays fast and flat in memory on a file of many hundred MB (one line of JSON):
 * - Pass 1 streams the JSON through collector/json/scanner.ts. Conversation fields are parsed; each
 *   message is NOT parsed: only its byte range is kept, with its time and a hash of its id, which
 *   the scanner picks out of the raw bytes (28 bytes a message, whatever its size).
 * - When a conversation's object closes, its messages are re-read by range in time order and each
 *   is `JSON.parse`d alone. Real exports list messages newest first, so that order is the file's,
 *   reversed, read in blocks from the end; any other order is detected and sorted (by time, ties
 *   newest-first as written). Since a chat is emitted only once its object is complete, its fields
 *   may come before or after MessageList.
 * - Media are never unpacked: the tar's table of contents (collector/archive/tar.ts) gives each
 *   file's offset, and a file is read, hashed and emitted just before the first message that
 *   references it, so media always precede their messages whatever the archive's order. Files no
 *   message referenced are emitted at the end (unless some chats were filtered out with --chat).
 *
 * Mapping: person ids always get their type prefix (`usernameA` → `8:usernameA`, like `8:…`, `28:`
 * bots); thread activity sent "from" the thread is credited to its `<initiator>`. Chats: `19:` group,
 * `8:`/`28:`… direct, `48:` (notes, call logs) channel; empty conversations are not chats.
 * `properties.edittime` or an `<e_m ts_ms>` marker → editedAt; `properties.deletetime`, or a
 * textual message left empty or with only `<e_m/>` → deleted (the body is kept). Unknown message
 * types are imported (as events, or text for `RichText/…`) and counted in one warning per type; a
 * message without a valid time or sender is skipped with a warning naming its conversation, index
 * and byte offset. Input that is not a Skype export, truncated or not UTF-8 is a SourceError with
 * the byte offset (the importer then rolls the whole import back).
 */
import { describeFormat } from '../modules.js';
import { join } from 'node:path';
import { isTar, listTar } from '../kit/archive/tar.js';
import { JsonScanner } from '../kit/json/scanner.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { isFile, notAJsonObject, readHead, statOrNull } from '../kit/files.js';
import { scanJsonFile } from '../kit/json-file.js';
import { isMessagesJson, openInput } from './input.js';
import { ExportReader, skypeExportTuning } from './reader.js';

export { skypeExportTuning } from './reader.js';
export { normalizeId } from './ids.js';
export { parseTime } from './time.js';
export { orderOfTimes } from './conversation.js';

export const skypeExport: SourceAdapter = {
  format: 'skype-export',
  description: describeFormat('skype-export'),
  detect,
  read: (path, options) => readExport(path, options),
};

async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
  if (info.isDirectory()) return isFile(join(path, 'messages.json'));
  if (!info.isFile()) return false;
  if (await isTar(path)) {
    try {
      const entries = await listTar(path, (e) => isMessagesJson(e));
      return entries.some(isMessagesJson);
    } catch {
      return false;
    }
  }
  const text = (await readHead(path, 1024)).toString('utf8');
  return text.includes('"conversations"') && (text.includes('"userId"') || text.includes('"exportDate"'));
}

/**
 * The events of an export in this shape: the `.tar`, its folder or messages.json alone. `what`
 * names the kind of export in errors ("not a Skype export: …"), so that another adapter for
 * exports of the same shape (Teams "Export your data") can read through it under its own name.
 */
export function readExport(path: string, options: ReadOptions, what = 'a Skype export'): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options, what));
}

async function* readBatches(path: string, options: ReadOptions, what: string): AsyncGenerator<SourceEvent[]> {
  const input = await openInput(path, what);
  try {
    const reader = new ExportReader(input, options);
    const scan = reader.scan;
    const scanner = new JsonScanner(scan, { probeKeys: ['id', 'originalarrivaltime'] });

    const shape = await notAJsonObject(input.fh, input.jsonStart, input.jsonSize);
    if (shape) throw new SourceError(input.file, null, `not ${input.what}: ${input.where || 'the file '}is ${shape}`);

    const chunks = scanJsonFile(input.fh, input.jsonStart, input.jsonSize, scanner, skypeExportTuning.chunkBytes, (err) => scan.sourceError(err));
    for await (const done of chunks) {
      for (let conv = scan.ready.shift(); conv; conv = scan.ready.shift()) {
        yield reader.chatEvents(conv);
        for (let block = await reader.nextBlock(conv); block; block = await reader.nextBlock(conv)) yield block;
      }
      const progress = reader.progress(input.jsonStart + (scan.current ? scan.current.start : done));
      if (progress) yield [progress];
    }
    if (!scan.sawConversations) {
      throw new SourceError(input.file, null, `not ${input.what}: ${input.where || 'the JSON '}has no "conversations" list`);
    }
    yield await reader.leftoverMedia();
    yield reader.summaryWarnings();
    yield [{ type: 'progress', done: input.totalSize, total: input.totalSize }];
  } finally {
    await input.fh.close();
  }
}
