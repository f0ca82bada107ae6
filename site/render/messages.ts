import { resolveRefsHtml, type Author } from '../data/authors.js';
import type { Message, ReplyTarget, Thread } from '../data/reader.js';
import type { BuildSession } from '../data/session.js';
import { formatSize, isPhoto, parseAttachments, renderAttachments, withoutFileLines, type AttachmentInfo } from './attachments.js';
import { escapeHtml, text } from './escape.js';
import { localChatLinks } from './chat-links.js';
import { dayAnchor, sitePaths, type Links } from './links.js';
import { REDACTED_HTML } from './redacted.js';
import { renderThread } from './threads.js';
import { isoTime } from './time.js';
import { hasPlausibleTime, MessageFlags } from '../../collector/store/contract.js';

/**
 * A run of messages of one chat as HTML, the way chat apps show them: a separator per local day,
 * consecutive messages of one author within `groupMinutes` under one avatar and name, system
 * events (joins, calls) as centred lines. Plain string concatenation: this is the hot loop of a
 * build, run once per message of the site.
 */
export interface MessageListOptions {
  /** Give each message its `id="<anchor>"` (archive pages) or link permalinks to the archive. */
  anchors: boolean;
  /** Heading level of day separators; author names get the next one. */
  dayLevel: 2 | 3;
  /** Root anchor → its thread, listed under the root (archive pages: reader.pageThreads). */
  threads?: ReadonlyMap<string, Thread>;
  /**
   * Anchor → the other anchors of that message (archive pages): rows merged into it after they
   * were published (collector/store/repair.ts). Each is an empty element with that id at the
   * start of the message, so a link to the old anchor lands on it.
   */
  aliases?: ReadonlyMap<string, string[]>;
}

const SYSTEM_KINDS = new Set(['event', 'call']);
/** Messages longer than this (HTML characters) start collapsed: laying out megabytes of text stalls a browser. */
const LONG_MESSAGE = 100_000;

/**
 * Makes (or finds) the thumbnails of these messages' photos in `outputDir`, which
 * renderMessageList then shows: encoding is asynchronous, rendering is not. Null when there is
 * nothing to wait for; nothing is made when the build writes no files.
 */
export function preparePhotos(session: BuildSession, messages: Message[], outputDir: string): Promise<void> | null {
  if (!session.writing) return null;
  let photos: AttachmentInfo[] | null = null;
  for (const message of messages) {
    if (message.attachments) for (const a of parseAttachments(message.attachments)) if (a.hash) (photos ??= []).push(a);
  }
  if (!photos) return null;
  const media = session.lookupMedia(photos.map((a) => a.hash!));
  const hashes: string[] = [];
  for (const a of photos) {
    const stored = media.get(a.hash!);
    if (stored && isPhoto(a, stored)) hashes.push(stored.hash);
  }
  return session.thumbnails.prepare(outputDir, hashes);
}

/**
 * A photo's alt text, "Photo from Alice, 3 Sep 2021" (archive pages and the media gallery alike):
 * the author as the `authors` option shows them, no name at all when they are hidden.
 */
export function photoAlt(session: BuildSession, authorId: number | null, authorName: string | null, time: number): string {
  const sender = senderName(session, authorId, authorName);
  return `Photo${sender ? ` from ${sender}` : ''}, ${session.time.date(time)}`;
}

/** A message's author as the `authors` option shows them; null when authors are hidden. */
export function senderName(session: BuildSession, authorId: number | null, authorName: string | null): string | null {
  return session.catalog.authors.mode !== 'hide' ? session.author(authorId, authorName).name : null;
}

