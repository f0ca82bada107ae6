import { canonicalSkypeChatId, skypePersonId } from '../../identity/skype-ids.js';
import type { ChatRecord, PersonRecord } from '../../model.js';
import { nonBlank, splitNames } from './cells.js';
import type { Db } from './open.js';
import type { People } from './people.js';
import type { ChatRow, ConversationRow, Unit } from './rows.js';
import type { Schema } from './schema.js';

/**
 * main.db's chats: Conversations (one row per dialog, type 1, identity = partner; or group, type
 * 2, identity = `#alice/$bob;hash`, `19:…@thread.skype`, or a temporary `#alice/$*T;id` whose real
 * id is in alt_identity) with their Participants, and the older Chats rows (name =
 * Messages.chatname; type 2 dialog, 4 group, linked by conv_dbid) with their ChatMembers.
 * Messages are grouped by conversation (convo_id), falling back to Chats/chatname for rows without
 * one; chat ids are canonical (collector/identity/skype-ids.ts), so that both Skype sources and
 * both sides of a dialog agree.
 */
export class Chats {
  private readonly conversations = new Map<number, ConversationRow>();
  private readonly chatsByName = new Map<string, ChatRow>();
  private readonly chatsByConvo = new Map<number, ChatRow[]>();
  /** Messages in no chat (no conversation, no usable chat name): counted, not imported. */
  skippedNoChat = 0;

  constructor(
    private readonly db: Db,
    private readonly schema: Schema,
    private readonly people: People,
    private readonly path: string,
  ) {}

