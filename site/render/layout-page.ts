/**
 * The page chrome. A project replaces it with the `layout` option: a function that gets a
 * LayoutPage (every part already rendered and escaped) and returns the whole HTML document.
 */
export interface LayoutPage {
  /** Which page this is. */
  kind: 'index' | 'chat' | 'archive' | 'search' | 'gallery';
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
