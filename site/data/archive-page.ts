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
  /**
   * Every message on it has an implausible time (and the chat has plausible ones): the page keeps
   * its URL but is left out of previous/next links and listed apart (a Skype SMS dated 2404 must
   * not become the chat's newest page).
   */
  implausible: boolean;
  /** The neighbouring plausible pages (none for an implausible page). */
  prev: PageLink | null;
  next: PageLink | null;
}

export interface PageLink {
  path: string;
  label: string;
}
