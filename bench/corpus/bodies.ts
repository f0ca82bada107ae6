import { exponential, pick, randomInt, type Random } from './prng.js';
import type { Vocabulary } from './vocabulary.js';

/**
 * Message bodies in two forms at once: `content` the way a Skype export stores it (HTML-escaped,
 * with Skype's markup) and `text` the plain text a reader sees, for reference systems that only
 * need words.
 */
export type SkypeMessageType = 'RichText' | 'Text' | 'Event/Call' | 'ThreadActivity/AddMember';

export interface MessageBody {
  messageType: SkypeMessageType;
  content: string;
  text: string;
}

/** Who a body can mention or involve; the generator's authors satisfy it. */
export interface BodyPerson {
  id: string;
  name: string;
}

/** Escapes text for Skype's HTML-ish `content` (Skype escapes exactly these three). */
export function escapeSkype(text: string): string {
  if (!/[&<>]/.test(text)) return text;
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

const TLDS = ['com', 'org', 'net', 'io', 'dev', 'de', 'co.uk'];
const SPECIAL_TOKENS = ['<', '>', '&', 'a<b', 'R&D', '->', '<3', '"quoted"', "it's", 'x>=y', '<tag>', 'AT&T'];
const EMOTICONS: readonly [type: string, shown: string][] = [['smile', ':)'], ['laugh', ':D'], ['wink', ';)'], ['sad', ':('], ['cool', '(cool)'], ['heart', '(heart)']];
const HOSTILE_TEXTS = ['<script>alert(1)</script>', '<img src=x onerror=alert(1)>', '<a href="javascript:alert(1)">click</a>'];
const LOG_LEVELS = ['INFO', 'DEBUG', 'WARN', 'ERROR'];

/** Shares of message lengths: one word to long pastes, tuned to ~400 JSON bytes per message. */
const SHORT_SHARE = 0.6;
const MEDIUM_SHARE = 0.32;
const LONG_SHARE = 0.074;

export interface BodyComposer {
  userMessage(random: Random, members: readonly BodyPerson[]): MessageBody;
  botMessage(random: Random): MessageBody;
  callEvent(random: Random, participants: readonly BodyPerson[]): MessageBody;
  addMemberEvent(timeMs: number, initiator: BodyPerson, target: BodyPerson): MessageBody;
}

export function createBodyComposer(vocabulary: Vocabulary): BodyComposer {
  const word = (random: Random): string => vocabulary.sample(random);

  function rareToken(random: Random, members: readonly BodyPerson[]): { text: string; url?: string } | null {
    const roll = random();
    if (roll < 0.012) return { text: numberToken(random) };
    if (roll < 0.016) {
      const url = urlToken(random, word);
      return { text: url, url };
    }
    if (roll < 0.022 && members.length > 0) return { text: pick(random, members).name.split(' ')[0]! };
    if (roll < 0.0235) return { text: pick(random, SPECIAL_TOKENS) };
    return null;
  }

  function userMessage(random: Random, members: readonly BodyPerson[]): MessageBody {
    const roll = random();
    if (roll >= SHORT_SHARE + MEDIUM_SHARE + LONG_SHARE) return paste(random, word);
    if (random() < 0.0005) return plainBody(random() < 0.5 ? 'RichText' : 'Text', pick(random, HOSTILE_TEXTS));
    const wordCount = roll < SHORT_SHARE ? randomInt(random, 1, 8)
      : roll < SHORT_SHARE + MEDIUM_SHARE ? randomInt(random, 9, 30) : randomInt(random, 30, 120);
    const messageType = random() < 0.85 ? 'RichText' : 'Text';
    const rich = messageType === 'RichText';
    const styled = rich && random() < 0.03 ? randomInt(random, 0, wordCount - 1) : -1;
    let text = '';
    let content = '';
    let sentenceStart = true;
    for (let i = 0; i < wordCount; i++) {
      const rare = rareToken(random, members);
      let token = rare ? rare.text : word(random);
      if (sentenceStart && !rare) token = token.charAt(0).toUpperCase() + token.slice(1);
      sentenceStart = false;
      let html = rare?.url && rich ? `<a href="${escapeSkype(rare.url)}">${escapeSkype(rare.url)}</a>` : escapeSkype(token);
      if (i === styled) html = random() < 0.5 ? `<b>${html}</b>` : `<i>${html}</i>`;
      let separator = ' ';
      if (i < wordCount - 1 && wordCount > 6) {
        const p = random();
        if (p < 0.07) {
          separator = pick(random, ['. ', '? ', '! ']);
          sentenceStart = true;
        } else if (p < 0.12) separator = ', ';
      } else if (i === wordCount - 1 && wordCount > 3 && random() < 0.6) separator = pick(random, ['.', '.', '?', '!']);
      else if (i === wordCount - 1) separator = '';
      text += token + separator;
      content += html + escapeSkype(separator);
    }
    if (rich && random() < 0.02) {
      const [type, shown] = pick(random, EMOTICONS);
      text += ` ${shown}`;
      content += ` <ss type="${type}">${escapeSkype(shown)}</ss>`;
    }
    return { messageType, content, text };
  }

  function botMessage(random: Random): MessageBody {
    const n = randomInt(random, 1, 40);
    const templates = [
      () => `Build #${1200 + n} passed on main`,
      () => `Build #${1200 + n} FAILED on main: 3 tests failing`,
      () => 'Nightly backup completed successfully.',
      () => 'Reminder: standup in 5 minutes',
      () => `Service ${vocabulary.words[vocabulary.firstPseudoWordRank + n]} is DOWN (HTTP 503)`,
      () => `Service ${vocabulary.words[vocabulary.firstPseudoWordRank + n]} is back UP`,
      () => `Disk usage on db-${n % 4} > 90% & rising`,
    ];
    return plainBody('Text', pick(random, templates)());
  }

  return { userMessage, botMessage, callEvent, addMemberEvent };
}

function plainBody(messageType: SkypeMessageType, text: string): MessageBody {
  return { messageType, content: escapeSkype(text), text };
}

function numberToken(random: Random): string {
  switch (randomInt(random, 0, 6)) {
    case 0: return String(randomInt(random, 0, 9999));
    case 1: return `${randomInt(random, 0, 99)}.${randomInt(random, 0, 99)}`;
    case 2: return `v${randomInt(random, 0, 9)}.${randomInt(random, 0, 30)}.${randomInt(random, 0, 99)}`;
    case 3: return `${randomInt(random, 0, 23)}:${String(randomInt(random, 0, 59)).padStart(2, '0')}`;
    case 4: return `#${randomInt(random, 1000, 99999)}`;
    case 5: return `+49 ${randomInt(random, 100, 999)} ${randomInt(random, 1000000, 9999999)}`;
    default: return String(randomInt(random, 1990, 2030));
  }
}

function urlToken(random: Random, word: (r: Random) => string): string {
  const host = `${asciiOnly(word(random))}${randomInt(random, 1, 999)}.${pick(random, TLDS)}`;
  if (random() < 0.3) return `https://www.${host}/search?q=${asciiOnly(word(random))}&page=${randomInt(random, 1, 9)}`;
  return `https://${host}/${asciiOnly(word(random))}/${randomInt(random, 1, 99999)}`;
}

function asciiOnly(token: string): string {
  return token.normalize('NFKD').replace(/[^a-z0-9]/gi, '').toLowerCase() || 'x';
}

/** A pasted log or code snippet: many lines, a few KB, full of characters that need escaping. */
function paste(random: Random, word: (r: Random) => string): MessageBody {
  const lines: string[] = [];
  const targetBytes = 1000 + Math.floor(exponential(random, 2000));
  const isLog = random() < 0.5;
  let size = 0;
  let clock = randomInt(random, 0, 86_000);
  while (size < Math.min(targetBytes, 8000)) {
    clock += randomInt(random, 0, 30);
    const line = isLog
      ? `${fmtClock(clock)} ${pick(random, LOG_LEVELS)} [worker-${randomInt(random, 1, 8)}] ${word(random)} ${word(random)}: code=${randomInt(random, 0, 599)} path=/var/lib/${asciiOnly(word(random))}/${randomInt(random, 1, 999)}`
      : `  if (${asciiOnly(word(random))} < ${randomInt(random, 0, 99)} && ${asciiOnly(word(random))} > 0) { return "${word(random)}" + ${asciiOnly(word(random))}; }`;
    lines.push(line);
    size += line.length + 1;
  }
  const text = lines.join('\n');
  return { messageType: 'RichText', content: escapeSkype(text), text };
}

function fmtClock(seconds: number): string {
  const s = seconds % 86_400;
  const two = (n: number): string => String(n).padStart(2, '0');
  return `${two(Math.floor(s / 3600))}:${two(Math.floor(s / 60) % 60)}:${two(s % 60)}`;
}

/** Skype's call record: identities lose the `8:` prefix inside the partlist. */
function callEvent(random: Random, participants: readonly BodyPerson[]): MessageBody {
  const ended = random() < 0.7;
  const seconds = randomInt(random, 5, 3600);
  const parts = participants
    .map((p) => `<part identity="${escapeSkype(p.id.replace(/^8:/, ''))}"><name>${escapeSkype(p.name)}</name>${ended ? `<duration>${seconds}</duration>` : ''}</part>`)
    .join('');
  const content = `<partlist type="${ended ? 'ended' : 'started'}" alt="">${parts}</partlist>`;
  const text = ended ? `Call ended (${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')})` : 'Call started';
  return { messageType: 'Event/Call', content, text };
}

function addMemberEvent(timeMs: number, initiator: BodyPerson, target: BodyPerson): MessageBody {
  const content = `<addmember><eventtime>${timeMs}</eventtime><initiator>${initiator.id}</initiator><target>${target.id}</target></addmember>`;
  return { messageType: 'ThreadActivity/AddMember', content, text: `${initiator.name} added ${target.name}` };
}
