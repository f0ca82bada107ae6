import { DATED_END, DATED_MIN, DAY_MS, dayOf, dayStart, EARLY_PATH, FAR, LATE_PATH, monthOf, pagePathOf, PAGE_SPLIT_THRESHOLD, slotOf } from '../../collector/store/contract.js';
import type { ResolvedOptions } from '../options.js';
import { AuthorNamer, resolveRefsText, type Author } from './authors.js';
import { chatTitle, peopleWords, publicSlug, titleMembers } from './public-chat.js';
import { REDACTED_TEXT } from '../render/redacted.js';
import { dirtyPages } from './dirty.js';
import type { ArchiveReader, ChatRow, Message } from './reader.js';

/**
 * The small descriptors a build needs up front: published chats and their archive pages with time
 * ranges and counts. This is the plugin's global data (the gallery template paginates over its chats; the
 * archive template writes the landing and archive pages from it); it holds no message bodies: each page queries its own messages when it renders.
 *
 * Catalog is a class on purpose: Eleventy deep-copies plain-object global data into every
 * template's data, but keeps class instances by reference.
 */

const SAFE_SLUG = /^[a-z0-9](?:[a-z0-9-]{0,198}[a-z0-9])?$/;
/** Target size of one anchor map file; the hex prefix length grows with a chat's size. */
export const ANCHORS_PER_FILE = 3000;
/** Longest hex prefix of anchor map files (16^3 files for a chat of over 12 million messages). */
const MAX_ANCHOR_WIDTH = 3;

import type { ArchivePage, PageLink } from './archive-page.js';

export type { ArchivePage, PageLink };

export interface MonthSummary {
  /** `2021-09`, or the page path of an out-of-range page. */
  month: string;
  /** Year heading it is listed under: `2021`, or `Out of range`. */
  year: string;
  label: string;
  /** Split into day pages. */
  byDay: boolean;
  /** All its pages are implausible (ArchivePage.implausible): listed apart, after the years. */
  implausible: boolean;
  count: number;
  /** Pages of this month: one month page, or its day pages. */
  pages: { path: string; label: string; count: number; implausible: boolean }[];
}

export interface LatestMessage {
  author: Author | null;
  text: string;
  time: number;
  anchor: string;
  path: string;
  kind: string;
}

export interface ChatSummary {
  id: number;
  slug: string;
  nativeId: string;
  title: string;
  kind: string;
  format: string;
  members: Author[];
  count: number;
  first: number | null;
  last: number | null;
  latest: LatestMessage | null;
  months: MonthSummary[];
  /** Hex chars of the anchor (after `m`) that choose the anchor map file; 0 = one file. */
  anchorWidth: number;
  /** Number of archive pages. */
  pageCount: number;
}

export interface TimeLabels {
  monthLabel(month: string): string;
  utcDayLabel(dayStart: number): string;
}

/** What this build writes: everything, or (option `since`) what changed after a change-log point. */
export interface RenderSet {
  /** Chats whose landing page, feed and anchor maps are written. */
  chats: ChatSummary[];
  /** Archive pages written. */
  pages: ArchivePage[];
  /** Whether this is an incremental build (option `since`). */
  incremental: boolean;
}

export class Catalog {
  readonly chatsById = new Map<number, ChatSummary>();

  constructor(
    /** Published chats, most recently active first. */
    readonly chats: ChatSummary[],
    /** Every archive page of every published chat, chat by chat, oldest first. */
    readonly archivePages: ArchivePage[],
    /** chat id → month → by_day, for the page path of any message (replies, feeds, permalinks). */
    private readonly layouts: Map<number, Map<string, boolean>>,
    readonly authors: AuthorNamer,
    /** Option `redact`: `<chat id>/<anchor>` of messages shown as "Message removed". */
    readonly redacted: ReadonlySet<string>,
    /** The last change-log sequence number this snapshot includes (`since` for the next build). */
    readonly changeSeq: number,
    /** What to write: the archive template's landing and archive pages, the gallery template's pages. */
    readonly render: RenderSet,
  ) {
    for (const chat of chats) this.chatsById.set(chat.id, chat);
  }

