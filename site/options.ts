/**
 * The plugin's options: defaults, validation, normalization. Options are merged over DEFAULTS and
 * checked once, when the plugin is added, so a typo fails the build with a message that names the
 * option instead of silently publishing something else.
 */
import type { LayoutPage } from './render/layout-page.js';

export type AuthorMode = 'show' | 'hide' | 'pseudonymize';

export interface ChatChannelsOptions {
  /** The chatchannels SQLite database to publish (read-only). Required. */
  db: string;
  /** Publish only these chats (native ids or slugs). Default: every chat. */
  include?: string[] | null;
  /** Never publish these chats (native ids or slugs); wins over `include`. */
  exclude?: string[];
  /** How authors are named: their names, no names at all, or stable pseudonyms ("Person 3f2a"). */
  authors?: AuthorMode;
  /** Mixed into pseudonyms so that they cannot be recomputed from a known account id. */
  pseudonymSalt?: string;
  /**
   * People (native ids, as `people.native_id`) whose messages are not published at all, and who
   * are "someone" wherever another message refers to them (events, quotes, mentions).
   */
  excludeAuthors?: string[];
  /**
   * With authors hidden or pseudonymized, also publish files whose metadata cannot be removed
   * (documents, archives, TIFF…: data/media-metadata.ts), as they came. Default false: such
   * files are listed by name and size but not published, since they can carry their author's name.
   */
  publishUncleanedMedia?: boolean;
  /** Messages (anchors `m…` or keys) whose content is replaced by "Message removed"; the anchor stays. */
  redact?: string[];
  /** IANA time zone for displayed times and day separators (URLs always use UTC months). */
  timeZone?: string;
  /** BCP 47 language of the page chrome (`<html lang>`, date formats). */
  lang?: string;
  /** Site title: the index page's heading and the site feed's title. */
  title?: string;
  /** Absolute URL of the site root (without the pathPrefix), used for absolute links in feeds. */
  siteUrl?: string | null;
  /** Entries per Atom feed. */
  feedSize?: number;
  /** Messages shown on a chat's landing page. */
  recentSize?: number;
  /** Consecutive messages of one author less than this many minutes apart share one header. */
  groupMinutes?: number;
  /** `<meta name="robots" content="noindex">` on every page and a `robots.txt` that disallows all. */
  noindex?: boolean;
  /** Build the search page and index, and show a search box on every page. */
  search?: boolean;
  /**
   * Rebuild only what changed after this point of the database's change log (`changes.seq`):
   * the archive pages, landing pages, feeds and anchor maps of the chats and days imported since,
   * and a search delta. `chatchannels serve` passes the point its previous build saw. Default: a
   * full build.
   */
  since?: number | null;
  /**
   * In watch mode (`chatchannels serve`, `eleventy --serve`): the first build writes everything,
   * each rebuild only what changed since the previous build (as `since` would). Default false.
   */
  incremental?: boolean;
  /** Replaces the page chrome: receives the rendered parts of a page, returns the whole document. */
  layout?: ((page: LayoutPage) => string) | null;
  /** Stylesheets linked after chatchannels.css: site-root-relative paths or absolute URLs. */
  extraCss?: string[];
}

export type ResolvedOptions = Required<Omit<ChatChannelsOptions, 'include' | 'siteUrl' | 'layout' | 'since'>> & {
  include: string[] | null;
  since: number | null;
  siteUrl: string | null;
  layout: ((page: LayoutPage) => string) | null;
};

export const DEFAULTS: Omit<ResolvedOptions, 'db'> = {
  include: null,
  exclude: [],
  authors: 'show',
  pseudonymSalt: '',
  excludeAuthors: [],
  publishUncleanedMedia: false,
  redact: [],
  timeZone: 'UTC',
  lang: 'en',
  title: 'Chat archive',
  siteUrl: null,
  feedSize: 100,
  recentSize: 50,
  groupMinutes: 5,
  noindex: false,
  search: true,
  since: null,
  incremental: false,
  layout: null,
  extraCss: [],
};

type Check = (value: unknown, name: string) => void;

