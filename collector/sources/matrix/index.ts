/**
 * Matrix rooms, from what people save of them:
 *
 * - Element's "Export chat" as JSON (written by element-web's `src/utils/exportUtils/JSONExport.ts`):
 *   `{room_name, room_creator, topic, export_date, exported_by, messages}`, where `messages` are the
 *   room's raw events as the client held them (decrypted ones in clear, undecryptable ones as
 *   `m.bad.encrypted`); with attachments, a zip of `<name>/export.json` beside `images/`, `videos/`,
 *   `audio/`, `files/`, `stickers/` (media.ts), or that zip unpacked;
 * - events saved from the client-server API: a list of events, `/messages` pages (`chunk`), `/sync`
 *   responses (`rooms.join.<room>.timeline.events`), a single event; one file or a folder of them.
 *
 * Events are streamed twice (scan.ts): the first pass learns each room (rooms.ts: senders and times,
 * edits, reactions, redactions, display names over time), the second maps each event alone
 * (records.ts) and emits it, so memory holds that index, never the events. A room is a chat
 * (`room_id`); people are Matrix user ids; a message is keyed by its `event_id`. Edits update their
 * original (never a message of their own), reactions are shown on their target, redacted events are
 * deleted messages, encrypted events that were not decrypted are shown as such and counted in a
 * warning.
 *
 * Errors: a file that is not JSON or is truncated is a SourceError naming the file and byte; an
 * event without an id, sender or time is skipped with a warning naming its place.
 */
import { describeFormat } from '../modules.js';
import type { ChatRecord } from '../../model.js';
import type { ReadOptions, SourceAdapter, SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { str } from '../kit/fields.js';
import { DEFAULT_MAX_MEDIA_BYTES } from '../kit/media-files.js';
import { plural, Warnings } from '../kit/warnings.js';
import { detect } from './detect.js';
import { openInput, type MatrixInput } from './input.js';
import { AttachmentMatcher } from './media.js';
import { recordOf } from './records.js';
import { Room } from './rooms.js';
import { scanDocument, type ExportHeader, type ScannedEvent } from './scan.js';

export const matrix: SourceAdapter = {
  format: 'matrix',
  description: describeFormat('matrix'),
  detect,
  read: (path, options) => flatten(readBatches(path, options)),
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const matrixTuning = { chunkBytes: 4 << 20 };

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const warnings = new Warnings(path);
  const warn = (position: string, message: string): void => warnings.add(position, message);
  const input = await openInput(path, warn);
  try {
    const total = 2 * input.documents.reduce((n, d) => n + d.size, 0);
    const rooms = new Map<string, Room>();
    const header: ExportHeader = {};
    const roomOf = (e: ScannedEvent): Room | null => {
      const id = e.room ?? str(e.event.room_id);
      if (!id) return null;
      let room = rooms.get(id);
      if (!room) rooms.set(id, (room = new Room(id)));
      return room;
    };
    let base = 0;
    const orphans = new Room('');
    for (const doc of input.documents) {
      for await (const done of scanDocument(doc, matrixTuning.chunkBytes, (e) => (roomOf(e) ?? orphans).learn(e.event), warn, header)) {
        yield [...warnings.take(), { type: 'progress', done: base + done, total }];
      }
      base += doc.size;
    }
    for (const room of rooms.values()) room.settle();

    const emitter = new Emitter(input, rooms, header, warnings, options);
    for (const doc of input.documents) {
      for await (const done of scanDocument(doc, matrixTuning.chunkBytes, (e) => emitter.add(e, roomOf(e) ?? orphans), null, {})) {
        yield [...(await emitter.take()), { type: 'progress', done: base + done, total }];
      }
      base += doc.size;
    }
    yield [...(await emitter.finish()), { type: 'progress', done: total, total }];
  } finally {
    input.close();
  }
}

/** The second pass: records in file order, each room's chat event before its first message. */
class Emitter {
  private out: SourceEvent[] = [];
  private readonly emitted = new Map<string, Set<string>>();
  private current: string | null = null;
  private readonly media: AttachmentMatcher;

  constructor(
    private readonly input: MatrixInput,
    private readonly rooms: Map<string, Room>,
    private readonly header: ExportHeader,
    private readonly warnings: Warnings,
    options: ReadOptions,
  ) {
    this.media = new AttachmentMatcher(input.attachments, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES);
  }

  add({ event, state, where }: ScannedEvent, room: Room): void {
    if (state) return; // who is who, learnt in the first pass
    const mapped = recordOf(event, room);
    if ('bad' in mapped) return this.warnings.add(where, mapped.bad);
    if ('skip' in mapped) {
      if (mapped.skip === 'orphan-edit') this.warnings.tally('orphan-edit', where, (n) => `${plural(n, 'edit')} of messages not in the input: skipped`);
      if (mapped.skip === 'orphan-reaction') this.warnings.tally('orphan-reaction', where, (n) => `${plural(n, 'reaction')} to messages not in the input: skipped`);
      if (mapped.skip === 'unknown') this.warnings.tally(`type ${mapped.type}`, where, (n) => `${plural(n, 'event')} of type ${JSON.stringify(mapped.type.slice(0, 100))} not shown`);
      return;
    }
    if (!room.id) return this.warnings.add(where, 'names no room (room_id); skipped');
    const { record, media, undecrypted } = mapped;
    const seen = this.emitted.get(room.id) ?? new Set<string>();
    this.emitted.set(room.id, seen);
    if (seen.has(record.nativeId!)) return; // overlapping pages of one room
    seen.add(record.nativeId!);
    if (undecrypted) this.warnings.tally('undecrypted', where, (n) => `${plural(n, 'encrypted message')} the export could not decrypt: shown as such`);
    if (this.current !== room.id) this.out.push({ type: 'chat', chat: this.chatOf(room) });
    this.current = room.id;
    this.out.push({ type: 'message', message: record });
    if (media) this.media.want(record, media.folder, media.body);
  }

  /** The events so far, with the media files their attachments found. */
  async take(): Promise<SourceEvent[]> {
    const media = await this.media.resolve();
    const out = [...media, ...this.out];
    this.out = [];
    return out.concat(this.warnings.take());
  }

  /** The rest, each room again with its members' latest names (messages named them as they were). */
  async finish(): Promise<SourceEvent[]> {
    const out = await this.take();
    for (const id of this.emitted.keys()) out.push({ type: 'chat', chat: this.chatOf(this.rooms.get(id)!, true) });
    for (const w of this.input.summary()) this.warnings.add(w.position, w.message);
    return out.concat(this.warnings.summary());
  }

  private chatOf(room: Room, withMembers = false): ChatRecord {
    const single = this.rooms.size === 1;
    const chat: ChatRecord = { nativeId: room.id, kind: room.direct ? 'direct' : 'group', title: (single ? this.header.room_name?.trim() : null) || room.title?.name || null };
    if (!withMembers) return chat;
    const joined = room.users().filter((u) => room.membership.get(u) === 'join');
    chat.members = joined.map((u) => ({ nativeId: u, displayName: room.latestName(u) }));
    // Element names the exporting user by display name (or id, when they have none).
    const by = single ? this.header.exported_by : undefined;
    const owner = by && (joined.includes(by) ? [by] : joined.filter((u) => room.latestName(u) === by));
    if (owner && owner.length === 1) chat.owner = owner[0];
    return chat;
  }
}

