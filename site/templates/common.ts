import type { ChatSummary } from '../data/catalog.js';
import type { BuildSession } from '../data/session.js';
import { text } from '../render/escape.js';
import type { Links } from '../render/links.js';

/** What every template module receives from the plugin entry. */
export type { EleventyConfig as EleventyConfigLike } from '../eleventy-config.js';

/** Data every plugin template carries: not in collections, never wrapped in a project layout. */
export const TEMPLATE_DATA = {
  eleventyExcludeFromCollections: true,
  layout: false,
} as const;

/** Virtual input paths are namespaced so they cannot collide with a project's files. */
export function virtualPath(name: string): string {
  return `chatchannels-virtual/${name}.11ty.js`;
}

const numberFormats = new Map<string, { format: Intl.NumberFormat; cache: Map<number, string> }>();

/** `1,234` in the site's language (cached: Intl formatting is slow and counts repeat). */
export function formatCount(session: BuildSession, n: number): string {
  let entry = numberFormats.get(session.options.lang);
  if (!entry) numberFormats.set(session.options.lang, (entry = { format: new Intl.NumberFormat(session.options.lang), cache: new Map() }));
  let text = entry.cache.get(n);
  if (text === undefined) {
    text = entry.format.format(n);
    if (entry.cache.size < 100_000) entry.cache.set(n, text);
  }
  return text;
}

export function plural(session: BuildSession, n: number, one: string, many: string): string {
  return `${formatCount(session, n)} ${n === 1 ? one : many}`;
}

/** "Alice, Bob, Carol and 4 more" — names escaped, each isolated for bidirectional text. */
export function memberList(chat: ChatSummary, max = 8): string {
  const names = chat.members.map((m) => m.name).filter(Boolean) as string[];
  if (names.length === 0) return '';
  const shown = names.slice(0, max).map((n) => `<bdi>${text(n)}</bdi>`);
  const rest = names.length - shown.length;
  return rest > 0 ? `${shown.join(', ')} and ${rest} more` : shown.join(', ');
}

/** `14 Sep 2019 – 20 Oct 2021`, with machine-readable times. */
export function activityRange(session: BuildSession, chat: ChatSummary): string {
  const { time } = session;
  if (chat.first === null || chat.last === null) return '';
  const first = `<time datetime="${new Date(clampForIso(chat.first)).toISOString()}">${text(time.date(chat.first))}</time>`;
  const last = `<time datetime="${new Date(clampForIso(chat.last)).toISOString()}">${text(time.date(chat.last))}</time>`;
  return chat.first === chat.last ? first : `${first} – ${last}`;
}

function clampForIso(t: number): number {
  return Math.max(-8.64e15, Math.min(8.64e15, t));
}

export function chatKindLabel(kind: string): string {
  return kind === 'direct' ? 'direct chat' : kind === 'channel' ? 'channel' : 'group';
}

export type { Links };
