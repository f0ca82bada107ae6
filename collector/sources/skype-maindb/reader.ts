import { SourceError, type ReadOptions, type SourceEvent } from '../types.js';
import { Warnings } from '../kit/warnings.js';
import { Chats } from './chats.js';
import { MessageExtras } from './extras.js';
import { MessageMapper } from './messages.js';
import type { Db } from './open.js';
import { People } from './people.js';
import { MESSAGE_COLUMNS, type MessageRow, type Unit } from './rows.js';
import { Schema } from './schema.js';

/** Progress every this many messages. */
const PROGRESS_EVERY = 2000;

/** One read of a main.db: its chats in canonical-id order, each with its messages in time order. */
export class MainDbReader {
  /** Warnings name tables and rows; the count of unlisted ones names the file as a whole. */
  readonly warnings = new Warnings('file');
  private readonly schema: Schema;
  private readonly people: People;
  private readonly chats: Chats;
  private readonly extras: MessageExtras;
  private readonly messages: MessageMapper;

  constructor(
    private readonly path: string,
    private readonly db: Db,
  ) {
    this.schema = new Schema(db);
    this.people = new People(db, this.schema, path);
    this.chats = new Chats(db, this.schema, this.people, path);
    this.extras = new MessageExtras(db, this.schema);
    this.messages = new MessageMapper(this.people, this.extras, this.warnings);
  }

  async *events(options: ReadOptions, fileSize: number): AsyncGenerator<SourceEvent> {
    const s = this.schema;
    if (!s.has('Messages')) throw new SourceError(this.path, null, 'not a Skype main.db: it has no Messages table');
    if (!s.has('Messages', 'timestamp') || !s.has('Messages', 'author') || !(s.has('Messages', 'body_xml') || s.has('Messages', 'body'))) {
      throw new SourceError(this.path, null, 'not a Skype main.db: its Messages table lacks timestamp, author or body_xml');
    }
    this.people.load(this.warnings);
    this.chats.load();
    this.extras.load();
    const units = this.chats.units();
    const total = (this.db.prepare(`SELECT count(*) FROM ${s.table('Messages')}`).pluck().get() as number) || 1;
    let done = 0;
    yield* this.warnings.take();

    const wantChat = options.wantChat ?? (() => true);
    for (const unit of units) {
      if (!wantChat(unit.nativeId)) {
        done += unit.count;
        continue;
      }
      yield { type: 'chat', chat: this.chats.chatRecord(unit) };
      for (const row of this.messagesOf(unit)) {
        done++;
        const record = this.messages.record(row);
        if (record) yield { type: 'message', message: record };
        if (done % PROGRESS_EVERY === 0) yield { type: 'progress', done: Math.round((fileSize * done) / total), total: fileSize };
      }
      yield* this.warnings.take();
    }
    this.skippedWarnings();
    yield* this.warnings.summary();
    yield { type: 'progress', done: fileSize, total: fileSize };
  }

  /**
   * One warning per reason rows were skipped, after the unknown-type tallies: given as tallies of
   * one, worded with the whole count, so that they come in that order before the final count.
   */
  private skippedWarnings(): void {
    const skipped = [
      [this.messages.skippedNoTime, 'without a timestamp'],
      [this.messages.skippedNoAuthor, 'without an author'],
      [this.chats.skippedNoChat, 'without a conversation or chat name'],
    ] as const;
    for (const [count, reason] of skipped) {
      if (count) this.warnings.tally(`skipped ${reason}`, 'Messages', () => `${count} messages ${reason} were skipped`);
    }
  }

  private messagesOf(unit: Unit): IterableIterator<MessageRow> {
    const s = this.schema;
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (unit.convoIds.size) {
      where.push(`m.convo_id IN (${[...unit.convoIds].map(() => '?').join(', ')})`);
      params.push(...unit.convoIds);
    }
    if (unit.chatnames.size) {
      where.push(`(${this.chats.orphanCondition('m')} AND m.chatname IN (${[...unit.chatnames].map(() => '?').join(', ')}))`);
      params.push(...unit.chatnames);
    }
    const columns = s.select('Messages', 'm', MESSAGE_COLUMNS.filter((c) => c !== 'id'));
    return this.db
      .prepare(
        `SELECT m.rowid AS id, ${columns} FROM ${s.table('Messages')} m WHERE ${where.join(' OR ')} ORDER BY m."timestamp", m.rowid`,
      )
      .iterate(...params) as IterableIterator<MessageRow>;
  }
}
