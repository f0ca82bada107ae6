import { createBodyComposer, type BodyComposer, type MessageBody, type SkypeMessageType } from './bodies.js';
import { createRandom, deriveSeed, exponential, pick, randomInt, shuffle, type Random } from './prng.js';
import { botName, createVocabulary, personName, type Vocabulary } from './vocabulary.js';
import { createZipf, zipfShares } from './zipf.js';

/**
 * The synthetic chat corpus: authors, chats (Zipf-sized, a few very large) and their messages,
 * generated lazily chat by chat, newest message first (the order of a Skype export). Each chat has
 * its own seeded stream, so memory stays fixed whatever the message count and any chat can be
 * regenerated alone.
 */
export interface CorpusOptions {
  /** Total number of messages over all chats. */
  messages: number;
  chats?: number;
  authors?: number;
  seed?: number;
}

export interface ResolvedCorpusOptions {
  messages: number;
  chats: number;
  authors: number;
  seed: number;
}

export const DEFAULT_CHATS = 200;
export const DEFAULT_AUTHORS = 1000;
export const DEFAULT_SEED = 1;

/** The account that made the export; a member of every chat. */
export const EXPORTING_USER_ID = '8:live:benchuser';
/** Corpus time range: several years, ending just before the export date. */
export const CORPUS_START_MS = Date.UTC(2017, 0, 1);
export const CORPUS_END_MS = Date.UTC(2025, 1, 28, 22, 0);
export const EXPORT_DATE = '2025-03-01T10:00';

export interface CorpusAuthor {
  index: number;
  /** Skype id, e.g. `8:live:alice.smith` or `8:live:.cid.0123456789abcdef`. */
  id: string;
  name: string;
  isBot: boolean;
}

export interface CorpusChat {
  index: number;
  /** 0 for the largest chat. */
  sizeRank: number;
  kind: 'group' | 'direct';
  /** `19:<hex>@thread.skype` for groups, the other person's id for 1:1 chats. */
  id: string;
  /** Group topic or the other person's name; null for a few untitled groups. */
  title: string | null;
  members: readonly CorpusAuthor[];
  messageCount: number;
  /** Time of the newest message (also used for the conversation's header fields). */
  newestTimeMs: number;
  /** The chat's messages, newest first. */
  messages(): Generator<CorpusMessage>;
}

export interface CorpusMessage {
  chat: CorpusChat;
  /** Skype message id (arrival milliseconds, offset within a burst to stay unique). */
  nativeId: string;
  timeMs: number;
  author: CorpusAuthor;
  messageType: SkypeMessageType;
  /** Skype `content`: escaped text with Skype markup. */
  content: string;
  /** Plain text as a reader sees it. */
  text: string;
  editTimeMs: number | null;
  /** Whether the export carries the sender's display name on this message (often null in real files). */
  hasDisplayName: boolean;
  /** Whether `from` lacks the `8:` prefix, as in some real exports. */
  fromWithoutPrefix: boolean;
}

export interface Corpus {
  options: ResolvedCorpusOptions;
  authors: readonly CorpusAuthor[];
  vocabulary: Vocabulary;
  chats: readonly CorpusChat[];
}

export function resolveCorpusOptions(options: CorpusOptions): ResolvedCorpusOptions {
  const resolved = {
    messages: options.messages,
    chats: options.chats ?? DEFAULT_CHATS,
    authors: options.authors ?? DEFAULT_AUTHORS,
    seed: options.seed ?? DEFAULT_SEED,
  };
  if (!Number.isSafeInteger(resolved.messages) || resolved.messages < 0) throw new RangeError('messages must be a non-negative integer');
  if (!Number.isSafeInteger(resolved.chats) || resolved.chats < 1) throw new RangeError('chats must be at least 1');
  if (!Number.isSafeInteger(resolved.authors) || resolved.authors < 4) throw new RangeError('authors must be at least 4');
  return resolved;
}

/** Builds the corpus's fixed-size parts (authors, vocabulary, chat headers); messages stay lazy. */
export function createCorpus(options: CorpusOptions): Corpus {
  const resolved = resolveCorpusOptions(options);
  const vocabulary = createVocabulary(resolved.seed);
  const authors = createAuthors(resolved);
  const composer = createBodyComposer(vocabulary);
  const chats = createChats(resolved, authors, vocabulary, composer);
  return { options: resolved, authors, vocabulary, chats };
}

/** Every message of the corpus, chat after chat, each chat newest first. */
export function* corpusMessages(corpus: Corpus): Generator<CorpusMessage> {
  for (const chat of corpus.chats) yield* chat.messages();
}

const BOT_SHARE = 0.005;
const CID_SHARE = 0.15;

