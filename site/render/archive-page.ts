import type { ArchivePage, ChatSummary, PageLink } from '../data/catalog.js';
import type { Message, Thread } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { bdi, text } from './escape.js';
import { renderPage } from './layout.js';
import { Links, sitePaths } from './links.js';
import { preparePhotos, renderMessageList } from './messages.js';
import { THREAD_SHOWN } from './threads.js';
import { plural } from '../templates/common.js';

/**
 * Writes these archive pages, and each chat's anchor maps after its last page. A page with photos
 * waits for their thumbnails first; the others render without yielding.
 */
export async function writeArchivePages(session: BuildSession, output: string, pages: readonly ArchivePage[]): Promise<void> {
  for (const page of pages) {
    const messages = session.reader.pageMessages(page.chatId, page.start, page.end);
    const photos = preparePhotos(session, messages, output);
    if (photos) await photos;
    const chat = session.catalog.chatsById.get(page.chatId)!;
    // Anchors of rows merged into these messages after they were published (reader/anchors.ts).
    const aliases = session.reader.aliasesOfPage(page.chatId, page.start, page.end);
    const anchors = messages.map((m) => m.anchor);
    const maps = session.anchorMaps.add(chat, page.path, aliases.size === 0 ? anchors : anchors.flatMap((a) => [a, ...(aliases.get(a) ?? [])]));
    const threads = session.reader.pageThreads(page.chatId, page.start, page.end, THREAD_SHOWN + 1);
    session.writePage(output, sitePaths.archive(page.slug, page.path), renderArchive(session, page, messages, threads, aliases));
    if (maps) {
      for (const [path, content] of maps) session.writePage(output, path, content);
      session.pruneAnchorMaps(output, chat);
    }
  }
}

function renderArchive(session: BuildSession, page: ArchivePage, rows: Message[], threads: ReadonlyMap<string, Thread>, aliases: ReadonlyMap<string, string[]>): string {
  const { catalog, options } = session;
  const chat = catalog.chatsById.get(page.chatId)!;
  const links = new Links(sitePaths.archive(page.slug, page.path));
  // Above and below the messages: two landmarks, so two names (a screen reader lists both).
  const pager = (where: string): string => pagerNav(links, page.slug, page.prev, page.next, where);

  let content = `<header class="cc-page-head"><h1>${text(page.label)}</h1>`;
  content += `<p class="cc-meta"><a href="${links.to(sitePaths.chat(page.slug))}">${bdi(chat.title)}</a> · ${plural(session, rows.length, 'message', 'messages')}</p></header>`;
  // The month list comes after the messages (phones reach it at the end of the page); wide
  // screens show it as a column beside them.
  content += `<div class="cc-archive-layout"><div class="cc-archive-body">${pager('')}`;
  content += `<div class="cc-log">${renderMessageList(session, rows, links, { anchors: true, dayLevel: 2, threads, aliases })}</div>`;
  content += `${pager(', after the messages')}</div>${monthNav(session, links, chat, page)}</div>`;

  return renderPage(options, links, {
    kind: 'archive',
    titleParts: [page.label, chat.title],
    crumbs: [
      { label: options.title, path: sitePaths.index },
      { label: chat.title, path: sitePaths.chat(page.slug) },
      { label: page.label, path: null },
    ],
    content,
    chatFeed: { title: `${chat.title} (Atom feed)`, path: sitePaths.chatFeed(page.slug) },
  });
}

function pagerNav(links: Links, slug: string, prev: PageLink | null, next: PageLink | null, where: string): string {
  if (!prev && !next) return '';
  let nav = `<nav class="cc-pager" aria-label="Older and newer pages${where}">`;
  nav += prev
    ? `<a class="cc-prev" rel="prev" href="${links.to(sitePaths.archive(slug, prev.path))}">← ${text(prev.label)}</a>`
    : '<span class="cc-prev"></span>';
  nav += next
    ? `<a class="cc-next" rel="next" href="${links.to(sitePaths.archive(slug, next.path))}">${text(next.label)} →</a>`
    : '<span class="cc-next"></span>';
  return `${nav}</nav>`;
}

