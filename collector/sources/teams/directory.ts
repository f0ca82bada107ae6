import { isObject, list, str } from '../kit/fields.js';
import { lowerKeys } from './keys.js';

/**
 * Names the message files do not carry: the lists saved beside them. Microsoft's export tool
 * writes `teams/teamsList.json` (`GroupsId`, `DisplayName`), `teams/<team>/channels_<team>.json`
 * and `users/usersList.json` (`Id`, `DisplayName`); Graph's `/chats` pages give `id`, `topic`,
 * `chatType` and `members`. Every such list is one table of id → name here, since Teams ids
 * (GUIDs, `19:…@thread…`) never collide across kinds.
 */
export class Directory {
  private readonly names = new Map<string, string>();
  private readonly chatTypes = new Map<string, string>();

  /** Adds the entries of a parsed list (or Graph page); returns how many it named. */
  add(value: unknown): number {
    const entries = Array.isArray(value) ? value : isObject(value) ? list(value.value) : [];
    let named = 0;
    for (const raw of entries) {
      const entry = lowerKeys(raw);
      if (!isObject(entry) || isObject(entry.body)) continue;
      const id = str(entry.groupsid) ?? str(entry.id);
      const name = str(entry.displayname) ?? str(entry.topic) ?? str(entry.name);
      if (id && name) {
        this.names.set(id, name.trim());
        named++;
      }
      if (id && str(entry.chattype)) this.chatTypes.set(id, str(entry.chattype)!.toLowerCase());
      for (const member of list(entry.members)) {
        if (!isObject(member)) continue;
        const userId = str(member.userid) ?? str(member.id);
        const userName = str(member.displayname);
        if (userId && userName && !this.names.has(userId)) this.names.set(userId, userName.trim());
      }
    }
    return named;
  }

  name(id: string | null | undefined): string | null {
    return (id && this.names.get(id)) || null;
  }

  /** Graph's chatType (`oneonone`, `group`, `meeting`), lower-cased, when a chat list gave it. */
  chatType(id: string): string | null {
    return this.chatTypes.get(id) ?? null;
  }
}
