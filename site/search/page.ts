import type { SearchChat } from './source.js';

/**
 * The search page (`search/index.html`). Its parts — what goes in `<head>` and in `<main>` — are
 * separate so that the plugin can wrap them in the site's chrome; renderSearchPage() is a plain
 * standalone document for builds without Eleventy.
 *
 * The page loads nothing but search.js until someone searches. It knows its own depth (one folder
 * below the site root), so every link it makes is relative: the same files work under any
 * pathPrefix and opened from disk.
 */
export interface SearchPageOptions {
  version: string;
  chats: readonly SearchChat[];
  authors: string;
  timeZone: string;
  lang: string;
  title: string;
}

export interface SearchPageParts {
  /** Document title (plain text). */
  title: string;
  /** For `<head>`: the client script and the page's styles (`script` + `styles`). */
  head: string;
  /**
   * The client script alone, for the very start of `<head>`, before any stylesheet (where the
   * site's layout puts it): see searchPageParts.
   */
  script: string;
  /** The page's styles alone. */
  styles: string;
  /** For `<main>`. */
  content: string;
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
function esc(s: string): string {
  return s.replace(/[&<>"']/g, (c) => escapes[c]);
}

const DATE_INPUT =
  'type="text" placeholder="YYYY-MM-DD" pattern="\\d{4}(-\\d{1,2}(-\\d{1,2})?)?" ' +
  'title="A year, a month or a day: 2021, 2021-03 or 2021-03-31" autocomplete="off" spellcheck="false" size="10"';

export function searchPageParts(options: SearchPageOptions): SearchPageParts {
  const chats = [...options.chats].sort((a, b) => a.title.localeCompare(b.title, options.lang) || a.slug.localeCompare(b.slug));
  // The chats' options wait in a <template> (parsed, never laid out): the page script moves them
  // into the select after the first results are painted, or at once when the URL names a chat. A
  // select of hundreds of options costs the first results their layout and value look-ups.
  let chatOptions = '';
  for (const chat of chats) chatOptions += `<option value="${esc(chat.slug)}">${esc(chat.title)}</option>`;
  const authorFilter =
    options.authors === 'hide'
      ? ''
      : `<p class="cc-search-field"><label for="cc-search-author">Author</label>` +
        `<input id="cc-search-author" name="author" type="text" autocomplete="off" spellcheck="false"></p>`;
  const content =
    `<h1>Search</h1>` +
    `<div class="cc-search-page" data-cc-search data-version="${esc(options.version)}" data-root="../" ` +
    `data-time-zone="${esc(options.timeZone)}" data-lang="${esc(options.lang)}" data-authors="${esc(options.authors)}">` +
    `<form class="cc-search-form" role="search" action="./" method="get">` +
    `<p class="cc-search-query"><label for="cc-search-q">Search messages</label>` +
    `<input id="cc-search-q" name="q" type="search" autocomplete="off" spellcheck="false" aria-describedby="cc-search-help">` +
    `<button type="submit">Search</button></p>` +
    // In a <details> so that phones can fold the filters away (search.js closes it on narrow
    // screens when no filter is set, before the first results): the results then start near the top.
    `<details class="cc-search-filters-box" open><summary>Filters</summary>` +
    `<fieldset class="cc-search-filters"><legend class="cc-visually-hidden">Filters</legend>` +
    `<p class="cc-search-field"><label for="cc-search-chat">Chat</label><select id="cc-search-chat" name="chat"><option value="">All chats</option></select>` +
    `<template class="cc-search-chat-options">${chatOptions}</template></p>` +
    authorFilter +
    // Text, not type="date": a year or a month is a useful bound too (2021, 2021-03), and a date
    // input costs its page tens of ms of first layout (its locale's date format).
    `<p class="cc-search-field"><label for="cc-search-after">From</label><input id="cc-search-after" name="after" ${DATE_INPUT}></p>` +
    `<p class="cc-search-field"><label for="cc-search-before">Before</label><input id="cc-search-before" name="before" ${DATE_INPUT}></p>` +
    `<p class="cc-search-field"><label for="cc-search-sort">Order</label><select id="cc-search-sort" name="sort">` +
    `<option value="best">Best match first</option><option value="newest">Newest first</option><option value="oldest">Oldest first</option></select></p>` +
    `</fieldset></details>` +
    `<p id="cc-search-help" class="cc-search-help">Every word must appear, in any order. Also: <code>-without</code>` +
    (options.authors === 'hide' ? '' : `, <code>author:name</code>, <code>author:"full name"</code>`) +
    `, <code>chat:title</code>, <code>after:2020-01-31</code>, <code>before:2021</code>.</p>` +
    `</form>` +
    `<p class="cc-search-status" role="status" aria-live="polite" aria-atomic="true"></p>` +
    `<ol class="cc-search-results" aria-label="Search results"></ol>` +
    `<p class="cc-search-more-line"><button type="button" class="cc-search-more" hidden>Show more results</button></p>` +
    `<noscript><p>Searching needs JavaScript.</p></noscript>` +
    `</div>`;
  // Parser-blocking, not async: an async script runs when the parser yields, which in Chromium is
  // after the page's first style and layout pass — search.js ran 40 ms after it arrived at 100k (a
  // trace of /search/?q=), and its prefetch of the query's files waited as long. Blocking, at the
  // start of <head> (before any stylesheet, which a script after it would wait for), it runs as it
  // arrives and the query's files load while the page is laid out. The page paints once it has
  // run: every result waits for it anyway, and from the site's other pages it is usually cached
  // (the header box loads it, warm.js). fetchpriority="high": Chromium's default for such a script.
  const script = `<script src="search.js?v=${esc(options.version)}" fetchpriority="high"></script>`;
  const styles = `<style>${SEARCH_CSS}</style>`;
  return { title: 'Search', head: script + styles, script, styles, content };
}

/** A complete standalone document (used when no site layout is given). */
export function renderSearchPage(options: SearchPageOptions): string {
  const parts = searchPageParts(options);
  return (
    `<!doctype html>\n<html lang="${esc(options.lang)}"><head><meta charset="utf-8">` +
    `<meta name="viewport" content="width=device-width, initial-scale=1"><meta name="color-scheme" content="light dark">${parts.script}` +
    `<title>${esc(parts.title)} · ${esc(options.title)}</title>` +
    `<link rel="stylesheet" href="../assets/chatchannels.css">${parts.styles}</head>\n` +
    `<body class="cc cc-page-search"><header class="cc-header"><a class="cc-site-title" href="../">${esc(options.title)}</a></header>` +
    `<main id="cc-main" class="cc-main">${parts.content}</main></body></html>\n`
  );
}

/** Styles of the search page: the site's custom properties, with fallbacks of their own. */
const SEARCH_CSS = `
.cc-search-page{--s-bg:var(--cc-surface,Canvas);--s-text:var(--cc-text,CanvasText);--s-muted:var(--cc-muted,GrayText);--s-border:var(--cc-border,#8884);--s-accent:var(--cc-accent,LinkText);--s-mark:var(--cc-highlight,#fff4c2);--s-radius:var(--cc-radius,8px);color:var(--s-text)}
.cc-search-form{display:grid;gap:.6rem;margin:0 0 1rem}
.cc-search-query{display:flex;flex-wrap:wrap;gap:.5rem;align-items:center;margin:0}
.cc-search-query label{flex-basis:100%;font-weight:600}
.cc-search-query input{flex:1;min-width:12rem;font:inherit;padding:.45rem .8rem;color:var(--s-text);background:var(--s-bg);border:1px solid var(--s-border);border-radius:999px}
.cc-search-query button,.cc-search-more{font:inherit;padding:.45rem 1rem;border-radius:999px;border:1px solid var(--s-accent);background:var(--s-accent);color:var(--cc-surface,Canvas);cursor:pointer}
.cc-search-filters{display:flex;flex-wrap:wrap;gap:.5rem 1rem;border:1px solid var(--s-border);border-radius:var(--s-radius);padding:.5rem .8rem;margin:0}
.cc-search-filters legend{padding:0 .3rem;color:var(--s-muted);font-size:.9em}
.cc-search-filters-box>summary{cursor:pointer;color:var(--s-muted);font-size:.9em;margin:0 0 .3rem}
.cc-search-field{display:flex;flex-direction:column;gap:.15rem;margin:0;font-size:.92em}
.cc-search-field input,.cc-search-field select{font:inherit;padding:.3rem .5rem;color:var(--s-text);background:var(--s-bg);border:1px solid var(--s-border);border-radius:6px;max-width:16rem}
#cc-search-chat{width:16rem;max-width:100%}
.cc-search-help{margin:0;color:var(--s-muted);font-size:.85em}
.cc-search-status{color:var(--s-muted);min-height:1.5em}
.cc-search-results{list-style:none;padding:0;margin:0;display:grid;gap:.6rem}
.cc-search-result{background:var(--s-bg);border:1px solid var(--s-border);border-radius:var(--s-radius);padding:.6rem .9rem}
.cc-search-result-meta{display:flex;flex-wrap:wrap;gap:.2rem .6rem;font-size:.85em;color:var(--s-muted);margin:0 0 .25rem}
.cc-search-result-meta .cc-search-chat{font-weight:600;color:var(--s-text)}
.cc-search-result a.cc-search-link{color:inherit;text-decoration:none;display:block}
.cc-search-result a.cc-search-link:hover .cc-search-snippet,.cc-search-result a.cc-search-link:focus-visible .cc-search-snippet{text-decoration:underline;text-decoration-color:var(--s-accent)}
.cc-search-snippet{margin:0;overflow-wrap:anywhere;white-space:pre-line}
.cc-search-snippet mark{background:var(--s-mark);color:inherit;border-radius:2px;padding:0 .1em}
.cc-search-pending{color:var(--s-muted)}
.cc-search-more-line{text-align:center}
`.trim();
