import { messageKey } from '../../identity/key.js';
import { MessageFlags, type ChatRecord, type MessageRecord, type PersonRecord } from '../../model.js';
import type { SourceEvent } from '../types.js';
import type { Warnings } from '../kit/warnings.js';
import type { Directory } from './directory.js';
import type { ParsedMessage } from './records.js';

/**
 * Parsed messages → events, in file order: a `chat` event whenever the chat changes (the export
 * tool writes a team's channels, or a user's chats, interleaved in one file), then the message.
 * A reply needs its parent's author and time for its key; the export tool does not sort (a reply
 * can come first) and Graph saves replies as pages of their own, so a reply whose parent has not
 * been read yet waits until the end of the import. The index of parents is id → (author, time).
 * A chat's members are those its id or the directory names, the exporter, and whoever sent a message
 * in it (a group chat's member list is not in the export, and untitled chats are named after it):
 * each new one re-sends the chat.
 */
export class MessageStream {
  private out: SourceEvent[] = [];
  private current: string | null = null;
  private readonly renamedAt = new Map<string, number>();
  private readonly parents = new Map<string, { author: string; time: number }>();
  private readonly members = new Map<string, Map<string, PersonRecord>>();
  private deferred: { chat: ChatRecord; record: MessageRecord; parent: string; again: boolean }[] = [];

  constructor(
    readonly directory: Directory,
    private readonly warnings: Warnings,
  ) {}

  add(parsed: ParsedMessage, owner: string | null): void {
    const { record, parentId, thread } = parsed;
    const { chat, retitled } = this.chatOf(parsed, owner);
    if (record.nativeId && !this.parents.has(`${chat.nativeId}\u0000${record.nativeId}`)) {
      this.parents.set(`${chat.nativeId}\u0000${record.nativeId}`, { author: record.authorId, time: record.time });
    }
    if (parentId && parentId !== record.nativeId) {
      if (thread) record.flags = (record.flags ?? 0) | MessageFlags.threadReply;
      record.replyToKey = this.keyOf(chat.nativeId, parentId);
      if (!record.replyToKey) {
        this.deferred.push({ chat, record, parent: parentId, again: retitled });
        return;
      }
    }
    this.emit(chat, record, retitled);
  }

  /** The events so far, with the warnings given meanwhile. */
  take(): SourceEvent[] {
    const out = this.out;
    this.out = [];
    return out.concat(this.warnings.take());
  }

  /** The replies that waited for their parents (a parent never read leaves the reply without one). */
  finish(): SourceEvent[] {
    for (const { chat, record, parent, again } of this.deferred) {
      record.replyToKey = this.keyOf(chat.nativeId, parent);
      // A parent never read: no thread to show it in (the flag means nothing without a key).
      if (!record.replyToKey && record.flags) record.flags &= ~MessageFlags.threadReply;
      this.emit(chat, record, again);
    }
    this.deferred = [];
    return this.take();
  }

  private keyOf(chat: string, parent: string): string | null {
    const found = this.parents.get(`${chat}\u0000${parent}`);
    return found ? messageKey({ chat, author: found.author, time: found.time, identity: parent }) : null;
  }

  private emit(chat: ChatRecord, record: MessageRecord, again: boolean): void {
    if (this.current !== chat.nativeId || again) this.out.push({ type: 'chat', chat });
    this.current = chat.nativeId;
    this.out.push({ type: 'message', message: record });
  }

  /** The chat with what the directory, the file and rename events add: channel titles, the owner, members, a newer name. */
  private chatOf({ chat, teamId, record, renamed, sender }: ParsedMessage, owner: string | null): { chat: ChatRecord; retitled: boolean } {
    let changed = false;
    if (chat.kind === 'channel') {
      chat.title = channelTitle(this.directory.name(teamId), this.directory.name(chat.nativeId));
    } else {
      if (owner) chat.owner = owner;
      changed = this.addMembers(chat, [...(chat.members ?? []), ...(owner ? [{ nativeId: owner }] : []), ...(sender ? [sender] : [])]);
    }
    // The list's name is the current one; without it, the latest rename the export shows.
    if (!chat.title && renamed && record.time > (this.renamedAt.get(chat.nativeId) ?? -Infinity)) {
      this.renamedAt.set(chat.nativeId, record.time);
      chat.title = chat.kind === 'channel' ? channelTitle(this.directory.name(teamId), renamed) : renamed;
      changed = true;
    }
    return { chat, retitled: changed };
  }

  /** Gives the chat every member known so far; whether any of `people` is new (or newly named). */
  private addMembers(chat: ChatRecord, people: PersonRecord[]): boolean {
    let known = this.members.get(chat.nativeId);
    if (!known) this.members.set(chat.nativeId, (known = new Map()));
    let added = false;
    for (const person of people) {
      const before = known.get(person.nativeId);
      if (before && (before.displayName || !person.displayName)) continue;
      known.set(person.nativeId, person);
      added = true;
    }
    chat.members = [...known.values()];
    return added;
  }
}

function channelTitle(team: string | null, channel: string | null): string | null {
  if (!channel) return null;
  return team ? `${team} / #${channel}` : `#${channel}`;
}
