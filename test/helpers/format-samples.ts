import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import Database from 'better-sqlite3';
import { ADAPTERS } from '../../collector/sources/index.js';
import type { SourceAdapter } from '../../collector/sources/types.js';
import { folderEntries, writeTar, writeZip } from './archives.js';
import { mattermostSample } from './mattermost-sample.js';
import { slackSample } from './slack-sample.js';
import { matrixSample } from './matrix-sample.js';
import { teamsSample } from './teams-sample.js';
import { googleChatSample } from './google-chat-sample.js';
import { whatsappSample } from './whatsapp-sample.js';
import { instagramSample, messengerSample } from './meta-sample.js';

/**
 * One row per source format: how to write a small input of that format from the same abstract
 * chats, so that the reliability, security and property suites run over every adapter alike.
 * A new format is one new row here (the suites fail, naming the format, until it has one).
 */
export interface SampleMessage {
  /** Native message id, where the format has them. Unique within a chat unless a test repeats it. */
  id: string;
  /** Author handle: [a-z0-9]+ so that every format can carry it. */
  author: string;
  /** Display name; may be hostile. */
  authorName: string;
  /** UTC ms, a whole minute (the coarsest resolution of any format). */
  time: number;
  /** The body exactly as the format's file carries it (Skype: its XML-ish markup; logs: text). */
  body: string;
  /** A file name the message attaches, in formats whose exports carry files (FormatSample.mediaFile). */
  attachment?: string;
  /**
   * The root of the thread this message replies in (formats with `threads`): the root's id, author
   * and time, so that a reply can be written without its root (a back-filled root).
   */
  threadOf?: ThreadRoot;
}

export interface ThreadRoot {
  id: string;
  author: string;
  time: number;
}

export interface SampleChat {
  /** Native chat id; may be hostile. Formats that name chats by file name use a tamed form. */
  id: string;
  /** Chat title; may be hostile. */
  title: string;
  messages: SampleMessage[];
}

export interface FormatSample {
  format: string;
  /** Writes `chats` as an input of this format into the empty folder `dir`; returns the path to import. */
  write(dir: string, chats: SampleChat[]): string;
  /** The file of a written input whose bytes fuzzing mutates (the path itself for one file). */
  mainFile(path: string): string;
  /** The written input packed the way the format also ships (a .tar, a .zip), when it has one. */
  pack?(path: string, dir: string): string;
  /** Whether one input can hold several chats (else write() gets one chat at a time). */
  multiChat: boolean;
  /** The body is markup the source app rendered (so `<b>` is bold, not text). */
  markupBodies: boolean;
  /**
   * Formats with threads write SampleMessage.threadOf as the format's thread replies; `orphans`:
   * a reply can be written without its root (else the format nests replies in their root).
   */
  threads?: { orphans: boolean };
  /** JSON formats: how hand-made raw messages are put among the written ones (rawMessages below). */
  raw?: RawMessages;
  /**
   * Formats whose exports carry files: where a written input (unpacked) keeps the file of an
   * attachment named `name` (SampleMessage.attachment); the test puts something there.
   */
  mediaFile?(path: string, name: string): string;
}

/**
 * Where a JSON format's messages are and which of their fields an adapter or its markup converter
 * reads as a key into a table, or walks as nested structure — what hostile messages aim at.
 */
export interface RawMessages {
  /** A key every message object of the format has (and nothing else in its files). */
  messageKey: string;
  /**
   * Field assignments (dotted paths: `blocks.0.type`) in which `KEY` (in values, also inside
   * strings) is replaced by a hostile key such as `__proto__`: each set makes one message.
   */
  lookups: Record<string, unknown>[];
  /** Fields that may hold nested values: each gets a 5,000- and a 100,000-deep one. */
  nested: string[];
}

// ---------------------------------------------------------------------------------------------
// Skype "Export chats and files": messages.json in a folder

