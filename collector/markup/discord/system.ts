import { escapeHtml, stripInvalidXml } from '../html.js';
import { own } from '../../own.js';
import { person, str, type Loose, type Names } from './envelope.js';
import type { Output } from './output.js';
import { formatDuration } from '../duration.js';

/** System messages (joins, pins, calls…): a sentence about their author. */

/** The action of each DiscordChatExporter system type, for when the export gave no sentence. */
const ACTIONS: Record<string, string> = {
  RecipientAdd: 'added someone to the group.',
  RecipientRemove: 'removed someone from the group.',
  Call: 'started a call.',
  ChannelNameChange: 'changed the channel name.',
  ChannelIconChange: 'changed the channel icon.',
  ChannelPinnedMessage: 'pinned a message to this channel.',
  GuildMemberJoin: 'joined the server.',
  ThreadCreated: 'started a thread.',
  // Discord's types the exporter has no name for, written as numbers.
  '8': 'boosted the server.',
  '9': 'boosted the server. The server reached Level 1!',
  '10': 'boosted the server. The server reached Level 2!',
  '11': 'boosted the server. The server reached Level 3!',
  '12': 'followed a channel into this one.',
};

/**
 * `Thomas joined the server.`: DiscordChatExporter writes a system message's content as a sentence
 * without its subject ("Joined the server.", "Changed the channel name: x"); the author goes first.
 */
export function systemLine(env: Loose, kind: string, names: Names, out: Output): void {
  const name = stripInvalidXml(str(env.author)).trim();
  const author = name ? person(str(env.authorId), name) : 'Someone';
  const type = str(env.type);
  const content = namesAsPeople(stripInvalidXml(env.content as string).trim(), names);
  let sentence: string;
  if (type === 'Call') {
    const seconds = typeof env.callSeconds === 'number' && Number.isFinite(env.callSeconds) ? env.callSeconds : null;
    sentence = seconds === null ? `${author} started a call.` : `${author} started a call that lasted ${formatDuration(seconds)}.`;
  } else if (!content) {
    sentence = `${author} ${own(ACTIONS, type) ?? 'did something Discord shows as a system message.'}`;
  } else if (own(ACTIONS, type) !== undefined && /^[A-Z][a-z]/.test(content)) {
    sentence = `${author} ${content[0].toLowerCase()}${content.slice(1)}`;
  } else {
    sentence = `${author}: ${content}`;
  }
  const link = type === 'ThreadCreated' ? threadLink(env.thread) : null;
  if (link) {
    // The thread's address on Discord: the site points it at the thread's page when that chat is
    // in the database, named by it (site/render/chat-links.ts).
    const html = `${escapeHtml(sentence.replace(/\.$/, ''))}: <a href="${escapeHtml(link)}" rel="nofollow noopener">${escapeHtml(link)}</a>`;
    out.html += `<span class="cc-event">${html}</span>`;
    out.addText(`${sentence.replace(/\.$/, '')}: ${link}`);
    return;
  }
  out.html += `<span class="${kind === 'call' ? 'cc-call' : 'cc-event'}">${escapeHtml(sentence)}</span>`;
  out.addText(sentence);
}

/**
 * The names of the users a system message mentions, in its sentence, as person references: the
 * exporter writes them as plain names ("Added Bob to the group."), whole words.
 */
function namesAsPeople(content: string, names: Names): string {
  if (!names.highlight.length || !content) return content;
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${names.highlight.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'gu');
  return content.replace(pattern, (name) => person(names.idOfName.get(name)!, name));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** `https://discord.com/channels/<server>/<thread>` for an envelope's thread; null without one. */
function threadLink(value: unknown): string | null {
  const thread = value && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  const id = str(thread?.id);
  const guild = str(thread?.guild);
  return /^\d{1,20}$/.test(id) && /^(?:\d{1,20}|@me)$/.test(guild) ? `https://discord.com/channels/${guild}/${id}` : null;
}
