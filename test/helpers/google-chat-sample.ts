import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatSample } from './format-samples.js';

/**
 * The Google Chat row of the format samples (test/helpers/format-samples.ts): a `Google Chat`
 * folder as Takeout writes it, one `Groups/Space <id>/` per chat with messages.json (dates in
 * Takeout's en-US prose, U+202F before AM/PM as newer exports write it) and group_info.json (the
 * title), attachments beside them. Chat ids become Space folder ids (letters and digits, as
 * Google's are); people are the sample's handles at example.com. Bodies are plain text.
 */
const DAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** Takeout's en-US date: `Monday, January 2, 2023 at 3:04:05 PM UTC`. */
export function takeoutDate(time: number, space = '\u202f'): string {
  const d = new Date(time);
  const h = d.getUTCHours();
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${DAYS[d.getUTCDay()]}, ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} at ${h % 12 || 12}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}${space}${h < 12 ? 'AM' : 'PM'} UTC`;
}

/** A Space id for a sample chat id: Google's are letters and digits, the same for the same chat. */
function spaceId(id: string): string {
  return `AAAA${createHash('sha256').update(id).digest('hex').slice(0, 12)}`;
}

/** The group folders of a written input. */
function groups(path: string): string[] {
  return readdirSync(join(path, 'Groups')).sort().map((g) => join(path, 'Groups', g));
}

export const googleChatSample: FormatSample = {
  format: 'google-chat',
  multiChat: true,
  markupBodies: false,
  // A Space's thread is its topic; a topic whose root is missing starts at its first reply.
  threads: { orphans: true },
  write(dir, chats) {
    const root = join(dir, 'Google Chat');
    chats.forEach((chat) => {
      const id = spaceId(chat.id);
      const group = join(root, 'Groups', `Space ${id}`);
      mkdirSync(group, { recursive: true });
      const person = (m: { author: string; authorName: string }) => ({ name: m.authorName, email: `${m.author}@example.com`, user_type: 'Human' });
      writeFileSync(join(group, 'group_info.json'), JSON.stringify({ name: chat.title, members: [...new Map(chat.messages.map((m) => [m.author, person(m)])).values()] }, null, 2));
      const messages = chat.messages.map((m) => ({
        creator: person(m),
        created_date: takeoutDate(m.time),
        text: m.body,
        ...(m.attachment ? { attached_files: [{ original_name: m.attachment, export_name: m.attachment }] } : {}),
        topic_id: `t${m.threadOf?.id ?? m.id}`,
        message_id: `${id}/t${m.threadOf?.id ?? m.id}/t${m.id}`,
      }));
      writeFileSync(join(group, 'messages.json'), JSON.stringify({ messages }, null, 2));
    });
    mkdirSync(join(root, 'Users', 'User 1'), { recursive: true });
    writeFileSync(join(root, 'Users', 'User 1', 'user_info.json'), JSON.stringify({ user: { name: 'Owner', email: 'owner@example.com', user_type: 'Human' } }));
    return root;
  },
  mainFile: (path) => join(groups(path)[0], 'messages.json'),
  // Beside the messages.json whose message attaches it.
  mediaFile: (path, name) => join(groups(path).find((g) => readFileSync(join(g, 'messages.json'), 'utf8').includes(JSON.stringify(name))) ?? groups(path)[0], name),
  raw: {
    messageKey: 'created_date',
    lookups: [
      { message_state: 'KEY', 'deletion_metadata.deletion_type': 'KEY' },
      { 'creator.email': 'KEY', 'creator.name': 'KEY', 'creator.user_type': 'KEY' },
      { 'annotations.0.start_index': 0, 'annotations.0.length': 3, 'annotations.0.format_metadata.format_type': 'KEY' },
      { 'annotations.0.start_index': 0, 'annotations.0.length': 3, 'annotations.0.user_mention_metadata.type': 'KEY', 'annotations.0.user_mention_metadata.user.email': 'KEY' },
      { 'annotations.0.KEY.url.private_do_not_access_or_else_safe_url_wrapped_value': 'https://x/KEY', 'annotations.0.drive_metadata.id': 'KEY' },
      { 'reactions.0.emoji.unicode': 'KEY', 'reactions.0.reactor_emails.0': 'KEY' },
      { 'quoted_message_metadata.message_id': 'KEY', 'quoted_message_metadata.text': 'KEY', 'quoted_message_metadata.creator.email': 'KEY' },
      { topic_id: 'KEY', 'attached_files.0.export_name': 'KEY.KEY', 'attached_files.0.original_name': 'KEY' },
    ],
    nested: ['text', 'creator', 'annotations', 'attached_files', 'reactions', 'quoted_message_metadata', 'previous_message_versions'],
  },
};
