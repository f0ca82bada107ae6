import { createCorpus, EXPORT_DATE, EXPORTING_USER_ID, type CorpusChat, type CorpusMessage, type CorpusOptions } from './generator.js';
import { writeGeneratedFile } from './stream-file.js';

/**
 * A Skype "Export chats" `messages.json` in the real structure: one line, conversations with
 * `MessageList` newest first, float-looking `version` numbers, thread members as a JSON-encoded
 * string, arrival times with 1–3 fraction digits.
 */
export interface WrittenCorpus {
  messages: number;
  chats: number;
  bytes: number;
}

export async function writeSkypeExport(outFile: string, options: CorpusOptions): Promise<WrittenCorpus> {
  const corpus = createCorpus(options);
  const bytes = await writeGeneratedFile(outFile, skypeExportPieces(corpus.chats));
  return { messages: corpus.options.messages, chats: corpus.chats.length, bytes };
}

/** The export as a sequence of string pieces, for writers that stream it elsewhere. */
export function* skypeExportPieces(chats: Iterable<CorpusChat>): Generator<string> {
  yield `{"userId":${JSON.stringify(EXPORTING_USER_ID)},"exportDate":${JSON.stringify(EXPORT_DATE)},"conversations":[`;
  let firstChat = true;
  for (const chat of chats) {
    yield (firstChat ? '' : ',') + conversationHead(chat);
    firstChat = false;
    let firstMessage = true;
    for (const message of chat.messages()) {
      yield (firstMessage ? '' : ',') + skypeMessageJson(message);
      firstMessage = false;
    }
    yield ']}';
  }
  yield ']}';
}

/** Everything of a conversation object up to and including `"MessageList":[`. */
export function conversationHead(chat: CorpusChat): string {
  const newest = chat.newestTimeMs;
  const properties = `{"conversationblocked":false,"lastimreceivedtime":"${skypeTime(newest)}","consumptionhorizon":"${newest};${newest + 744};${newest}","conversationstatus":null}`;
  const threadProperties = chat.kind === 'direct' ? 'null'
    : `{"membercount":${chat.members.length},"members":${JSON.stringify(JSON.stringify(chat.members.map((m) => m.id)))}${chat.title === null ? '' : `,"topic":${JSON.stringify(chat.title)}`}}`;
  return `{"id":${JSON.stringify(chat.id)},"displayName":${JSON.stringify(chat.title)},"version":${newest + 744}.0,"properties":${properties},"threadProperties":${threadProperties},"MessageList":[`;
}

export function skypeMessageJson(message: CorpusMessage): string {
  const from = message.fromWithoutPrefix ? message.author.id.replace(/^8:/, '') : message.author.id;
  const properties = message.editTimeMs === null ? 'null' : `{"edittime":"${message.editTimeMs}"}`;
  return `{"id":"${message.nativeId}","displayName":${message.hasDisplayName ? JSON.stringify(message.author.name) : 'null'},` +
    `"originalarrivaltime":"${skypeTime(message.timeMs)}","messagetype":"${message.messageType}","version":${message.nativeId}.0,` +
    `"content":${JSON.stringify(message.content)},"conversationid":${JSON.stringify(message.chat.id)},"from":${JSON.stringify(from)},` +
    `"properties":${properties},"amsreferences":null}`;
}

/** ISO time with trailing zeros of the milliseconds dropped (1–3 digits), as real exports vary. */
export function skypeTime(timeMs: number): string {
  const iso = new Date(timeMs).toISOString(); // 2021-09-02T06:49:55.100Z
  const fraction = iso.slice(20, 23).replace(/0+$/, '') || '0';
  return `${iso.slice(0, 20)}${fraction}Z`;
}
