import type { ChatSummary } from '../data/catalog.js';
import { sitePaths } from '../render/links.js';

/**
 * `/chats/<slug>/anchors/<prefix>.js`: which archive page holds each anchor, so that a chat's
 * landing page can resolve `chats/<slug>/#<anchor>` (site/assets/chatchannels.js). Scripts rather
 * than JSON because fetch() fails from file://. A chat's anchors are split by the first hex digits
 * after the `m` — none, 1, 2 or 3 of them, by the chat's size (catalog: anchorWidth) — so that a
 * file holds a few thousand anchors and a small chat needs one file (`all.js`). Shape:
 *
 *   ccAnchorMap({"2021/09/":"0123abcd45,…","2021/10/":"…"});
 *
 * The maps are collected while the chat's archive pages render (every anchor passes through
 * there anyway; a separate query per anchor would cost a table lookup each) and written once the
 * chat's last page is done.
 */
interface PendingChat {
  pagesLeft: number;
  /** page path → anchors without the `m`. */
  pages: Map<string, string[]>;
  before: AnchorsBefore | undefined;
  /** The prefixes of the anchors added since the previous build, when only those files change. */
  only: ReadonlySet<string> | null;
}

/**
 * A chat's maps as the previous build wrote them: its page lists, or the anchors added since (an
 * anchor never changes or moves to another page once stored, so those are all that changed).
 */
export type AnchorsBefore = { width: number; pages: ReadonlyMap<string, string[]> } | { width: number; added: readonly string[] };

export class AnchorMapCollector {
  private readonly pending = new Map<number, PendingChat>();

  /**
   * Incremental builds only: each finished chat's page path → anchors (without the `m`), for the
   * next incremental build to take its unrendered pages' anchors from (PluginState).
   */
  readonly finished: Map<number, Map<string, string[]>> | null;

  /**
   * `rendered`: how many of each chat's archive pages this build renders (all of them, except in
   * an incremental build); `unrendered`: the anchors (without the `m`) of a chat's other pages,
   * asked when the chat is first met, so that its maps come out as a full build writes them; of
   * those prefixes only when given (the files this build rewrites), else all.
   */
  constructor(
    private readonly rendered: (chat: ChatSummary) => number = (chat) => chat.pageCount,
    private readonly unrendered: ((chat: ChatSummary, prefixes: ReadonlySet<string> | null) => Iterable<[string, string[]]>) | null = null,
    /**
     * What the previous build wrote of the chat's maps, when known: its prefix width, and its page
     * lists or (a previous full build kept none) the anchors added since, without the `m`. Then
     * only the files whose anchors changed are returned (the others on disk are what this build
     * would write).
     */
    private readonly before: ((chat: ChatSummary) => AnchorsBefore | undefined) | null = null,
  ) {
    this.finished = unrendered ? new Map() : null;
  }

  /**
   * Records one rendered archive page. Returns the chat's map files ([site path, content]) when
   * this was the last of its pages, else null.
   */
  add(chat: ChatSummary, pagePath: string, anchors: string[]): [string, string][] | null {
    let state = this.pending.get(chat.id);
    if (!state) {
      const before = this.before?.(chat);
      const only = before && before.width === chat.anchorWidth && 'added' in before ? new Set(before.added.map((hex) => hex.slice(0, chat.anchorWidth))) : null;
      this.pending.set(chat.id, (state = { pagesLeft: this.rendered(chat), pages: new Map(), before, only }));
      if (this.unrendered) for (const [path, list] of this.unrendered(chat, only)) state.pages.set(path, list);
    }
    const list = state.pages.get(pagePath) ?? [];
    for (const anchor of anchors) list.push(anchor.slice(1));
    state.pages.set(pagePath, list);
    if (--state.pagesLeft > 0) return null;
    this.pending.delete(chat.id);
    const { before, only } = state;
    if (only) return anchorMapFiles(chat, state.pages, only);
    // Lists of some prefixes only are kept for no later build: it takes the anchors added since, again.
    this.finished?.set(chat.id, state.pages);
    return anchorMapFiles(chat, state.pages, before && before.width === chat.anchorWidth && 'pages' in before ? changedPrefixes(chat, state.pages, before.pages) : null);
  }
}

/** Prefixes of the anchors that are in one of the two page → anchors maps and not the other. */
function changedPrefixes(chat: ChatSummary, now: ReadonlyMap<string, string[]>, before: ReadonlyMap<string, string[]>): Set<string> {
  const width = chat.anchorWidth;
  const changed = new Set<string>();
  const compare = (a: readonly string[], b: readonly string[] | undefined) => {
    if (a === b) return; // an unrendered page's list, taken from the previous build
    const other = new Set(b);
    for (const hex of a) if (!other.has(hex)) changed.add(hex.slice(0, width));
  };
  for (const [path, list] of now) compare(list, before.get(path));
  for (const [path, list] of before) compare(list, now.get(path));
  return changed;
}

/** The chat's map files ([site path, content]); only those of the `only` prefixes when given. */
export function anchorMapFiles(chat: ChatSummary, pages: ReadonlyMap<string, string[]>, only: ReadonlySet<string> | null = null): [string, string][] {
  const width = chat.anchorWidth;
  const files = new Map<string, Map<string, string[]>>();
  for (const prefix of hexPrefixes(width)) if (!only || only.has(prefix)) files.set(prefix, new Map());
  for (const [path, anchors] of pages) {
    for (const hex of anchors) {
      const byPage = files.get(hex.slice(0, width));
      if (!byPage) continue;
      let list = byPage.get(path);
      if (!list) byPage.set(path, (list = []));
      list.push(hex);
    }
  }
  const out: [string, string][] = [];
  for (const [prefix, byPage] of files) {
    const entries = [...byPage].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    // Lists are in page order (time order): deterministic without sorting a million strings.
    const body = entries.map(([path, list]) => `${JSON.stringify(path)}:"${hexList(list)}"`).join(',\n');
    out.push([sitePaths.anchorMap(chat.slug, prefix), `ccAnchorMap({\n${body}\n});\n`]);
  }
  return out;
}

/**
 * `a,b,c` of anchors (without `m`). The file is a script: anything but hex digits would be code,
 * so a list that is not all hex (never, from our collector) is filtered anchor by anchor.
 */
function hexList(list: string[]): string {
  const joined = list.join(',');
  return /^[0-9a-f,]*$/.test(joined) ? joined : list.filter((a) => /^[0-9a-f]+$/.test(a)).join(',');
}

function hexPrefixes(width: number): string[] {
  if (width === 0) return [''];
  const out: string[] = [];
  for (let i = 0; i < 16 ** width; i++) out.push(i.toString(16).padStart(width, '0'));
  return out;
}
