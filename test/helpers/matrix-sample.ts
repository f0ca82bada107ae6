import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatSample } from './format-samples.js';

/**
 * The Matrix row of the format samples (test/helpers/format-samples.ts): a folder of saved
 * `/messages` pages, one per chat (room id = the sample chat's id), newest event first as a
 * backwards page comes, with the senders' member events in the page's `state` (what a lazy-loading
 * server sends), so that names come without member events in the timeline. People are
 * `@<handle>:example.org`; bodies are `formatted_body` HTML (`<b>` is bold). Saved pages carry no
 * files (Element's zip does: test/sources-matrix.test.ts), so the row has no media.
 */
const userOf = (handle: string): string => `@${handle}:example.org`;

function occurrence(seen: Map<string, number>, id: string): string {
  const n = seen.get(id) ?? 0;
  seen.set(id, n + 1);
  return n ? `-${n}` : '';
}

export const matrixSample: FormatSample = {
  format: 'matrix',
  multiChat: true,
  markupBodies: true,
  threads: { orphans: true }, // m.thread relations name the root's event id
  write(dir, chats) {
    const folder = join(dir, 'matrix-pages');
    mkdirSync(folder, { recursive: true });
    chats.forEach((chat, i) => {
      const names = new Map(chat.messages.map((m) => [m.author, m.authorName]));
      const t0 = Math.min(...chat.messages.map((m) => m.time), Date.UTC(2020, 0, 1)) - 60_000;
      const state = [...names].map(([handle, name]) => ({
        type: 'm.room.member', state_key: userOf(handle), sender: userOf(handle), room_id: chat.id,
        event_id: `$member-${handle}`, origin_server_ts: t0, content: { membership: 'join', displayname: name }, unsigned: {},
      }));
      // Two messages are two events with two ids in Matrix, however alike (a bot saying the same
      // twice): a repeated sample id gets its occurrence, so the same event listed twice (pages
      // that overlap) stays one message.
      const seen = new Map<string, number>();
      const events = chat.messages.map((m) => ({
        type: 'm.room.message', sender: userOf(m.author), room_id: chat.id, origin_server_ts: m.time,
        event_id: `$${m.id}${occurrence(seen, m.id)}`,
        content: {
          msgtype: 'm.text', body: m.body, format: 'org.matrix.custom.html', formatted_body: m.body,
          ...(m.threadOf
            ? { 'm.relates_to': { rel_type: 'm.thread', event_id: `$${m.threadOf.id}`, is_falling_back: true, 'm.in_reply_to': { event_id: `$${m.threadOf.id}` } } }
            : {}),
        },
        unsigned: { age: 1000 },
      }));
      writeFileSync(join(folder, `messages-${i}.json`), JSON.stringify({ chunk: events.reverse(), start: 't1', end: 't0', state }, null, 1));
    });
    return folder;
  },
  mainFile: (path) => join(path, 'messages-0.json'),
  raw: {
    messageKey: 'origin_server_ts',
    lookups: [
      { type: 'KEY' },
      { 'content.msgtype': 'KEY', 'content.body': 'KEY.KEY', 'content.filename': 'KEY.KEY', 'content.info.mimetype': 'KEY' },
      { 'content.format': 'org.matrix.custom.html', 'content.formatted_body': '<a href="https://matrix.to/#/@KEY:KEY">KEY</a><mx-reply>KEY</mx-reply><img alt="KEY">' },
      { type: 'm.room.member', state_key: 'KEY', 'content.membership': 'KEY', 'content.displayname': 'KEY', 'unsigned.prev_content.membership': 'KEY' },
      { type: 'm.reaction', 'content.KEY': 'KEY' },
      { room_id: 'KEY', sender: 'KEY' },
      { 'unsigned.redacted_because.type': 'KEY', 'unsigned.KEY': 'KEY' },
      { type: 'm.room.redaction', redacts: 'KEY' },
    ],
    nested: ['content', 'content.body', 'content.formatted_body', 'content.info', 'unsigned', 'unsigned.prev_content'],
  },
};
