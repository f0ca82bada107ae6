import { resolveRefsText } from '../data/authors.js';
import type { ChatSummary } from '../data/catalog.js';
import type { Thread } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { plural } from '../templates/common.js';
import { bdi, snippet, text } from './escape.js';
import { sitePaths, type Links } from './links.js';
import { REDACTED_TEXT } from './redacted.js';
import { isoTime } from './time.js';

/**
 * A thread under its root message (MessageFlags.threadReply): "12 replies" as a <details> that
 * opens without script, listing the first THREAD_SHOWN replies in one line each (author, time,
 * text), each linking to the reply's own place in the stream, where it keeps its anchor. The copies
 * here carry no id (an anchor is the stream's). A longer thread ends with a link to its first
 * reply not listed: the stream is where the rest is read.
 */
export const THREAD_SHOWN = 50;
/** Characters of a reply's text in the list. */
const REPLY_TEXT = 200;

export function renderThread(session: BuildSession, chat: ChatSummary, thread: Thread, links: Links, rootTime: number): string {
  const { catalog, time } = session;
  const showNames = catalog.authors.mode !== 'hide';
  const permalink = (t: number, anchor: string): string =>
    text(links.to(`${sitePaths.archive(chat.slug, catalog.pagePath(chat.id, t))}#${anchor}`));
  const last = `<time datetime="${isoTime(thread.last)}">${text(time.dateTime(thread.last))}</time>`;
  let out = `<details class="cc-replies"><summary>${plural(session, thread.count, 'reply', 'replies')}, last ${last}</summary><ol>`;
  const shown = thread.replies.slice(0, THREAD_SHOWN);
  const rootDay = time.dayKey(rootTime);
  for (const reply of shown) {
    const t = reply.time;
    // A reply of the root's day shows its time only; its label names the date as well, so that a
    // screen reader's link list is not a column of "10:07" (the label starts with the visible text).
    const shownTime = time.dayKey(t) === rootDay ? time.clock(t) : time.dateTime(t);
    out += `<li><a href="${permalink(t, reply.anchor)}" aria-label="${text(`${shownTime}${shownTime === time.clock(t) ? `, ${time.date(t)}` : ''}: reply`)}">`;
    out += `<time datetime="${isoTime(t)}">${text(shownTime)}</time></a> `;
    if (showNames) out += `<b>${bdi(session.author(reply.authorId, reply.authorName).name)}</b> `;
    const redacted = catalog.redacted.size > 0 && catalog.redacted.has(`${chat.id}/${reply.anchor}`);
    const line = redacted ? REDACTED_TEXT : reply.deleted ? '' : snippet(resolveRefsText(catalog.authors, reply.text), REPLY_TEXT);
    out += line ? bdi(line) : `<i>${reply.deleted ? '(deleted)' : '(no text)'}</i>`;
    out += '</li>';
  }
  out += '</ol>';
  const more = thread.count - shown.length;
  const next = thread.replies[THREAD_SHOWN];
  if (more > 0 && next) {
    out += `<p class="cc-replies-more"><a href="${permalink(next.time, next.anchor)}">${plural(session, more, 'more reply', 'more replies')} in the stream</a></p>`;
  }
  return `${out}</details>`;
}
