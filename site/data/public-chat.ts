import { createHash } from 'node:crypto';
import { base32, balanceBidi } from '../../collector/store/contract.js';
import type { AuthorMode } from '../options.js';

/**
 * How a chat appears in public: its path segment and its title. One place for both, used by the
 * pages (data/catalog.ts) and by search (search/source.ts).
 *
 * With authors shown, a chat's path is its stored slug, permanent from its first import. A slug is
 * made from the chat's native id, and a direct chat's native id is made of account names
 * (`bob-tanaka-8-live-…`), so with authors hidden or pseudonymized the path is instead a hash of
 * the native id and `pseudonymSalt`: `c-` and 10 base32 characters, just as permanent for a given
 * salt, and saying nothing about anyone.
 */
export function publicSlug(chat: { native_id: string; slug: string }, mode: AuthorMode, salt: string): string {
  if (mode === 'show') return chat.slug;
  return `c-${base32(createHash('sha256').update(`${salt}\u0000chat\u0000${chat.native_id}`, 'utf8').digest()).slice(0, 10)}`;
}

/**
 * What people are called in this database, lower-cased, for `chatTitle`: display names and ids
 * without their type prefix, of at least 3 characters.
 */
export function peopleWords(people: Iterable<{ nativeId: string; displayName: string | null }>): string[] {
  const words = new Set<string>();
  for (const { nativeId, displayName } of people) {
    for (const word of [displayName?.trim(), nativeId.replace(/^\d+:/, '')]) {
      if (word && word.length >= 3) words.add(word.toLowerCase());
    }
  }
  return [...words];
}

/**
 * The members an untitled chat is named after, as the apps do: everyone but the person whose
 * archive it is (people.owner), so a direct chat is named after the other person. Of those, the
 * ones the database has a name for (`named`): an account id is no name, so a member known only by
 * one is left out while someone else has a name (a 1:1 chat whose exporter is never named is
 * titled by the other person).
 */
export function titleMembers(_kind: string, members: readonly { name: string | null; owner: boolean; named?: boolean }[]): string[] {
  const others = members.some((m) => m.owner) && members.some((m) => !m.owner) ? members.filter((m) => !m.owner) : members;
  const named = others.filter((m) => m.named !== false);
  return (named.length ? named : others).map((m) => m.name).filter((n): n is string => !!n);
}

/**
 * The title a chat is published under. The source's title when it has one, except that with
 * authors not shown, a title that names a person of the database (a direct chat is usually titled
 * with the other person's name, an untitled group with its members') is not used. Without a
 * usable title: up to four members' names as the site shows them, else `Chat <path>` (with
 * authors hidden, `Direct chat <path>` for direct chats).
 */
export function chatTitle(
  chat: { title: string | null; kind: string },
  path: string,
  memberNames: readonly string[],
  mode: AuthorMode,
  people: readonly string[],
): string {
  // No unpaired bidi control: the title is shown among other text on every page.
  let title = chat.title ? balanceBidi(chat.title).replace(/[\0-\x1F\x7F-\x9F]/g, ' ').replace(/\s+/g, ' ').trim() : '';
  if (title && mode !== 'show') {
    const lower = title.toLowerCase();
    if (chat.kind === 'direct' || people.some((word) => lower.includes(word))) title = '';
  }
  if (title) return title;
  if (mode === 'hide') return chat.kind === 'direct' ? `Direct chat ${path}` : `Chat ${path}`;
  const names = [...memberNames].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  if (names.length > 0 && names.length <= 4) return names.join(', ');
  return `Chat ${path}`;
}
