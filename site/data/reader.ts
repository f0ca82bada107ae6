import type { Db } from '../../collector/store/contract.js';
import { Anchors, redactedAnchors } from './reader/anchors.js';
import { AttachmentMessages, type MediaMessage } from './reader/attachment-messages.js';
import { changesSince, lastChange } from './reader/change-log.js';
import { aliases, chats, members, periods, type ChatRow } from './reader/chats.js';
import { LatestMessages, type LatestRows } from './reader/latest-messages.js';
import { MediaFiles, type MediaRow } from './reader/media-files.js';
import { messageTableOf, type MessageTable } from './reader/message-table.js';
import type { Message } from './reader/packed-message.js';
import { PageMessages } from './reader/page-messages.js';
import { Participants, type Participant } from './reader/participants.js';
import { allPeople, needsRerender, People, type PersonRow } from './reader/people.js';
import { ReplyTargets, type ReplyTarget } from './reader/reply-targets.js';
import { Threads, type Thread } from './reader/threads.js';
import { TimeRanges } from './reader/time-ranges.js';
import type { AuthorMode } from '../options.js';
import { publicAnchors } from './public-anchor.js';
import { databaseIdOf, ReadSnapshot } from './snapshot.js';

export type { ChatRow, LatestRows, MediaMessage, MediaRow, Message, Participant, PersonRow, ReplyTarget, Thread };
export type { ThreadReply } from './reader/threads.js';

/** The site options a reader follows. */
export interface ReaderOptions {
  excludeAuthors?: readonly string[];
  authors?: AuthorMode;
  pseudonymSalt?: string;
}

/**
 * Read-only access to a chatchannels database for one build: the one object the site's data and
 * render code read through, wired from the readers in `reader/`, one per thing read. The whole
 * build reads inside one read transaction, so it sees one consistent snapshot even while the
 * collector keeps writing (WAL: readers never block the writer). Statements are prepared once and
 * reused per page; rows come back as arrays (`.raw()`) because a page renders thousands of them.
 */
export class ArchiveReader {
  /** The read snapshot this reader owns (search plans from it too: site/search/register.ts). */
  readonly snapshot: ReadSnapshot;
  readonly db: Db;
  private readonly messages: MessageTable;
  private readonly pages: PageMessages;
  private readonly latest: LatestMessages;
  private readonly anchors: Anchors;
  private readonly ranges: TimeRanges;
  private readonly people: People;
  private readonly talkers: Participants;
  private readonly threads: Threads;
  private readonly replies: ReplyTargets;
  private readonly files: MediaFiles;
  private readonly attached: AttachmentMessages;

  /**
   * `options`: the site's authors it leaves out, and how it shows authors, which decides how it
   * publishes anchors (public-anchor.ts): every anchor and key read here comes out as published.
   */
  constructor(file: string, options: ReaderOptions = {}) {
    this.snapshot = new ReadSnapshot(file, { excludeAuthors: options.excludeAuthors ?? [] });
    this.db = this.snapshot.db;
    try {
      const mode = options.authors ?? 'show';
      this.messages = messageTableOf(this.db, publicAnchors(mode, options.pseudonymSalt ?? '', mode === 'show' ? null : databaseIdOf(this.db)));
    } catch (err) {
      this.snapshot.close();
      throw err;
    }
    this.pages = new PageMessages(this.messages);
    this.latest = new LatestMessages(this.messages);
    this.anchors = new Anchors(this.messages);
    this.ranges = new TimeRanges(this.messages);
    this.people = new People(this.db);
    this.talkers = new Participants(this.db, this.messages.table, this.ranges);
    this.threads = new Threads(this.messages);
    this.replies = new ReplyTargets(this.messages);
    this.files = new MediaFiles(this.db);
    this.attached = new AttachmentMessages(this.messages);
  }

  close(): void {
    this.snapshot.close();
  }

  /** The table messages are read from (message_rows when the database has it; aggregation queries). */
  get messageTable(): string {
    return this.messages.table;
  }

  // The change log and the catalog (reader/change-log.ts, reader/chats.ts).
  changesSince(since: number): { upTo: number; days: Map<number, Set<string>> } {
    return changesSince(this.db, since);
  }
  lastChange(): number {
    return lastChange(this.db);
  }
  chats(): ChatRow[] {
    return chats(this.db);
  }
  aliases(): { native_id: string; chat_id: number }[] {
    return aliases(this.db);
  }
  members(): Map<number, number[]> {
    return members(this.db);
  }
  periods(chatId: number): Map<string, boolean> {
    return periods(this.db, chatId);
  }