  private byNativeId: Map<string, ChatSummary> | null = null;

  /** A published chat by its native id (links between chats: a Discord thread's notice). */
  chatByNativeId(nativeId: string): ChatSummary | undefined {
    if (!this.byNativeId) this.byNativeId = new Map(this.chats.map((c) => [c.nativeId, c]));
    return this.byNativeId.get(nativeId);
  }

  get messageCount(): number {
    return this.chats.reduce((n, c) => n + c.count, 0);
  }

  /** A published chat's month layout (month → split into days). */
  layoutOf(chatId: number): Map<string, boolean> | undefined {
    return this.layouts.get(chatId);
  }

  /** The archive page path (within its chat folder) of a message of a published chat. */
  pagePath(chatId: number, time: number): string {
    return pagePathIn(this.layouts.get(chatId), time);
  }
}

/** A chat's newest page that is not set apart for implausible dates (where "continue reading" leads). */
export function newestPage(chat: ChatSummary): MonthSummary['pages'][number] | undefined {
  return chat.months.findLast((m) => !m.implausible)?.pages.findLast((p) => !p.implausible);
}

function pagePathIn(layout: Map<string, boolean> | undefined, time: number): string {
  return pagePathOf(time, layout?.get(monthOf(time)) ?? false);
}

/** Chats to publish, by the include/exclude options (native ids, aliases or slugs). */
export function selectChats(reader: ArchiveReader, options: ResolvedOptions, warn = true): ChatRow[] {
  const chats = reader.chats();
  const names = new Map<string, number>();
  for (const chat of chats) {
    names.set(chat.native_id, chat.id);
    names.set(chat.slug, chat.id);
  }
  for (const alias of reader.aliases()) names.set(alias.native_id, alias.chat_id);
  const resolve = (list: string[], option: string): Set<number> => {
    const ids = new Set<number>();
    for (const name of list) {
      const id = names.get(name);
      if (id === undefined) {
        if (warn) console.warn(`[chatchannels] option "${option}": no chat "${name}" in the database`);
      } else {
        ids.add(id);
      }
    }
    return ids;
  };
  const include = options.include ? resolve(options.include, 'include') : null;
  const exclude = resolve(options.exclude, 'exclude');
  return chats.filter((chat) => {
    if ((include && !include.has(chat.id)) || exclude.has(chat.id)) return false;
    // Slugs become folder names and URLs unescaped: the collector makes them [a-z0-9-]
    // (collector/identity/slug.ts); a database that breaks that rule is not published from.
    if (!SAFE_SLUG.test(chat.slug)) {
      if (warn) console.warn(`[chatchannels] chat ${JSON.stringify(chat.native_id)} has an unsafe slug ${JSON.stringify(chat.slug)}: not published`);
      return false;
    }
    return true;
  });
}

/**
 * `previous`: the catalog of the last build of the same plugin instance, when this one is
 * incremental (option `since`): the chats the change log does not name are taken from it as they
 * were (their pages, counts and latest message cannot have changed), which saves most of the
 * queries on a large archive. An import that renames a chat or adds a member to it, even with no
 * message, logs the whole chat (WHOLE_CHAT), so it is never taken as it was.
 *
 * `archiveOnly`: the catalog of the archive worker (render/archive-worker.ts). Archive pages read
 * chats' titles, slugs, months and layouts, never their newest message nor who posted in them,
 * which are the catalog's costliest parts (a GROUP BY over every chat's rows, month by month, and
 * each chat's newest rows in full): it leaves those out. `latest` is null and `members` is the
 * chat's member list alone (what an untitled chat's title is made of).
 */
