import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../../collector/sources/types.js';
import type { ChatRecord, MessageRecord } from '../../collector/model.js';

/** What an adapter's `read` yields for a path, all of it. */
export async function readEvents(adapter: SourceAdapter, path: string, options: ReadOptions = {}): Promise<SourceEvent[]> {
  const events: SourceEvent[] = [];
  for await (const event of adapter.read(path, options)) events.push(event);
  return events;
}

/**
 * A suite's `readAll(path, options?)` and `rejects(path, check, options?)` for one adapter;
 * `defaults` are the options when a call gives none (WhatsApp's tests read in UTC).
 * `rejects` insists on a SourceError (the error type that names file and position) naming the
 * path it was given, unless `namesFile: false` (an error inside a folder names the file in it).
 */
export function adapterReader(adapter: SourceAdapter, defaults: ReadOptions = {}, { namesFile = true } = {}) {
  const readAll = (path: string, options: ReadOptions = defaults): Promise<SourceEvent[]> => readEvents(adapter, path, options);
  const rejects = async (path: string, check: (err: SourceError) => void, options: ReadOptions = defaults): Promise<void> => {
    await assert.rejects(readAll(path, options), (err: unknown) => {
      assert.ok(err instanceof SourceError, `expected a SourceError, got ${String(err)}`);
      if (namesFile) assert.equal(err.file, path, 'the error names the file');
      check(err);
      return true;
    });
  };
  return { readAll, rejects };
}

export function ofType<T extends SourceEvent['type']>(events: SourceEvent[], type: T): Extract<SourceEvent, { type: T }>[] {
  return events.filter((e): e is Extract<SourceEvent, { type: T }> => e.type === type);
}

export const messagesOf = (events: SourceEvent[]): MessageRecord[] => ofType(events, 'message').map((e) => e.message);

export const warningsOf = (events: SourceEvent[]) => ofType(events, 'warning').map((e) => e.warning);

/**
 * Messages grouped under the chat event that precedes them. A chat event again for a chat already
 * seen (an adapter may send the members once it has read them) updates its record and keeps its
 * messages; `once: true` insists that each chat is sent once.
 */
export function byChat(events: SourceEvent[], { once = false } = {}): Map<string, { chat: ChatRecord; messages: MessageRecord[] }> {
  const out = new Map<string, { chat: ChatRecord; messages: MessageRecord[] }>();
  let current: { chat: ChatRecord; messages: MessageRecord[] } | null = null;
  for (const e of events) {
    if (e.type === 'chat') {
      if (once) assert.ok(!out.has(e.chat.nativeId), `chat ${e.chat.nativeId} emitted twice`);
      current = out.get(e.chat.nativeId) ?? { chat: e.chat, messages: [] };
      current.chat = e.chat;
      out.set(e.chat.nativeId, current);
    } else if (e.type === 'message') {
      assert.ok(current, 'a message before any chat');
      current.messages.push(e.message);
    }
  }
  return out;
}

/**
 * A JSON export cut short anywhere, and one with an invalid UTF-8 byte at `badByteAt`: each is a
 * SourceError naming the file and the exact byte (the end of the file, or the bad byte).
 */
export async function rejectsDamagedJson(
  rejects: (path: string, check: (err: SourceError) => void) => Promise<void>,
  whole: Buffer,
  dir: string,
  cuts: number[],
  badByteAt: number,
): Promise<void> {
  for (const cut of cuts) {
    const truncated = join(dir, `truncated-${cut}.json`);
    writeFileSync(truncated, whole.subarray(0, cut));
    await rejects(truncated, (err) => {
      assert.equal(err.file, truncated);
      assert.equal(err.position, `byte ${cut}`);
      assert.match(err.message, /truncated/);
    });
  }
  const broken = Buffer.from(whole);
  broken[badByteAt] = 0xff;
  const invalid = join(dir, 'invalid.json');
  writeFileSync(invalid, broken);
  await rejects(invalid, (err) => {
    assert.equal(err.position, `byte ${badByteAt}`);
    assert.match(err.message, /UTF-8/);
  });
}
