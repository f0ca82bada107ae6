import type { ResolvedOptions } from '../options.js';
import { text } from './escape.js';
import { flat } from './flat.js';
import { sitePaths, type Links } from './links.js';

import type { LayoutPage } from './layout-page.js';

export type { LayoutPage };

export interface Crumb {
  label: string;
  /** Site path, or null for the current page. */
  path: string | null;
}

export interface PageParts {
  kind: LayoutPage['kind'];
  /** Plain-text title parts, most specific first; the site title is appended. */
  titleParts: string[];
  crumbs: Crumb[];
  content: string;
  /** Extra feed for autodiscovery (a chat's feed on chat pages). */
  chatFeed?: { title: string; path: string };
  bodyAttributes?: string;
  /** For the start of `<head>`, after the color scheme and before the stylesheets (the search page's script). */
  firstHead?: string;
  /** More for `<head>` (the search page's styles). */
  extraHead?: string;
}

export function renderPage(options: ResolvedOptions, links: Links, parts: PageParts): string {
  const siteTitle = options.title;
  // The color scheme before the search page's parser-blocking script: a dark reader's first frame is dark.
  let head = `<meta name="color-scheme" content="light dark">${parts.firstHead ?? ''}`;
  if (options.noindex) head += `<meta name="robots" content="noindex, nofollow">`;
  head += `<link rel="stylesheet" href="${links.to(sitePaths.css)}">`;
  // Linked, not left to the browser's /favicon.ico guess: that 404s, and misses any pathPrefix.
  head += `<link rel="icon" type="image/svg+xml" href="${links.to(sitePaths.favicon)}">`;
  for (const css of options.extraCss) {
    const url = /^[a-z][a-z0-9+.-]*:|^\/\//i.test(css) ? css : links.to(css.replace(/^\/+/, ''));
    head += `<link rel="stylesheet" href="${text(url)}">`;
  }
  head += `<link rel="alternate" type="application/atom+xml" title="${text(siteTitle)} (all chats)" href="${links.to(sitePaths.siteFeed)}">`;
  if (parts.chatFeed) {
    head += `<link rel="alternate" type="application/atom+xml" title="${text(parts.chatFeed.title)}" href="${links.to(parts.chatFeed.path)}">`;
  }
  head += `<script src="${links.to(sitePaths.js)}" defer></script>`;
  if (parts.extraHead) head += parts.extraHead;

  let header = `<header class="cc-header"><a class="cc-site-title" href="${links.to(sitePaths.index)}">${text(siteTitle)}</a>`;
  // Not on the search page itself: it has its own box, and two would push results down.
  if (options.search && parts.kind !== 'search') {
    header +=
      `<form class="cc-search" action="${links.to(sitePaths.search)}" role="search">` +
      `<label class="cc-visually-hidden" for="cc-q">Search messages</label>` +
      `<input id="cc-q" name="q" type="search" placeholder="Search messages" autocomplete="off">` +
      `<button type="submit">Search</button></form>`;
  }
  header += '</header>';

  let breadcrumbs = '<nav class="cc-breadcrumbs" aria-label="Breadcrumb"><ol>';
  for (const crumb of parts.crumbs) {
    breadcrumbs +=
      crumb.path === null
        ? `<li><span aria-current="page">${text(crumb.label)}</span></li>`
        : `<li><a href="${links.to(crumb.path)}">${text(crumb.label)}</a></li>`;
  }
  breadcrumbs += '</ol></nav>';

  const footer =
    `<footer class="cc-footer"><p>Archived with chatchannels · ` +
    `<a href="${links.to(sitePaths.siteFeed)}">Atom feed</a> · <a href="${links.to(sitePaths.opml)}">All feeds (OPML)</a></p></footer>`;

  const page: LayoutPage = {
    kind: parts.kind,
    lang: options.lang,
    title: text([...parts.titleParts, siteTitle].filter(Boolean).join(' · ')),
    head,
    bodyAttributes: parts.bodyAttributes ?? '',
    bodyClass: `cc cc-page-${parts.kind}`,
    header,
    breadcrumbs,
    content: parts.content,
    footer,
    root: links.root,
    path: links.here,
  };
  return flat((options.layout ?? defaultLayout)(page));
}

/**
 * The built-in chrome. Exported from the package so that a project's `layout` can wrap it, e.g.
 * `layout: (page) => defaultLayout({ ...page, header: myBanner + page.header })`, and keep the theme.
 */
export function defaultLayout(page: LayoutPage): string {
  return (
    `<!doctype html>\n<html lang="${text(page.lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><title>${page.title}</title>${page.head}</head>\n` +
    `<body class="${page.bodyClass}"${page.bodyAttributes}><a class="cc-skip-link" href="#cc-main">Skip to content</a>` +
    `${page.header}${page.breadcrumbs}<main id="cc-main" class="cc-main" tabindex="-1">\n${page.content}\n</main>${page.footer}</body></html>\n`
  );
}
