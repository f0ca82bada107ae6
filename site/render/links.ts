import { DAY_MS, dayOf } from '../../collector/store/contract.js';

/**
 * Where things live in the output (paths relative to the site root, no leading slash) and how a
 * page links to them. Pages link with paths relative to themselves, so the site works under any
 * pathPrefix, on any static host, and opened straight from disk; feeds and OPML, which leave the
 * site, use absolute URLs (siteUrl) or root-relative ones that include the pathPrefix.
 *
 * Every path is built from slugs ([a-z0-9-]), UTC dates, hex anchors/hashes and sanitized media
 * names: never from a title or a native id.
 */
export const sitePaths = {
  index: '',
  search: 'search/',
  siteFeed: 'feed.xml',
  opml: 'feeds.opml',
  robots: 'robots.txt',
  css: 'assets/chatchannels.css',
  js: 'assets/chatchannels.js',
  favicon: 'assets/favicon.svg',
  chat: (slug: string) => `chats/${slug}/`,
  archive: (slug: string, pagePath: string) => `chats/${slug}/${pagePath}`,
  chatFeed: (slug: string) => `chats/${slug}/feed.xml`,
  /** A chat's media gallery (data/gallery.ts): `media/`, or one of its year pages (`media/2023/`). */
  gallery: (slug: string, pagePath = '') => `chats/${slug}/media/${pagePath}`,
  anchorMap: (slug: string, prefix: string) => `chats/${slug}/anchors/${prefix || 'all'}.js`,
  /** The media file's path on disk (unencoded). */
  mediaFile: (hash: string, safeName: string) => `media/${hash}/${safeName}`,
  /** The same as a URL path. */
  media: (hash: string, safeName: string) => `media/${hash}/${encodeSegment(safeName)}`,
  /**
   * A photo's thumbnail (data/thumbnails.ts), named by its hash and the box it fits: in a folder
   * of its own, which no hash folder's name can be, so no media file name can ever collide with it.
   */
  thumbnail: (hash: string) => `media/thumbs/${hash}-${THUMBNAIL_BOX}.webp`,
};

/**
 * The files the plugin writes inside a chat's folder, as sitePaths names them (paths below
 * `chats/<slug>/`): its landing page and feed, archive pages (data/catalog.ts: `YYYY/MM/`,
 * `YYYY/MM/DD/`, the out-of-range pages), gallery pages (data/gallery.ts: `media/`, `media/YYYY/`,
 * the out-of-range ones) and anchor maps (templates/anchors.ts: `all`, or hex prefixes). Nothing
 * else there is the plugin's: a project may keep files of its own in a chat's folder.
 */
const CHAT_FILE_IN_FOLDER =
  /^(?:(?:\d{4}\/\d{2}\/(?:\d{2}\/)?|media\/(?:\d{4}\/)?|(?:media\/)?out-of-range\/(?:early|late)\/)?index\.html|feed\.xml|anchors\/(?:all|[0-9a-f]+)\.js)$/;

/** Whether a site path is one the plugin writes in a chat's folder (never a project's own file there). */
export function isChatFile(path: string): boolean {
  const m = /^chats\/[^/]+\//.exec(path);
  return m !== null && CHAT_FILE_IN_FOLDER.test(path.slice(m[0].length));
}

/** The text of the plugin's robots.txt (`noindex`), disallowing everything below `rootPath`. */
export function robotsText(rootPath: string): string {
  return `User-agent: *\nDisallow: ${rootPath}\n`;
}

/** Whether a robots.txt holds what the plugin writes there (else it is a project's own). */
export function isRobotsText(text: string): boolean {
  return /^User-agent: \*\nDisallow: [^\n]*\n$/.test(text);
}

/**
 * The id of an archive page's day separator: `d2021-09-14`, the local date of a day key
 * (TimeFormatter.dayKey). Never a message anchor (those are `m` + hex), so linking to a day
 * moves no message's anchor.
 */
