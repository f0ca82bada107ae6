import { slotOf } from '../../collector/store/contract.js';
import type { ChatSummary } from '../data/catalog.js';
import { galleryItems, galleryLayout, tileKind, type GalleryItem, type GalleryLayout, type GalleryPage, type TileKind } from '../data/gallery.js';
import { playerOf, publishedMediaType } from '../data/media-name.js';
import type { BuildSession } from '../data/session.js';
import { plural } from '../templates/common.js';
import { formatSize } from './attachments.js';
import { bdi, text } from './escape.js';
import { renderPage } from './layout.js';
import { Links, sitePaths } from './links.js';
import { photoAlt, senderName } from './messages.js';
import { isoTime } from './time.js';

/**
 * Writes a chat's media gallery (data/gallery.ts): photos as thumbnails (the archive pages'
 * own, data/thumbnails.ts), videos and audio as tiles with their name and type, by UTC month,
 * newest first, each linking to its message on its archive page; other files as a list with name,
 * size and type. Nothing the export contained runs here: a file is shown inline only as the
 * thumbnail sharp made of a raster image, every other file is a link to its inert published name.
 * A chat without media has no gallery.
 */
export async function writeGallery(session: BuildSession, output: string, chat: ChatSummary): Promise<void> {
  if (!session.writing) return;
  const items = galleryItems(session, chat);
  if (items.length === 0) return;
  const photos = session.thumbnails.prepare(output, items.filter((i) => i.photo).map((i) => i.media.hash));
  if (photos) await photos;
  const layout = galleryLayout(items);
  for (const page of layout.pages) {
    session.writePage(output, sitePaths.gallery(chat.slug, page.path), renderGalleryPage(session, chat, layout, page, items));
  }
}

/** "3 photos · 1 video · 2 files" */
function counts(session: BuildSession, items: readonly GalleryItem[]): string {
  const n: Record<TileKind, number> = { photo: 0, video: 0, audio: 0, file: 0 };
  for (const item of items) n[tileKind(session, item)]++;
  const parts: string[] = [];
  if (n.photo) parts.push(plural(session, n.photo, 'photo', 'photos'));
  if (n.video) parts.push(plural(session, n.video, 'video', 'videos'));
  if (n.audio) parts.push(plural(session, n.audio, 'audio file', 'audio files'));
  if (n.file) parts.push(plural(session, n.file, 'file', 'files'));
  return parts.join(' · ');
}

function renderGalleryPage(session: BuildSession, chat: ChatSummary, layout: GalleryLayout, page: GalleryPage, all: readonly GalleryItem[]): string {
  const links = new Links(sitePaths.gallery(chat.slug, page.path));
  const title = page.label === null ? 'Media' : `Media of ${page.label}`;
  let content = `<header class="cc-page-head"><h1>${text(title)}</h1>`;
  content += `<p class="cc-meta"><a href="${links.to(sitePaths.chat(chat.slug))}">${bdi(chat.title)}</a> · ${counts(session, page.label === null ? all : page.items)}</p></header>`;
  if (layout.byYear) content += yearNav(session, links, chat, layout, page);
  if (layout.byYear && page.label === null) {
    const latest = page.items.filter((item) => tileKind(session, item) === 'photo');
    if (latest.length) {
      content += '<section class="cc-gallery-month" aria-labelledby="cc-latest-media"><h2 id="cc-latest-media">Latest photos</h2>';
      content += `<ul class="cc-gallery">${latest.map((item) => tile(session, links, chat, item, 'photo')).join('')}</ul></section>`;
    }
  } else {
    content += months(session, links, chat, page.items);
  }
  const crumbs = [
    { label: session.options.title, path: sitePaths.index },
    { label: chat.title, path: sitePaths.chat(chat.slug) },
    page.label === null ? { label: 'Media', path: null } : { label: 'Media', path: sitePaths.gallery(chat.slug) },
  ];
  if (page.label !== null) crumbs.push({ label: page.label, path: null });
  return renderPage(session.options, links, {
    kind: 'gallery',
    titleParts: [title, chat.title],
    crumbs,
    content,
    chatFeed: { title: `${chat.title} (Atom feed)`, path: sitePaths.chatFeed(chat.slug) },
  });
}

