import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FormatSample } from './format-samples.js';

/**
 * The Microsoft Teams row of the format samples (test/helpers/format-samples.ts): the layout of
 * Microsoft's export tool for one user's chats, `users/<owner>/messages_<owner>.json` (PascalCase
 * Graph chatMessage objects, every chat of the sample in one list, as the tool writes them), with a
 * Graph-style chat list (`chats.json`: Id, Topic, ChatType) naming the chats. People are the
 * sample's handles as user ids; bodies are HTML content (`<b>` is bold). Teams exports carry no
 * file contents, so the row has no media.
 */
const OWNER = '0a0a0a0a-0000-4000-8000-000000000001';

export const teamsSample: FormatSample = {
  format: 'teams',
  multiChat: true,
  markupBodies: true,
  threads: { orphans: true }, // ReplyToId names the root's id
  write(dir, chats) {
    const folder = join(dir, 'teams-export');
    const userFolder = join(folder, 'users', OWNER);
    mkdirSync(userFolder, { recursive: true });
    writeFileSync(join(folder, 'chats.json'), JSON.stringify(chats.map((c) => ({ Id: c.id, Topic: c.title, ChatType: 'group' }))));
    const messages = chats.flatMap((chat) =>
      chat.messages.map((m) => ({
        Id: m.id,
        ReplyToId: m.threadOf?.id ?? null,
        MessageType: 'message',
        CreatedDateTime: new Date(m.time).toISOString().replace('Z', '+00:00'),
        LastModifiedDateTime: null,
        LastEditedDateTime: null,
        DeletedDateTime: null,
        Subject: null,
        ChatId: chat.id,
        ChannelIdentity: null,
        From: { Application: null, Device: null, User: { Id: m.author, DisplayName: m.authorName, UserIdentityType: 'aadUser' } },
        Body: { ContentType: 'html', Content: m.body },
        Attachments: [],
        Mentions: [],
        Reactions: [],
        EventDetail: null,
      })),
    );
    writeFileSync(join(userFolder, `messages_${OWNER}.json`), JSON.stringify(messages, null, 1));
    return folder;
  },
  mainFile: (path) => join(path, 'users', OWNER, `messages_${OWNER}.json`),
  raw: {
    messageKey: 'CreatedDateTime',
    lookups: [
      { MessageType: 'KEY' },
      { 'Body.Content': '<attachment id="KEY"></attachment><at id="KEY">KEY</at><emoji alt="KEY"></emoji>', 'Attachments.0.Id': 'KEY', 'Attachments.0.ContentType': 'KEY', 'Attachments.0.Name': 'KEY.KEY' },
      { 'Attachments.0.Id': 'KEY', 'Attachments.0.ContentType': 'messageReference', 'Attachments.0.Content': '{"messageId":"KEY","messagePreview":"KEY","messageSender":{"user":{"id":"KEY","displayName":"KEY"}}}' },
      { 'Attachments.0.Id': 'KEY', 'Attachments.0.ContentType': 'application/vnd.microsoft.card.KEY', 'Attachments.0.Content': '{"KEY":{"text":"KEY"},"body":[{"type":"KEY","text":"KEY"}]}' },
      { 'Mentions.0.Id': 'KEY', 'Mentions.0.MentionText': 'KEY', 'Mentions.0.Mentioned.User.Id': 'KEY', 'Body.Content': '<at id="KEY">KEY</at>' },
      { 'Reactions.0.ReactionType': 'KEY', 'Reactions.0.User.User.Id': 'KEY' },
      { 'EventDetail.EventType': 'KEY', 'EventDetail.KEY.Members.0.Id': 'KEY', 'EventDetail.Initiator.User.Id': 'KEY' },
      { ReplyToId: 'KEY' },
    ],
    nested: ['Body', 'Body.Content', 'From', 'Attachments', 'Attachments.0.Content', 'Mentions', 'Reactions', 'EventDetail'],
  },
};
