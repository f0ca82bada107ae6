/**
 * Telegram Desktop "Export chat history" (one chat) and "Export Telegram data" (everything), in
 * the machine-readable JSON format: `result.json`, or the export folder holding it.
 *
 *   one chat     {"name", "type": "private_supergroup"…, "id": 1712691810, "messages": [message…]}
 *   full export  {"about", "personal_information": {"user_id", "first_name"…}, …,
 *                 "chats": {"about", "list": [chat…]}, "left_chats": {"about", "list": [chat…]}, …}
 *   message      {"id", "type": "message"|"service", "date": "2022-06-05T15:42:59" (the exporting
 *                 machine's local time, no offset), "date_unixtime": "1654418579" (newer exports),
 *                 "edited", "edited_unixtime", "from", "from_id": "user123"|"channel123" (a number in
 *                 old exports), "actor", "actor_id", "action", "reply_to_message_id",
 *                 "forwarded_from", "via_bot", "photo", "file", "file_name", "media_type",
 *                 "mime_type", "sticker_emoji", "poll", "reactions", "text": "…" | [part…],
 *                 "text_entities": [{"type", "text"…}…] (newer exports)}
 *   files        paths relative to result.json (`photos/photo_1@05-06-2022_15-43-13.jpg`), or a
 *                note when the export left the file out: "(File not included. Change data
 *                exporting settings to download.)", "(File exceeds maximum size…)", "(File
 *                unavailable, please try again later)".
 *
 * Streaming: the file goes through collector/json/scanner.ts chunk by chunk; each message object is
 * taken alone and `JSON.parse`d, so memory holds one chunk's messages, never the export. Messages
 * are emitted in file order (Telegram writes each chat oldest first). Telegram Desktop writes
 * control characters in strings as `\x0B`, which JSON does not allow: the scanner only follows
 * string and bracket structure inside a message, and each message's text has those escapes
 * rewritten as `\u000B` before it is parsed.
 *
 * Mapping:
 * - Chat `telegram:<id>` (ids are stable; names change); kind from `type` (personal, bot and saved
 *   chats direct, channels channel, the rest group). Left chats are imported like the others.
 * - Message identity: its id (nativeId). Time: `date_unixtime`; only without it `date`, the
 *   exporter's wall time, with the UTC offset the file's messages with both show nearest in time
 *   (offsets.ts), else read as UTC; one warning per chat counts the messages timed that way.
 *   `edited_unixtime` (else `edited`) → editedAt.
 * - People `telegram:<from_id>` (`telegram:user123`); `"from": null` is a deleted account, named
 *   "Deleted Account", `telegram:deleted` when it has no id either (identity/telegram-ids.ts, which
 *   the converter's person references share). Service messages are credited to their `actor`. Service actions are kind event, calls (phone_call, group_call…) call;
 *   photos and media documents media, other documents file, polls poll, contacts contact.
 * - Replies (`reply_to_message_id`, and the message a `pin_message` names): replyToKey is the key
 *   of the target when it is in the same chat of this file (its author and time are known), else
 *   the envelope keeps the id (`cc_reply_missing`) and the converter says the target is not in
 *   the archive. A reply to a later message waits for the chat's end (at most MAX_DEFERRED).
 * - Files: a photo or file present beside result.json is read, hashed (sha256) and emitted as a
 *   media event before its message, which gets an attachment with that hash; one the export left
 *   out, or that is missing from the folder, gets an attachment without a hash and a placeholder in
 *   the body. Paths leading outside the export's folder are never read.
 * - Body: plain text, or an envelope (collector/markup/telegram/) for anything more; of the
 *   ids, it keeps those of the people a message names (PERSON_ID_FIELDS).
 *
 * Files: detect.ts (is it an export), input.ts (result.json and positions in it), scan.ts (the
 * scanner's handler), messages.ts (found messages → events), records.ts (a message's fields →
 * record and envelope), chat.ts (a chat's state and record), media.ts (photos and files),
 * reply-index.ts, time.ts, lenient-json.ts (Telegram's `\xHH` escapes).
 *
 * Bad input: a file that is not JSON or not a Telegram export, truncated, or not UTF-8 is a
 * SourceError with the byte offset (the importer then rolls the whole import back). A message
 * that cannot be parsed or has no id or time is skipped with a warning naming its chat and offset.
 */
import { describeFormat } from '../modules.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { notAJsonObject } from '../kit/files.js';
import { scanJsonFile } from '../kit/json-file.js';
import { DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { Warnings } from '../kit/warnings.js';
import { JsonScanner } from '../kit/json/scanner.js';
import { detect } from './detect.js';
import { openInput, sourceError } from './input.js';
import { TelegramMedia } from './media.js';
import { MessageReader } from './messages.js';
import { ExportScanner } from './scan.js';

export { looksLikeExport } from './detect.js';
export { parseLenient } from './lenient-json.js';
export { localMs } from './time.js';

export const telegram: SourceAdapter = {
  format: 'telegram',
  description: describeFormat('telegram'),
  detect,
  read,
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const telegramTuning = {
  /** Bytes read from result.json per scanner chunk; also how often progress is reported. */
  chunkBytes: 4 << 20,
};

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return flatten(readBatches(path, options));
}

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const input = await openInput(path);
  try {
    const what = await notAJsonObject(input.fh, 0, input.size);
    if (what) throw new SourceError(input.file, null, `not a Telegram export: ${input.where || 'the file '}is ${what}`);
    const warnings = new Warnings(input.file);
    const scanner = new ExportScanner(input, options.wantChat ?? (() => true), warnings);
    const media = new TelegramMedia(input.root, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, warnings);
    const reader = new MessageReader(input, scanner, media, warnings);
    const chunks = scanJsonFile(input.fh, 0, input.size, new JsonScanner(scanner), telegramTuning.chunkBytes, (err) => sourceError(input, err));
    for await (const done of chunks) {
      const out = await reader.drain();
      out.push({ type: 'progress', done, total: input.size });
      yield out;
    }
    yield await reader.drain();
    if (!scanner.sawChats) {
      throw new SourceError(input.file, null, `not a Telegram export: ${input.where || 'the JSON '}has neither a "messages" list nor a "chats" list`);
    }
    yield reader.summary();
  } finally {
    await input.fh.close();
  }
}