function createAuthors(options: ResolvedCorpusOptions): CorpusAuthor[] {
  const random = createRandom(deriveSeed(options.seed, 0x61757468));
  const botCount = Math.max(2, Math.round(options.authors * BOT_SHARE));
  const usedIds = new Set<string>([EXPORTING_USER_ID]);
  const authors: CorpusAuthor[] = [{ index: 0, id: EXPORTING_USER_ID, name: 'Bench User', isBot: false }];
  for (let index = 1; index < options.authors; index++) {
    const isBot = index >= options.authors - botCount;
    const name = isBot ? botName(index - (options.authors - botCount)) : personName(random);
    let id = !isBot && random() < CID_SHARE ? `8:live:.cid.${hex(random, 16)}` : `8:live:${name.handle}`;
    for (let n = 2; usedIds.has(id); n++) id = `8:live:${name.handle}${n}`;
    usedIds.add(id);
    authors.push({ index, id, name: name.displayName, isBot });
  }
  return authors;
}

const CHAT_SIZE_EXPONENT = 1.0;
const DIRECT_CHAT_SHARE = 0.35;
const BOT_CHAT_SHARE = 0.15;

function createChats(options: ResolvedCorpusOptions, authors: readonly CorpusAuthor[], vocabulary: Vocabulary, composer: BodyComposer): CorpusChat[] {
  const random = createRandom(deriveSeed(options.seed, 0x63686174));
  const sizes = zipfShares(options.messages, options.chats, CHAT_SIZE_EXPONENT);
  // Real exports list chats in no particular size order: spread the big ones around.
  const rankAtPosition = shuffle(random, Array.from({ length: options.chats }, (_, i) => i));
  const people = authors.filter((a) => a.index > 0 && !a.isBot);
  const bots = authors.filter((a) => a.isBot);
  const membershipZipf = createZipf(people.length, 0.8);
  const directPartners = new Set<CorpusAuthor>();
  const chats: CorpusChat[] = [];
  for (let index = 0; index < options.chats; index++) {
    const sizeRank = rankAtPosition[index]!;
    const messageCount = sizes[sizeRank]!;
    const newestTimeMs = sizeRank < 10 || random() < 0.6
      ? CORPUS_END_MS - Math.floor(exponential(random, 3 * DAY_MS))
      : randomInt(random, CORPUS_START_MS + YEAR_MS, CORPUS_END_MS);
    const spanShare = sizeRank < 10 ? 0.95 : 0.05 + 0.95 * random();
    const targetSpanMs = (newestTimeMs - CORPUS_START_MS) * spanShare;
    const wantsDirect = sizeRank >= 5 && random() < DIRECT_CHAT_SHARE && directPartners.size < people.length / 2;
    let header: Omit<CorpusChat, 'messages' | 'index' | 'sizeRank' | 'messageCount' | 'newestTimeMs'>;
    if (wantsDirect) {
      let partner = pick(random, people);
      while (directPartners.has(partner)) partner = pick(random, people);
      directPartners.add(partner);
      header = { kind: 'direct', id: partner.id, title: partner.name, members: [authors[0]!, partner] };
    } else {
      const memberCount = Math.min(people.length, 2 + Math.max(1, Math.floor(Math.sqrt(messageCount) * 0.5 * random())));
      const members = new Set<CorpusAuthor>([authors[0]!]);
      for (let tries = 0; members.size < memberCount + 1 && tries < memberCount * 20; tries++) members.add(people[membershipZipf.sample(random)]!);
      for (let i = 0; members.size < memberCount + 1; i++) members.add(people[i]!);
      if (sizeRank === 0 || random() < BOT_CHAT_SHARE) members.add(pick(random, bots));
      const title = random() < 0.05 ? null : chatTopic(random, vocabulary);
      header = { kind: 'group', id: `19:${hex(random, 32)}@thread.skype`, title, members: [...members] };
    }
    const chat: CorpusChat = {
      ...header,
      index,
      sizeRank,
      messageCount,
      newestTimeMs,
      messages: () => chatMessages(chat, deriveSeed(options.seed, 0x6d736773, index), targetSpanMs, composer),
    };
    chats.push(chat);
  }
  return chats;
}

function chatTopic(random: Random, vocabulary: Vocabulary): string {
  const words: string[] = [];
  for (let n = randomInt(random, 1, 4); n > 0; n--) words.push(vocabulary.words[vocabulary.firstPseudoWordRank + randomInt(random, 0, 3000)]!);
  const topic = words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join(' ');
  return random() < 0.1 ? `${topic} 🎉` : random() < 0.05 ? `${topic} & friends` : topic;
}

const SECOND_MS = 1000;
const DAY_MS = 86_400_000;
const YEAR_MS = 365 * DAY_MS;
const MONTH_MS = 30.44 * DAY_MS;

