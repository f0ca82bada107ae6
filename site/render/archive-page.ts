import type { ArchivePage, PageLink } from '../data/catalog.js';
import type { Message } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { bdi, text } from './escape.js';
import { renderPage } from './layout.js';
import { Links, sitePaths } from './links.js';
import { renderMessageList } from './messages.js';
import { plural } from '../templates/common.js';

/** Writes these archive pages, and each chat's anchor maps after its last page. */
export function writeArchivePages(session: BuildSession, output: string, pages: readonly ArchivePage[]): void {
  for (const page of pages) {
    const messages = session.reader.pageMessages(page.chatId, page.start, page.end);
    const chat = session.catalog.chatsById.get(page.chatId)!;
    const maps = session.anchorMaps.add(chat, page.path, messages.map((m) => m.anchor));
    session.writePage(output, sitePaths.archive(page.slug, page.path), renderArchive(session, page, messages));
    if (maps) {
      for (const [path, content] of maps) session.writePage(output, path, content);
      session.pruneAnchorMaps(output, chat);
    }
  }
}

function renderArchive(session: BuildSession, page: ArchivePage, rows: Message[]): string {
  const { catalog, options } = session;
  const chat = catalog.chatsById.get(page.chatId)!;
  const links = new Links(sitePaths.archive(page.slug, page.path));
  const pager = pagerNav(links, page.slug, page.prev, page.next);

  let content = `<header class="cc-page-head"><h1>${text(page.label)}</h1>`;
  content += `<p class="cc-meta"><a href="${links.to(sitePaths.chat(page.slug))}">${bdi(chat.title)}</a> · ${plural(session, rows.length, 'message', 'messages')}</p></header>`;
  content += pager;
  content += `<div class="cc-log">${renderMessageList(session, rows, links, { anchors: true, dayLevel: 2 })}</div>`;
  content += pager;

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

function pagerNav(links: Links, slug: string, prev: PageLink | null, next: PageLink | null): string {
  if (!prev && !next) return '';
  let nav = '<nav class="cc-pager" aria-label="Older and newer pages">';
  nav += prev
    ? `<a class="cc-prev" rel="prev" href="${links.to(sitePaths.archive(slug, prev.path))}">← ${text(prev.label)}</a>`
    : '<span class="cc-prev"></span>';
  nav += next
    ? `<a class="cc-next" rel="next" href="${links.to(sitePaths.archive(slug, next.path))}">${text(next.label)} →</a>`
    : '<span class="cc-next"></span>';
  return `${nav}</nav>`;
}
