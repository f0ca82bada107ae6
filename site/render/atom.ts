import { resolveRefsHtml, resolveRefsText } from '../data/authors.js';
import type { Message } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { parseAttachments, renderAttachments } from './attachments.js';
import { escapeHtml, snippet, stripInvalidChars } from './escape.js';
import { sitePaths, type PublicUrls } from './links.js';
import { REDACTED_HTML, REDACTED_TEXT } from './redacted.js';
import { isoTime } from './time.js';

/**
 * Atom 1.0 (RFC 4287), written directly.
 *
 * The site first used the `feed` package; it serializes through xml-js, which spent ~15 ms per
 * 100-entry feed here (a for…in over every string value), 2–3 s for a 200-chat site: more than
 * rendering a million messages' pages took. test/site-feeds.test.ts checks that feedparser reads
 * this output exactly as it reads `feed`'s for the same entries.
 *
 * - Every string is stripped of characters XML 1.0 forbids (feed readers reject the whole feed).
 * - Entry ids are `tag:chatchannels,2025:<message key>`: stable forever, whatever the page URL.
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

/** The Atom entries of these messages (newest first), and the feed around them. */
export function renderAtom(session: BuildSession, urls: PublicUrls, description: FeedDescription, messages: Message[]): string {
  const { catalog, options } = session;
  const attachments = messages.map((m) => parseAttachments(m.attachments));
  const media = session.lookupMedia(attachments.flat().flatMap((a) => (a.hash ? [a.hash] : [])));
  const entries = messages.map((m, i): AtomEntry => {
    const chat = catalog.chatsById.get(m.chatId)!;
    const author = session.author(m.authorId, m.authorName);
    const redacted = catalog.redacted.has(`${m.chatId}/${m.anchor}`);
    const line = redacted ? REDACTED_TEXT : snippet(resolveRefsText(catalog.authors, m.text ?? ''), 100) || (attachments[i][0]?.name ? snippet(attachments[i][0].name, 100) : '(no text)');
    let content = redacted ? REDACTED_HTML : resolveRefsHtml(catalog.authors, m.html);
    if (!redacted && attachments[i].length) content += renderAttachments(attachments[i], media, (path) => urls.url(path), catalog.authors.mode);
    return {
      id: `tag:chatchannels,2025:${m.key}`,
      title: author.name && m.kind !== 'event' && m.kind !== 'call' ? `${author.name}: ${line}` : line,
      link: urls.url(`${sitePaths.archive(chat.slug, catalog.pagePath(chat.id, m.time))}#${m.anchor}`),
      updated: m.editedAt ?? m.time,
      published: m.time,
      author: author.name,
      content,
    };
  });
  return writeAtom({
    id: description.id,
    title: description.title,
    selfUrl: urls.url(description.selfPath),
    pageUrl: urls.url(description.pagePath),
    author: options.title,
    lang: options.lang,
    entries,
  });
}
