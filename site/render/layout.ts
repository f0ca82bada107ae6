import type { ResolvedOptions } from '../options.js';
import { text } from './escape.js';
import { sitePaths, type Links } from './links.js';

/**
 * The page chrome. A project replaces it with the `layout` option: a function that gets a
 * LayoutPage (every part already rendered and escaped) and returns the whole HTML document.
 */
export interface LayoutPage {
  /** Which page this is. */
  kind: 'index' | 'chat' | 'archive' | 'search';
  /** `<html lang>` */
  lang: string;
  /** Document title, escaped for HTML. */
  title: string;
  /** Everything for `<head>` after charset and viewport: stylesheets, feed links, robots, script. */
  head: string;
  /** Body attributes the client script reads (e.g. ` data-cc-anchor-width="1"`), with a leading space. */
  bodyAttributes: string;
  /** The `<body>` classes the theme styles (`cc cc-page-<kind>`): keep them on a layout's own body. */
  bodyClass: string;
  /** The site header: site title link and, when enabled, the search form. */
  header: string;
  /** `<nav aria-label="Breadcrumb">…</nav>` */
  breadcrumbs: string;
  /** The page's own content, for inside `<main>`. */
  content: string;
  /** The site footer. */
  footer: string;
  /** Relative path from this page to the site root (`../../`), for the project's own links. */
  root: string;
  /** This page's path relative to the site root, e.g. `chats/x/2021/09/`. */
  path: string;
}

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
  /** More for `<head>` (the search page's script and styles). */
  extraHead?: string;
}

export function renderPage(options: ResolvedOptions, links: Links, parts: PageParts): string {
  const siteTitle = options.title;
  let head = `<meta name="color-scheme" content="light dark">`;
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
  return (options.layout ?? defaultLayout)(page);
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
