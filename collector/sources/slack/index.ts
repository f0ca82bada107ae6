import { describeFormat } from '../modules.js';
import { statOrNull } from '../kit/files.js';
/**
 * Slack workspace export (Workspace settings → Import/Export data): the `.zip` download, read in
 * place (collector/archive/zip.ts), or its unpacked folder.
 *
 *   users.json                 [{"id": "U…", "team_id", "name", "real_name", "profile":
 *                                {"display_name", "real_name"}, "is_bot"}…]
 *   channels.json, groups.json  public and private channels: [{"id": "C…", "name", "members"}…];
 *                              their messages are in the folder named after `name`
 *   mpims.json                 group DMs, folder named after `name` (`mpdm-alice--bob-1`)
 *   dms.json                   DMs: [{"id": "D…", "members": [U…, U…]}], folder named after `id`
 *   <folder>/YYYY-MM-DD.json   one day's messages: [{"ts": "1458980525.000012", "user", "text",
 *                              "subtype", "thread_ts", "edited": {"ts"}, "reactions", "files",
 *                              "file", "attachments", "bot_id", "username", "bot_profile"}…]
 *
 * Memory stays flat: the metadata files are parsed whole (they are small next to the messages;
 * over MAX_JSON_FILE_BYTES the import stops), then one conversation at a time, one day file at a time (in name order, i.e. by date), each
 * day's messages sorted by ts. A zip is never unpacked: each day file is inflated when its turn
 * comes.
 *
 * Mapping:
 * - Chat native id `slack:<team id>:<channel id>` (the team from users.json's `team_id`s, the most
 *   common one; `slack:<channel id>` when no user names a team). Ids are stable, names are not.
 *   Kind: channels and private channels → channel, group DMs → group, DMs → direct.
 * - People: `slack:<user id>`; bots without a user `slack:<bot id>`. Names: profile.display_name,
 *   else real_name, else name; bot messages show their `username`, else bot_profile.name, else the
 *   name the `bot_add` event linked the integration with (`<…/services/B…|github>`); a bot met
 *   before its bot_add line gets no name on the message, and its person is named by that line.
 * - A message's identity is its `ts` exactly as written (nativeId, and a reply's parent key), its
 *   time `ts` in ms (rounded down: messages are
 *   emitted in full ts order, so sub-ms order holds); `edited.ts` → editedAt; `tombstone` →
 *   deleted. Threads: a reply's replyToKey is the key of its `thread_ts` parent, whose author is
 *   remembered from earlier in the walk (parents come first: their ts is smaller), else taken from
 *   the reply's `parent_user_id`.
 * - Body: the mrkdwn `text` exactly as the export has it, wrapped in a JSON envelope
 *   (collector/markup/slack-envelope.ts) when the converter needs more: the current names of the
 *   ids it mentions (the converter has no users.json; it writes people as person references with
 *   the id and this name), legacy attachments (bot cards, link previews, as exported), reactions
 *   (with who reacted, by id and name), an empty text's blocks or subtype, an event's actor. Files (`file`,
 *   `files`) → attachments with name, size, type and the Slack permalink (Slack-hosted files need
 *   a login, so no bytes are copied; export URLs' `?t=` tokens are dropped).
 * - Kinds: plain and bot messages text, `me_message` emote, file shares file, the other subtypes
 *   (joins, leaves, topic, purpose, name, pins, integrations…) event.
 *
 * Bad input: an archive or folder without users.json and a conversation list, a damaged zip, or
 * unreadable metadata is a SourceError; a day file that is not a JSON list, and a message without
 * a valid ts, are skipped with a warning naming the entry (and index).
 *
 * Here: the adapter (detect, and the walk over conversations and days). Opening the zip or folder
 * is input.ts; users and conversation lists metadata.ts; a day file days.ts; a message's record
 * records.ts, its body's mentions, cards, reactions and blocks body.ts, its files files.ts; ts time.ts.
 */
import { readdir } from 'node:fs/promises';
import { isZipFile, openZip, type ZipArchive } from '../kit/archive/zip.js';
import type { ChatRecord, MessageRecord } from '../../model.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { Warnings } from '../kit/warnings.js';
import type { ReadOptions, SourceAdapter, SourceEvent } from '../types.js';
import { readDay } from './days.js';
import { looksLikeExport, openInput, zipRoot, type DayFile, type ExportInput } from './input.js';
import { chatRecord, readConversations, readUsers, type Conversation } from './metadata.js';
import { BadMessage, messageRecord, type MessageContext } from './records.js';

export { tsMicros, tsMillis } from './time.js';

export const slack: SourceAdapter = {
  format: 'slack',
  description: describeFormat('slack'),
  detect,
  read,
};

// ---------------------------------------------------------------------------------------------
// detect

async function detect(path: string): Promise<boolean> {
  const info = await statOrNull(path);
  if (!info) return false;
  if (info.isDirectory()) {
    try {
      return looksLikeExport(new Set(await readdir(path)));
    } catch {
      return false;
    }
  }
  if (!info.isFile() || !(await isZipFile(path))) return false;
  let zip: ZipArchive | null = null;
  try {
    zip = await openZip(path); // the central directory only
    return zipRoot(zip.entries) !== null;
  } catch {
    return false;
  } finally {
    zip?.close();
  }
}

// ---------------------------------------------------------------------------------------------
// read

async function* read(path: string, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const input = await openInput(path);
  try {
    yield* readExport(input, options);
  } finally {
    input.close();
  }
}

async function* readExport(input: ExportInput, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const warnings = new Warnings(input.file);
  for (const w of input.warnings) warnings.add(w.position, w.message);
  const { users, team } = await readUsers(input);
  const { conversations, channelNames } = await readConversations(input, warnings);

  // Folders with day files that no list names cannot be given a stable id: reported, not guessed.
  const listed = new Set(conversations.map((c) => c.folder));
  for (const folder of (await input.folders()).sort()) {
    if (!listed.has(folder)) warnings.add(`${input.prefix}${folder}`, 'a folder of day files that no conversation list names: skipped');
  }

  const context: MessageContext = { users, channelNames, chat: '', parents: new Map(), botNames: new Map() };
  const wanted: { conversation: Conversation; chat: ChatRecord; days: DayFile[] }[] = [];
  let total = 0;
  const seenFolders = new Set<string>();
  for (const conversation of conversations) {
    if (seenFolders.has(conversation.folder)) continue; // listed twice: read once
    seenFolders.add(conversation.folder);
    const chat = chatRecord(conversation, team, users);
    if (options.wantChat && !options.wantChat(chat.nativeId)) continue;
    const days = await input.dayFiles(conversation.folder);
    if (!days.length) continue; // no messages: not a chat of the archive
    wanted.push({ conversation, chat, days });
    for (const day of days) total += day.size;
  }

  let done = 0;
  for (const { chat, days } of wanted) {
    yield { type: 'chat', chat };
    context.chat = chat.nativeId;
    context.parents = new Map();
    for (const day of days) {
      const messages = await readDay(day, warnings);
      done += day.size;
      // A message listed twice stays twice, as in every source: the writer numbers the occurrences.
      for (const { raw, index, ts } of messages) {
        let record: MessageRecord;
        try {
          record = messageRecord(raw, ts, context);
        } catch (err) {
          warnings.add(`${day.where} [${index}]`, err instanceof BadMessage ? err.message : unreadableMessage(err));
          continue;
        }
        yield { type: 'message', message: record };
      }
      yield* warnings.take();
      yield { type: 'progress', done, total };
    }
  }
  yield* warnings.summary();
  yield { type: 'progress', done: total, total };
}
