import { createReadStream, createWriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import { once } from 'node:events';
import { skypeMessageJson, type Corpus, type CorpusChat, type CorpusMessage } from '../corpus.js';

/**
 * The watch figure's change: a Skype export replaced by a newer one that has one more message in
 * the largest chat (Skype exports are whole files; there is nothing to append to). The new message
 * carries a unique token, so the database, pages, feeds and search files can be checked for it.
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
 * Writes `outFile`: `exportFile` with `probe` inserted first in its chat's MessageList (a Skype
 * export lists messages newest first). Streams, so a multi-GB export needs no memory.
 */
export async function writeExportWithProbe(exportFile: string, outFile: string, probe: Probe): Promise<void> {
  const chatStart = await findInFile(exportFile, `{"id":${JSON.stringify(probe.chat.id)},`, 0);
  if (chatStart < 0) throw new Error(`${exportFile}: conversation ${probe.chat.id} not found`);
  const listMarker = '"MessageList":[';
  const listStart = await findInFile(exportFile, listMarker, chatStart);
  if (listStart < 0) throw new Error(`${exportFile}: no MessageList after conversation ${probe.chat.id}`);
  const insertAt = listStart + Buffer.byteLength(listMarker);
  const nextByte = await readByte(exportFile, insertAt);
  const out = createWriteStream(outFile);
  await pipeRange(exportFile, 0, insertAt, out);
  out.write(probe.json + (nextByte === ']' ? '' : ','));
  await pipeRange(exportFile, insertAt, Infinity, out);
  out.end();
  await once(out, 'close');
}

/** Byte offset of `needle` at or after `from`, or -1. */
async function findInFile(file: string, needle: string, from: number): Promise<number> {
  const pattern = Buffer.from(needle);
  const handle = await open(file, 'r');
  try {
    const chunk = Buffer.alloc(16 * 2 ** 20);
    let position = from;
    for (;;) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) return -1;
      const at = chunk.subarray(0, bytesRead).indexOf(pattern);
      if (at >= 0) return position + at;
      if (bytesRead < chunk.length) return -1;
      position += bytesRead - (pattern.length - 1); // overlap: a match across two chunks
    }
  } finally {
    await handle.close();
  }
}

async function readByte(file: string, at: number): Promise<string> {
  const handle = await open(file, 'r');
  try {
    const b = Buffer.alloc(1);
    await handle.read(b, 0, 1, at);
    return b.toString('latin1');
  } finally {
    await handle.close();
  }
}

async function pipeRange(file: string, start: number, endExclusive: number, out: NodeJS.WritableStream): Promise<void> {
  if (endExclusive <= start) return;
  const input = createReadStream(file, { start, ...(Number.isFinite(endExclusive) ? { end: endExclusive - 1 } : {}) });
  for await (const chunk of input) {
    if (!out.write(chunk as Buffer)) await once(out as unknown as NodeJS.EventEmitter, 'drain');
  }
}