export function dayAnchor(dayKey: number): string {
  return `d${dayOf(dayKey * DAY_MS)}`;
}

/** Thumbnails fit this square (device px): twice the size pages show them at, for sharp screens. */
export const THUMBNAIL_BOX = 640;

/** The output file of a site path: directories get index.html. */
export function permalinkOf(sitePath: string): string {
  return `/${sitePath}${sitePath === '' || sitePath.endsWith('/') ? 'index.html' : ''}`;
}

/** Links from one page (given by its site path) to other site paths. */
export class Links {
  /** `../../` back to the site root, or `./` from the root itself. */
  readonly root: string;

  private readonly dirs: string[];
  /** `../` repeated 0…dirs.length times (index: how many). */
  private readonly ups: string[];

  constructor(readonly here: string) {
    const dir = here.endsWith('/') || here === '' ? here : here.slice(0, here.lastIndexOf('/') + 1);
    this.dirs = dir === '' ? [] : dir.slice(0, -1).split('/');
    this.root = this.dirs.length === 0 ? './' : '../'.repeat(this.dirs.length);
    this.ups = Array.from({ length: this.dirs.length + 1 }, (_, n) => '../'.repeat(n));
  }

  /**
   * A relative href to `target` (a site path, optionally with `#fragment`): as short as it gets.
   * Its folders in common with this page's are skipped, and the rest of it is kept as it is
   * (a page links to a few hundred others: no arrays made per link).
   */
  to(target: string): string {
    const hash = target.indexOf('#');
    const end = hash < 0 ? target.length : hash;
    // `rest`: where the part of the path below the folders in common starts.
    let rest = 0;
    let common = 0;
    while (common < this.dirs.length) {
      const slash = target.indexOf('/', rest);
      if (slash < 0 || slash >= end) break; // the file name is no folder
      const dir = this.dirs[common];
      if (slash - rest !== dir.length || !target.startsWith(dir, rest)) break;
      rest = slash + 1;
      common++;
    }
    const rel = this.ups[this.dirs.length - common] + target.slice(rest, end);
    const fragment = hash < 0 ? '' : target.slice(hash);
    return (rel === '' ? (fragment ? '' : './') : rel) + fragment;
  }
}

/** Percent-encodes a media file name for use in a URL path segment. */
export function encodeSegment(name: string): string {
  return encodeURIComponent(name).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Absolute or root-relative URLs for feeds and OPML: `siteUrl` + pathPrefix + path when siteUrl is
 * known, else pathPrefix + path. A siteUrl that already ends in the pathPrefix is taken as the
 * site's own URL (people write it both ways; `/archive/archive/` is never what they meant).
 */
export class PublicUrls {
  /** The site root's absolute URL, pathPrefix included, or null. */
  private readonly base: string | null;

  constructor(
    siteUrl: string | null,
    private readonly pathPrefix: string,
  ) {
    if (siteUrl === null) this.base = null;
    else {
      const root = siteUrl.endsWith('/') ? siteUrl : `${siteUrl}/`;
      this.base = root.endsWith(pathPrefix) ? root : root + pathPrefix.slice(1);
    }
  }

  get absolute(): boolean {
    return this.base !== null;
  }

  /** Root-relative form: `/prefix/chats/x/`. */
  rootRelative(sitePath: string): string {
    return `${this.pathPrefix}${sitePath}`;
  }

  /** Absolute when siteUrl is set, else root-relative. */
  url(sitePath: string): string {
    return this.base !== null ? this.base + sitePath : this.rootRelative(sitePath);
  }
}

/** Normalizes Eleventy's pathPrefix to `/…/` form. */
export function normalizePrefix(prefix: string | undefined | null): string {
  let p = (prefix ?? '/').trim();
  if (!p.startsWith('/')) p = `/${p}`;
  if (!p.endsWith('/')) p = `${p}/`;
  return p.replace(/\/{2,}/g, '/');
}