const skypeExportSample: FormatSample = {
  format: 'skype-export',
  multiChat: true,
  markupBodies: true,
  write(dir, chats) {
    const folder = join(dir, 'skype-export');
    mkdirSync(folder, { recursive: true });
    const conversations = chats.map((chat) => ({
      id: chat.id,
      displayName: chat.title,
      version: 1,
      properties: {},
      threadProperties: {
        membercount: 2,
        members: JSON.stringify([...new Set(chat.messages.map((m) => `8:${m.author}`))]),
        topic: chat.title,
      },
      // Real exports list messages newest first.
      MessageList: [...chat.messages].reverse().map((m) => ({
        id: m.id,
        displayName: m.authorName,
        originalarrivaltime: new Date(m.time).toISOString(),
        messagetype: m.attachment ? 'RichText/Media_GenericFile' : 'RichText',
        version: 1,
        content: m.attachment
          ? `<URIObject type="File.1" uri="https://api.asm.skype.com/v1/objects/${amsId(m.attachment)}" doc_id="${amsId(m.attachment)}"><OriginalName v="${m.attachment}"/></URIObject>`
          : m.body,
        conversationid: chat.id,
        from: `8:${m.author}`,
        properties: null,
        amsreferences: m.attachment ? [amsId(m.attachment)] : null,
      })),
    }));
    writeFileSync(join(folder, 'messages.json'), JSON.stringify({ userId: '8:owner', exportDate: '2024-01-01T00:00', conversations }));
    return folder;
  },
  mainFile: (path) => join(path, 'messages.json'),
  mediaFile: (path, name) => join(path, 'media', `${amsId(name)}.1${name.slice(name.lastIndexOf('.'))}`),
  raw: {
    messageKey: 'originalarrivaltime',
    lookups: [
      { messagetype: 'KEY' },
      { messagetype: 'RichText/Media_GenericFile', content: '<URIObject type="KEY" uri="https://x/KEY" doc_id="KEY"><OriginalName v="KEY.KEY"/></URIObject>' },
      { messagetype: 'ThreadActivity/KEY', content: '<KEY><KEY>x</KEY></KEY>' },
      { content: '<quote author="KEY" KEY="KEY" timestamp="1">x</quote><KEY KEY="KEY">y</KEY>', amsreferences: ['KEY'] },
    ],
    nested: ['content', 'properties', 'amsreferences'],
  },
  pack(path, dir) {
    const file = join(dir, 'skype-export.tar');
    writeTar(file, folderEntries(path));
    return file;
  },
};

/** The AMS id a sample attachment's file is stored under (`media/<id>.1.<ext>`). */
function amsId(name: string): string {
  return `0-weu-d1-${createHash('sha256').update(name).digest('hex').slice(0, 32)}`;
}

// ---------------------------------------------------------------------------------------------
// Skype classic main.db (the "new" schema of test/fixtures/skype-maindb)

const skypeMainDbSample: FormatSample = {
  format: 'skype-maindb',
  multiChat: true,
  markupBodies: true,
  write(dir, chats) {
    const file = join(dir, 'main.db');
    const db = new Database(file);
    try {
      db.exec(readFileSync(new URL('../../../test/fixtures/skype-maindb/schema-new.sql', import.meta.url), 'utf8'));
      db.prepare(`INSERT INTO Accounts (id, skypename, fullname) VALUES (1, 'owner', 'Owner')`).run();
      const convo = db.prepare(`INSERT INTO Conversations (id, identity, type, displayname, meta_topic) VALUES (?, ?, 2, ?, ?)`);
      const message = db.prepare(
        `INSERT INTO Messages (convo_id, chatname, author, from_dispname, guid, timestamp, type, chatmsg_type, body_xml)
         VALUES (?, ?, ?, ?, ?, ?, 61, 3, ?)`,
      );
      db.transaction(() => {
        chats.forEach((chat, i) => {
          convo.run(i + 1, chat.id, chat.title, chat.title);
          for (const m of chat.messages) {
            const guid = createHash('sha256').update(`${chat.id}\u0000${m.id}`).digest();
            message.run(i + 1, chat.id, m.author, m.authorName, guid, Math.floor(m.time / 1000), m.body);
          }
        });
      })();
    } finally {
      db.close();
    }
    return file;
  },
  mainFile: (path) => path,
};

// ---------------------------------------------------------------------------------------------
// DiscordChatExporter: one JSON file per channel (a folder of them for several)