/**
 * Activity per (chat, month): bursts, normal months and quiet months. Walking back in time with gaps
 * scaled by these factors puts more messages into burst months and few into quiet ones.
 */
const MONTH_ACTIVITY: readonly { share: number; gapFactor: number }[] = [
  { share: 0.2, gapFactor: 0.15 },
  { share: 0.6, gapFactor: 1 },
  { share: 0.2, gapFactor: 8 },
];
/** Mean gap per message relative to the base gap, so a chat spans about its target time. */
const MEAN_GAP_FACTOR = 1 / MONTH_ACTIVITY.reduce((sum, m) => sum + m.share / m.gapFactor, 0);

function monthGapFactor(chatSeed: number, timeMs: number): number {
  let h = Math.imul(chatSeed ^ Math.floor(timeMs / MONTH_MS), 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 15), 0x85ebca6b);
  h = ((h ^ (h >>> 13)) >>> 0) / 4294967296;
  for (const month of MONTH_ACTIVITY) {
    if (h < month.share) return month.gapFactor;
    h -= month.share;
  }
  return 1;
}

/** Within a month, conversations cluster: mostly quick replies, sometimes long pauses (mean 1). */
function conversationalGap(random: Random): number {
  return random() < 0.8 ? exponential(random, 0.1) : exponential(random, 4.6);
}

function* chatMessages(chat: CorpusChat, chatSeed: number, targetSpanMs: number, composer: BodyComposer): Generator<CorpusMessage> {
  const random = createRandom(chatSeed);
  const speakers = shuffle(random, [...chat.members]);
  const speakerZipf = createZipf(speakers.length, 1.1);
  const bots = chat.members.filter((m) => m.isBot);
  const humans = chat.members.filter((m) => !m.isBot);
  const oldestTimeMs = chat.newestTimeMs - targetSpanMs;
  let timeMs = chat.newestTimeMs;
  let remaining = chat.messageCount;
  let first = true;
  while (remaining > 0) {
    // The largest chat opens with a bot burst so that even tiny corpora contain identical bot lines.
    const author = first && chat.sizeRank === 0 && bots.length > 0 ? bots[0]! : speakers[speakerZipf.sample(random)]!;
    if (author.isBot) {
      const burst = Math.min(remaining, first ? 3 : pick(random, [1, 1, 1, 2, 2, 3, 4]));
      const body = composer.botMessage(random);
      for (let k = 0; k < burst; k++) yield message(chat, timeMs, k, author, body, null, random);
      remaining -= burst;
    } else {
      yield message(chat, timeMs, 0, author, pickBody(random, chat, author, humans, timeMs, composer), editTime(random, timeMs), random);
      remaining--;
    }
    first = false;
    // Re-aim at the chat's first day after every step and never jump more than half the way there,
    // so that random long gaps cannot push a small chat decades into the past.
    const timeLeftMs = Math.max(0, timeMs - oldestTimeMs);
    const baseGapMs = timeLeftMs / Math.max(1, remaining) / MEAN_GAP_FACTOR;
    const gap = Math.min(timeLeftMs / 2, baseGapMs * monthGapFactor(chatSeed, timeMs) * conversationalGap(random));
    timeMs -= Math.max(SECOND_MS, Math.round(gap));
  }
}

function pickBody(random: Random, chat: CorpusChat, author: CorpusAuthor, humans: readonly CorpusAuthor[], timeMs: number, composer: BodyComposer): MessageBody {
  const roll = random();
  if (roll < 0.005) return composer.callEvent(random, shuffle(random, [...humans]).slice(0, randomInt(random, 1, Math.min(4, humans.length))));
  if (roll < 0.007 && chat.kind === 'group') return composer.addMemberEvent(timeMs, author, pick(random, chat.members));
  return composer.userMessage(random, chat.members);
}

function editTime(random: Random, timeMs: number): number | null {
  return random() < 0.03 ? timeMs + SECOND_MS + Math.floor(exponential(random, 120_000)) : null;
}

function message(chat: CorpusChat, timeMs: number, burstIndex: number, author: CorpusAuthor, body: MessageBody, editTimeMs: number | null, random: Random): CorpusMessage {
  return {
    chat,
    nativeId: String(timeMs + burstIndex),
    timeMs,
    author,
    messageType: body.messageType,
    content: body.content,
    text: body.text,
    editTimeMs: body.messageType === 'RichText' || body.messageType === 'Text' ? editTimeMs : null,
    hasDisplayName: random() < 0.7,
    fromWithoutPrefix: random() < 0.02,
  };
}

function hex(random: Random, digits: number): string {
  let out = '';
  for (let i = 0; i < digits; i++) out += Math.floor(random() * 16).toString(16);
  return out;
}
