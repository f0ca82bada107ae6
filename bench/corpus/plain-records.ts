import { createCorpus, type Corpus, type CorpusOptions } from './generator.js';
import type { WrittenCorpus } from './skype-export.js';
import { writeGeneratedFile } from './stream-file.js';

/** A message reduced to what the reference systems (plain Eleventy site, Pagefind) need. */
export interface PlainMessageRecord {
  /** The chat's native id. */
  chat: string;
  chatTitle: string;
  /** The author's display name. */
  author: string;
  /** UTC milliseconds. */
  time: number;
  text: string;
}

/** The corpus's messages as plain records, chat after chat, each chat newest first. */
export function* plainRecords(corpus: Corpus): Generator<PlainMessageRecord> {
  for (const chat of corpus.chats) {
    const chatTitle = chat.title ?? chat.members.slice(0, 3).map((m) => m.name).join(', ');
    for (const message of chat.messages()) {
      yield { chat: chat.id, chatTitle, author: message.author.name, time: message.timeMs, text: message.text };
    }
  }
}

/** Writes all plain records as one JSON array (e.g. an Eleventy global data file), streaming. */
export async function writePlainRecordsJson(outFile: string, options: CorpusOptions): Promise<WrittenCorpus> {
  const corpus = createCorpus(options);
  const bytes = await writeGeneratedFile(outFile, jsonArrayPieces(plainRecords(corpus)));
  return { messages: corpus.options.messages, chats: corpus.chats.length, bytes };
}

function* jsonArrayPieces(records: Iterable<PlainMessageRecord>): Generator<string> {
  yield '[';
  let first = true;
  for (const record of records) {
    yield (first ? '' : ',\n') + JSON.stringify(record);
    first = false;
  }
  yield ']\n';
}