const discordSample: FormatSample = {
  format: 'discord',
  multiChat: true,
  markupBodies: true,
  write(dir, chats) {
    const folder = join(dir, 'discord-export');
    mkdirSync(folder, { recursive: true });
    chats.forEach((chat, i) => {
      writeJson(join(folder, `channel-${i}.json`), {
        guild: { id: '1', name: 'Sample guild', iconUrl: 'https://cdn.discordapp.com/embed/avatars/0.png' },
        // The adapter takes ids of at most 100 characters (real ones are snowflakes): longer ones are cut.
        channel: { id: chat.id.slice(0, 100), type: 'GuildTextChat', categoryId: null, category: 'Text', name: chat.title, topic: null },
        dateRange: { after: null, before: null },
        exportedAt: '2024-01-01T00:00:00+00:00',
        messages: chat.messages.map((m) => ({
          id: m.id, type: 'Default', timestamp: new Date(m.time).toISOString().replace('Z', '+00:00'), timestampEdited: null,
          callEndedTimestamp: null, isPinned: false, content: m.body,
          author: { id: `1${[...m.author].map((c) => c.charCodeAt(0)).join('')}`, name: m.author, discriminator: '0000', nickname: m.authorName, color: null, isBot: false, roles: [] },
          attachments: m.attachment ? [{ id: m.id, url: `channel-${i}.json_Files/${m.attachment}`, fileName: m.attachment, fileSizeBytes: 1 }] : [],
          embeds: [], stickers: [], reactions: [], mentions: [], inlineEmojis: [],
        })),
        messageCount: chat.messages.length,
      });
    });
    return folder;
  },
  mainFile: (path) => join(path, 'channel-0.json'),
  // Attachments of the first chat's channel.
  mediaFile: (path, name) => join(path, 'channel-0.json_Files', name),
  raw: {
    messageKey: 'timestamp',
    lookups: [
      { type: 'KEY' },
      { type: 'KEY', content: '' },
      { 'embeds.0.type': 'KEY', 'embeds.0.title': 'KEY' },
      { 'attachments.0.fileName': 'KEY.KEY', 'attachments.0.url': 'KEY.KEY', 'attachments.0.id': 'KEY' },
      { 'stickers.0.format': 'KEY', 'stickers.0.name': 'KEY', 'stickers.0.sourceUrl': 'KEY.KEY' },
      { 'mentions.0.id': 'KEY', 'mentions.0.name': 'KEY', content: '<@KEY> <#KEY>' },
      { 'reactions.0.emoji.name': 'KEY', 'reactions.0.count': 1 },
    ],
    nested: ['content', 'embeds', 'attachments', 'stickers', 'mentions', 'reactions', 'reference', 'inlineEmojis', 'author.roles'],
  },
};

// ---------------------------------------------------------------------------------------------
// Telegram Desktop "Export Telegram data" (machine-readable JSON): result.json in a folder

const telegramSample: FormatSample = {
  format: 'telegram',
  multiChat: true,
  markupBodies: false,
  write(dir, chats) {
    const folder = join(dir, 'telegram-export');
    mkdirSync(folder, { recursive: true });
    const list = chats.map((chat) => ({
      name: chat.title,
      type: 'private_group',
      // Telegram's chat ids are numbers: another id becomes a number derived from it.
      id: /^\d{1,15}$/.test(chat.id) ? Number(chat.id) : numberOf(chat.id),
      messages: chat.messages.map((m) => ({
        id: /^\d+$/.test(m.id) ? Number(m.id) : m.id,
        type: 'message',
        date: new Date(m.time).toISOString().slice(0, 19),
        date_unixtime: String(Math.floor(m.time / 1000)),
        from: m.authorName,
        from_id: `user${[...m.author].map((c) => c.charCodeAt(0)).join('')}`,
        text: m.body,
        text_entities: [{ type: 'plain', text: m.body }],
        ...(m.attachment ? { file: `files/${m.attachment}`, file_name: m.attachment } : {}),
      })),
    }));
    writeJson(join(folder, 'result.json'), {
      about: 'Here is the data you requested.',
      personal_information: { user_id: 1, first_name: 'Owner', last_name: '', phone_number: '', username: '', bio: '' },
      chats: { about: 'This page lists all chats from this export.', list },
    });
    return folder;
  },
  mainFile: (path) => join(path, 'result.json'),
  mediaFile: (path, name) => join(path, 'files', name),
  raw: {
    messageKey: 'date_unixtime',
    lookups: [
      { media_type: 'KEY', file: '(File not included. Change data exporting settings to download.)' },
      { media_type: 'KEY', photo: 'photos/KEY.KEY', mime_type: 'KEY' },
      { type: 'service', action: 'KEY', actor: 'KEY' },
      { text: [{ type: 'KEY', text: 'KEY' }], text_entities: [{ type: 'KEY', text: 'KEY' }] },
      { 'reactions.0.type': 'KEY', 'reactions.0.emoji': 'KEY' },
    ],
    nested: ['text', 'text_entities', 'text_entities.0.text', 'poll', 'file', 'reactions', 'contact_information', 'location_information'],
  },
};

// ---------------------------------------------------------------------------------------------
// Helpers for one-line formats