const isStringArray: Check = (value, name) => {
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new TypeError(`chatchannels: option "${name}" must be an array of strings`);
  }
};
const isString: Check = (value, name) => {
  if (typeof value !== 'string') throw new TypeError(`chatchannels: option "${name}" must be a string`);
};
const isBoolean: Check = (value, name) => {
  if (typeof value !== 'boolean') throw new TypeError(`chatchannels: option "${name}" must be true or false`);
};
const isPositiveInteger: Check = (value, name) => {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    throw new TypeError(`chatchannels: option "${name}" must be a positive integer`);
  }
};
const orNull = (check: Check): Check => (value, name) => {
  if (value !== null) check(value, name);
};

const CHECKS: Record<keyof ChatChannelsOptions, Check> = {
  db: (value, name) => {
    if (typeof value !== 'string' || value === '') {
      throw new TypeError(`chatchannels: option "${name}" (the database file) is required and must be a path`);
    }
  },
  include: orNull(isStringArray),
  exclude: isStringArray,
  authors: (value, name) => {
    if (value !== 'show' && value !== 'hide' && value !== 'pseudonymize') {
      throw new TypeError(`chatchannels: option "${name}" must be "show", "hide" or "pseudonymize"`);
    }
  },
  pseudonymSalt: isString,
  excludeAuthors: isStringArray,
  publishUncleanedMedia: isBoolean,
  redact: isStringArray,
  timeZone: (value, name) => {
    isString(value, name);
    try {
      new Intl.DateTimeFormat('en', { timeZone: value as string });
    } catch {
      throw new RangeError(`chatchannels: option "${name}": unknown time zone "${String(value)}" (use an IANA name like "Europe/Berlin")`);
    }
  },
  lang: (value, name) => {
    isString(value, name);
    try {
      if (Intl.getCanonicalLocales(value as string).length !== 1) throw new Error();
    } catch {
      throw new RangeError(`chatchannels: option "${name}": "${String(value)}" is not a BCP 47 language tag`);
    }
  },
  title: isString,
  siteUrl: orNull((value, name) => {
    isString(value, name);
    let url: URL;
    try {
      url = new URL(value as string);
    } catch {
      throw new TypeError(`chatchannels: option "${name}" must be an absolute http(s) URL, got "${String(value)}"`);
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new TypeError(`chatchannels: option "${name}" must be an http(s) URL, got "${String(value)}"`);
    }
  }),
  feedSize: isPositiveInteger,
  recentSize: isPositiveInteger,
  groupMinutes: (value, name) => {
    if (typeof value !== 'number' || !(value >= 0) || !Number.isFinite(value)) {
      throw new TypeError(`chatchannels: option "${name}" must be a number of minutes (0 or more)`);
    }
  },
  noindex: isBoolean,
  search: isBoolean,
  incremental: isBoolean,
  since: orNull((value, name) => {
    if (!Number.isSafeInteger(value) || (value as number) < 0) {
      throw new TypeError(`chatchannels: option "${name}" must be a change sequence number (0 or more)`);
    }
  }),
  layout: orNull((value, name) => {
    if (typeof value !== 'function') throw new TypeError(`chatchannels: option "${name}" must be a function (page) => html`);
  }),
  extraCss: isStringArray,
};

export const OPTION_NAMES = Object.keys(CHECKS) as (keyof ChatChannelsOptions)[];

/** Merges `options` over the defaults and validates every value; throws on anything unknown. */
export function resolveOptions(options: unknown): ResolvedOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new TypeError('chatchannels: options must be an object like { db: "chatchannels.sqlite" }');
  }
  for (const name of Object.keys(options)) {
    if (!(name in CHECKS)) {
      throw new TypeError(`chatchannels: unknown option "${name}" (known options: ${OPTION_NAMES.join(', ')})`);
    }
  }
  const given = options as Record<string, unknown>;
  const merged: Record<string, unknown> = { ...DEFAULTS };
  for (const [name, value] of Object.entries(given)) {
    if (value !== undefined) merged[name] = value;
  }
  for (const name of OPTION_NAMES) CHECKS[name](merged[name], name);
  const resolved = merged as ResolvedOptions;
  if (resolved.siteUrl && !resolved.siteUrl.endsWith('/')) resolved.siteUrl += '/';
  return resolved;
}
