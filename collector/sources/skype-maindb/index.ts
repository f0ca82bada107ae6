/**
 * Skype classic (≤ 7, before 2017): the local SQLite database `main.db` that kept every chat.
 *
 *   Accounts       the owner (skypename, fullname)
 *   Contacts       people (skypename, fullname, displayname)
 *   Conversations  one row per dialog or group; Participants lists their members
 *   Chats          the older per-"chat" rows (name = Messages.chatname); ChatMembers their members
 *   Messages       convo_id, chatname, author, from_dispname, guid (32-byte blob), timestamp (s),
 *                  type, body_xml, identities (space-separated skypenames), edited_timestamp,
 *                  remote_id, call_guid…
 *   Transfers      files of type-68 messages (chatmsg_guid = Messages.guid: filename, filesize)
 *   Calls, CallMembers   durations of calls; SMSes the text of SMS messages
 *
 * The file is read without side effects (open.ts), through queries built from its own schema
 * (schema.ts); chats.ts groups messages into chats, messages.ts maps rows to records.
 */
import { describeFormat } from '../modules.js';
import { stat } from 'node:fs/promises';
import Database from 'better-sqlite3';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { readHead } from '../kit/files.js';
import { isWalHeader, nonEmpty, openSafely, SQLITE_MAGIC } from './open.js';
import { MainDbReader } from './reader.js';
import { Schema } from './schema.js';

export const skypeMainDb: SourceAdapter = {
  format: 'skype-maindb',
  description: describeFormat('skype-maindb'),
  detect,
  read,
};

/** How much of the file detect() scans for the Messages schema. */
const DETECT_BYTES = 4 << 20;

async function detect(path: string): Promise<boolean> {
  let size: number;
  try {
    const info = await stat(path);
    if (!info.isFile()) return false;
    size = info.size;
  } catch {
    return false;
  }
  if (size < 512) return false;
  let head: Buffer;
  try {
    head = await readHead(path, Math.min(size, DETECT_BYTES));
  } catch {
    return false;
  }
  if (head.toString('latin1', 0, 16) !== SQLITE_MAGIC) return false;
  const text = head.toString('latin1');
  if (/CREATE TABLE "?Messages"?\s*\(/.test(text) && text.includes('body_xml') && text.includes('chatname')) return true;
  // The schema was not near the start: ask SQLite, when that can be done without side effects.
  if (isWalHeader(head) || (await nonEmpty(`${path}-journal`)) || (await nonEmpty(`${path}-wal`))) return false;
  try {
    const db = new Database(path, { readonly: true, fileMustExist: true });
    try {
      const schema = new Schema(db);
      return schema.has('Messages', 'chatname') && (schema.has('Messages', 'body_xml') || schema.has('Messages', 'body'));
    } finally {
      db.close();
    }
  } catch {
    return false;
  }
}

function read(path: string, options: ReadOptions): AsyncIterable<SourceEvent> {
  return readMainDb(path, options);
}

async function* readMainDb(path: string, options: ReadOptions): AsyncGenerator<SourceEvent> {
  const opened = await openSafely(path);
  try {
    const reader = new MainDbReader(path, opened.db);
    if (opened.copied) reader.warnings.add('file', `read from a private copy because ${opened.copied}; the file itself was not touched`);
    yield* reader.events(options, (await stat(path)).size);
  } catch (err) {
    // A damaged file fails wherever a query first meets the damage (schema, rows, indexes).
    if (err instanceof Database.SqliteError) throw new SourceError(path, null, `cannot read the database: ${err.message}`);
    throw err;
  } finally {
    await opened.close();
  }
}