/** What a file name (or a one-line log field) can hold of an id: no `/`, no NUL, no line breaks, ≤ 150 bytes. */
function fileNameOf(id: string): string {
  let name = id.replace(/\//g, '\u2215').replace(/\0/g, '\u2400').replace(/[\r\n]/g, ' ');
  while (Buffer.byteLength(name) > 150) name = name.slice(0, -1);
  return name;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

// ---------------------------------------------------------------------------------------------
// IRC: an irssi log, `<network>/<#channel>.log`, one chat

const DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

const ircSample: FormatSample = {
  format: 'irc',
  multiChat: false,
  markupBodies: false,
  write(dir, chats) {
    const [chat] = chats;
    const messages = [...chat.messages].sort((a, b) => a.time - b.time);
    const lines: string[] = [];
    let day = '';
    for (const m of messages) {
      const d = new Date(m.time);
      const date = `${DAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${pad(d.getUTCDate())}`;
      if (!day) lines.push(`--- Log opened ${date} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:00 ${d.getUTCFullYear()}`);
      else if (day !== date) lines.push(`--- Day changed ${date} ${d.getUTCFullYear()}`);
      day = date;
      // IRC has no multi-line messages: each line of a body is a line of its own.
      for (const line of m.body.split(/\r?\n/)) lines.push(`${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} < ${m.author}> ${line}`);
    }
    const folder = join(dir, 'samplenet');
    mkdirSync(folder, { recursive: true });
    const file = join(folder, `#${fileNameOf(chat.id).replace(/^#/, '')}.log`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  },
  mainFile: (path) => path,
};

/** A stable positive number for a string (FNV-1a, 32 bits). */
function numberOf(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193) >>> 0;
  return h || 1;
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 1));
}

// ---------------------------------------------------------------------------------------------

// Rows kept by the helpers who wrote those adapters live in their own files (slack-sample.ts…).
export const FORMAT_SAMPLES: readonly FormatSample[] = [skypeExportSample, skypeMainDbSample, slackSample, discordSample, telegramSample, whatsappSample, ircSample, teamsSample, googleChatSample, mattermostSample, matrixSample, messengerSample, instagramSample];

/**
 * How a format's input is also shipped packed (Slack and WhatsApp exports as a .zip), for rows
 * that do not say it themselves (FormatSample.pack).
 */
const PACKERS: Record<string, (path: string, dir: string) => string> = {
  slack(path, dir) {
    const file = join(dir, 'slack-export.zip');
    writeZip(file, folderEntries(path));
    return file;
  },
  whatsapp(path, dir) {
    const name = basename(path).replace(/^WhatsApp Chat with (.*)\.txt$/, 'WhatsApp Chat - $1.zip');
    const file = join(dir, name.endsWith('.zip') ? name : 'WhatsApp Chat - sample.zip');
    writeZip(file, [{ name: '_chat.txt', data: readFileSync(path) }]);
    return file;
  },
};

/** The packed form of a written input, or null when the format ships only unpacked. */
export function packed(sample: FormatSample, path: string, dir: string): string | null {
  const pack = sample.pack ?? PACKERS[sample.format];
  return pack ? pack(path, dir) : null;
}

/** Each registered adapter with its sample row; `sample` is undefined for a format with no row yet. */
export function adapterSamples(): { adapter: SourceAdapter; sample: FormatSample | undefined }[] {
  return ADAPTERS.map((adapter) => ({ adapter, sample: FORMAT_SAMPLES.find((s) => s.format === adapter.format) }));
}

/** Message author handles used by the samples: lower-case letters and digits only. */
export const AUTHORS = ['alice', 'bob', 'carol', 'dave'] as const;

