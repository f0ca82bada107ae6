import { JsonScanError, JsonScanner, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../kit/json/scanner.js';
import { SourceError } from '../types.js';
import { isObject, type JsonObject } from '../kit/fields.js';
import { formatLimit } from '../kit/limits.js';
import { unreadableMessage } from '../kit/unreadable.js';
import type { Document, Warn } from './input.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * The events of one document, whatever shape it was saved in, streamed (collector/json/scanner.ts)
 * so that only one event is held at a time:
 *
 * - Element's "Export chat" JSON: `{room_name, room_creator, topic, export_date, exported_by, messages: [events]}`;
 * - a list of events; a `/messages` page `{chunk: [events], state: [events], start, end}`;
 * - a `/sync` response: `rooms.join|leave.<room id>.timeline.events` and `.state.events`;
 * - one event (`{type, event_id, sender, origin_server_ts, content…}`, as Element's "View source" shows it).
 *
 * State events given beside a timeline (`/messages` `state`, `/sync` `state.events`) tell who is
 * who but were not sent in the part of the timeline saved: `state` marks them.
 */
export interface ScannedEvent {
  event: JsonObject;
  /** The room a `/sync` response files it under (events saved elsewhere carry `room_id`). */
  room: string | null;
  state: boolean;
  where: string;
}

/** Element's export header fields. */
export type ExportHeader = Partial<Record<'room_name' | 'room_creator' | 'topic' | 'exported_by', string>>;

const LISTS = new Set(['messages', 'chunk', 'state']);
const HEADER = new Set(['room_name', 'room_creator', 'topic', 'exported_by']);
const EVENT_KEYS = new Set(['type', 'event_id', 'sender', 'origin_server_ts', 'content', 'room_id', 'unsigned', 'state_key', 'redacts', 'prev_content']);

/**
 * Scans `doc`, calling `onEvent` for each event in file order; `warn` (null: be quiet, the second
 * pass) gets what is skipped. Returns the export header, if any. Yields the bytes done per chunk.
 */
export async function* scanDocument(
  doc: Document,
  chunkBytes: number,
  onEvent: (e: ScannedEvent) => void,
  warn: Warn | null,
  header: ExportHeader,
): AsyncGenerator<number> {
  const reader = new EventReader(doc, onEvent, warn ?? (() => {}), header);
  const scanner = new JsonScanner(reader);
  let done = 0;
  const fail = async (err: unknown): Promise<never> => {
    if (!(err instanceof JsonScanError)) throw err;
    throw new SourceError(doc.file, await doc.locate(err.offset), reader.started ? err.reason : `not a Matrix export: ${err.reason}`);
  };
  for await (const chunk of doc.chunks(chunkBytes)) {
    try {
      scanner.push(chunk);
    } catch (err) {
      await fail(err);
    }
    reader.flush();
    done += chunk.length;
    yield done;
  }
  try {
    scanner.end();
  } catch (err) {
    await fail(err);
  }
  reader.flush();
}

class EventReader implements ScanHandler {
  /** The root value has begun: later errors are damage, not another kind of file. */
  started = false;
  private rootIsList = false;
  private sawEvents = false;
  /** The members of a root object that is one event. */
  private readonly bare: JsonObject = {};
  /** The event being taken, until its bytes are complete. */
  private pending: { where: string; room: string | null; state: boolean } | null = null;
  private queue: { text: string; where: string; room: string | null; state: boolean }[] = [];

  constructor(
    private readonly doc: Document,
    private readonly onEvent: (e: ScannedEvent) => void,
    private readonly warn: Warn,
    private readonly header: ExportHeader,
  ) {}

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    const depth = path.length;
    if (depth === 0) {
      this.started = true;
      this.rootIsList = first === 0x5b;
      if (first !== 0x5b && first !== 0x7b) throw new SourceError(this.doc.file, null, 'not a Matrix export: neither events nor an Element export');
      return ScanAction.enter;
    }
    if (this.rootIsList) return depth === 1 ? this.event(path, first, offset, null, false) : ScanAction.skip;
    const top = String(path[0]);
    if (depth === 1) {
      if ((LISTS.has(top) && first === 0x5b) || (top === 'rooms' && first === 0x7b)) {
        this.sawEvents = true; // a list of events, if an empty one
        return ScanAction.enter;
      }
      return HEADER.has(top) || EVENT_KEYS.has(top) ? ScanAction.take : ScanAction.skip;
    }
    if (LISTS.has(top)) return depth === 2 ? this.event(path, first, offset, null, top === 'state') : ScanAction.skip;
    if (top !== 'rooms') return ScanAction.skip;
    // rooms.<join|leave>.<room id>.<timeline|state>.events.<i>
    const [, section, room, part, events] = path;
    const enter = (yes: boolean, bracket = 0x7b): ScanAction => (yes && first === bracket ? ScanAction.enter : ScanAction.skip);
    if (depth === 2) return enter(section === 'join' || section === 'leave');
    if (depth === 3) return enter(true);
    if (depth === 4) return enter(part === 'timeline' || part === 'state');
    if (depth === 5) return enter(events === 'events', 0x5b);
    return this.event(path, first, offset, String(room), part === 'state');
  }

  private event(path: readonly PathKey[], first: number, offset: number, room: string | null, state: boolean): ScanAction {
    this.sawEvents = true;
    const where = this.where(path, offset);
    if (first === 0x7b) {
      this.pending = { where, room, state };
      return ScanAction.take;
    }
    this.warn(where, 'not an event object; skipped');
    return ScanAction.skip;
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 1 && !this.rootIsList) {
      const key = String(path[0]);
      const parsed = parseJsonText(value.text()) as unknown;
      if (HEADER.has(key) && typeof parsed === 'string') this.header[key as keyof ExportHeader] = parsed;
      if (EVENT_KEYS.has(key)) this.bare[key] = parsed;
      return;
    }
    if (this.pending) this.queue.push({ ...this.pending, text: value.text() });
    this.pending = null;
  }

  close(path: readonly PathKey[]): void {
    if (path.length !== 0 || this.rootIsList || this.sawEvents) return;
    if (typeof this.bare.type === 'string' && (this.bare.event_id !== undefined || this.bare.origin_server_ts !== undefined)) {
      this.queue.push({ text: JSON.stringify(this.bare), where: this.doc.label, room: null, state: false });
    } else if (this.header.room_name === undefined) {
      throw new SourceError(this.doc.file, null, 'not a Matrix export: no events, Element "messages", /messages "chunk" or /sync "rooms"');
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    this.pending = null;
    this.warn(this.where(path, offset), `more than ${formatLimit(limit)}, the limit for one event: skipped`);
  }

  flush(): void {
    for (const { text, where, room, state } of this.queue) {
      try {
        const event = parseJsonText(text) as unknown;
        if (isObject(event)) this.onEvent({ event, room, state, where });
      } catch (err) {
        this.warn(where, unreadableMessage(err));
      }
    }
    this.queue = [];
  }

  private where(path: readonly PathKey[], offset: number): string {
    return `${this.doc.label}, event ${path.map(String).join('.')} (byte ${offset})`;
  }
}
