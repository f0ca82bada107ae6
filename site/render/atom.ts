import { resolveRefsHtml, resolveRefsText } from '../data/authors.js';
import type { ChatSummary } from '../data/catalog.js';
import type { Message } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { parseAttachments, renderAttachments } from './attachments.js';
import { escapeHtml, snippet, stripInvalidChars } from './escape.js';
import { flat } from './flat.js';
import { isolate } from '../../collector/store/contract.js';
import { sitePaths, type PublicUrls } from './links.js';
import { REDACTED_HTML, REDACTED_TEXT } from './redacted.js';
import { isoTime } from './time.js';
import { titleText } from './title-text.js';

/**
 * Atom 1.0 (RFC 4287), written directly, not with the `feed` package: `feed` serializes through
 * xml-js, which wrote the same entries 6–22× slower here and made the whole feed step 2.7× slower
 * (bench figure `feeds.write`, numbers in the README); and xml-js splits only the first `]]>` of a
 * CDATA section. `feed` stays the reference: test/site-feeds.test.ts checks that feedparser reads
 * this output exactly as it reads `feed`'s for the same entries (bench/reference/feed-package.ts).
 *
 * - Every string is stripped of characters XML 1.0 forbids (feed readers reject the whole feed).
 * - Entry ids are `tag:chatchannels,2025:<message key>`: stable forever, whatever the page URL.
 *   The site feed's are `tag:chatchannels,2025:site:<message key>`: readers subscribed to both it
 *   and a chat's feed (as the OPML invites) drop entries whose id they have already seen, which
 *   left the site feed looking empty.
 * - Links are absolute with `siteUrl`, else root-relative (`/prefix/chats/…`), which Atom readers
 *   resolve against the feed's own URL (RFC 4287 §4.2.7.1 links are IRI references).
 * - `updated` is the edit time of edited messages; the feed's is its newest entry's (never the
 *   build time: the same database gives the same bytes).
 */
export interface FeedDescription {
  id: string;
  title: string;
  /** Site paths of the feed itself and of the page it describes. */
  selfPath: string;
  pagePath: string;
  /** The all-chats feed: entries name their chat and have ids of their own. */
  site?: boolean;
}

export interface AtomEntry {
  id: string;
  title: string;
  link: string;
  updated: number;
  published: number;
  author: string | null;
  /** HTML. */
  content: string;
}

export interface AtomFeed {
  id: string;
  title: string;
  selfUrl: string;
  pageUrl: string;
  author: string;
  lang: string;
  entries: AtomEntry[];
}

/** Text or attribute value for XML: forbidden characters dropped, markup escaped. */
function xml(value: string): string {
  return escapeHtml(stripInvalidChars(value));
}

export function writeAtom(feed: AtomFeed): string {
  let updated = 0;
  for (const entry of feed.entries) updated = Math.max(updated, entry.updated);
  let out =
    `<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="${xml(feed.lang)}">\n` +
    `  <id>${xml(feed.id)}</id>\n  <title>${xml(feed.title)}</title>\n  <updated>${isoTime(updated)}</updated>\n` +
    `  <generator>chatchannels</generator>\n  <author><name>${xml(feed.author)}</name></author>\n` +
    `  <link rel="alternate" type="text/html" href="${xml(feed.pageUrl)}"/>\n` +
    `  <link rel="self" type="application/atom+xml" href="${xml(feed.selfUrl)}"/>\n`;
  for (const entry of feed.entries) {
    out +=
      `  <entry>\n    <id>${xml(entry.id)}</id>\n    <title type="text">${xml(entry.title)}</title>\n` +
      `    <link rel="alternate" type="text/html" href="${xml(entry.link)}"/>\n` +
      `    <published>${isoTime(entry.published)}</published>\n    <updated>${isoTime(entry.updated)}</updated>\n` +
      (entry.author ? `    <author><name>${xml(entry.author)}</name></author>\n` : '') +
      `    <content type="html">${xml(entry.content)}</content>\n  </entry>\n`;
  }
  return `${out}</feed>\n`;
}

/** A chat's own feed. */
export function chatFeedDescription(chat: ChatSummary): FeedDescription {
  return { id: `tag:chatchannels,2025:chat:${chat.slug}`, title: chat.title, selfPath: sitePaths.chatFeed(chat.slug), pagePath: sitePaths.chat(chat.slug) };
}

/** The all-chats feed. */
export function siteFeedDescription(title: string): FeedDescription {
  return { id: 'tag:chatchannels,2025:site', title, selfPath: sitePaths.siteFeed, pagePath: sitePaths.index, site: true };
}

/** The Atom feed of these messages (newest first), as text. */
export function renderAtom(session: BuildSession, urls: PublicUrls, description: FeedDescription, messages: Message[]): string {
  return flat(writeAtom(atomFeed(session, urls, description, messages)));
}

/** The Atom entries of these messages (newest first), and the feed around them, before writing. */
export function atomFeed(session: BuildSession, urls: PublicUrls, description: FeedDescription, messages: Message[]): AtomFeed {
  const { catalog, options } = session;
  const attachments = messages.map((m) => parseAttachments(m.attachments));
  const media = session.lookupMedia(attachments.flat().flatMap((a) => (a.hash ? [a.hash] : [])));
  const entries = messages.map((m, i): AtomEntry => {
    const chat = catalog.chatsById.get(m.chatId)!;
    const author = session.author(m.authorId, m.authorName);
    const redacted = catalog.redacted.has(`${m.chatId}/${m.anchor}`);
    const html = redacted ? REDACTED_HTML : resolveRefsHtml(catalog.authors, m.html);
    const line = redacted ? REDACTED_TEXT : entryLine({ ...m, html, text: resolveRefsText(catalog.authors, m.text ?? '') }, attachments[i][0]?.name);
    let content = html;
    if (!redacted && attachments[i].length) content += renderAttachments(attachments[i], media, (path) => urls.url(path));
    const named = author.name && m.kind !== 'event' && m.kind !== 'call' ? author.name : null;
    return {
      id: description.site ? `tag:chatchannels,2025:site:${m.key}` : `tag:chatchannels,2025:${m.key}`,
      title: entryTitle(description.site ? chat.title : null, named, line),
      link: urls.url(`${sitePaths.archive(chat.slug, catalog.pagePath(chat.id, m.time))}#${m.anchor}`),
      updated: m.editedAt ?? m.time,
      published: m.time,
      author: author.name && isolate(author.name),
      content,
    };
  });
  return {
    id: description.id,
    title: description.title,
    selfUrl: urls.url(description.selfPath),
    pageUrl: urls.url(description.pagePath),
    author: options.title,
    lang: options.lang,
    entries,
  };
}

/** What an entry says: the message's own words (not a quote it starts with), else its file. */
function entryLine(m: Message, firstFile: string | undefined): string {
  if (m.deleted) return '(message deleted)';
  return snippet(titleText(m.html), 100) || snippet(m.text ?? '', 100) || (firstFile ? snippet(firstFile, 100) : '(no text)');
}

/**
 * An entry's title, in one place: `[Chat] Author: words`. The chat is named in the site feed
 * only (a chat's own feed says it already); events and calls carry their author in their words.
 */
export function entryTitle(chat: string | null, author: string | null, line: string): string {
  // Names and titles isolated: a right-to-left name must not reorder the words after it.
  const said = author ? `${isolate(author)}: ${line}` : line;
  return chat ? `[${isolate(chat)}] ${said}` : said;
}
