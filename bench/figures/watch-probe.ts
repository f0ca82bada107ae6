import { writeFile } from 'node:fs/promises';
import { skypeMessageJson, type Corpus, type CorpusChat, type CorpusMessage } from '../corpus.js';
import { conversationHead } from '../corpus/skype-export.js';
import { EXPORT_DATE, EXPORTING_USER_ID } from '../corpus/generator.js';

/**
 * The watch figure's change: one more message in the corpus's largest chat, carrying a unique
 * token, so the database, pages, feeds and search files can be checked for it.
 */
export interface Probe {
  chat: CorpusChat;
  token: string;
  timeMs: number;
  nativeId: string;
  json: string;
}

/** The `n`-th probe (1, 2, …): a minute after the chat's newest message, then a minute apart. */
export function createProbe(corpus: Corpus, n: number): Probe {
  const chat = corpus.chats.find((c) => c.sizeRank === 0) ?? corpus.chats[0]!;
  const author = chat.members.find((m) => !m.isBot && m.index !== 0) ?? chat.members[0]!;
  const timeMs = chat.newestTimeMs + 60_000 * n;
  const token = probeToken(n);
  const text = `watch probe ${token} arrived`;
  const message: CorpusMessage = {
    chat,
    nativeId: String(timeMs),
    timeMs,
    author,
    messageType: 'RichText',
    content: text,
    text,
    editTimeMs: null,
    hasDisplayName: true,
    fromWithoutPrefix: false,
  };
  return { chat, token, timeMs, nativeId: message.nativeId, json: skypeMessageJson(message) };
}

/**
 * A word no generated message contains and no stemmer shortens: consonants only (no s, e, y, l
 * endings), unique per run of the harness.
 */
function probeToken(n: number): string {
  const letters = 'bcdfghjkmnpqrtvwxz';
  let value = Date.now() * 100 + n;
  let word = '';
  while (value > 0) {
    word += letters[value % letters.length];
    value = Math.floor(value / letters.length);
  }
  return `qzprobe${word}`;
}

/**
 * Writes a small, newer export of the probe's chat holding only the probes so far (newest first),
 * as a user would drop the latest export of one chat beside an archive that already holds its
 * history: watching it costs what the change costs, not what re-reading the whole history costs.
 */
export async function writeRecentExport(file: string, probes: readonly Probe[]): Promise<void> {
  const chat = probes[0]!.chat;
  const list = [...probes].reverse().map((p) => p.json).join(',');
  await writeFile(file, `{"userId":${JSON.stringify(EXPORTING_USER_ID)},"exportDate":${JSON.stringify(EXPORT_DATE)},"conversations":[${conversationHead(chat)}${list}]}]}`);
}