  // People (reader/people.ts) and who posted (reader/participants.ts).
  person(id: number | null): PersonRow | null {
    return this.people.person(id);
  }
  displayNameOf(nativeId: string): string | null {
    return this.people.displayNameOf(nativeId);
  }
  allPeople(): PersonRow[] {
    return allPeople(this.db);
  }
  needsRerender(): boolean {
    return needsRerender(this.db);
  }
  posters(chatId: number): { personIds: number[]; names: string[] } {
    return this.talkers.posters(chatId);
  }
  participants(chatId: number): Participant[] {
    return this.talkers.participants(chatId);
  }
  get participantsRead(): ReadonlyMap<number, ReadonlyMap<number, Participant[]>> {
    return this.talkers.participantsRead;
  }
  adoptParticipants(slots: ReadonlyMap<number, ReadonlyMap<number, Participant[]>>, changedDays: ReadonlyMap<number, ReadonlySet<string>>): void {
    this.talkers.adoptParticipants(slots, changedDays);
  }

  // Messages (reader/page-messages.ts, reader/latest-messages.ts, reader/threads.ts, reader/reply-targets.ts).
  pageMessages(chatId: number, start: number, end: number): Message[] {
    return this.pages.pageMessages(chatId, start, end);
  }
  latestMessages(chatId: number, limit: number): Message[] {
    return this.latest.latestMessages(chatId, limit);
  }
  latestAcross(chatIds: number[], limit: number): Message[] {
    return this.latest.latestAcross(chatIds, limit);
  }
  get latestRead(): ReadonlyMap<number, LatestRows> {
    return this.latest.latestRead;
  }
  adoptLatest(rows: Iterable<[number, LatestRows]>): void {
    this.latest.adoptLatest(rows);
  }
  pageThreads(chatId: number, start: number, end: number, first: number): Map<string, Thread> {
    return this.threads.pageThreads(chatId, start, end, first);
  }
  replyTargets(chatId: number, keys: string[]): Map<string, ReplyTarget> {
    return this.replies.replyTargets(chatId, keys);
  }

  // Anchors (reader/anchors.ts).
  pageAnchors(chatId: number, start: number, end: number): string[] {
    return this.anchors.pageAnchors(chatId, start, end);
  }
  aliasesOfPage(chatId: number, start: number, end: number): Map<string, string[]> {
    return this.anchors.aliasesOfPage(chatId, start, end);
  }
  anchorsAddedAfter(chatId: number, id: number): string[] {
    return this.anchors.anchorsAddedAfter(chatId, id);
  }
  anchorsWithPrefixes(chatId: number, prefixes: ReadonlySet<string>): [anchor: string, time: number, id: number][] {
    return this.anchors.anchorsWithPrefixes(chatId, prefixes);
  }
  redactedAnchors(entries: readonly string[]): Set<string> {
    return redactedAnchors(this.db, entries, this.messages.anchors);
  }

  // Times and counts in a range (reader/time-ranges.ts).
  firstAtOrAfter(chatId: number, time: number): number | null {
    return this.ranges.firstAtOrAfter(chatId, time);
  }
  lastBefore(chatId: number, time: number): number | null {
    return this.ranges.lastBefore(chatId, time);
  }
  plausibleRange(chatId: number): [number, number] | null {
    return this.ranges.plausibleRange(chatId);
  }
  anyPlausibleInRange(chatId: number, start: number, end: number): boolean {
    return this.ranges.anyPlausibleInRange(chatId, start, end);
  }
  countInRange(chatId: number, start: number, end: number): number {
    return this.ranges.countInRange(chatId, start, end);
  }
  dayCounts(chatId: number, start: number, end: number): [number, number][] {
    return this.ranges.dayCounts(chatId, start, end);
  }

  // Media (reader/media-files.ts, reader/attachment-messages.ts).
  media(hashes: string[]): Map<string, MediaRow> {
    return this.files.media(hashes);
  }
  mediaData(hash: string): Buffer | undefined {
    return this.files.mediaData(hash);
  }
  mediaMessages(chatId: number): MediaMessage[] {
    return this.attached.mediaMessages(chatId);
  }
  anyAttachments(chatIds: Iterable<number>): boolean {
    return this.attached.anyAttachments(chatIds);
  }
}
