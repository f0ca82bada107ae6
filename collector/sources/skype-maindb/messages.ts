import { skypePersonId } from '../../identity/skype-ids.js';
import type { Attachment, MessageKind, MessageRecord } from '../../model.js';
import { escapeXml, listedFiles, personXml, typedPartlist } from '../../markup/skype/xml.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { hexOf, legacyType, nonBlank, positive, splitNames } from './cells.js';
import type { MessageExtras } from './extras.js';
import type { People } from './people.js';
import type { MessageRow } from './rows.js';

/**
 * Messages rows as records. `body_xml` is kept as the body (markup 'skype'); events without one get
 * a small body in the same markup (`<addmember>`, `<deletemember>`, `<topicupdate>` with ids only,
 * as exports write them; `<partlist>`, `<files>`, `<sms>`) or a plain sentence (contact shared,
 * group created…). Identity: the message guid (hex) — the same in every account for peer-to-peer
 * messages; cloud (`19:`) thread messages get a different guid per account, and their clocks
 * differ by a second or so, so those meet through the store's near-duplicate merge.
 * edited_timestamp → editedAt; an emptied text → deleted. Unknown types are imported as events and
 * counted in one warning each.
 */
export class MessageMapper {
  /** Rows skipped for want of a time or an author: counted, not imported. */
  skippedNoTime = 0;
  skippedNoAuthor = 0;

  constructor(
    private readonly people: People,
    private readonly extras: MessageExtras,
    private readonly warnings: Warnings,
  ) {}

  record(row: MessageRow): MessageRecord | null {
    if (row.timestamp == null || !Number.isFinite(Number(row.timestamp))) {
      this.skippedNoTime++;
      return null;
    }
    const author = nonBlank(row.author);
    const authorId = author ? skypePersonId(author) : null;
    if (!author || !authorId) {
      this.skippedNoAuthor++;
      return null;
    }
    const time = Number(row.timestamp) * 1000;
    const type = row.type ?? legacyType(row.chatmsg_type);
    const raw = (row.body_xml ?? row.body ?? '').replace(/\u0000/g, '');
    const guid = hexOf(row.guid);
    const nativeId = guid ?? (row.remote_id != null ? `remote:${row.remote_id}` : `local:${row.id}`);
    const authorName = nonBlank(row.from_dispname) ?? this.people.nameOf(author);
    const edited = positive(row.edited_timestamp);
    const editedAt = edited !== null ? edited * 1000 : null;
    const targets = splitNames(row.identities);
    // People in the lines written here are <ccperson> references (collector/markup/skype/xml.ts), so
    // the site can show names, pseudonyms or nothing.
    const actor = (): string => personXml(author, authorName);
    const namesOf = (list: string[]): string => list.map((t) => personXml(t, this.people.nameOf(t))).join(', ');

