/**
 * People are references in stored markup: wherever a converter shows a person (an event's actor
 * and targets, call participants, a quote's author, a mention, reactors, poll voters), it writes a
 * person token instead of a name, and the site fills in the name, a pseudonym or nothing at build
 * time (site/data/people.ts), per its `authors` option. Names baked into stored HTML could not
 * be hidden later; a token can.
 *
 *   token = U+E000 <person id> U+E002 <name> U+E001
 *
 * The id is the person's native id in the form the adapter gives authors (people.native_id), so a
 * pseudonym in an event line is the same as on the person's own messages. A converter writes the
 * name the markup showed; the writer then learns that name for the person (people.display_name)
 * and stores the token without it (`storedRefs`): the name of a person with an id lives in one
 * place, the same event seen by two sources is the same text, and a person never shows under two
 * names. A token keeps its name only when the source named someone without an id. In stored HTML
 * the id and name are HTML-escaped like all text; in plain text they are as they are. The three
 * private-use characters are removed from every body before it is converted
 * (`withoutPersonMarks`), so a message cannot forge a token.
 */
export const PERSON_OPEN = '\uE000';
export const PERSON_SEP = '\uE002';
export const PERSON_CLOSE = '\uE001';

const MARKS = /[\uE000-\uE002]/g;
const HAS_MARK = /[\uE000-\uE002]/;

/** The text with the token delimiters removed (source bodies, names and ids). */
export function withoutPersonMarks(text: string): string {
  return HAS_MARK.test(text) ? text.replace(MARKS, '') : text;
}

/** A person token for plain text. `id` may be '' when the source names a person without an id. */
export function personText(id: string, name: string): string {
  return `${PERSON_OPEN}${withoutPersonMarks(id)}${PERSON_SEP}${withoutPersonMarks(name)}${PERSON_CLOSE}`;
}

/** A person token for HTML: the same token with id and name escaped by `escape`. */
export function personHtml(id: string, name: string, escape: (text: string) => string): string {
  return `${PERSON_OPEN}${escape(withoutPersonMarks(id))}${PERSON_SEP}${escape(withoutPersonMarks(name))}${PERSON_CLOSE}`;
}

/** Both forms at once, for converters that build HTML and text side by side. */
export function personRef(id: string, name: string, escape: (text: string) => string): { html: string; text: string } {
  return { html: personHtml(id, name, escape), text: personText(id, name) };
}

const TOKEN = /\uE000([^\uE000-\uE002]*)\uE002([^\uE000-\uE002]*)\uE001/g;

/** True when a stored string holds a person token. */
export function hasPersonRefs(stored: string): boolean {
  return stored.includes(PERSON_OPEN);
}

/**
 * Replaces every token by `name(id, shownName)`. Works on either form: the callback gets the
 * token's parts as stored (escaped in HTML) and returns what to put there in the same form.
 */
export function replacePersonRefs(stored: string, name: (id: string, shown: string) => string): string {
  if (!stored.includes(PERSON_OPEN)) return stored;
  return stored.replace(TOKEN, (_all, id: string, shown: string) => name(id, shown));
}

/** Drops the names of tokens that have an id (see above): what the store keeps. */
export function storedRefs(rendered: string): string {
  if (!rendered.includes(PERSON_OPEN)) return rendered;
  return rendered.replace(TOKEN, (all, id: string) => (id ? `${PERSON_OPEN}${id}${PERSON_SEP}${PERSON_CLOSE}` : all));
}

/** The people a stored string refers to, as [id, shown name] pairs (ids may be ''). */
export function personRefsIn(stored: string): [string, string][] {
  if (!stored.includes(PERSON_OPEN)) return [];
  return [...stored.matchAll(TOKEN)].map((m) => [m[1], m[2]]);
}

/**
 * A person known only by id, as a reader would say it: without the source's type prefix (`8:`
 * Skype, `irc:` …), and a Skype "cid" account (`live:.cid.7f3a2b9c41d05e68`, what exports show for
 * their own owner) shortened to something a reader can tell apart and say: `cid 7f3a2b`.
 */
export function readableId(nativeId: string | null): string | null {
  if (!nativeId) return null;
  const bare = nativeId.replace(/^\d+:/, '');
  const cid = /^live:\.cid\.([0-9a-f]{6})[0-9a-f]*$/i.exec(bare);
  return cid ? `cid ${cid[1]}` : bare;
}

/**
 * Plain text with its people named, as with `authors: 'show'` (the CLI, tests): a person with an
 * id by their display name (else a readable id), one without by the name the source showed.
 */
export function namedRefs(text: string, displayNameOf: (nativeId: string) => string | null): string {
  return replacePersonRefs(text, (id, shown) => (id ? displayNameOf(id)?.trim() || readableId(id) || id : shown));
}

const TOKEN_IN_ATTRIBUTE = '\\uE000[^\\uE000-\\uE002"]*\\uE002[^\\uE000-\\uE002"]*\\uE001';
/** `: ` + tokens joined by `, ` + an optional ` and N more`, ending an attribute value. */
const PEOPLE_LIST = new RegExp(`: ${TOKEN_IN_ATTRIBUTE}(?:, ${TOKEN_IN_ATTRIBUTE})*(?: and \\d+ more)?(?=")`, 'g');

/**
 * A list of people that ends an attribute value (a reaction chip's title: "👍 3 reactions: Alice,
 * Bob and 1 more"): `: ` + the tokens (HTML form) joined by `, `, and how many more there were.
 * With authors hidden the site drops the whole list (`withoutPeopleLists`), so the value says
 * "👍 3 reactions" rather than "someone, someone and 1 more". '' for no one.
 */
export function peopleListHtml(tokens: readonly string[], more: number): string {
  if (!tokens.length) return '';
  return `: ${tokens.join(', ')}${more > 0 ? ` and ${more} more` : ''}`;
}

/** Stored HTML without the people lists of its attribute values (authors hidden). */
export function withoutPeopleLists(stored: string): string {
  return stored.includes(PERSON_OPEN) ? stored.replace(PEOPLE_LIST, '') : stored;
}
