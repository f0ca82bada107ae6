import assert from 'node:assert/strict';
import { existsSync, writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { importPaths, type ImportOptions } from '../collector/import/index.js';
import { openStore } from '../collector/store/open.js';
import { SourceError } from '../collector/sources/types.js';
import { ADAPTERS } from '../collector/sources/index.js';
import { FORMATS, loadAdapter } from '../collector/sources/modules.js';
import { batchesOnThread, spareCore, worthAThread, THREADED_MIN_BYTES, EventBatch, EVENTS_PER_BATCH, BATCH_MEDIA_BYTES, BATCHES_AHEAD, threadTuning } from '../collector/import/threaded.js';
import type { SourceEvent } from '../collector/sources/types.js';
import { packEvents, unpackEvents } from '../collector/import/event-columns.js';
import { flatten } from '../collector/sources/kit/batches.js';
import { prepareIdentity, type PreparedIdentity } from '../collector/store/prepare.js';
import { prepareBody } from '../collector/import/render-body.js';
import { detectAdapter } from '../collector/sources/detect.js';
import type { IncomingMessage } from '../collector/store/writer.js';
import { contentDigest } from './helpers/db-state.js';
import { FORMAT_SAMPLES, ordinaryChats } from './helpers/format-samples.js';
import { tempDir } from './helpers/temp.js';
import { writeSkypeExport } from '../bench/corpus.js';

/** What an import stores; `sources` is left out (it records when the import ran). */
const STORED = ['chats', 'chat_aliases', 'people', 'chat_members', 'message_rows', 'message_aliases', 'periods', 'media', 'changes'];

const dir = tempDir('cc-threaded-');
let n = 0;

async function importInto(paths: string[], options: ImportOptions): Promise<{ db: string; summary: Awaited<ReturnType<typeof importPaths>> }> {
  const file = join(dir, `db-${n++}.sqlite`);
  const db = openStore(file);
  try {
    return { db: file, summary: await importPaths(db, paths, options) };
  } finally {
    db.close();
  }
}

/**
 * Imports on a reading thread and without one: the same database, the same summary; with every
 * message's identity and body computed ahead on the reading thread, and with none (the writer's
 * thread computes them; threadTuning).
 */
async function assertSameBothWays(paths: string[], options: ImportOptions = {}): Promise<number> {
  const inline = await importInto(paths, { ...options, thread: false });
  const tuned = threadTuning.prepareWhenAhead;
  try {
    for (const prepareWhenAhead of [0, BATCHES_AHEAD + 1]) {
      threadTuning.prepareWhenAhead = prepareWhenAhead;
      const threaded = await importInto(paths, { ...options, thread: true });
      const ahead = prepareWhenAhead ? 'nothing prepared ahead' : 'all prepared ahead';
      assert.equal(contentDigest(threaded.db, STORED), contentDigest(inline.db, STORED), `${paths.join(', ')}, ${ahead}: same contents`);
      assert.deepEqual(threaded.summary, inline.summary, ahead);
    }
  } finally {
    threadTuning.prepareWhenAhead = tuned;
  }
  return inline.summary.newMessages;
}

describe('imports read on a worker thread store exactly what imports on one thread store', () => {
  for (const sample of FORMAT_SAMPLES) {
    test(`${sample.format}: a written sample`, async () => {
      const chats = sample.multiChat ? ordinaryChats() : ordinaryChats().slice(0, 1);
      const folder = join(dir, `sample-${sample.format}`);
      mkdirSync(folder, { recursive: true });
      const path = sample.write(folder, chats);
      assert.ok((await assertSameBothWays([path])) > 0);
    });
  }

  const fixtures = ['skype/tiny', 'telegram/full', 'slack/workspace', 'discord/export', 'whatsapp/WhatsApp Chat with Bob.txt', 'irc/irssi'];
  // The thread loads only its own adapter's module: for every format, the very adapter detection uses.
  test('every format loads on its own the adapter ADAPTERS lists for it; an unknown one none', async () => {
    for (const adapter of ADAPTERS) assert.equal(await loadAdapter(adapter.format), adapter, adapter.format);
    assert.equal(await loadAdapter('no-such-format'), undefined);
    assert.equal(await loadAdapter('toString'), undefined);
    // Detection goes by FORMATS without loading every adapter: the same formats, in the same order.
    assert.deepEqual(FORMATS.map((f) => f.format), ADAPTERS.map((a) => a.format));
  });

  test('the bundled fixtures, media files included, and a --chat filter', async () => {
    const paths = fixtures.map((f) => resolve('test/fixtures', f));
    for (const path of paths) assert.ok(existsSync(path), path);
    assert.ok((await assertSameBothWays(paths)) > 0);
    const media = await importInto([resolve('test/fixtures/telegram/full')], { thread: true });
    assert.ok(media.summary.media > 0, 'media crossed the thread');
    const picked = await assertSameBothWays(paths, { chats: ['19:tiny@thread.skype'] });
    assert.ok(picked > 0, 'the chat was imported');
  });

  test('a bad file fails the same way: a SourceError naming the file and the byte', async () => {
    const folder = join(dir, 'truncated');
    mkdirSync(folder, { recursive: true });
    const whole = readFileSync(resolve('test/fixtures/skype/tiny/messages.json'));
    writeFileSync(join(folder, 'messages.json'), whole.subarray(0, Math.floor(whole.length / 2)));
    const errors: unknown[] = [];
    for (const thread of [false, true]) {
      errors.push(await importInto([folder], { thread }).then(() => null, (err: unknown) => err));
    }
    const [inline, threaded] = errors as SourceError[];
    assert.ok(threaded instanceof SourceError, `a SourceError: ${String(threaded)}`);
    assert.equal(threaded.message, inline.message);
    assert.equal(threaded.file, inline.file);
    assert.equal(threaded.position, inline.position);
    assert.match(threaded.message, /byte \d+/);
  });

  test('auto: a thread for large inputs only', async () => {
    const small = join(dir, 'small.txt');
    writeFileSync(small, 'x');
    const large = join(dir, 'large', 'a.bin');
    mkdirSync(join(dir, 'large'), { recursive: true });
    writeFileSync(large, Buffer.alloc(THREADED_MIN_BYTES));
    assert.equal(await worthAThread(small), false);
    assert.equal(await worthAThread(large), true);
    assert.equal(await worthAThread(join(dir, 'large')), true, 'a folder counts what it holds');
    assert.equal(await worthAThread(join(dir, 'missing')), false);
    assert.equal(await worthAThread(large, THREADED_MIN_BYTES + 1), false, 'a busy machine asks for more');
  });

  test('auto: a thread only when a core is idle for it', () => {
    assert.equal(spareCore(2, 0.3), true, 'an idle machine of two cores');
    assert.equal(spareCore(2, 1.4), true, 'one other busy process');
    assert.equal(spareCore(2, 1.5), false, 'more than one');
    assert.equal(spareCore(2, 11), false, 'a busy machine');
    assert.equal(spareCore(8, 7), true);
    assert.equal(spareCore(1, 0), false, 'one core: nothing to run alongside');
  });

  // What crosses to the writer is bounded in bytes as well as in events: a batch of attachments
  // (each up to --max-media-size) is sent once it holds BATCH_MEDIA_BYTES, not after 1000 files.
  test('a batch is full at EVENTS_PER_BATCH events, or sooner at BATCH_MEDIA_BYTES of media', () => {
    const message: SourceEvent = { type: 'warning', warning: { position: 'x', message: 'y' } };
    const batch = new EventBatch();
    for (let i = 1; i < EVENTS_PER_BATCH; i++) assert.equal(batch.add(message), false);
    assert.equal(batch.add(message), true, 'full at EVENTS_PER_BATCH events');
    assert.equal(batch.take().length, EVENTS_PER_BATCH);
    assert.equal(batch.take().length, 0, 'take empties it');

    const file = (bytes: number): SourceEvent => ({ type: 'media', hash: 'h', media: { name: 'a.bin', bytes: Buffer.alloc(bytes) } });
    const quarter = BATCH_MEDIA_BYTES / 4;
    for (let i = 1; i < 4; i++) assert.equal(batch.add(file(quarter)), false);
    assert.equal(batch.add(message), false, 'other events count no bytes');
    assert.equal(batch.add(file(quarter)), true, 'full at BATCH_MEDIA_BYTES of media');
    assert.equal(batch.take().length, 5);
    assert.equal(batch.add(file(BATCH_MEDIA_BYTES * 2)), true, 'one file over the budget goes alone');
    assert.equal(batch.take().length, 1);
    assert.equal(batch.add(file(1)), false, 'take resets the byte count');
  });

  // Messages cross as columns of fields (event-columns.ts): through a real structured clone, every
  // field comes back as it was, null apart from absent, and what the columns cannot hold (another
  // event, an unknown property) crosses as it is, in its place.
  test('a batch crosses as columns and comes back the same events in the same order', () => {
    const full = {
      nativeId: '', authorId: '8:alice', authorName: null, time: -1.5, kind: 'text' as const, body: 'a\u0000b <i>x</i> 😀',
      markup: 'skype', editedAt: 1_700_000_000_123, deleted: true, replyToKey: 'k'.repeat(32),
      attachments: [{ name: 'a.png', size: 3, type: 'image/png', url: 'https://x/a' }], flags: 6, positional: true,
    };
    const bare = { authorId: '8:bob', time: 0, kind: 'event' as const, body: '', markup: 'plain' };
    const events: SourceEvent[] = [
      { type: 'chat', chat: { nativeId: 'c1' } },
      { type: 'message', message: { ...full, prepared: prepareIdentity('c1', full) } as typeof full },
      { type: 'message', message: bare },
      { type: 'media', hash: 'h', media: { name: 'm.bin', bytes: Buffer.from([1, 2, 3]) } },
      { type: 'message', message: { ...bare, nativeId: 'n2', prepared: prepareIdentity('c2', { ...bare, nativeId: 'n2' }) } as typeof bare },
      { type: 'message', message: { ...bare, nativeId: 'n3', prepared: prepareIdentity('c1', { ...bare, nativeId: 'n3' }) } as typeof bare },
      { type: 'message', message: { ...bare, extra: 'kept' } as typeof bare },
      // A body rendered ahead: stored columns, the people named, and a full text the stored
      // columns do not hold (never so from prepareBody, but the columns must not assume it).
      { type: 'message', message: { ...bare, nativeId: 'n4', prepared: { ...prepareIdentity('c1', { ...bare, nativeId: 'n4' }), body: { html: '<b>x</b>', text: null, fullText: 'x', people: [['8:carol', 'Carol']] } } } as typeof bare },
      { type: 'message', message: { ...bare, nativeId: 'n5', prepared: { ...prepareIdentity('c1', { ...bare, nativeId: 'n5' }), body: { html: null, text: 'y', fullText: 'y', people: [] } } } as typeof bare },
      { type: 'warning', warning: { position: 'p', message: 'w' } },
      { type: 'progress', done: 1, total: 2 },
      { type: 'cursor', cursor: '{}' },
    ];
    const expected = structuredClone(events);
    const packed = packEvents(events);
    assert.equal(packed.events.filter((e) => e === null).length, 6, 'messages of known fields go into the columns');
    assert.deepEqual(packed.chats, ['c1', 'c2']);
    const back = unpackEvents(structuredClone(packed));
    /** Own properties set to undefined are the same as absent ones (every reader uses ?? or ==). */
    const defined = (value: unknown): unknown =>
      Array.isArray(value) ? value.map(defined)
      : value && typeof value === 'object' && !ArrayBuffer.isView(value)
        ? Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined).map(([k, v]) => [k, defined(v)]))
        : value;
    assert.deepEqual(defined(back), defined(expected));
    const message = (i: number) => (back[i] as Extract<SourceEvent, { type: 'message' }>).message as unknown as Record<string, unknown>;
    assert.equal(message(1).authorName, null, 'null stays null');
    assert.equal(message(2).authorName, undefined, 'absent stays absent');
    assert.equal(message(2).prepared, undefined, 'no identity computed ahead: none made up');
    assert.equal(message(6).extra, 'kept', 'an unknown property crosses with its message');
    assert.equal((message(5).prepared as PreparedIdentity).body, undefined, 'no body rendered ahead: none made up');
  });

  // Into a database without messages the thread renders each wanted body too (thread-worker.ts),
  // with the writer's own render call: the writer stores what it would have rendered itself.
  test('a thread asked to render ahead hands over every wanted body as the writer renders it', async () => {
    const paths = ['skype/tiny', 'telegram/full', 'slack/workspace'].map((f) => resolve('test/fixtures', f));
    const tuned = threadTuning.prepareWhenAhead;
    threadTuning.prepareWhenAhead = 0; // every message prepared ahead
    try {
      for (const path of paths) {
        const adapter = (await detectAdapter(path)).format;
        let checked = 0;
        for (const renderAhead of [true, false]) {
          for await (const event of flatten(batchesOnThread(adapter, path, {}, null, renderAhead))) {
            if (event.type !== 'message') continue;
            const prepared = (event.message as IncomingMessage).prepared!;
            if (!renderAhead) {
              assert.equal(prepared.body, undefined, 'not asked: not rendered');
              continue;
            }
            const { prepared: _, ...record } = event.message as IncomingMessage;
            assert.deepEqual(prepared.body, prepareBody(prepared.chat, record), `${path}: ${record.nativeId}`);
            checked++;
          }
        }
        assert.ok(checked > 0, `${path}: messages rendered ahead`);
      }
    } finally {
      threadTuning.prepareWhenAhead = tuned;
    }
  });

  // Node hands a thread's port messages over up to 1000 at a time; a writer woken from each wrote
  // every waiting batch before the event loop turned again: no timer, signal handler, progress
  // update, nor V8's tasks that finish a garbage collection ran for most of a minute at 1M messages.
  test('the event loop turns between the batches a thread sends, however slow the writer', async () => {
    const file = join(dir, 'turns.json');
    await writeSkypeExport(file, { messages: 30 * EVENTS_PER_BATCH, chats: 3, authors: 20, seed: 3 });
    let turns = 0;
    let running = true;
    const tick = (): void => {
      turns++;
      if (running) setImmediate(tick);
    };
    setImmediate(tick);
    let messages = 0;
    let turnsAtBatch = 0;
    let batchesWithoutTurn = 0;
    try {
      for await (const event of flatten(batchesOnThread('skype-export', file, {}, null, false))) {
        if (event.type !== 'message' || ++messages % EVENTS_PER_BATCH) continue;
        // A writer slower than the reader: the reading thread's batches wait in the port.
        const until = Date.now() + 40;
        while (Date.now() < until);
        if (turns === turnsAtBatch) batchesWithoutTurn++;
        turnsAtBatch = turns;
      }
    } finally {
      running = false;
    }
    assert.equal(messages, 30 * EVENTS_PER_BATCH);
    assert.ok(batchesWithoutTurn <= 2, `${batchesWithoutTurn} of 30 batches written without a turn of the event loop`);
  });
});
