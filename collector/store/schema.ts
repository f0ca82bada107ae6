/**
 * The database schema, as an ordered list of migrations. `PRAGMA user_version` records how many
 * have run; a database from a newer chatchannels (more migrations than we know) is refused rather
 * than silently misread. Never edit a published migration: append a new one.
 *
 * The site reads these tables too (site/data), so a change here is a change to the contract
 * between collector and site: document it in collector/README.md.
 */
export interface Migration {
  version: number;
  description: string;
  sql: string;
}

/**
 * The indexes of message_rows, also rebuilt by the writer after a bulk import into an empty
 * database (collector/store/writer.ts). A migration that changes them must change this too.
 */
export const MESSAGE_INDEXES = `
  CREATE UNIQUE INDEX IF NOT EXISTS messages_chat_anchor ON message_rows(chat_id, anchor);
  CREATE INDEX IF NOT EXISTS messages_chat_time ON message_rows(chat_id, time);`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'chats, people, messages, periods, media, sources, full-text search',
    sql: `
      CREATE TABLE chats (
        id          INTEGER PRIMARY KEY,
        native_id   TEXT NOT NULL UNIQUE,      -- as the source names it, e.g. 19:…@thread.skype
        slug        TEXT NOT NULL UNIQUE,      -- from native_id only; never changes once assigned
        format      TEXT NOT NULL,             -- source format that first saw it
        title       TEXT,
        kind        TEXT NOT NULL DEFAULT 'group'  -- group | direct | channel
      );
      -- Other native ids that name the same chat (a legacy Skype id seen in a later export, …).
      CREATE TABLE chat_aliases (
        native_id   TEXT PRIMARY KEY,
        chat_id     INTEGER NOT NULL REFERENCES chats(id)
      );
      CREATE TABLE people (
        id            INTEGER PRIMARY KEY,
        native_id     TEXT NOT NULL UNIQUE,
        display_name  TEXT
      );
      CREATE TABLE chat_members (
        chat_id    INTEGER NOT NULL REFERENCES chats(id),
        person_id  INTEGER NOT NULL REFERENCES people(id),
        PRIMARY KEY (chat_id, person_id)
      ) WITHOUT ROWID;
      -- Written by collector/store/writer.ts only. Everyone else reads the \`messages\` view below.
      CREATE TABLE message_rows (
        id           INTEGER PRIMARY KEY,
        chat_id      INTEGER NOT NULL REFERENCES chats(id),
        key          TEXT NOT NULL,            -- identity hash (collector/identity/key.ts); found via anchor
        anchor       TEXT NOT NULL,            -- 'm' + prefix of key, unique within the chat; published
        native_id    TEXT,
        author_id    INTEGER REFERENCES people(id),
        author_name  TEXT,                     -- the name shown with this message in the source
        time         INTEGER NOT NULL,         -- UTC, ms since the epoch
        kind         TEXT NOT NULL,            -- text | emote | event | call | file | media | poll | notice | sms
        markup       TEXT NOT NULL,            -- which collector/markup converter made html/text
        body         TEXT NOT NULL,            -- raw content as the source gave it
        html         TEXT,                     -- sanitized HTML fragment; NULL: the text, HTML-escaped,
                                               -- with line breaks as <br> (most messages: saves space)
        text         TEXT,                     -- plain text (search, feeds); NULL: same as body
        edited_at    INTEGER,
        deleted      INTEGER NOT NULL DEFAULT 0,
        reply_to_key TEXT,
        attachments  TEXT,                     -- JSON array, see collector/sources/types.ts
        flags        INTEGER NOT NULL DEFAULT 0, -- bit 1: implausible timestamp
        source_id    INTEGER REFERENCES sources(id), -- the source that first stored it
        rev          INTEGER NOT NULL          -- fingerprint of the mutable fields (edit detection)
      );
      -- Anchors are unique per chat; a key is looked up through its anchor prefix (an anchor is
      -- 'm' + the key's first 10+ hex digits), so keys need no index of their own.
      ${MESSAGE_INDEXES}
      -- Most messages are plain text: their text is their body and their HTML is that text escaped.
      -- Storing those once keeps imports fast and files small; this view gives every reader full
      -- html and text columns. The writer stores NULL only when this expression gives exactly the
      -- converter's output (collector/store/compact.ts mirrors it).
      CREATE VIEW messages AS
        SELECT id, chat_id, key, anchor, native_id, author_id, author_name, time, kind, markup, body,
               coalesce(html, replace(replace(replace(replace(replace(replace(coalesce(text, body),
                 '&', '&amp;'), '<', '&lt;'), '>', '&gt;'), '"', '&quot;'), '''', '&#39;'), char(10), '<br>')) AS html,
               coalesce(text, body) AS text,
               edited_at, deleted, reply_to_key, attachments, flags, source_id, rev
        FROM message_rows;
      -- Keys under which another source knows a stored message (the same message seen from two
      -- Skype accounts, or in main.db and a later export, with clocks a few seconds apart).
      CREATE TABLE message_aliases (
        key         TEXT PRIMARY KEY,
        message_id  INTEGER NOT NULL REFERENCES message_rows(id),
        rev         INTEGER NOT NULL           -- that source's own fingerprint (its edits still apply)
      ) WITHOUT ROWID;
      -- Archive pages: a chat's month is one page, or one page per day when it was large when
      -- first published. Decided once per (chat, month) and never changed, so URLs stay put.
      CREATE TABLE periods (
        chat_id   INTEGER NOT NULL REFERENCES chats(id),
        month     TEXT NOT NULL,               -- YYYY-MM (UTC)
        by_day    INTEGER NOT NULL,
        PRIMARY KEY (chat_id, month)
      ) WITHOUT ROWID;
      -- Files that came inside an export (images, …), stored so the site needs only this file.
      CREATE TABLE media (
        hash   TEXT PRIMARY KEY,               -- sha256 of the bytes
        name   TEXT NOT NULL,
        type   TEXT,
        size   INTEGER NOT NULL,
        data   BLOB NOT NULL
      );
      CREATE TABLE sources (
        id           INTEGER PRIMARY KEY,
        path         TEXT NOT NULL UNIQUE,     -- absolute path as given to import/watch
        format       TEXT NOT NULL,
        cursor       TEXT,                     -- JSON, adapter-specific resume point
        fingerprint  TEXT,                     -- size + mtime + head hash of the last import
        imported_at  INTEGER                   -- ms; informational only, never read by the site
      );
      -- Full-text index for \`chatchannels search\`. Filled lazily (collector/store/fts.ts) up to
      -- meta.fts_rowid, so imports do not pay for it unless the CLI search is used.
      CREATE VIRTUAL TABLE messages_fts USING fts5(
        text, content='messages', content_rowid='id', tokenize='unicode61 remove_diacritics 2'
      );
      -- A log of which chat-days each import touched (new, edited or deleted messages), so a
      -- watching site rebuilds only the pages, feeds and search shards that changed since the seq it
      -- last built. Never read for a full build.
      CREATE TABLE changes (
        seq      INTEGER PRIMARY KEY,
        chat_id  INTEGER NOT NULL REFERENCES chats(id),
        day      TEXT NOT NULL                 -- YYYY-MM-DD (UTC)
      );
      CREATE TABLE meta (
        key    TEXT PRIMARY KEY,
        value  TEXT
      );
    `,
  },
  {
    version: 2,
    description: 'full-text search on the site search\'s index terms (one matching rule for CLI and site)',
    sql: `
      -- \`chatchannels search\` matched FTS5's own words (no stemming, no stop words, apostrophes
      -- splitting words) while the site's search matched its pipeline's terms: the same query found
      -- different messages. The table now holds each message's index terms as the site's pipeline
      -- cuts them (collector/store/fts.ts), space-separated; the ascii tokenizer splits exactly there
      -- (terms hold no ASCII but [a-z0-9]). Refilled lazily from the start.
      DROP TABLE messages_fts;
      CREATE VIRTUAL TABLE messages_fts USING fts5(terms, tokenize = 'ascii');
      DELETE FROM meta WHERE key = 'fts_rowid';
    `,
  },
  {
    version: 3,
    description: 'people as references in stored markup: the archive owner; rows of older versions re-rendered',
    sql: `
      -- The person whose export an archive is (one of a direct chat's two members): a direct chat
      -- is titled with the other one.
      ALTER TABLE people ADD COLUMN owner INTEGER NOT NULL DEFAULT 0;
      -- Rows stored before person references had names baked into html and text: the next import
      -- renders them again from body (collector/store/rerender.ts), and until then a site that
      -- hides or pseudonymizes authors refuses to build from them.
      INSERT INTO meta (key, value) SELECT 'rerender', '1' WHERE EXISTS (SELECT 1 FROM message_rows);
    `,
  },
  {
    version: 4,
    description: 'thread replies found from their root: a partial index',
    sql: `
      -- A thread reply (flags bit 4, MessageFlags.threadReply) has its thread's root in
      -- reply_to_key. An archive page lists each root's replies under it: this finds them without
      -- a scan, and holds only thread replies (queries repeat the condition to use it). Kept
      -- through bulk imports (writer.ts drops only MESSAGE_INDEXES): it costs only thread replies.
      CREATE INDEX IF NOT EXISTS messages_thread ON message_rows(chat_id, reply_to_key) WHERE (flags & 4) != 0;
    `,
  },
  {
    version: 5,
    description: "an index of the messages with attachments (the site's media galleries)",
    sql: `
      -- A chat's media gallery reads its messages with attachments, newest first. Through the
      -- (chat, time) index that walks every row of the chat, and rows of chats imported together
      -- interleave in the table: at 1M messages in 200 chats, 60 s of page reads instead of under
      -- one. Partial: only rows with attachments have an entry, so imports barely pay for it (the
      -- bulk writer drops and rebuilds MESSAGE_INDEXES only; this one is kept up as rows go in).
      CREATE INDEX IF NOT EXISTS messages_chat_media ON message_rows(chat_id, time) WHERE attachments IS NOT NULL;
    `,
  },
  {
    version: 6,
    description: 'published anchors of merged-away rows; WhatsApp media stored twice by older versions merged',
    sql: `
      -- Anchors that name a message other than by its row's own anchor: the anchor of a row that
      -- was published and later merged into another (collector/store/repair.ts). The archive page
      -- gives the kept message an element with each such id (site/render/messages.ts) and the anchor
      -- maps list it, so links published with the old anchor still land on the message. An anchor
      -- here stays taken in its chat (store/known-keys.ts): no later message is given it.
      CREATE TABLE IF NOT EXISTS anchor_aliases (
        chat_id     INTEGER NOT NULL REFERENCES chats(id),
        anchor      TEXT NOT NULL,
        message_id  INTEGER NOT NULL REFERENCES message_rows(id),
        PRIMARY KEY (chat_id, anchor)
      ) WITHOUT ROWID;
      -- Versions before MARKUP_VERSION 3 stored a WhatsApp media message exported with its file and
      -- again as "<Media omitted>" as two rows; today's import merges the two forms only as they
      -- come in. The next import merges the stored pairs once (collector/store/repair.ts), after it
      -- has rendered the omitted rows' text again (collector/import/rerender.ts).
      INSERT INTO meta (key, value) SELECT 'repair:media-twins', '1' WHERE EXISTS (SELECT 1 FROM message_rows);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;