const IMPLAUSIBLE_GROUP = 'Implausible dates';

/**
 * Every month of the chat, by year, on every archive page, so that any date is one click away
 * (and, on a day page, the days of its month). No counts: a page changes only when a month (or a
 * day of its own month) is added, which keeps incremental rebuilds small (data/dirty.ts).
 */
function monthNav(session: BuildSession, links: Links, chat: ChatSummary, page: ArchivePage): string {
  const current = page.month || page.path;
  const list = monthList(session, links, chat);
  let items = list.items;
  let days: ChatSummary['months'][number] | null = null;
  for (let i = 0; i < list.months.length; i++) {
    const month = list.months[i];
    if (month.month !== current) continue;
    if (items === list.items) items = items.slice();
    items[i + 1] =
      list.heads[i] +
      (month.pages.length === 1
        ? `<li><span aria-current="page">${list.labels[i]}</span></li>`
        : `<li><a href="${links.to(sitePaths.archive(chat.slug, month.pages[0].path))}" aria-current="true">${list.labels[i]}</a></li>`);
    if (month.byDay) days = month;
  }
  let nav = items.join('');
  if (days) {
    nav += `<ol class="cc-nav-days" aria-label="Days of ${text(days.label)}">`;
    for (const day of days.pages) {
      const n = Number(day.path.split('/')[2]);
      nav +=
        day.path === page.path
          ? `<li><span aria-current="page">${n}</span></li>`
          : `<li><a href="${links.to(sitePaths.archive(chat.slug, day.path))}">${n}</a></li>`;
    }
    nav += '</ol>';
  }
  return `${nav}</nav>`;
}

/**
 * A chat's month nav as the pages of one year (or, for day pages, one month) link it: item i + 1
 * is month i, after the year heading it opens (heads[i]). The same for all of those pages but at
 * their own month, which monthNav redraws: a relative link to anywhere else depends only on the
 * folder above the page's. Built once per such folder instead of once per page — it was a quarter
 * of what rendering archive pages allocated. Only the chat being written is kept.
 */
interface MonthList {
  months: ChatSummary['months'];
  labels: string[];
  heads: string[];
  items: string[];
}

const monthLists = new WeakMap<BuildSession, { chat: ChatSummary; byFolder: Map<string, MonthList> }>();

function monthList(session: BuildSession, here: Links, chat: ChatSummary): MonthList {
  let cache = monthLists.get(session);
  if (cache?.chat !== chat) monthLists.set(session, (cache = { chat, byFolder: new Map() }));
  const folder = here.here.slice(0, here.here.lastIndexOf('/', here.here.length - 2) + 1);
  let list = cache.byFolder.get(folder);
  if (list) return list;
  // Linked as from a page of that folder that is none of the chat's: right for every page there.
  const from = new Links(`${folder}\0/`);
  // Months set apart for implausible dates come last, under their own heading (not as the newest year).
  const months = [...chat.months.filter((m) => !m.implausible), ...chat.months.filter((m) => m.implausible)];
  const labels: string[] = [];
  const heads: string[] = [];
  const items = ['<nav class="cc-month-nav" aria-label="Archive months"><ol class="cc-years">'];
  let year = '';
  for (const month of months) {
    let item = '';
    const group = month.implausible ? IMPLAUSIBLE_GROUP : month.year;
    if (group !== year) {
      if (year) item += '</ol></li>';
      year = group;
      item += `<li><span class="cc-year">${text(year)}</span><ol class="cc-nav-months">`;
    }
    // Under a year a month is its short name; set apart, its label says the year too.
    const label = text(/^\d+-\d+$/.test(month.month) && !month.implausible ? session.time.shortMonthLabel(month.month) : month.label);
    labels.push(label);
    heads.push(item);
    items.push(`${item}<li><a href="${from.to(sitePaths.archive(chat.slug, month.pages[0].path))}">${label}</a></li>`);
  }
  items.push(year ? '</ol></li></ol>' : '</ol>');
  cache.byFolder.set(folder, (list = { months, labels, heads, items }));
  return list;
}
