import { createHash } from 'node:crypto';
import { messageKey } from '../../collector/identity/key.js';
import { openStore } from '../../collector/store/open.js';
import { StoreWriter, type ImportCounts } from '../../collector/store/writer.js';
import { touchChangeMarker } from '../../collector/store/marker.js';
import type { Attachment, ChatRecord, MessageKind, PersonRecord } from '../../collector/model.js';
import { storeWriter } from '../../collector/import/store-writer.js';

/**
 * Builds chatchannels databases for site tests through the real StoreWriter (so keys, anchors,
 * periods and html are exactly what an import produces), with `plain` markup bodies.
 */
export interface FixtureMessage {
  /** Stable source id: becomes the key's identity (else the body does). */
  nativeId?: string;
  author: string;
  authorName?: string | null;
  /** UTC ms or an ISO string. */
  time: number | string;
  body: string;
  /** Markup converter (collector/markup): 'plain' unless given. */
  markup?: string;
  kind?: MessageKind;
  editedAt?: number | string | null;
  deleted?: boolean;
  /** nativeId of the message (in the same chat) this one replies to. */
  replyTo?: string;
  /** Or a raw reply key. */
  replyToKey?: string;
  attachments?: Attachment[];
  flags?: number;
}

export interface FixtureChat {
  nativeId: string;
  title?: string | null;
  kind?: 'group' | 'direct' | 'channel';
  members?: PersonRecord[];
  /** The exporting account (model.ts ChatRecord.owner). */
  owner?: string;
  messages: FixtureMessage[];
}

export interface FixtureMedia {
  name: string;
  type?: string;
  bytes: Buffer;
}

export function toTime(value: number | string): number {
  return typeof value === 'number' ? value : Date.parse(value);
}

/** The key the store gives a message with occurrence 0 (what replies refer to). */
export function fixtureKey(chat: string, message: FixtureMessage): string {
  return messageKey({ chat, author: message.author, time: toTime(message.time), identity: message.nativeId ?? message.body });
}

export function mediaHash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Writes chats (and media) into `file` (created or extended) in one transaction. */
export function writeFixture(file: string, chats: FixtureChat[], media: FixtureMedia[] = []): ImportCounts {
  const db = openStore(file);
  try {
    const writer = storeWriter(db);
    db.exec('BEGIN IMMEDIATE');
    try {
      for (const m of media) writer.media(mediaHash(m.bytes), m.name, m.type, m.bytes);
      for (const chat of chats) {
        const record: ChatRecord = { nativeId: chat.nativeId, title: chat.title, kind: chat.kind, members: chat.members, owner: chat.owner };
        writer.beginChat(record, 'fixture');
        const byNative = new Map(chat.messages.filter((m) => m.nativeId).map((m) => [m.nativeId!, m]));
        for (const m of chat.messages) {
          const target = m.replyTo ? byNative.get(m.replyTo) : undefined;
          writer.message({
            nativeId: m.nativeId,
            authorId: m.author,
            authorName: m.authorName,
            time: toTime(m.time),
            kind: m.kind ?? 'text',
            body: m.body,
            markup: m.markup ?? 'plain',
            editedAt: m.editedAt === undefined || m.editedAt === null ? null : toTime(m.editedAt),
            deleted: m.deleted,
            replyToKey: m.replyToKey ?? (target ? fixtureKey(chat.nativeId, target) : null),
            attachments: m.attachments,
            flags: m.flags,
          });
        }
      }
      const counts = writer.finish();
      db.exec('COMMIT');
      touchChangeMarker(file); // as importPaths does: what a serving site watches
      return counts;
    } catch (err) {
      db.exec('ROLLBACK');
      throw err;
    }
  } finally {
    db.close();
  }
}

/** Small deterministic PRNG (mulberry32) for generated fixtures. */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const WORDS = (
  'the be to of and a in that have it for not on with as you do at this but by from they we say or an will ' +
  'my one all would there what so up out if about who get which go me when make can like time no just know ' +
  'take people into year good some could see other than then now look only come over think also back after ' +
  'use two how our work first well way even new want because any these give day most lol thanks hi hey sure ' +
  'maybe tomorrow today meeting build release fix bug test deploy café naïve 你好 👍 🎉'
).split(' ');

export interface GeneratedOptions {
  chats: number;
  messages: number;
  people?: number;
  seed?: number;
  start?: number;
  end?: number;
}

/**
 * A synthetic corpus: Zipf-ish chat sizes, bursts of conversation, replies, edits, a few events.
 * Written in batches, so memory stays small for hundreds of thousands of messages.
 */
export function writeGenerated(file: string, options: GeneratedOptions): void {
  const rnd = random(options.seed ?? 1);
  const people = Array.from({ length: options.people ?? 300 }, (_, i) => ({
    nativeId: `8:live:person${i}`,
    displayName: `${['Alice', 'Bob', 'Carol', 'Dave', 'Erin', 'Frank', 'Grace', 'Heidi', 'Ivan', 'Judy'][i % 10]} ${['Smith', 'Jones', 'Brown', 'Lee', 'Wang', 'Müller', 'García', 'Kim'][Math.floor(i / 10) % 8]} ${i}`,
  }));
  const start = options.start ?? Date.UTC(2017, 0, 1);
  const end = options.end ?? Date.UTC(2025, 0, 1);
  const weights = Array.from({ length: options.chats }, (_, i) => 1 / (i + 1));
  const total = weights.reduce((a, b) => a + b, 0);
  for (let c = 0; c < options.chats; c++) {
    const count = Math.max(1, Math.round((options.messages * weights[c]) / total));
    const members = Array.from({ length: 2 + Math.floor(rnd() * 8) }, () => people[Math.floor(rnd() * people.length)]);
    const chatStart = start + Math.floor(rnd() * (end - start) * 0.5);
    const span = end - chatStart;
    const messages: FixtureMessage[] = [];
    let t = chatStart;
    const step = span / count;
    for (let i = 0; i < count; i++) {
      t += Math.floor(rnd() < 0.7 ? rnd() * 120_000 : rnd() * step * 2);
      if (t >= end) t = end - 1 - (count - i);
      const author = members[Math.floor(rnd() * members.length)];
      const words = 3 + Math.floor(rnd() * 18);
      let body = '';
      for (let w = 0; w < words; w++) body += (w ? ' ' : '') + WORDS[Math.floor(Math.pow(rnd(), 2) * WORDS.length)];
      const m: FixtureMessage = { nativeId: `${c}-${i}`, author: author.nativeId, authorName: author.displayName, time: t, body };
      if (rnd() < 0.03) m.editedAt = t + 60_000;
      if (rnd() < 0.05 && i > 0) m.replyTo = `${c}-${Math.floor(rnd() * i)}`;
      if (rnd() < 0.01) m.kind = 'event';
      messages.push(m);
    }
    const chat: FixtureChat = {
      nativeId: c % 5 === 0 ? members[0].nativeId + `-direct-${c}` : `19:chat${c}@thread.skype`,
      title: c % 5 === 0 ? null : `Chat number ${c}`,
      kind: c % 5 === 0 ? 'direct' : 'group',
      members,
      messages,
    };
    writeFixture(file, [chat]);
  }
}