/** The year pages of a large gallery, with their item counts. */
function yearNav(session: BuildSession, links: Links, chat: ChatSummary, layout: GalleryLayout, page: GalleryPage): string {
  let nav = '<nav class="cc-gallery-years" aria-label="Media by year"><ul>';
  for (const year of layout.pages) {
    if (year.label === null) continue;
    const count = `<span class="cc-count">${plural(session, year.items.length, 'item', 'items')}</span>`;
    nav +=
      year === page
        ? `<li><span aria-current="page">${text(year.label)}</span> ${count}</li>`
        : `<li><a href="${links.to(sitePaths.gallery(chat.slug, year.path))}">${text(year.label)}</a> ${count}</li>`;
  }
  return `${nav}</ul></nav>`;
}

/** Items by UTC month (the archive's pages), newest first: tiles, then the month's other files. */
function months(session: BuildSession, links: Links, chat: ChatSummary, items: readonly GalleryItem[]): string {
  let out = '';
  for (let i = 0; i < items.length; ) {
    const month = slotOf(items[i].time).label;
    let tiles = '';
    let files = '';
    for (; i < items.length && slotOf(items[i].time).label === month; i++) {
      const kind = tileKind(session, items[i]);
      if (kind === 'file') files += fileRow(session, links, chat, items[i]);
      else tiles += tile(session, links, chat, items[i], kind);
    }
    const label = month === 'early' ? 'Before year 1' : month === 'late' ? 'After year 9999' : session.time.monthLabel(month);
    const id = `cc-media-${month}`;
    out += `<section class="cc-gallery-month" aria-labelledby="${id}"><h2 id="${id}">${text(label)}</h2>`;
    if (tiles) out += `<ul class="cc-gallery">${tiles}</ul>`;
    if (files) out += `<ul class="cc-gallery-files" aria-label="Files of ${text(label)}">${files}</ul>`;
    out += '</section>';
  }
  return out;
}

/** The message an item came with, on its archive page. */
function messageHref(session: BuildSession, links: Links, chat: ChatSummary, item: GalleryItem): string {
  return text(links.to(`${sitePaths.archive(chat.slug, session.catalog.pagePath(chat.id, item.time))}#${item.anchor}`));
}

/** "from Alice, 3 Sep 2021" as HTML (no name when authors are hidden), like photoAlt's words. */
function byline(session: BuildSession, item: GalleryItem): string {
  const sender = senderName(session, item.authorId, item.authorName);
  return `${sender ? `from ${bdi(sender)}, ` : ''}<time datetime="${isoTime(item.time)}">${text(session.time.date(item.time))}</time>`;
}

/** The type shown for a file: what the export declared it as, else the type the site serves it with. */
function typeOf(item: GalleryItem): string {
  const declared = item.media.type?.toLowerCase().split(';')[0].trim();
  return declared && /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(declared) ? declared : publishedMediaType(item.media.safeName);
}

function tile(session: BuildSession, links: Links, chat: ChatSummary, item: GalleryItem, kind: TileKind): string {
  const href = messageHref(session, links, chat, item);
  if (kind === 'photo') {
    const thumb = session.thumbnails.get(item.media.hash)!;
    const src = text(links.to(sitePaths.thumbnail(item.media.hash)));
    const alt = text(photoAlt(session, item.authorId, item.authorName, item.time));
    return `<li><a class="cc-tile" href="${href}"><img src="${src}" width="${thumb.width}" height="${thumb.height}" loading="lazy" alt="${alt}"></a></li>`;
  }
  const player = playerOf(item.media.safeName)!;
  const icon = kind === 'video' ? '▶' : '♪';
  return (
    `<li><a class="cc-tile cc-tile-${kind}" href="${href}"><span class="cc-tile-icon" aria-hidden="true">${icon}</span>` +
    `<span class="cc-tile-name" title="${text(item.name)}">${bdi(item.name)}</span>` +
    `<span class="cc-tile-type">${text(player.type)} · ${formatSize(item.media.size).replace(' ', '\u00a0')}</span>` +
    `<span class="cc-visually-hidden">, ${byline(session, item)}</span></a></li>`
  );
}

function fileRow(session: BuildSession, links: Links, chat: ChatSummary, item: GalleryItem): string {
  const file = text(links.to(sitePaths.media(item.media.hash, item.media.safeName)));
  return (
    `<li><a class="cc-file" href="${file}" download>${bdi(item.name)}</a> <span class="cc-size">${formatSize(item.media.size)}</span> ` +
    `<span class="cc-type">${text(typeOf(item))}</span> · ` +
    `<a class="cc-file-message" href="${messageHref(session, links, chat, item)}">${byline(session, item)}</a></li>`
  );
}
