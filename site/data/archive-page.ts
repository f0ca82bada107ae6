/** One archive page of a chat: what the catalog plans and the templates and dirty-page tracking read. */
export interface ArchivePage {
  chatId: number;
  slug: string;
  /** Relative to the chat folder: `2021/09/`, `2021/09/14/` or an out-of-range path. */
  path: string;
  /** UTC month `2021-09` ('' for out-of-range pages). */
  month: string;
  /** First instant covered (inclusive) and the end (exclusive), UTC ms. */
  start: number;
  end: number;
  count: number;
  /** Short label: `September 2021`, `Tue, September 14, 2021` (in the site's language). */
  label: string;
  prev: PageLink | null;
  next: PageLink | null;
}

export interface PageLink {
  path: string;
  label: string;
}
