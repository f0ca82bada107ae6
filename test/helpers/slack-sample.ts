import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatSample, SampleChat } from './format-samples.js';

/**
 * The Slack row of the format samples (test/helpers/format-samples.ts): an unpacked workspace
 * export. Every chat is a public channel (`channels.json`: the sample's id, a tame folder name,
 * since Slack's own names are `[a-z0-9-_]`), one day file per UTC day. A message's ts is its
 * time plus its id (mod 1000) as microseconds, so that the ms time is the sample's and messages
 * of one minute stay distinct; the same (time, id) gives the same ts, i.e. the same message.
 * Names travel in each message's `user_profile` (users.json, which names a person once, has none).
 * `mainFile` is channels.json: mutating it gives both outcomes the parser suite wants (a
 * SourceError when it stops being a JSON list, an import otherwise); day files only warn.
 */
export const slackSample: FormatSample = {
  format: 'slack',
  multiChat: true,
  markupBodies: true, // mrkdwn: `*b*` is bold, `<url|x>` a link
  threads: { orphans: true }, // a reply names its root's ts and author (thread_ts, parent_user_id)
  write(dir, chats) {
    const folder = join(dir, 'slack-export');
    mkdirSync(folder, { recursive: true });
    const handles = [...new Set(chats.flatMap((c) => c.messages.map((m) => m.author)))];
    writeFileSync(join(folder, 'users.json'), JSON.stringify(handles.map((h) => ({ id: userId(h), team_id: 'T0SAMPLE' }))));
    writeFileSync(
      join(folder, 'channels.json'),
      JSON.stringify(chats.map((chat, i) => ({ id: chat.id, name: `c${i}`, members: [...new Set(chat.messages.map((m) => userId(m.author)))] }))),
    );
    chats.forEach((chat, i) => writeChannel(join(folder, `c${i}`), chat));
    return folder;
  },
  mainFile: (path) => join(path, 'channels.json'),
  raw: {
    messageKey: 'ts',
    lookups: [
      { type: 'KEY' },
      { subtype: 'KEY' },
      { 'blocks.0.type': 'KEY', 'blocks.0.text.text': 'KEY' },
      { blocks: [{ type: 'rich_text', elements: [{ type: 'KEY', elements: [{ type: 'KEY', text: 'KEY' }] }] }] },
      { 'files.0.mode': 'KEY', 'files.0.name': 'KEY.KEY', 'files.0.filetype': 'KEY' },
      { 'reactions.0.name': 'KEY', text: '<@KEY> <!KEY> :KEY: <#KEY>' },
    ],
    nested: ['text', 'blocks', 'blocks.0.elements', 'attachments', 'files', 'reactions', 'user_profile'],
  },
};

function userId(handle: string): string {
  return `U${handle.toUpperCase()}`;
}

function writeChannel(folder: string, chat: SampleChat): void {
  mkdirSync(folder, { recursive: true });
  const days = new Map<string, unknown[]>();
  const roots = new Set(chat.messages.flatMap((m) => (m.threadOf ? [m.threadOf.id] : [])));
  for (const m of chat.messages) {
    const day = new Date(m.time).toISOString().slice(0, 10);
    const list = days.get(day) ?? [];
    days.set(day, list);
    const ts = tsOf(m.time, m.id);
    list.push({
      type: 'message',
      user: userId(m.author),
      user_profile: { display_name: m.authorName },
      text: m.body,
      ts,
      ...(roots.has(m.id) ? { thread_ts: ts, reply_count: chat.messages.filter((r) => r.threadOf?.id === m.id).length } : {}),
      ...(m.threadOf ? { thread_ts: tsOf(m.threadOf.time, m.threadOf.id), parent_user_id: userId(m.threadOf.author) } : {}),
    });
  }
  for (const [day, list] of days) writeFileSync(join(folder, `${day}.json`), JSON.stringify(list));
}

function tsOf(time: number, id: string): string {
  return `${Math.floor(time / 1000)}.${String((time % 1000) * 1000 + (idNumber(id) % 1000)).padStart(6, '0')}`;
}

/** A sample id as a number: its digits, else a hash of it. */
function idNumber(id: string): number {
  if (/^\d{1,9}$/.test(id)) return Number(id);
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}
