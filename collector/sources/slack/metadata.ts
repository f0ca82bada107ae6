/**
 * The export's metadata: users.json (names, the workspace's team) and the conversation lists
 * (channels, private channels, group DMs, DMs), parsed whole (they are small next to the messages;
 * over MAX_JSON_FILE_BYTES the import stops), and the chat record of a conversation.
 */
import { slackPerson } from '../../markup/slack-envelope.js';
import type { ChatRecord, PersonRecord } from '../../model.js';
import { isObject, str, type JsonObject } from '../kit/fields.js';
import { parseJson } from '../kit/json-file.js';
import type { Warnings } from '../kit/warnings.js';
import { SourceError } from '../types.js';
import { LISTS, type ExportInput } from './input.js';

export interface User {
  name: string | null;
  team: string | null;
}

export interface Conversation {
  id: string;
  folder: string;
  kind: 'channel' | 'group' | 'direct';
  name: string | null;
  members: string[];
}

async function readList(input: ExportInput, name: string): Promise<unknown[] | null> {
  const bytes = await input.readMeta(name);
  if (bytes === null) return null;
  let value: unknown;
  try {
    value = parseJson(bytes);
  } catch (err) {
    throw new SourceError(input.file, input.prefix + name, (err as Error).message);
  }
  if (!Array.isArray(value)) throw new SourceError(input.file, input.prefix + name, 'not a JSON list');
  return value;
}

/** users.json: every user's name, and the workspace's team; a SourceError when it is missing. */
export async function readUsers(input: ExportInput): Promise<{ users: Map<string, User>; team: string | null }> {
  const list = await readList(input, 'users.json');
  if (!list) throw new SourceError(input.file, null, 'not a Slack export: no users.json');
  const users = new Map<string, User>();
  const teams = new Map<string, number>();
  for (const item of list) {
    if (!isObject(item)) continue;
    const id = str(item.id);
    if (!id) continue;
    const team = str(item.team_id) ?? str(item.team);
    users.set(id, { name: nameOf(item), team });
    if (team) teams.set(team, (teams.get(team) ?? 0) + 1);
  }
  // The workspace's own team is the one most users belong to (shared channels bring others).
  let team: string | null = null;
  let most = 0;
  for (const [id, count] of teams) {
    if (count > most || (count === most && team !== null && id < team)) {
      team = id;
      most = count;
    }
  }
  return { users, team };
}

/** How Slack shows a person: display name, else real name, else the account name. */
export function nameOf(user: JsonObject): string | null {
  const profile = isObject(user.profile) ? user.profile : {};
  return (
    str(profile.display_name)?.trim() ||
    str(profile.real_name)?.trim() ||
    str(user.real_name)?.trim() ||
    str(user.display_name)?.trim() ||
    str(user.name)?.trim() ||
    null
  );
}

/**
 * The conversations of every list, in list order, and the channels' names (for `<#C…>`); entries
 * without an id or a usable folder are skipped with a warning. A SourceError when there is no list.
 */
export async function readConversations(input: ExportInput, warnings: Warnings): Promise<{ conversations: Conversation[]; channelNames: Map<string, string> }> {
  const conversations: Conversation[] = [];
  const channelNames = new Map<string, string>();
  let lists = 0;
  for (const list of LISTS) {
    const items = await readList(input, list.file);
    if (!items) continue;
    lists++;
    items.forEach((item, i) => {
      if (!isObject(item) || !str(item.id)) {
        warnings.add(`${input.prefix}${list.file} [${i}]`, 'a conversation without an id: skipped');
        return;
      }
      const id = str(item.id)!;
      const name = str(item.name);
      const folder = safeFolder(list.folderBy === 'id' ? id : name);
      if (name && list.kind === 'channel') channelNames.set(id, name);
      if (!folder) {
        warnings.add(`${input.prefix}${list.file} [${i}]`, `conversation ${id} has no usable folder name: skipped`);
        return;
      }
      const members = Array.isArray(item.members) ? item.members.filter((m): m is string => typeof m === 'string' && m !== '') : [];
      conversations.push({ id, folder, kind: list.kind, name, members });
    });
  }
  if (lists === 0) throw new SourceError(input.file, null, 'not a Slack export: no channels.json, groups.json, mpims.json or dms.json');
  return { conversations, channelNames };
}

/** A folder name from the export may only name a folder inside it. */
function safeFolder(name: string | null): string | null {
  if (!name || name === '.' || name === '..' || /[/\\\0]/.test(name)) return null;
  return name;
}

export function chatRecord(conversation: Conversation, team: string | null, users: Map<string, User>): ChatRecord {
  const members: PersonRecord[] = conversation.members.map((id) => ({ nativeId: slackPerson(id), displayName: users.get(id)?.name ?? null }));
  let title: string | null;
  if (conversation.kind === 'channel') title = conversation.name ? `#${conversation.name}` : null;
  else title = members.map((m) => m.displayName ?? m.nativeId.slice('slack:'.length)).join(', ') || conversation.name;
  return {
    nativeId: team ? `slack:${team}:${conversation.id}` : `slack:${conversation.id}`,
    title,
    kind: conversation.kind,
    members,
  };
}
