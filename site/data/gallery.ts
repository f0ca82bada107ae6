import { EARLY_PATH, LATE_PATH, slotOf } from '../../collector/store/contract.js';
import { isPhoto, parseAttachments } from '../render/attachments.js';
import type { ChatSummary } from './catalog.js';
import { playerOf } from './media-name.js';
import type { BuildSession, SiteMedia } from './session.js';

/**
 * A chat's media gallery (`chats/<slug>/media/`): every file the export contained that a published
 * message of the chat carries, newest first. Read with one query of the chat's messages that have
 * attachments (ArchiveReader.mediaMessages), never the message bodies. A redacted message's files
 * are left out as its page leaves them out; excluded authors' messages are not in the snapshot at
 * all; files the export did not contain (no stored bytes), and files the site withholds
 * (SiteMedia.withheld), are not media of the gallery.
 */
export interface GalleryItem {
  /** The message's anchor and time (the tile links to it on its archive page). */
  anchor: string;
  time: number;
  authorId: number | null;
  authorName: string | null;
  /** The name the message gives the file (else the stored one). */
  name: string;
  media: SiteMedia;
  /** A raster image the archive pages show (as a thumbnail, once data/thumbnails.ts made one). */
  photo: boolean;
}

/** How a gallery item is shown, once thumbnails are known: the archive pages' rule. */
export type TileKind = 'photo' | 'video' | 'audio' | 'file';

export function tileKind(session: BuildSession, item: GalleryItem): TileKind {
  if (item.photo && session.thumbnails.get(item.media.hash)) return 'photo';
  return playerOf(item.media.safeName)?.element ?? 'file';
}

const galleries = new WeakMap<BuildSession, Map<number, GalleryItem[]>>();

/** The gallery's items of a published chat (read once per build; the landing page asks too). */
export function galleryItems(session: BuildSession, chat: ChatSummary): GalleryItem[] {
  let byChat = galleries.get(session);
  if (!byChat) galleries.set(session, (byChat = new Map()));
  let items = byChat.get(chat.id);
  if (items) return items;
  items = [];
  const rows = session.reader.mediaMessages(chat.id);
  const { redacted } = session.catalog;
  const found: { row: (typeof rows)[number]; attachments: ReturnType<typeof parseAttachments> }[] = [];
  const hashes: string[] = [];
  for (const row of rows) {
    if (redacted.size > 0 && redacted.has(`${chat.id}/${row.anchor}`)) continue;
    const attachments = parseAttachments(row.attachments).filter((a) => a.hash);
    if (attachments.length === 0) continue;
    found.push({ row, attachments });
    for (const a of attachments) hashes.push(a.hash!);
  }
  const media = hashes.length ? session.lookupMedia(hashes) : new Map<string, GalleryItem['media']>();
  for (const { row, attachments } of found) {
    const seen = new Set<string>(); // a file listed twice by one message is one item
    for (const a of attachments) {
      const stored = media.get(a.hash!);
      if (!stored || stored.withheld || seen.has(stored.hash)) continue;
      seen.add(stored.hash);
      items.push({
        anchor: row.anchor,
        time: row.time,
        authorId: row.authorId,
        authorName: row.authorName,
        name: a.name || stored.name || 'file',
        media: stored,
        photo: isPhoto(a, stored),
      });
    }
  }
  byChat.set(chat.id, items);
  return items;
}

/**
 * Page size. A gallery of up to `maxItems` items is one page, `media/`. A larger one is a page per
 * UTC year, `media/YYYY/` (`media/out-of-range/early/`, `…/late/` for dates outside years
 * 1–9999), with `media/` listing the years and the newest `latest` tiles. Paths come from time
 * only: a year's page keeps its path however many items arrive, and adding items never removes a
 * page (a gallery that grows past `maxItems` gains year pages; `media/` stays). Mutable for tests.
 */
export const galleryPaging = { maxItems: 300, latest: 24 };

export interface GalleryPage {
  /** Within the chat's `media/` folder: '' (the gallery's own page), `2023/`, `out-of-range/early/`. */
  path: string;
  /** The year (or out-of-range label) a year page holds; null for `media/`. */
  label: string | null;
  /** Items on this page, newest first. */
  items: GalleryItem[];
}

export interface GalleryLayout {
  /** Whether the gallery has year pages (then `media/` is an overview). */
  byYear: boolean;
  /** `media/` first, then the year pages, newest first. */
  pages: GalleryPage[];
}

export function galleryLayout(items: readonly GalleryItem[]): GalleryLayout {
  if (items.length <= galleryPaging.maxItems) return { byYear: false, pages: [{ path: '', label: null, items: [...items] }] };
  const years: GalleryPage[] = [];
  for (const item of items) {
    const { path, label } = yearOf(item.time);
    let page = years[years.length - 1];
    if (!page || page.path !== path) years.push((page = { path, label, items: [] }));
    page.items.push(item);
  }
  const latest = items.filter((item) => item.photo).slice(0, galleryPaging.latest);
  return { byYear: true, pages: [{ path: '', label: null, items: latest }, ...years] };
}

/** A time's year page: its UTC year (as archive pages use UTC months), or an out-of-range page. */
function yearOf(time: number): { path: string; label: string } {
  const slot = slotOf(time).label;
  if (slot === 'early') return { path: EARLY_PATH, label: 'Before year 1' };
  if (slot === 'late') return { path: LATE_PATH, label: 'After year 9999' };
  const year = slot.slice(0, slot.lastIndexOf('-'));
  return { path: `${year}/`, label: String(Number(year)) };
}