  load(): void {
    const s = this.schema;
    if (s.has('Conversations')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Conversations', 'c', ['id', 'identity', 'type', 'displayname', 'given_displayname', 'meta_topic', 'alt_identity'])}
           FROM ${s.table('Conversations')} c`,
        )
        .all() as ConversationRow[];
      for (const row of rows) if (row.id != null) this.conversations.set(row.id, row);
    }
    if (s.has('Chats', 'name')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Chats', 'c', ['name', 'type', 'topic', 'friendlyname', 'dialog_partner', 'participants', 'activemembers', 'conv_dbid'])}
           FROM ${s.table('Chats')} c ORDER BY ${s.has('Chats', 'timestamp') ? 'c."timestamp" DESC, ' : ''}c.rowid DESC`,
        )
        .all() as ChatRow[];
      // Newest first: the first topic found for a conversation is its latest.
      for (const row of rows) {
        if (!row.name || this.chatsByName.has(row.name)) continue;
        this.chatsByName.set(row.name, row);
        if (row.conv_dbid != null) {
          const list = this.chatsByConvo.get(row.conv_dbid);
          if (list) list.push(row);
          else this.chatsByConvo.set(row.conv_dbid, [row]);
        }
      }
    }
  }

  /** `convo_id` is set and names a known conversation. */
  orphanCondition(alias: string): string {
    const s = this.schema;
    if (!s.has('Messages', 'convo_id') || !s.has('Conversations', 'id')) return '1';
    return `(${alias}.convo_id IS NULL OR ${alias}.convo_id NOT IN (SELECT id FROM ${s.table('Conversations')}))`;
  }

  /** Every chat with messages, by canonical id (several conversations or chat names may share one). */
  units(): Unit[] {
    const s = this.schema;
    const M = s.table('Messages');
    const units = new Map<string, Unit>();
    const unitFor = (nativeId: string, kind: Unit['kind']): Unit => {
      let unit = units.get(nativeId);
      if (!unit) {
        unit = { nativeId, kind, title: null, members: new Set(), convoIds: new Set(), chatnames: new Set(), count: 0 };
        units.set(nativeId, unit);
      }
      return unit;
    };

    if (s.has('Messages', 'convo_id') && this.conversations.size) {
      const counts = this.db.prepare(`SELECT convo_id, count(*) FROM ${M} WHERE convo_id IS NOT NULL GROUP BY convo_id`).raw().all() as [number, number][];
      for (const [convoId, count] of counts) {
        const conv = this.conversations.get(convoId);
        if (!conv) continue;
        const unit = this.conversationUnit(conv, unitFor);
        if (!unit) {
          this.skippedNoChat += count;
          continue;
        }
        unit.convoIds.add(convoId);
        unit.count += count;
      }
    }

    const orphans = this.db
      .prepare(`SELECT m.chatname, count(*) FROM ${M} m WHERE ${this.orphanCondition('m')} GROUP BY m.chatname`)
      .raw()
      .all() as [string | null, number][];
    for (const [chatname, count] of orphans) {
      if (!chatname || !chatname.trim()) {
        this.skippedNoChat += count;
        continue;
      }
      const chat = this.chatsByName.get(chatname);
      const conv = chat?.conv_dbid != null ? this.conversations.get(chat.conv_dbid) : undefined;
      let unit: Unit | null;
      if (conv) {
        unit = this.conversationUnit(conv, unitFor);
      } else if (chat?.type === 2 || (!chat && isBareName(chatname))) {
        const partner = nonBlank(chat?.dialog_partner) ?? dialogPartnerOf(chatname, this.people.owner);
        unit = partner ? this.dialogUnit(partner, unitFor) : null;
      } else {
        const nativeId = canonicalSkypeChatId(chatname, this.people.owner);
        unit = unitFor(nativeId, nativeId.includes('|') ? 'direct' : 'group');
        this.addChatDetails(unit, chat);
      }
      if (!unit) {
        this.skippedNoChat += count;
        continue;
      }
      unit.chatnames.add(chatname);
      unit.count += count;
    }
    return [...units.values()].sort((a, b) => (a.nativeId < b.nativeId ? -1 : a.nativeId > b.nativeId ? 1 : 0));
  }

  private dialogUnit(partner: string, unitFor: (id: string, kind: Unit['kind']) => Unit): Unit | null {
    const nativeId = canonicalSkypeChatId(partner, this.people.owner);
    if (!nativeId) return null;
    const unit = unitFor(nativeId, 'direct');
    unit.members.add(partner.trim());
    if (this.people.owner) unit.members.add(this.people.owner);
    return unit;
  }

  private conversationUnit(conv: ConversationRow, unitFor: (id: string, kind: Unit['kind']) => Unit): Unit | null {
    const identity = nonBlank(conv.identity);
    if (conv.type === 1) {
      return identity ? this.dialogUnit(identity, unitFor) : null;
    }
    let id = identity;
    const alt = nonBlank(conv.alt_identity);
    if (!id || TEMPORARY_NAME.test(id)) {
      // A group being created has a temporary name; its real (cloud) id came later.
      id = (alt && alt.startsWith('19:') ? alt : null) ?? this.threadIdFromMessages(conv.id) ?? id;
    }
    if (!id) return null;
    const nativeId = canonicalSkypeChatId(id, this.people.owner);
    const unit = unitFor(nativeId, nativeId.includes('|') ? 'direct' : 'group');
    unit.title ??= nonBlank(conv.meta_topic);
    for (const chat of this.chatsByConvo.get(conv.id) ?? []) this.addChatDetails(unit, chat);
    unit.title ??= nonBlank(conv.given_displayname);
    if (this.schema.has('Participants', 'convo_id') && this.schema.has('Participants', 'identity')) {
      const members = this.db
        .prepare(`SELECT identity FROM ${this.schema.table('Participants')} WHERE convo_id = ? ORDER BY rowid`)
        .pluck()
        .all(conv.id) as (string | null)[];
      for (const member of members) if (member) unit.members.add(member);
    }
    // What Skype lists the group as: its name, else the members' names as Skype wrote them.
    unit.title ??= nonBlank(conv.displayname);
    return unit;
  }

  private addChatDetails(unit: Unit, chat: ChatRow | undefined): void {
    if (!chat) return;
    unit.title ??= nonBlank(chat.topic);
    for (const list of [chat.participants, chat.activemembers]) {
      for (const member of splitNames(list)) unit.members.add(member);
    }
    if (chat.name && this.schema.has('ChatMembers', 'chatname') && this.schema.has('ChatMembers', 'identity')) {
      const members = this.db
        .prepare(`SELECT identity FROM ${this.schema.table('ChatMembers')} WHERE chatname = ? ORDER BY rowid`)
        .pluck()
        .all(chat.name) as (string | null)[];
      for (const member of members) if (member) unit.members.add(member);
    }
  }

  private threadIdFromMessages(convoId: number): string | null {
    const s = this.schema;
    if (!s.has('Messages', 'dialog_partner')) return null;
    const id = this.db
      .prepare(`SELECT dialog_partner FROM ${s.table('Messages')} WHERE convo_id = ? AND dialog_partner LIKE '19:%' LIMIT 1`)
      .pluck()
      .get(convoId) as string | undefined;
    return id ?? null;
  }

  chatRecord(unit: Unit): ChatRecord {
    const members: PersonRecord[] = [];
    const seen = new Set<string>();
    for (const member of unit.members) {
      const person = this.people.person(member);
      if (!person || seen.has(person.nativeId)) continue;
      seen.add(person.nativeId);
      members.push(person);
    }
    // A dialog's title is its members' names (the site's default): the same from both sides.
    // Guids of cloud-thread messages differ between accounts (local ids between files): only one
    // account's ids tell two messages apart.
    const idScope = this.people.owner ? `skype-maindb:${skypePersonId(this.people.owner)}` : `skype-maindb:${this.path}`;
    const owner = this.people.owner ? (this.people.person(this.people.owner)?.nativeId ?? null) : null;
    return { nativeId: unit.nativeId, title: unit.kind === 'direct' ? null : unit.title, kind: unit.kind, members, idScope, owner };
  }
}

/** `#alice/$*T;189`: a group's name while Skype was still creating it. */
const TEMPORARY_NAME = /\/\$\*T;/;

/** A chat name that is a skypename (old dialogs, contact requests), not a `#…` or `19:` id. */
function isBareName(chatname: string): boolean {
  return !chatname.startsWith('#') && !/^\d+:/.test(chatname) && !/\s/.test(chatname.trim());
}

/** The partner in a dialog chat name: `bob`, or the side of `#alice/$bob;hash` that is not the owner. */
function dialogPartnerOf(chatname: string, owner: string | null): string | null {
  const name = chatname.trim();
  if (isBareName(name)) return name;
  const match = /^#([^/]*)\/\$([^;]*);/.exec(name);
  if (!match) return null;
  const [a, b] = [match[1], match[2]];
  if (!b || b === '*T') return null;
  if (owner && a === owner) return b;
  if (owner && b === owner) return a;
  return b;
}

