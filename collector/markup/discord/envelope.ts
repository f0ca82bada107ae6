import { personText } from '../../store/person-refs.js';
import { stripInvalidXml } from '../html.js';

/**
 * The envelope the adapter (collector/sources/discord/) writes when a message has more to show than
 * its content, how it is read back, and the names in it: users and channels by id.
 */

/** What the adapter puts in a body besides the content (every field optional but `content`). */
export interface DiscordEnvelope {
  content: string;
  /** DiscordChatExporter's message type, for system messages (`GuildMemberJoin`, `Call`…). */
  type?: string;
  /** The author's display name: a system message reads as a sentence about them. */
  author?: string;
  /** The author's user id (for the person reference). */
  authorId?: string;
  /** How long a call lasted (`callEndedTimestamp` − `timestamp`), in seconds. */
  callSeconds?: number;
  /** The thread a "started a thread" notice is about: its channel id and its server's. */
  thread?: { id: string; guild: string };
  /** The slash command a bot's message answers. */
  interaction?: { name: string; user?: string; userId?: string };
  /** Display names of the users the message mentions, by id. */
  mentions?: Record<string, string>;
  /** Names of channels by id, for `<#id>`. */
  channels?: Record<string, string>;
  /** A forwarded message's content. */
  forwarded?: { content: string };
  stickers?: string[];
  embeds?: DiscordEmbed[];
  reactions?: DiscordReaction[];
  pinned?: boolean;
}

export interface DiscordEmbed {
  author?: string;
  title?: string;
  url?: string;
  description?: string;
  fields?: { name: string; value: string }[];
  footer?: string;
}

export interface DiscordReaction {
  /** The emoji itself, or `:name:` for a custom one. */
  emoji: string;
  count: number;
  /** Who reacted, where the export lists them (newer DiscordChatExporter versions): user id and display name. */
  users?: { id: string; name: string }[];
}

export type Loose = Record<string, unknown>;

export function parseEnvelope(body: string): Loose | null {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    return null;
  }
  const env = record(value);
  return env && typeof env.content === 'string' ? env : null;
}

/** An object, else null. */
export function record(value: unknown): Loose | null {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Loose) : null;
}

/** A string, else ''. */
export function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** At most `max` entries of an array, else none. */
export function list(value: unknown, max: number): unknown[] {
  return Array.isArray(value) ? value.slice(0, max) : [];
}

export interface Names {
  users: Map<string, string>;
  channels: Map<string, string>;
  /** `@name` forms to highlight in the text, longest first. */
  highlight: string[];
  /** The user id of each highlighted name (the first user with it). */
  idOfName: Map<string, string>;
}

export const NO_NAMES: Names = { users: new Map(), channels: new Map(), highlight: [], idOfName: new Map() };

/** A user id as Discord writes it (a snowflake). */
const USER_ID = /^\d{1,20}$/;

/** A user's person id, `discord:<id>` as the adapter gives authors ('' for no valid id). */
export function discordPersonId(id: string): string {
  return USER_ID.test(id) ? `discord:${id}` : '';
}

/** A person reference for a user: `discord:<id>`, as the adapter gives authors; no id, the name alone. */
export function person(id: string, name: string): string {
  return personText(discordPersonId(id), name);
}

export function namesOf(env: Loose): Names {
  const users = new Map<string, string>();
  const channels = new Map<string, string>();
  const mentions = record(env.mentions);
  if (mentions) for (const [id, name] of Object.entries(mentions).slice(0, 200)) if (cleanName(name)) users.set(id, cleanName(name));
  const chans = record(env.channels);
  if (chans) for (const [id, name] of Object.entries(chans).slice(0, 200)) if (cleanName(name)) channels.set(id, cleanName(name));
  if (users.size === 0 && channels.size === 0) return NO_NAMES;
  const idOfName = new Map<string, string>();
  for (const [id, name] of users) if (!idOfName.has(name)) idOfName.set(name, id);
  const highlight = [...idOfName.keys()].sort((a, b) => b.length - a.length);
  return { users, channels, highlight, idOfName };
}

/** A name as the text shows it: no control characters (a name of only NUL is no name). */
function cleanName(value: unknown): string {
  return stripInvalidXml(str(value)).trim();
}
