/**
 * A raw Slack message → a MessageRecord: kind from the subtype, author (users, bots, integrations),
 * thread parent, the body (mrkdwn or the envelope of body.ts), edit and delete marks, files.
 */
import { messageKey } from '../../identity/key.js';
import { slackPerson, type SlackEnvelope } from '../../markup/slack-envelope.js';
import { MessageFlags, type MessageKind, type MessageRecord } from '../../model.js';
import { isObject, str, type JsonObject } from '../kit/fields.js';
import { blocksText, cardsOf, cardTexts, namesOf, reactionsOf, type Directory } from './body.js';
import { filesOf } from './files.js';
import { nameOf } from './metadata.js';
import { timeOf, tsMillis, tsText } from './time.js';

export interface MessageContext extends Directory {
  /** Native id of the current chat. */
  chat: string;
  /** Thread parents of the current chat seen so far: ts → author id. */
  parents: Map<string, string>;
  /** Integrations' names from their `bot_add` events: bot id → name. */
  botNames: Map<string, string>;
}

export class BadMessage extends Error {}

/** Subtypes that are someone saying something (the rest are events). */
const SPOKEN: ReadonlyMap<string, MessageKind> = new Map<string, MessageKind>([
  ['bot_message', 'text'],
  ['me_message', 'emote'],
  ['thread_broadcast', 'text'],
  ['reply_broadcast', 'text'],
  ['file_share', 'file'],
  ['file_comment', 'text'],
  ['file_mention', 'text'],
  ['slackbot_response', 'text'],
  ['tombstone', 'text'],
  ['huddle_thread', 'text'],
]);

export function messageRecord(raw: JsonObject, ts: string, context: MessageContext): MessageRecord {
  const subtype = str(raw.subtype);
  const files = filesOf(raw, subtype);
  let kind: MessageKind = subtype ? (SPOKEN.get(subtype) ?? 'event') : 'text';
  if (kind === 'text' && files.length && !(str(raw.text) ?? '').trim()) kind = 'file';
  if (subtype === 'bot_add') learnBotName(str(raw.text) ?? '', context.botNames);
  const { authorId, authorName } = authorOf(raw, context);
  const time = tsMillis(ts);
  if (!(time > 0)) throw new BadMessage(`ts ${ts} is not a time`);

  // Threads: parents are remembered so that later replies can name them.
  const threadTs = tsText(raw.thread_ts);
  let replyToKey: string | null = null;
  if (threadTs && threadTs !== ts) {
    const parentUser = str(raw.parent_user_id);
    const parentAuthor = context.parents.get(threadTs) ?? (parentUser ? slackPerson(parentUser) : null);
    if (parentAuthor) {
      replyToKey = messageKey({ chat: context.chat, author: parentAuthor, time: tsMillis(threadTs), identity: threadTs });
    }
  } else if (threadTs === ts || (typeof raw.reply_count === 'number' && raw.reply_count > 0) || Array.isArray(raw.replies)) {
    context.parents.set(ts, authorId);
  }

  // The text stays as the export has it; what the converter needs besides goes beside it.
  const envelope: SlackEnvelope = { text: str(raw.text) ?? '' };
  let shown = envelope.text;
  if (!shown.trim() && Array.isArray(raw.blocks)) {
    shown = blocksText(raw.blocks);
    if (shown) envelope.blocks = shown;
  }
  if (!shown.trim() && kind === 'event' && subtype) envelope.subtype = subtype;
  // Events read "<who> <did what>" in Slack; some exports leave the who out of the text (bot_add).
  const actor = str(raw.user);
  if (kind === 'event' && actor && !shown.startsWith('<@')) envelope.actor = actor;
  const cards = cardsOf(raw.attachments);
  const names = namesOf([shown, ...cardTexts(cards)], [...(envelope.actor ? [envelope.actor] : []), ...cards.map((c) => c.author_id ?? '')], context);
  if (names) envelope.names = names;
  if (cards.length) envelope.attachments = cards;
  const reactions = reactionsOf(raw.reactions, context.users);
  if (reactions.length) envelope.reactions = reactions;
  // Plain text stays plain; anything more, or text that could pass for an envelope, is wrapped.
  const plain = Object.keys(envelope).length === 1 && envelope.text.charCodeAt(0) !== 0x7b;
  const body = plain ? envelope.text : JSON.stringify(envelope);

  const edited = isObject(raw.edited) ? timeOf(raw.edited.ts) : null;
  const deleted = subtype === 'tombstone' || subtype === 'message_deleted';
  return {
    nativeId: ts,
    authorId,
    authorName,
    time,
    kind,
    body,
    markup: 'slack',
    editedAt: edited,
    deleted,
    replyToKey,
    attachments: files.length ? files : undefined,
    // Slack has no quote-replies: every reply is a thread reply.
    ...(replyToKey ? { flags: MessageFlags.threadReply } : {}),
  };
}

/**
 * Who posted, by the name Slack shows. A bot's name, most specific first: the name the message was
 * posted under (`username`), the bot's own (`bot_profile.name`), then the one its `bot_add` line
 * gave it. A bot met before any of these has no name on the message: its person is named by its
 * `bot_add` line wherever that comes (the converter's reference to the integration).
 */
function authorOf(raw: JsonObject, context: MessageContext): { authorId: string; authorName: string | null } {
  const users = context.users;
  const profile = isObject(raw.user_profile) ? raw.user_profile : null;
  const bot = isObject(raw.bot_profile) ? raw.bot_profile : null;
  const botId = str(raw.bot_id) ?? str(bot?.id);
  const botName = str(raw.username)?.trim() || str(bot?.name)?.trim() || null;
  // A user's message that a bot relayed under its own name (an app posting as a user shows the user).
  const override = raw.subtype === 'bot_message' ? botName : null;
  const comment = isObject(raw.comment) ? raw.comment : null;
  const user = str(raw.user) ?? str(comment?.user);
  if (user) {
    const known = users.get(user)?.name ?? (profile ? nameOf(profile) : null) ?? (user === 'USLACKBOT' ? 'Slackbot' : null);
    return { authorId: slackPerson(user), authorName: override ?? known ?? null };
  }
  if (botId) return { authorId: slackPerson(botId), authorName: botName ?? context.botNames.get(botId) ?? null };
  if (botName) return { authorId: slackPerson(`bot:${botName}`), authorName: botName };
  return { authorId: slackPerson('unknown'), authorName: null };
}

const BOT_LINK = /<https?:\/\/[\w.-]+\.slack\.com\/services\/(B[A-Z0-9]+)\|([^<>|]+)>/g;

/** "added an integration to this channel: <https://x.slack.com/services/B0JL6RASU|github>". */
function learnBotName(text: string, names: Map<string, string>): void {
  for (const [, id, name] of text.matchAll(BOT_LINK)) {
    const decoded = name.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&').trim();
    if (decoded) names.set(id, decoded);
  }
}
