import { createHash } from 'node:crypto';
import type { AuthorMode } from '../options.js';
import { balanceBidi, readableId, replacePersonRefs, withoutPeopleLists } from '../../collector/store/contract.js';

export { readableId };
import { escapeHtml, stripInvalidChars } from '../render/escape.js';

/**
 * How authors appear on the site (option `authors`): their names, nothing, or pseudonyms. A
 * pseudonym ("Person 3f2a") and an avatar colour come from a hash of the author's native id (plus
 * an optional salt), so they are stable across builds and databases and reveal nothing readable.
 */
export interface Author {
  /** Name to show, or null when authors are hidden; its bidi controls are all paired (balanceBidi). */
  name: string | null;
  /** The name escaped for HTML ('' when hidden). */
  nameHtml: string;
  /** Colour of the avatar circle: one of HUES hue classes (`cc-h0` … `cc-h23`, CSP-friendly). */
  hue: number;
  /** One or two letters for the avatar, escaped for HTML. */
  initials: string;
  /** Groups consecutive messages: same key, same author. */
  key: string;
}

/** Avatar colours: hue classes 15° apart, defined in site/assets/chatchannels.css. */
export const HUES = 24;

export class AuthorNamer {
  /** person → name shown with the message → Author (names only matter when shown). */
  private readonly cache = new Map<string, Map<string, Author>>();

  constructor(
    readonly mode: AuthorMode,
    private readonly salt: string,
    /** The display name of a person known by native id (for person references in markup). */
    readonly displayNameOf: (nativeId: string) => string | null = () => null,
    /** Option `excludeAuthors`: people who are "someone" wherever a message refers to them. */
    excluded: readonly string[] = [],
  ) {
    this.excluded = new Set(excluded);
  }

  readonly excluded: ReadonlySet<string>;

  /**
   * `nativeId` identifies the person (people.native_id); `shownName` is the name the message
   * carried in the source, `displayName` the person's latest known name.
   */
  author(nativeId: string | null, shownName: string | null, displayName: string | null): Author {
    const id = nativeId ?? `name:${shownName ?? ''}`;
    const nameKey = this.mode === 'show' ? (shownName ?? `\u0000${displayName ?? ''}`) : '';
    let byName = this.cache.get(id);
    if (!byName) this.cache.set(id, (byName = new Map()));
    let author = byName.get(nameKey);
    if (!author) {
      const digest = createHash('sha256').update(`${this.salt}\u0000${id}`, 'utf8').digest();
      const hue = ((digest[0] << 8) | digest[1]) % HUES;
      const tag = digest.subarray(2, 4).toString('hex');
      let name: string | null;
      let initials: string;
      if (this.mode === 'show') {
        name = firstNonEmpty(shownName, displayName, readableId(nativeId)) ?? 'Unknown';
        initials = initialsOf(name);
      } else if (this.mode === 'pseudonymize') {
        name = `Person ${tag}`;
        initials = tag.slice(0, 2).toUpperCase();
      } else {
        name = null;
        initials = '';
      }
      author = { name, nameHtml: name ? escapeHtml(name) : '', hue, initials: escapeHtml(initials), key: id };
      byName.set(nameKey, author);
    }
    return author;
  }
}

/** A person referred to from inside a message (site/README.md "Privacy"): never an id with names hidden. */
const SOMEONE = 'someone';

/**
 * Fills in the person references of stored markup (collector/store/person-refs.ts) the way
 * `namer` shows authors: the name the source showed, the person's pseudonym, or "someone". Each
 * name is isolated (U+2068 … U+2069) so a right-to-left name cannot reorder the words around it.
 * With authors hidden, a list of people in an attribute (a reaction's reactors) goes altogether:
 * "👍 3 reactions", not "👍 3 reactions: someone, someone, someone".
 */
export function resolveRefsHtml(namer: AuthorNamer, stored: string): string {
  if (namer.mode === 'hide') stored = withoutPeopleLists(stored);
  return replacePersonRefs(stored, (id, shown) => escapeHtml(refName(namer, unescapeHtml(id), unescapeHtml(shown))));
}

export function resolveRefsText(namer: AuthorNamer, stored: string): string {
  return replacePersonRefs(stored, (id, shown) => refName(namer, id, shown));
}

function refName(namer: AuthorNamer, id: string, shown: string): string {
  if (id && namer.excluded.has(id)) return `\u2068${SOMEONE}\u2069`;
  const author = id ? namer.author(id, null, namer.displayNameOf(id)) : namer.author(null, shown || null, null);
  return `\u2068${author.name ?? SOMEONE}\u2069`;
}

const ENTITY = /&(amp|lt|gt|quot|#39);/g;
const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', '#39': "'" };

/** Reverses escapeHtml (the only escaping stored token parts have had). */
function unescapeHtml(html: string): string {
  return html.includes('&') ? html.replace(ENTITY, (_all, name: string) => ENTITIES[name]) : html;
}

function firstNonEmpty(...values: (string | null)[]): string | null {
  for (const value of values) {
    const trimmed = value ? balanceBidi(stripInvalidChars(value)).replace(/[\t\n\r]+/g, ' ').trim() : '';
    if (trimmed) return trimmed;
  }
  return null;
}

/** "Alice Smith" → "AS", "bob" → "B", "李小龙" → "李". */
export function initialsOf(name: string): string {
  const words = name
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .split(/\s+/)
    .filter(Boolean);
  if (words.length === 0) return '?';
  const first = Array.from(words[0])[0] ?? '?';
  const last = words.length > 1 ? (Array.from(words[words.length - 1])[0] ?? '') : '';
  return (first + last).toUpperCase();
}
