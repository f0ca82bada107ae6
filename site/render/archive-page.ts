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
    const maps = session.anchorMaps.add(chat, page.path, messages.map((m) => m.anchor));
    const threads = session.reader.pageThreads(page.chatId, page.start, page.end, THREAD_SHOWN + 1);
    session.writePage(output, sitePaths.archive(page.slug, page.path), renderArchive(session, page, messages, threads));
    if (maps) {
      for (const [path, content] of maps) session.writePage(output, path, content);
      session.pruneAnchorMaps(output, chat);
    }
  }
}

function renderArchive(session: BuildSession, page: ArchivePage, rows: Message[], threads: ReadonlyMap<string, Thread>): string {
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
  content += `<div class="cc-log">${renderMessageList(session, rows, links, { anchors: true, dayLevel: 2, threads })}</div>`;
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
  let nav = '<nav class="cc-month-nav" aria-label="Archive months"><ol class="cc-years">';
  let year = '';
  let days: ChatSummary['months'][number] | null = null;
  // Months set apart for implausible dates come last, under their own heading (not as the newest year).
  for (const month of [...chat.months.filter((m) => !m.implausible), ...chat.months.filter((m) => m.implausible)]) {
    const group = month.implausible ? IMPLAUSIBLE_GROUP : month.year;
    if (group !== year) {
      if (year) nav += '</ol></li>';
      year = group;
      nav += `<li><span class="cc-year">${text(year)}</span><ol class="cc-nav-months">`;
    }
    // Under a year a month is its short name; set apart, its label says the year too.
    const label = text(/^\d+-\d+$/.test(month.month) && !month.implausible ? session.time.shortMonthLabel(month.month) : month.label);
    if (month.month === current && month.pages.length === 1) {
      nav += `<li><span aria-current="page">${label}</span></li>`;
    } else {
      const here = month.month === current ? ' aria-current="true"' : '';
      nav += `<li><a href="${links.to(sitePaths.archive(chat.slug, month.pages[0].path))}"${here}>${label}</a></li>`;
    }
    if (month.month === current && month.byDay) days = month;
  }
  if (year) nav += '</ol></li>';
  nav += '</ol>';
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
