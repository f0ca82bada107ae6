import { newestPage, type ChatSummary, type MonthSummary } from '../data/catalog.js';
import { galleryItems } from '../data/gallery.js';
import type { BuildSession } from '../data/session.js';
import { text } from '../render/escape.js';
import { renderChatActivity, renderChatWhoTalks } from '../render/activity/section.js';
import { renderPage } from '../render/layout.js';
import { Links, sitePaths, type PublicUrls } from '../render/links.js';
import { preparePhotos, renderMessageList } from '../render/messages.js';
import { activityRange, chatKindLabel, formatCount, memberList, plural } from './common.js';
import { renderChatFeed } from './feeds.js';

/**
 * `/chats/<slug>/`: a chat's landing page — archive months with counts, the latest messages, its
 * feed. It is also where old links land: `chats/<slug>/#<anchor>` finds the message's archive
 * page through the chat's anchor map files (the client script), so the landing URL plus an anchor
 * is a permalink that survives any change to the page layout.
 *
 * Written by the plugin itself with each chat's feed (`/chats/<slug>/feed.xml`, templates/feeds.ts),
 * like archive pages, rather than as paginated Eleventy templates: Eleventy keeps every page it
 * renders until its build ends (~35 MB at 100k messages), and a build that failed went on writing
 * them. Called by the archive template (templates/archive.ts) before the archive pages of this
 * thread's share, so that a failure stops the archive worker too. Project transforms do not run
 * on them; the `layout` option does.
 */
export async function writeChatPages(session: BuildSession, output: string, urls: PublicUrls): Promise<void> {
  if (!session.writing) return;
  for (const chat of session.catalog.render.chats) {
    session.writePage(output, sitePaths.chat(chat.slug), await renderChat(session, chat, output), 'landing');
    session.writePage(output, sitePaths.chatFeed(chat.slug), renderChatFeed(session, chat, urls), 'feed');
  }
}

async function renderChat(session: BuildSession, chat: ChatSummary, outputDir: string): Promise<string> {
  const { options, reader } = session;
  const here = sitePaths.chat(chat.slug);
  const links = new Links(here);
  let content = `<header class="cc-page-head"><h1>${text(chat.title)}</h1>`;
  content += `<p class="cc-meta">${plural(session, chat.count, 'message', 'messages')} · ${activityRange(session, chat)} · ${chatKindLabel(chat.kind)}`;
  content += ` · <a class="cc-feed-link" href="${links.to(sitePaths.chatFeed(chat.slug))}">Atom feed</a>`;
  if (galleryItems(session, chat).length > 0) content += ` · <a class="cc-gallery-link" href="${links.to(sitePaths.gallery(chat.slug))}">Media</a>`;
  content += '</p>';
  const members = memberList(chat, 40);
  if (members) content += `<p class="cc-members"><span class="cc-visually-hidden">Members: </span>${members}</p>`;
  content += '</header>';
  content += '<p class="cc-anchor-status" role="status" hidden></p>';
  content += `<div class="cc-overview">${renderChatActivity(session, chat, links)}${renderChatWhoTalks(session, chat)}</div>`;

  content += '<div class="cc-chat-layout"><section class="cc-archive-index" aria-labelledby="cc-archive-heading">';
  content += '<h2 id="cc-archive-heading">Archive</h2>';
  const monthItem = (month: MonthSummary): string => {
    const count = `<span class="cc-count">${formatCount(session, month.count)}</span>`;
    if (!month.byDay) return `<li><a href="${links.to(sitePaths.archive(chat.slug, month.pages[0].path))}">${text(month.label)}</a> ${count}</li>`;
    let item = `<li><details><summary>${text(month.label)} ${count}</summary><ul class="cc-days">`;
    for (const page of month.pages) {
      item += `<li><a href="${links.to(sitePaths.archive(chat.slug, page.path))}">${text(page.label)}</a> <span class="cc-count">${formatCount(session, page.count)}</span></li>`;
    }
    return `${item}</ul></details></li>`;
  };
  let year = '';
  for (const month of [...chat.months].reverse()) {
    if (month.implausible) continue;
    if (month.year !== year) {
      if (year) content += '</ul>';
      year = month.year;
      content += `<h3 class="cc-year">${text(year)}</h3><ul class="cc-months">`;
    }
    content += monthItem(month);
  }
  if (year) content += '</ul>';
  // Pages whose every message has an implausible date stay findable, apart from the years.
  const apart = chat.months.filter((m) => m.implausible);
  if (apart.length) {
    content += '<section class="cc-implausible-pages" aria-labelledby="cc-implausible-heading">';
    content += '<h3 class="cc-year" id="cc-implausible-heading">Messages with implausible dates</h3>';
    content += '<p class="cc-note">Their source dated them impossibly early or late; they are kept under the date it gave.</p>';
    content += `<ul class="cc-months">${apart.map(monthItem).join('')}</ul></section>`;
  }
  content += '</section>';

  // The newest messages with plausible dates (all of them if none is), oldest first.
  let recent = reader.latestAcross([chat.id], options.recentSize).reverse();
  if (recent.length === 0) recent = reader.latestMessages(chat.id, options.recentSize);
  await preparePhotos(session, recent, outputDir);
  content += '<section class="cc-recent" aria-labelledby="cc-recent-heading"><h2 id="cc-recent-heading">Latest messages</h2>';
  content += `<div class="cc-log">${renderMessageList(session, recent, links, { anchors: false, dayLevel: 3 })}</div>`;
  const lastPage = newestPage(chat);
  if (lastPage) {
    content += `<p class="cc-more"><a href="${links.to(sitePaths.archive(chat.slug, lastPage.path))}">Continue reading in ${text(lastPage.label)} →</a></p>`;
  }
  content += '</section></div>';

  return renderPage(options, links, {
    kind: 'chat',
    titleParts: [chat.title],
    crumbs: [
      { label: options.title, path: sitePaths.index },
      { label: chat.title, path: null },
    ],
    content,
    chatFeed: { title: `${chat.title} (Atom feed)`, path: sitePaths.chatFeed(chat.slug) },
    bodyAttributes: ` data-cc-anchor-width="${chat.anchorWidth}"`,
  });
}