    let kind: MessageKind;
    let body = raw;
    let attachments: Attachment[] | undefined;
    switch (type) {
      case 61:
        kind = 'text';
        break;
      case 60:
        kind = 'emote';
        break;
      case 68: {
        kind = 'file';
        const files = (guid && this.extras.transfers.get(guid)) || listedFiles(raw);
        if (files.length) attachments = files.map((f) => (f.size !== null ? { name: f.name, size: f.size } : { name: f.name }));
        if (!raw.trim() && files.length) {
          body = `<files alt="">${files
            .map((f, i) => `<file index="${f.index ?? i}"${f.size !== null ? ` size="${f.size}"` : ''}>${escapeXml(f.name)}</file>`)
            .join('')}</files>`;
        }
        break;
      }
      case 201:
        kind = 'media';
        break;
      case 70:
      case 253:
        kind = 'media';
        if (!raw.trim()) body = 'Video message';
        break;
      case 63:
        kind = 'contact';
        break;
      case 50:
        kind = 'contact';
        if (!raw.trim()) body = `${actor()} would like to add ${namesOf(targets) || 'you'} as a contact.`;
        break;
      case 51:
        kind = 'event';
        body = `${actor()} has shared contact details with ${namesOf(targets) || 'you'}.`;
        break;
      case 53:
        kind = 'event';
        body = `${actor()} has blocked ${namesOf(targets) || 'a contact'}.`;
        break;
      case 64: {
        kind = 'sms';
        const sms = this.extras.smses.get(row.id);
        if (!raw.trim() && sms) {
          body =
            `<sms alt="${escapeXml(sms.body)}"><targets>${sms.targets.map((t) => `<target>${escapeXml(t)}</target>`).join('')}</targets>` +
            `<body><chunk id="0">${escapeXml(sms.body)}</chunk></body></sms>`;
        }
        break;
      }
      case 30:
      case 39:
        kind = 'call';
        body = this.callBody(row, raw, type === 30 ? 'started' : 'ended', author, authorName, targets);
        break;
      case 10:
        kind = 'event';
        body = raw.trim() ? raw : this.activity('addmember', row, author, targets);
        break;
      case 12:
        kind = 'event';
        body = raw.trim() ? raw : this.activity('deletemember', row, author, targets);
        break;
      case 13:
        kind = 'event';
        body = this.activity('deletemember', row, author, targets.length ? targets : [author]);
        break;
      case 2:
        kind = 'event';
        body = raw.trim()
          ? this.activity('topicupdate', row, author, [], raw)
          : this.activity('pictureupdate', row, author, []);
        break;
      case 4:
        kind = 'event';
        body = `${actor()} created a group conversation${targets.length ? ` with ${namesOf(targets)}` : ''}.`;
        break;
      case 110:
        kind = 'event';
        body = `🎂 ${namesOf(targets) || actor()} has a birthday.`;
        break;
      default: {
        kind = 'event';
        const key = type ?? 'none';
        this.warnings.tally(`type ${typeof key} ${key}`, `Messages row ${row.id}`, (count) => `${plural(count, 'message')} of unknown type ${key} imported as events`);
        if (!raw.trim()) body = `${actor()}: Skype event (type ${type ?? 'unknown'})`;
      }
    }
    const textual = kind === 'text' || kind === 'emote' || kind === 'file' || kind === 'media';
    const deleted = textual && body.trim() === '';
    const record: MessageRecord = {
      nativeId,
      authorId,
      authorName,
      time,
      kind,
      body,
      markup: 'skype',
      editedAt,
      deleted,
    };
    if (attachments) record.attachments = attachments;
    return record;
  }

  /**
   * `<addmember>`, `<deletemember>`, `<topicupdate>`… exactly as exports write them: ids only, no
   * display names. The store merges the same event seen by another source (another account's
   * main.db, a later export) by its rendered text, and names differ between sources' contact lists
   * where ids never do.
   */
  private activity(tag: string, row: MessageRow, author: string, targets: string[], value?: string): string {
    let xml = `<${tag}><eventtime>${Number(row.timestamp) * 1000}</eventtime><initiator>${escapeXml(skypePersonId(author) ?? author)}</initiator>`;
    for (const target of targets) xml += `<target>${escapeXml(skypePersonId(target) ?? target)}</target>`;
    if (value !== undefined) xml += `<value>${value}</value>`;
    return `${xml}</${tag}>`;
  }

  /** A call's `<partlist>`: the one main.db has (typed), else one built from identities and Calls. */
  private callBody(row: MessageRow, raw: string, type: 'started' | 'ended', author: string, authorName: string | null, targets: string[]): string {
    const typed = typedPartlist(raw, type);
    if (typed !== null) return typed;
    const call = type === 'ended' ? this.extras.callOf(row) : null;
    const parts = new Map<string, { name: string | null; duration: number | null }>();
    parts.set(author, { name: authorName, duration: null });
    for (const target of targets) if (!parts.has(target)) parts.set(target, { name: this.people.nameOf(target), duration: null });
    if (call) {
      for (const member of call.members) {
        const part = parts.get(member.identity) ?? { name: member.name ?? this.people.nameOf(member.identity), duration: null };
        part.duration = member.duration ?? part.duration;
        parts.set(member.identity, part);
      }
      if (call.duration !== null && ![...parts.values()].some((p) => p.duration !== null)) {
        for (const part of parts.values()) part.duration = call.duration;
      }
    }
    let xml = `<partlist type="${type}" alt="">`;
    for (const [identity, part] of parts) {
      xml += `<part identity="${escapeXml(identity)}">`;
      if (part.name) xml += `<name>${escapeXml(part.name)}</name>`;
      if (type === 'ended' && part.duration !== null) xml += `<duration>${part.duration}</duration>`;
      xml += '</part>';
    }
    return `${xml}</partlist>`;
  }
}