export function buildCatalog(reader: ArchiveReader, options: ResolvedOptions, time: TimeLabels, previous: Catalog | null = null, archiveOnly = false): Catalog {
  const authors = new AuthorNamer(options.authors, options.pseudonymSalt, (nativeId) => reader.displayNameOf(nativeId), options.excludeAuthors);
  const members = reader.members();
  const chats: ChatSummary[] = [];
  const pagesByChat = new Map<number, ArchivePage[]>();
  const layouts = new Map<number, Map<string, boolean>>();
  const changes = options.since === null ? null : reader.changesSince(options.since);
  const reusable = changes && previous ? previous : null;
  // Grouped once: filtering every page of the site for each chat grew with chats × pages.
  const reusablePages = new Map<number, ArchivePage[]>();
  for (const page of reusable?.archivePages ?? []) {
    let list = reusablePages.get(page.chatId);
    if (!list) reusablePages.set(page.chatId, (list = []));
    list.push(page);
  }

  if (options.authors !== 'show' && reader.needsRerender()) {
    throw new Error(
      `${options.db}: some messages were stored by an older chatchannels, with names written into their text; ` +
        `run "chatchannels import" (of any source) once to update them before publishing with authors "${options.authors}"`,
    );
  }
  const people = options.authors === 'show' ? [] : peopleWords(reader.allPeople());
  const redacted = reader.redactedAnchors(options.redact);
  for (const stored of selectChats(reader, options)) {
    const row = { ...stored, slug: publicSlug(stored, options.authors, options.pseudonymSalt) };
    const before = reusable && !changes!.days.has(row.id) ? reusable.chatsById.get(row.id) : undefined;
    if (before && before.slug === row.slug) {
      chats.push(before);
      pagesByChat.set(row.id, reusablePages.get(row.id) ?? []);
      layouts.set(row.id, reusable!.layoutOf(row.id)!);
      continue;
    }
    const layout = reader.periods(row.id);
    const pages = archivePagesOf(reader, row, layout, time, reusable ? reusablePages.get(row.id) : undefined, changes?.days.get(row.id));
    if (pages.length === 0) continue; // a chat with no messages has nothing to publish
    layouts.set(row.id, layout);
    pagesByChat.set(row.id, pages);

    const memberAuthors: Author[] = [];
    /** How many of them the chat's member list names (untitled chats are named after those). */
    let listed = 0;
    const owners = new Set<string>();
    /** Members the database has no name for (titles leave them out: titleMembers). */
    const unnamed = new Set<string>();
    if (options.authors !== 'hide') {
      // Members: the chat's member list and everyone who posted in it, once each.
      const posters = archiveOnly ? null : reader.posters(row.id);
      const seen = new Set<string>();
      const add = (author: Author): void => {
        if (!seen.has(author.key)) {
          seen.add(author.key);
          memberAuthors.push(author);
        }
      };
      for (const personId of members.get(row.id) ?? []) {
        const person = reader.person(personId);
        if (!person) continue;
        const author = authors.author(person.nativeId, null, person.displayName);
        add(author);
        if (person.owner) owners.add(author.key);
        if (!person.displayName?.trim()) unnamed.add(author.key);
      }
      listed = memberAuthors.length;
      if (posters) {
        for (const personId of posters.personIds) {
          const person = reader.person(personId);
          if (person) add(authors.author(person.nativeId, null, person.displayName));
        }
        for (const name of posters.names) add(authors.author(null, name, null));
      }
    }
    const listedMembers = sortAuthors(memberAuthors.slice(0, listed));
    sortAuthors(memberAuthors);

    const count = pages.reduce((n, p) => n + p.count, 0);
    // Activity and the latest message ignore implausible dates when there are plausible ones: a
    // clock that said 2404 should not make a chat look active forever.
    const latestRow = archiveOnly ? undefined : ((reader.latestAcross([row.id], 1)[0] ?? reader.latestMessages(row.id, 1)[0]) as Message | undefined);
    const range = reader.plausibleRange(row.id);
    const latest: LatestMessage | null = latestRow
      ? {
          author: authorOf(reader, authors, latestRow.authorId, latestRow.authorName),
          text: redacted.has(`${row.id}/${latestRow.anchor}`) ? REDACTED_TEXT : resolveRefsText(authors, latestRow.text ?? ''),
          time: latestRow.time,
          anchor: latestRow.anchor,
          path: pagePathIn(layout, latestRow.time),
          kind: latestRow.kind,
        }
      : null;
    const months: MonthSummary[] = [];
    for (const page of pages) {
      let month = months[months.length - 1];
      const key = page.month || page.path;
      if (!month || month.month !== key) {
        month = {
          month: key,
          year: page.month ? String(Number(page.month.slice(0, page.month.lastIndexOf('-')))) : 'Out of range',
          label: page.month ? time.monthLabel(page.month) : page.label,
          byDay: page.path.split('/').length > 3,
          implausible: page.implausible,
          count: 0,
          pages: [],
        };
        months.push(month);
      }
      month.implausible &&= page.implausible;
      month.count += page.count;
      month.pages.push({ path: page.path, label: page.label, count: page.count, implausible: page.implausible });
    }
    let anchorWidth = 0;
    while (anchorWidth < MAX_ANCHOR_WIDTH && count > ANCHORS_PER_FILE * 16 ** anchorWidth) anchorWidth++;

    chats.push({
      id: row.id,
      slug: row.slug,
      nativeId: row.native_id,
      title: chatTitle(row, row.slug, titleMembers(row.kind, listedMembers.map((a) => ({ name: a.name, owner: owners.has(a.key), named: !unnamed.has(a.key) }))), options.authors, people),
      kind: row.kind,
      format: row.format,
      members: memberAuthors,
      count,
      first: range ? range[0] : reader.firstAtOrAfter(row.id, -FAR),
      last: range ? range[1] : reader.lastBefore(row.id, FAR),
      latest,
      months,
      anchorWidth,
      pageCount: pages.length,
    });
  }

  // Most recently active first; the slug breaks ties so that the order is stable.
  chats.sort((a, b) => (b.last ?? 0) - (a.last ?? 0) || (a.slug < b.slug ? -1 : 1));
  const archivePages: ArchivePage[] = [];
  for (const chat of chats) archivePages.push(...pagesByChat.get(chat.id)!);

  let render: RenderSet = { chats, pages: archivePages, incremental: false };
  let changeSeq: number;
  if (changes === null) {
    changeSeq = reader.lastChange();
  } else {
    changeSeq = changes.upTo;
    const dirtyChats = chats.filter((c) => changes.days.has(c.id));
    render = {
      chats: dirtyChats,
      pages: dirtyChats.flatMap((c) => {
        const days = changes.days.get(c.id)!;
        return dirtyPages(pagesByChat.get(c.id)!, days, (page) => onlyChangedDays(reader, page, days));
      }),
      incremental: true,
    };
  }
  return new Catalog(chats, archivePages, layouts, authors, redacted, changeSeq, render);
}

