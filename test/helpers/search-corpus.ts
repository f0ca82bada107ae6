import { openStore } from '../../collector/store/open.js';
import { storeWriter } from '../../collector/import/store-writer.js';

/** A small deterministic multi-chat corpus for the search tests, written through the real StoreWriter. */
const VOCABULARY = (
  'alpha bravo charlie delta echo foxtrot golf hotel india juliet kilo lima mike november oscar papa quebec ' +
  'romeo sierra tango uniform victor whiskey xray yankee zulu running runner runs ran deploy deployed deploying ' +
  'server servers database databases meeting meetings tomorrow today yesterday lunch coffee café naïve 北京 ' +
  '北京大学 東京 مرحبا سلام 🎉 👍 the and of to is it'
).split(' ');

function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

export interface CorpusMessage {
  chat: string;
  slug?: string;
  author: string;
  authorName: string;
  time: number;
  text: string;
  deleted?: boolean;
}

export const CHATS = [
  { nativeId: '19:alpha@thread.skype', title: 'Project Alpha 🎉' },
  { nativeId: '19:bravo@thread.skype', title: 'Coffee & lunch' },
  { nativeId: '8:live:carol', title: null },
];
export const PEOPLE = [
  ['8:live:alice', 'Alice Smith'],
  ['8:live:bob', 'Bob Jones'],
  ['8:live:carol', 'Carol Café'],
  ['8:live:dan', 'دان'],
];

/** A small multi-chat corpus: Zipf-ish words, several months, a few odd messages. */
export function makeCorpus(size: number, seed = 7): CorpusMessage[] {
  const rand = random(seed);
  const messages: CorpusMessage[] = [];
  const start = Date.UTC(2020, 0, 1);
  for (let i = 0; i < size; i++) {
    const words: string[] = [];
    const n = 1 + Math.floor(rand() * 12);
    for (let w = 0; w < n; w++) words.push(VOCABULARY[Math.floor(VOCABULARY.length * rand() ** 2.2)]);
    if (rand() < 0.1) words.push('Running,', 'DEPLOY!', '(server)');
    const person = PEOPLE[Math.floor(rand() * PEOPLE.length)];
    messages.push({
      chat: CHATS[Math.floor(rand() * CHATS.length)].nativeId,
      author: person[0],
      authorName: person[1],
      time: start + Math.floor(rand() * 400) * 86_400_000 + Math.floor(rand() * 86_400_000),
      text: words.join(rand() < 0.2 ? ', ' : ' '),
    });
  }
  messages.push({ chat: CHATS[0].nativeId, author: 'x', authorName: 'Xavier', time: start + 5, text: '   ' });
  messages.push({ chat: CHATS[0].nativeId, author: 'x', authorName: 'Xavier', time: start + 6, text: 'deleted secret zebra', deleted: true });
  messages.push({ chat: CHATS[1].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: -62_200_000_000_000, text: 'ancient papyrus' });
  messages.push({ chat: CHATS[1].nativeId, author: '8:live:bob', authorName: 'Bob Jones', time: 253_500_000_000_000, text: 'future hologram' });
  return messages;
}

/** Writes a corpus through the real StoreWriter. */
export function writeCorpus(file: string, messages: CorpusMessage[]): void {
  const db = openStore(file);
  const writer = storeWriter(db);
  db.exec('BEGIN');
  for (const chat of CHATS) {
    writer.beginChat({ nativeId: chat.nativeId, title: chat.title, members: PEOPLE.map(([nativeId, displayName]) => ({ nativeId, displayName })) }, 'test');
    let i = 0;
    for (const m of messages) {
      i++;
      if (m.chat !== chat.nativeId) continue;
      writer.message({ nativeId: String(i), authorId: m.author, authorName: m.authorName, time: m.time, kind: 'text', body: m.text, markup: 'plain', deleted: m.deleted });
    }
  }
  writer.finish();
  db.exec('COMMIT');
  db.close();
}


/** A message as a later import stores it: new, or edited / deleted when `nativeId`, author and time match an earlier one. */
export interface LaterMessage {
  nativeId: string;
  author: string;
  authorName: string;
  time: number;
  text: string;
  deleted?: boolean;
}

/** writeCorpus gives message i (0-based, in the array it was given) this native id. */
export function nativeIdOf(index: number): string {
  return String(index + 1);
}

/** Writes messages into one chat through the real StoreWriter, as a later import run would (its change log included). */
export function writeLater(file: string, chat: { nativeId: string; title: string | null }, messages: LaterMessage[]): void {
  const db = openStore(file);
  const writer = storeWriter(db);
  db.exec('BEGIN');
  writer.beginChat({ nativeId: chat.nativeId, title: chat.title, members: PEOPLE.map(([nativeId, displayName]) => ({ nativeId, displayName })) }, 'test');
  for (const m of messages) {
    writer.message({ nativeId: m.nativeId, authorId: m.author, authorName: m.authorName, time: m.time, kind: 'text', body: m.text, markup: 'plain', deleted: m.deleted });
  }
  writer.finish();
  db.exec('COMMIT');
  db.close();
}
