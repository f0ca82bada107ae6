import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderEntries, writeZip } from './archives.js';
import type { FormatSample, SampleChat } from './format-samples.js';

/**
 * The Messenger and Instagram rows of the format samples (test/helpers/format-samples.ts): an
 * unpacked "Download your information" export, one thread folder per chat
 * (`[your_instagram_activity/]messages/inbox/thread_<hash of the chat id>/message_1.json`, a tame
 * name: real ones are `<name>_<number>`), messages newest first, every string written the way
 * Meta writes it (each UTF-8 byte as a `\u00XX` escape). Meta has no message ids: the sample's id
 * is not written. An attachment is a `files` entry whose file is in the thread's `files/` folder.
 * `mainFile` is the first chat's message_1.json.
 */
function metaSample(format: 'messenger' | 'instagram', base: string): FormatSample {
  const inbox = (path: string) => join(path, base, 'messages', 'inbox');
  return {
    format,
    multiChat: true,
    markupBodies: false,
    write(dir, chats) {
      const folder = join(dir, `${format}-export`);
      for (const chat of chats) writeThread(inbox(folder), chat, base);
      return folder;
    },
    mainFile: (path) => join(inbox(path), readdirSync(inbox(path)).sort()[0], 'message_1.json'),
    pack(path, dir) {
      const file = join(dir, `${format}-sample-2024-01-01-abc.zip`);
      writeZip(file, folderEntries(path));
      return file;
    },
    mediaFile(path, name) {
      // The thread whose messages name the file.
      const threads = readdirSync(inbox(path)).sort();
      const thread = threads.find((t) => readFileSync(join(inbox(path), t, 'message_1.json'), 'utf8').includes(mojibakeJson(name).slice(1, -1))) ?? threads[0];
      return join(inbox(path), thread, 'files', name);
    },
    raw: {
      messageKey: 'sender_name',
      lookups: [
        { type: 'KEY' },
        { type: 'Subscribe', 'users.0.name': 'KEY' },
        { type: 'Unsubscribe', 'users.0.name': 'KEY' },
        { 'photos.0.uri': 'messages/inbox/KEY/photos/KEY.KEY', 'files.0.uri': 'KEY/../KEY.KEY' },
        { 'reactions.0.reaction': 'KEY', 'reactions.0.actor': 'KEY' },
        { 'share.link': 'KEY', 'share.share_text': 'KEY', 'sticker.uri': 'KEY' },
      ],
      nested: ['content', 'photos', 'reactions', 'users', 'share', 'sticker', 'call_duration'],
    },
  };
}

export const messengerSample = metaSample('messenger', '');
export const instagramSample = metaSample('instagram', 'your_instagram_activity');

/** The folder of a chat: a hash of its id (any id is a safe, stable name). */
function threadFolder(chat: SampleChat): string {
  return `thread_${createHash('sha256').update(chat.id).digest('hex').slice(0, 16)}`;
}

function writeThread(inbox: string, chat: SampleChat, base: string): void {
  const name = threadFolder(chat);
  const folder = join(inbox, name);
  mkdirSync(folder, { recursive: true });
  const prefix = [base, 'messages', 'inbox', name].filter(Boolean).join('/');
  const people = [...new Set(chat.messages.map((m) => m.authorName))];
  const messages = [...chat.messages].reverse().map((m) => ({
    sender_name: m.authorName,
    timestamp_ms: m.time,
    ...(m.attachment ? { files: [{ uri: `${prefix}/files/${m.attachment}`, creation_timestamp: Math.floor(m.time / 1000) }] } : { content: m.body }),
    type: 'Generic',
    is_geoblocked_for_viewer: false,
  }));
  const thread = {
    participants: people.map((p) => ({ name: p })),
    messages,
    title: chat.title,
    is_still_participant: true,
    thread_type: people.length > 2 ? 'RegularGroup' : 'Regular',
    thread_path: `inbox/${name}`,
    magic_words: [],
  };
  writeFileSync(join(folder, 'message_1.json'), mojibakeJson(thread));
}

/** JSON as Meta writes it: every non-ASCII character as its UTF-8 bytes, one `\u00XX` escape each. */
function mojibakeJson(value: unknown): string {
  const json = JSON.stringify(value, null, 2);
  return json.replace(/[^\x00-\x7f]/gu, (ch) => [...Buffer.from(ch, 'utf8')].map((b) => `\\u00${b.toString(16).padStart(2, '0')}`).join(''));
}
