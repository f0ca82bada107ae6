import { mattermostPerson } from '../../markup/mattermost.js';
import type { ChatRecord, PersonRecord } from '../../model.js';
import { isObject, list, objects, str, text, type JsonObject } from '../kit/fields.js';

/**
 * What the lines before the posts say: teams, channels, users (and bots) with their channel
 * memberships, custom emoji. Mattermost's exporter writes them first (version, teams, channels,
 * users, posts, emoji, direct channels, direct posts), so a post finds its names here; a post of a
 * channel or user no line declared is still imported, under its name.
 *
 * Chats: a channel is `<team>/<channel>` (its name, unique in its team; the display name is the
 * title, which may change), a direct or group message `@<user>,<user>…` (its members' usernames,
 * sorted). People are `mattermost:<username>` (collector/markup/mattermost.ts): the
 * export names users only by username; their e-mail addresses are never read.
 */
export class Directory {
  private readonly teams = new Map<string, string>();
  private readonly channels = new Map<string, { display: string; team: string; name: string }>();
  private readonly users = new Map<string, string>();
  private readonly members = new Map<string, Set<string>>();
  /** Chats whose members went out with an earlier chat event. */
  private readonly announced = new Set<string>();
  readonly customEmoji = new Set<string>();

  team(t: JsonObject): boolean {
    const name = str(t.name);
    if (!name) return false;
    this.teams.set(name, str(t.display_name)?.trim() || name);
    return true;
  }

  channel(c: JsonObject): boolean {
    const team = str(c.team);
    const name = str(c.name);
    if (!team || !name) return false;
    this.channels.set(channelId(team, name), { display: str(c.display_name)?.trim() || name, team, name });
    return true;
  }

  /** A user (or a bot: `display_name`), with the channels their team memberships list. */
  user(u: JsonObject): boolean {
    const username = str(u.username)?.toLowerCase();
    if (!username) return false;
    const full = `${text(u.first_name).trim()} ${text(u.last_name).trim()}`.trim();
    this.users.set(username, full || str(u.nickname)?.trim() || str(u.display_name)?.trim() || username);
    for (const team of objects(u.teams).slice(0, 1000)) {
      const teamName = str(team.name);
      if (!teamName) continue;
      for (const channel of objects(team.channels).slice(0, 100_000)) {
        const name = str(channel.name);
        if (!name) continue;
        const id = channelId(teamName, name);
        let set = this.members.get(id);
        if (!set) this.members.set(id, (set = new Set()));
        set.add(username);
      }
    }
    return true;
  }

  emoji(e: JsonObject): boolean {
    const name = str(e.name);
    if (name) this.customEmoji.add(name);
    return name !== null;
  }

  isUser(username: string): boolean {
    return this.users.has(username);
  }

  /** A user's display name: full name, else nickname, else username (Mattermost's default). */
  nameOf(username: string): string {
    return this.users.get(username) ?? username;
  }

  person(username: string): PersonRecord {
    return { nativeId: mattermostPerson(username), displayName: this.nameOf(username) };
  }

  /** The display name of a channel of `team` (for `~name` mentions). */
  channelName(team: string, name: string): string | null {
    return this.channels.get(channelId(team, name))?.display ?? null;
  }

  /** A team's channel; its members go with the first event for it. */
  channelChat(team: string, name: string): ChatRecord {
    const id = channelId(team, name);
    const channel = this.channels.get(id);
    const teamName = this.teams.get(team);
    const title = channel?.display ?? name;
    const chat: ChatRecord = { nativeId: id, kind: 'channel', title: teamName ? `${teamName} / ${title}` : title };
    if (!this.announced.has(id)) {
      this.announced.add(id);
      const members = [...(this.members.get(id) ?? [])];
      if (members.length) chat.members = members.map((m) => this.person(m));
    }
    return chat;
  }

  /** A direct (two people, or one writing to themselves) or group message, by its members. */
  directChat(usernames: readonly string[]): ChatRecord {
    const members = [...new Set(usernames)].sort();
    const chat: ChatRecord = { nativeId: `@${members.join(',')}`, kind: members.length > 2 ? 'group' : 'direct' };
    if (!this.announced.has(chat.nativeId)) {
      this.announced.add(chat.nativeId);
      chat.members = members.map((m) => this.person(m));
    }
    return chat;
  }
}

/** `<team>/<channel>`: Mattermost's names are lower-case letters, digits, `-` and `_`; anything else is escaped. */
function channelId(team: string, name: string): string {
  return `${encodeURIComponent(team)}/${encodeURIComponent(name)}`;
}

/** A direct channel's usernames (`members`, or the newer `participants: [{username}]`). */
export function membersOf(value: JsonObject): string[] {
  const names = list(value.channel_members ?? value.members).map((m) => str(m));
  for (const p of list(value.participants)) if (isObject(p)) names.push(str(p.username));
  return names.filter((n): n is string => n !== null).map((n) => n.toLowerCase()).slice(0, 1000);
}
