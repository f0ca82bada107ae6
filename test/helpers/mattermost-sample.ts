import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { folderEntries, writeZip } from './archives.js';
import type { FormatSample } from './format-samples.js';

/**
 * The Mattermost row of the format samples (test/helpers/format-samples.ts): a bulk export folder
 * as `mmctl export create` unpacks, `import.jsonl` (version, team, a channel per chat, users, one
 * `post` line per message) and `data/` with the attached files at the paths the posts name. A
 * chat's id and title become the channel's name and display name; bodies are Mattermost markdown.
 */
export const mattermostSample: FormatSample = {
  format: 'mattermost',
  multiChat: true,
  markupBodies: true,
  threads: { orphans: false }, // a post's replies are inside it
  write(dir, chats) {
    const folder = join(dir, 'mattermost-export');
    mkdirSync(join(folder, 'data'), { recursive: true });
    const authors = new Map(chats.flatMap((c) => c.messages.map((m) => [m.author, m.authorName] as const)));
    const lines: unknown[] = [
      { type: 'version', version: 1, info: { generator: 'mattermost-server', version: '9.5.0', created: '2024-01-01T00:00:00Z' } },
      { type: 'team', team: { name: 'sample', display_name: 'Sample team', type: 'O', description: '', allow_open_invite: true } },
      ...chats.map((c) => ({ type: 'channel', channel: { team: 'sample', name: c.id, display_name: c.title, type: 'O', header: '', purpose: '' } })),
      ...[...authors].map(([username, name]) => ({
        type: 'user',
        user: { username, email: `${username}@example.com`, nickname: '', first_name: name, last_name: '', roles: 'system_user', locale: 'en', teams: [{ name: 'sample', roles: 'team_user', channels: chats.map((c) => ({ name: c.id, roles: 'channel_user' })) }] },
      })),
      ...chats.flatMap((c) =>
        c.messages
          .filter((m) => !m.threadOf)
          .map((m) => ({
            type: 'post',
            post: {
              team: 'sample', channel: c.id, user: m.author, type: '', message: m.body, props: {}, create_at: m.time, edit_at: 0, reactions: [],
              replies: c.messages
                .filter((r) => r.threadOf?.id === m.id)
                .map((r) => ({ user: r.author, message: r.body, create_at: r.time, edit_at: 0, reactions: [] })),
              ...(m.attachment ? { attachments: [{ path: `files/${m.attachment}` }] } : {}),
            },
          })),
      ),
    ];
    writeFileSync(join(folder, 'import.jsonl'), lines.map((l) => JSON.stringify(l)).join('\n') + '\n');
    return folder;
  },
  mainFile: (path) => join(path, 'import.jsonl'),
  mediaFile: (path, name) => join(path, 'data', 'files', name),
  pack(path, dir) {
    const file = join(dir, 'mattermost_export.zip');
    writeZip(file, folderEntries(path));
    return file;
  },
  raw: {
    messageKey: 'create_at',
    lookups: [
      { type: 'KEY' },
      { type: 'system_KEY', message: 'KEY joined the channel.', 'props.KEY': 'KEY' },
      { 'reactions.0.user': 'KEY', 'reactions.0.emoji_name': 'KEY', 'reactions.0.create_at': 1 },
      { 'attachments.0.path': 'KEY/KEY.KEY', 'props.attachments.0.title': 'KEY', 'props.attachments.0.fields.0.title': 'KEY' },
      { message: '@KEY ~KEY :KEY: `@KEY`', user: 'KEY' },
      { 'replies.0.user': 'KEY', 'replies.0.message': '@KEY :KEY:' },
    ],
    nested: ['message', 'props', 'reactions', 'replies', 'attachments', 'props.attachments'],
  },
};
