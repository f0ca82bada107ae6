/**
 * The import floor, run as its own process: stream a Skype messages.json with a tiny scanner that
 * finds each message object's bounds (tracking strings and nesting), JSON.parse each slice, insert
 * one row per message with one prepared statement in big transactions. Nothing else — no identity,
 * no dedup, no markup — so it bounds what any real importer can reach.
 *   node import-floor-child.js <messages.json> <db-file>
 * Prints one JSON line: { messages, bytes, ms, messagesPerSecond }.
 */
import Database from 'better-sqlite3';
import { closeSync, openSync, readSync, rmSync } from 'node:fs';

const CHUNK_BYTES = 4 * 1024 * 1024;
const ROWS_PER_TRANSACTION = 10_000;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_OBJECT = 0x7b;
const CLOSE_OBJECT = 0x7d;
const OPEN_ARRAY = 0x5b;
const CLOSE_ARRAY = 0x5d;
/** A message is an object opened at this depth: root { conversations [ conversation { MessageList [ message { */
const MESSAGE_DEPTH = 5;

interface SkypeMessage {
  id: string;
  conversationid: string;
  from: string;
  originalarrivaltime: string;
  messagetype: string;
  content: string;
}

/** Calls `onMessage` with the text of every message object in the file; returns the file's size. */
function scanMessages(file: string, onMessage: (json: string) => void): number {
  const fd = openSync(file, 'r');
  let buf = Buffer.alloc(0);
  let pos = 0;
  let depth = 0;
  let inString = false;
  let stringStart = -1;
  let objectStart = -1;
  let total = 0;
  try {
    for (;;) {
      const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
      const read = readSync(fd, chunk, 0, CHUNK_BYTES, null);
      if (read === 0) break;
      total += read;
      // Keep only the unfinished message (or string) from the previous chunk.
      const keepFrom = objectStart >= 0 ? objectStart : inString ? stringStart : buf.length;
      buf = Buffer.concat([buf.subarray(keepFrom), chunk.subarray(0, read)]);
      pos -= keepFrom;
      if (objectStart >= 0) objectStart -= keepFrom;
      if (inString) stringStart -= keepFrom;
      const end = buf.length;
      while (pos < end) {
        if (inString) {
          const quote = buf.indexOf(QUOTE, pos);
          if (quote < 0) {
            pos = end;
            break;
          }
          let backslashes = 0;
          for (let k = quote - 1; k > stringStart && buf[k] === BACKSLASH; k--) backslashes++;
          pos = quote + 1;
          if (backslashes % 2 === 0) inString = false;
          continue;
        }
        const byte = buf[pos]!;
        if (byte === QUOTE) {
          inString = true;
          stringStart = pos;
        } else if (byte === OPEN_OBJECT || byte === OPEN_ARRAY) {
          depth++;
          if (depth === MESSAGE_DEPTH && byte === OPEN_OBJECT) objectStart = pos;
        } else if (byte === CLOSE_OBJECT || byte === CLOSE_ARRAY) {
          if (depth === MESSAGE_DEPTH && objectStart >= 0) {
            onMessage(buf.toString('utf8', objectStart, pos + 1));
            objectStart = -1;
          }
          depth--;
        }
        pos++;
      }
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

function main(file: string, dbFile: string): void {
  for (const suffix of ['', '-wal', '-shm']) rmSync(dbFile + suffix, { force: true });
  const db = new Database(dbFile);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec('CREATE TABLE messages (chat TEXT, native_id TEXT, author TEXT, time INTEGER, type TEXT, body TEXT)');
  const insert = db.prepare('INSERT INTO messages (chat, native_id, author, time, type, body) VALUES (?, ?, ?, ?, ?, ?)');
  const begin = db.prepare('BEGIN');
  const commit = db.prepare('COMMIT');
  const started = performance.now();
  let messages = 0;
  begin.run();
  const bytes = scanMessages(file, (json) => {
    const m = JSON.parse(json) as SkypeMessage;
    insert.run(m.conversationid, m.id, m.from, Date.parse(m.originalarrivaltime), m.messagetype, m.content);
    if (++messages % ROWS_PER_TRANSACTION === 0) {
      commit.run();
      begin.run();
    }
  });
  commit.run();
  db.close();
  const ms = performance.now() - started;
  console.log(JSON.stringify({ messages, bytes, ms: Math.round(ms), messagesPerSecond: Math.round(messages / (ms / 1000)) }));
}

const [file, dbFile] = process.argv.slice(2);
if (!file || !dbFile) {
  console.error('usage: import-floor-child <messages.json> <db-file>');
  process.exit(2);
}
main(file, dbFile);