/** Whether every message of the page is on one of `days` (then the page may be new). */
function onlyChangedDays(reader: ArchiveReader, page: ArchivePage, days: ReadonlySet<string>): boolean {
  if (page.month === '') return true; // out-of-range pages: assume new
  for (const [day] of reader.dayCounts(page.chatId, page.start, page.end)) {
    if (!days.has(dayOf(page.start + day * DAY_MS))) return false;
  }
  return true;
}

export function authorOf(reader: ArchiveReader, authors: AuthorNamer, authorId: number | null, authorName: string | null): Author {
  const person = reader.person(authorId);
  return authors.author(person?.nativeId ?? null, authorName, person?.displayName ?? null);
}

function sortAuthors(list: Author[]): Author[] {
  return list.sort((a, b) => (a.name! < b.name! ? -1 : a.name! > b.name! ? 1 : a.key < b.key ? -1 : 1));
}

/** Pages of an all-implausible chat, which are kept in sequence: their own flag was true. */
const keptInSequence = new WeakSet<ArchivePage>();

/**
 * The previous build's pages of a chat by slot (`early`, `YYYY-MM`, `late`), for the slots that
 * hold none of its changed days; null when a day cannot be placed (then nothing is reused).
 */
function unchangedSlots(previous: readonly ArchivePage[] | undefined, days: ReadonlySet<string> | undefined): Map<string, ArchivePage[]> | null {
  if (!previous || !days) return null;
  const dirty = new Set<string>();
  for (const day of days) {
    const t = dayStart(day);
    if (t === null) return null;
    dirty.add(slotOf(t).label);
  }
  const bySlot = new Map<string, ArchivePage[]>();
  for (const page of previous) {
    const slot = page.month || (page.path === EARLY_PATH ? 'early' : 'late');
    if (dirty.has(slot)) continue;
    let list = bySlot.get(slot);
    if (!list) bySlot.set(slot, (list = []));
    // Links are made again below; the flag as it was before an all-implausible chat cleared it.
    list.push({ ...page, prev: null, next: null, implausible: page.implausible || keptInSequence.has(page) });
  }
  return bySlot;
}