/** A small ordinary chat, for fuzzing and bad-file tests. */
export function ordinaryChats(): SampleChat[] {
  const t0 = Date.UTC(2022, 2, 1, 9, 0);
  const say = (i: number, author: string, body: string): SampleMessage => ({
    id: `${1000 + i}`,
    author,
    authorName: author[0].toUpperCase() + author.slice(1),
    time: t0 + i * 60_000,
    body,
  });
  return [
    {
      id: '19:ordinary@thread.skype',
      title: 'Ordinary chat',
      messages: [
        say(0, 'alice', 'hello there'),
        say(1, 'bob', 'hi! how are you?'),
        say(2, 'alice', 'fine, thanks. see https://example.com/page'),
        say(3, 'carol', 'ünïcödé 你好 👍'),
        say(4, 'bob', 'bye'),
      ],
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Hostile messages for the JSON formats (FormatSample.raw)

/** Keys Object.prototype has: a lookup table that is a plain object finds them for any input. */
export const HOSTILE_KEYS = ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf'] as const;
/** Nesting depths: past the stack of any recursive walk or JSON.stringify, and past MAX_JSON_DEPTH (collector/sources/kit/json/parse.ts). */
export const HOSTILE_DEPTHS = [5_000, 100_000, 300_000] as const;

/**
 * One chat of a JSON format: a normal message, then one message per hostile case (each lookup
 * set of `sample.raw` with each hostile key; each nested field at each depth), then another
 * normal message. Returns the path to import, the two normal bodies and the hostile cases.
 */
export function writeHostileMessages(sample: FormatSample, dir: string): { path: string; normal: [string, string]; cases: string[] } {
  const raw = sample.raw!;
  const cases: { label: string; set: Record<string, unknown> }[] = [];
  for (const lookup of raw.lookups) {
    for (const key of HOSTILE_KEYS) cases.push({ label: `${JSON.stringify(lookup)} with ${key}`, set: withKey(lookup, key) as Record<string, unknown> });
  }
  for (const field of raw.nested) {
    for (const depth of HOSTILE_DEPTHS) cases.push({ label: `${field} ${depth} deep`, set: { [field]: `@@DEEP:${depth}@@` } });
  }
  const t0 = Date.UTC(2022, 4, 2, 8, 0);
  const normal: [string, string] = ['a normal message before', 'a normal message after'];
  const bodies = [normal[0], ...cases.map((_, i) => `hostile message ${i}`), normal[1]];
  const messages = bodies.map((body, i) => {
    const author = AUTHORS[i % AUTHORS.length];
    return { id: `${2000 + i}`, author, authorName: author, time: t0 + i * 60_000, body };
  });
  const path = sample.write(dir, [{ id: '19:hostile@thread.skype', title: 'Hostile messages', messages }]);
  const hostile = (json: unknown): string => {
    visitMessages(json, raw.messageKey, (m) => {
      const found = /hostile message (\d+)/.exec(JSON.stringify(m));
      if (found) for (const [field, value] of Object.entries(cases[Number(found[1])].set)) setPath(m, field, value);
    });
    return JSON.stringify(json).replace(/"@@DEEP:(\d+)@@"/g, (_, n: string) => deepJson(Number(n)));
  };
  for (const file of jsonFiles(path)) {
    const text = readFileSync(file, 'utf8');
    if (!text.includes('hostile message ')) continue;
    // JSON Lines (Mattermost): each line a value of its own.
    if (file.endsWith('.jsonl')) writeFileSync(file, text.split('\n').map((line) => (line.trim() ? hostile(JSON.parse(line)) : line)).join('\n'));
    else writeFileSync(file, hostile(JSON.parse(text)));
  }
  return { path, normal, cases: cases.map((c) => c.label) };
}

/** `[{"x":[{"x":…1…}]}]`, `depth` levels of arrays and objects. */
function deepJson(depth: number): string {
  return '[{"x":'.repeat(depth / 2) + '1' + '}]'.repeat(depth / 2);
}

function withKey(value: unknown, key: string): unknown {
  if (typeof value === 'string') return value.replaceAll('KEY', key);
  if (Array.isArray(value)) return value.map((v) => withKey(v, key));
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withKey(v, key)]));
  return value;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const parts = path.split('.');
  let at: Record<string, unknown> = target;
  for (const [i, part] of parts.slice(0, -1).entries()) {
    if (!at[part] || typeof at[part] !== 'object') at[part] = /^\d+$/.test(parts[i + 1]) ? [] : {};
    at = at[part] as Record<string, unknown>;
  }
  at[parts[parts.length - 1]] = value;
}

function visitMessages(value: unknown, messageKey: string, visit: (m: Record<string, unknown>) => void): void {
  if (Array.isArray(value)) for (const v of value) visitMessages(v, messageKey, visit);
  else if (value && typeof value === 'object') {
    if (Object.hasOwn(value, messageKey)) visit(value as Record<string, unknown>);
    else for (const v of Object.values(value)) visitMessages(v, messageKey, visit);
  }
}

function jsonFiles(path: string): string[] {
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path, { withFileTypes: true }).flatMap((d) => (d.isDirectory() ? jsonFiles(join(path, d.name)) : /\.jsonl?$/.test(d.name) ? [join(path, d.name)] : []));
}