export function renderMessageList(session: BuildSession, messages: Message[], links: Links, options: MessageListOptions): string {
  if (messages.length === 0) return '';
  const { catalog, time } = session;
  const chat = catalog.chatsById.get(messages[0].chatId)!;
  const showNames = catalog.authors.mode !== 'hide';
  const groupGap = session.options.groupMinutes * 60_000;
  const dayTag = `h${options.dayLevel}`;
  const authorTag = `h${options.dayLevel + 1}`;

  // Batch lookups for the whole list: reply targets and stored media.
  let replyKeys: string[] | null = null;
  let attachmentsOf: Map<Message, AttachmentInfo[]> | null = null;
  const hashes: string[] = [];
  for (const message of messages) {
    if (message.replyTo) (replyKeys ??= []).push(message.replyTo);
    if (message.attachments) {
      const list = parseAttachments(message.attachments);
      if (list.length) {
        (attachmentsOf ??= new Map()).set(message, list);
        for (const a of list) if (a.hash) hashes.push(a.hash);
      }
    }
  }
  const replies = replyKeys ? session.reader.replyTargets(chat.id, replyKeys) : new Map<string, ReplyTarget>();
  const media = hashes.length ? session.lookupMedia(hashes) : new Map();
  const href = (sitePath: string): string => links.to(sitePath);
  const thumbnail = (hash: string) => session.thumbnails.get(hash);
  const archiveLink = (chatId: number, slug: string, t: number, anchor: string): string =>
    text(links.to(`${sitePaths.archive(slug, catalog.pagePath(chatId, t))}#${anchor}`));

  let out = '';
  let day = NaN;
  let groupOpen = false;
  let groupAuthor: Author | null = null;
  let lastTime = -Infinity;
  // The zone's offsets on this list, for the one line that names the zone.
  const offsets = new Set<string>();
  let lastZone = '';

  for (const message of messages) {
    const t = message.time;
    const system = SYSTEM_KINDS.has(message.kind);
    const rowDay = time.dayKey(t);
    if (rowDay !== day) {
      if (groupOpen) {
        out += '</div></article>';
        groupOpen = false;
      }
      day = rowDay;
      const id = options.anchors ? ` id="${dayAnchor(rowDay)}"` : '';
      out += `<${dayTag} class="cc-day"${id}><span>${text(time.dayLabel(rowDay))}</span></${dayTag}>`;
    }

    // Anchors are `m` + hex (collector/identity/key.ts); escaped all the same, as every DB string is.
    const anchor = escapeHtml(message.anchor);
    let cls = system ? 'cc-msg cc-system' : 'cc-msg';
    // What a bot or service sent (IRC's -nick- lines, Matrix's m.notice): apps draw it apart.
    if (message.kind === 'notice') cls += ' cc-notice';
    if (message.deleted) cls += ' cc-deleted';
    if (!hasPlausibleTime(message.flags)) cls += ' cc-implausible';
    // Named with the date: a screen reader's link list would otherwise offer a column of "18:03".
    const permalinkLabel = `aria-label="Permalink: ${text(time.clock(t))}, ${text(time.date(t))}"`;
    let msg = options.anchors
      ? `<div class="${cls}" id="${anchor}"><a class="cc-permalink" href="#${anchor}" ${permalinkLabel}>`
      : `<div class="${cls}"><a class="cc-permalink" href="${archiveLink(chat.id, chat.slug, t, anchor)}" ${permalinkLabel}>`;
    const zone = time.zoneTitle(t);
    if (zone !== lastZone) {
      lastZone = zone;
      offsets.add(time.offsetLabel(t));
    }
    msg += `<time datetime="${isoTime(t)}" title="${text(zone)}">${time.clock(t)}</time></a>`;
    const aliases = options.aliases?.get(message.anchor);
    if (aliases) for (const alias of aliases) msg += `<span class="cc-alias" id="${escapeHtml(alias)}"></span>`;
    if (!hasPlausibleTime(message.flags)) {
      msg += `<span class="cc-warning" role="img" aria-label="implausible time" title="The source gave this message an implausible time">⚠</span>`;
    }
    msg += '<div>';

    const author = system && !showNames ? null : session.author(message.authorId, message.authorName);
    if (message.replyTo) {
      const target = replies.get(message.replyTo);
      const targetChat = target && catalog.chatsById.get(target.chatId);
      if (target && targetChat) {
        const name = showNames ? session.author(target.authorId, target.authorName).nameHtml : '';
        const to = message.flags & MessageFlags.threadReply ? (name ? 'in thread of' : 'in a thread') : name ? 'reply to' : 'reply to a message';
        msg += `<a class="cc-reply" href="${archiveLink(targetChat.id, targetChat.slug, target.time, target.anchor)}">↩ ${to}${name ? ` <bdi>${name}</bdi>` : ''}</a>`;
      }
    }
    if (message.kind === 'emote' && author?.name) msg += `<span class="cc-emote"><bdi>${author.nameHtml}</bdi></span> `;
    const redacted = catalog.redacted.size > 0 && catalog.redacted.has(`${chat.id}/${message.anchor}`);
    const attachments = redacted ? undefined : attachmentsOf?.get(message);
    const html = redacted ? REDACTED_HTML : localChatLinks(resolveRefsHtml(catalog.authors, message.html), catalog, href);
    const [body, reactions] = attachments ? trailingReactions(withoutFileLines(html)) : [html, ''];
    msg +=
      body.length > LONG_MESSAGE
        ? `<details class="cc-long"><summary>Long message (${formatSize(body.length)}): show</summary>${body}</details>`
        : body;
    if (attachments) {
      msg += renderAttachments(attachments, media, href, photoAlt(session, message.authorId, message.authorName, t), thumbnail, true);
      msg += reactions;
    }
    if (message.editedAt !== null && !message.deleted) {
      msg += ` <span class="cc-edited" title="Edited ${text(time.dateTime(message.editedAt))} (${text(time.zoneLabel)})">edited</span>`;
    }
    const thread = options.threads?.get(message.anchor);
    if (thread) msg += renderThread(session, chat, thread, links, t);
    msg += '</div></div>';

    if (system) {
      if (groupOpen) {
        out += '</div></article>';
        groupOpen = false;
      }
      out += msg;
      lastTime = -Infinity;
      continue;
    }

    if (!groupOpen || author!.key !== groupAuthor!.key || t - lastTime > groupGap) {
      if (groupOpen) out += '</div></article>';
      groupOpen = true;
      groupAuthor = author;
      // Kept terse on purpose: a million of these go to disk. CSS: .cc-group > i, h3/h4.
      out += showNames
        ? `<article class="cc-group cc-h${author!.hue}"><i aria-hidden="true">${author!.initials}</i><div><${authorTag}>${author!.nameHtml}</${authorTag}>`
        : '<article class="cc-group"><div>';
    }
    lastTime = t;
    out += msg;
  }
  if (groupOpen) out += '</div></article>';
  return `<p class="cc-zone">${text(time.zoneNote(offsets))}</p>${out}`;
}

/** How the converters open a message's reaction chips (collector/markup/reactions.ts reactionsBlock). */
const REACTIONS_BLOCK = '<p><span class="cc-reactions">';

/**
 * A body split before its closing reaction chips, so that they can follow the attachments, as
 * the apps draw them. Only a block that ends the body is moved.
 */
function trailingReactions(html: string): [string, string] {
  const at = html.lastIndexOf(REACTIONS_BLOCK);
  if (at < 0 || !html.endsWith('</span></p>') || html.indexOf('<p', at + 1) >= 0) return [html, ''];
  return [html.slice(0, at), html.slice(at)];
}