/**
 * A chat's archive pages, found by skipping from month to month through the (chat, time) index:
 * a few indexed queries per non-empty month, never a scan of the chat's messages into memory.
 * The month/day choice comes from the `periods` table; a month that has none yet (an import still
 * running) gets the rule the writer will apply. An incremental build passes the chat's previous
 * pages and changed days: the months without changed days keep their pages (no change can have
 * touched them), so one new message costs its month's queries, not its chat's.
 */
function archivePagesOf(
  reader: ArchiveReader,
  chat: ChatRow,
  layout: Map<string, boolean>,
  time: TimeLabels,
  previous?: readonly ArchivePage[],
  changedDays?: ReadonlySet<string>,
): ArchivePage[] {
  const pages: ArchivePage[] = [];
  const reuse = unchangedSlots(previous, changedDays);
  const add = (page: Omit<ArchivePage, 'chatId' | 'slug' | 'prev' | 'next' | 'implausible'>): void => {
    const implausible = !reader.anyPlausibleInRange(chat.id, page.start, page.end);
    pages.push({ chatId: chat.id, slug: chat.slug, implausible, prev: null, next: null, ...page });
  };
  const kept = (slot: string): boolean => {
    const list = reuse?.get(slot);
    if (list) pages.push(...list);
    return !!list;
  };
  const early = kept('early') ? 0 : reader.countInRange(chat.id, -FAR, DATED_MIN);
  if (early > 0) add({ path: EARLY_PATH, month: '', start: -FAR, end: DATED_MIN, count: early, label: 'Before year 1' });

  let t = reader.firstAtOrAfter(chat.id, DATED_MIN);
  while (t !== null && t < DATED_END) {
    const { label: month, start, end } = slotOf(t);
    t = reader.firstAtOrAfter(chat.id, end);
    if (layout.has(month) && kept(month)) continue;
    let byDay = layout.get(month);
    const count = reader.countInRange(chat.id, start, end);
    if (byDay === undefined) {
      byDay = count > PAGE_SPLIT_THRESHOLD;
      layout.set(month, byDay);
    }
    if (byDay) {
      for (const [day, dayCount] of reader.dayCounts(chat.id, start, end)) {
        const dayStart = start + day * DAY_MS;
        add({
          path: pagePathOf(dayStart, true),
          month,
          start: dayStart,
          end: Math.min(dayStart + DAY_MS, end),
          count: dayCount,
          label: time.utcDayLabel(dayStart),
        });
      }
    } else {
      add({ path: pagePathOf(start, false), month, start, end, count, label: time.monthLabel(month) });
    }
  }

  const late = kept('late') ? 0 : reader.countInRange(chat.id, DATED_END, FAR);
  if (late > 0) add({ path: LATE_PATH, month: '', start: DATED_END, end: FAR, count: late, label: 'After year 9999' });

  // Only plausible pages are linked in sequence; a chat whose every date is implausible has nothing
  // to set them apart from, so it keeps them all in sequence.
  if (pages.every((p) => p.implausible)) {
    for (const page of pages) {
      page.implausible = false;
      keptInSequence.add(page);
    }
  }
  const linked = pages.filter((p) => !p.implausible);
  for (let i = 0; i < linked.length; i++) {
    if (i > 0) linked[i].prev = { path: linked[i - 1].path, label: linked[i - 1].label };
    if (i + 1 < linked.length) linked[i].next = { path: linked[i + 1].path, label: linked[i + 1].label };
  }
  return pages;
}
