/**
 * Reactions under a message, for every converter alike: one chip per emoji with how many reacted,
 * and who, as person references (collector/store/person-refs.ts) in the chip's title and
 * accessible name, never in its visible text:
 *
 *   <span class="cc-reactions"><span class="cc-reaction" role="img"
 *     aria-label="👍 3 reactions: ⟨Alice⟩, ⟨Bob⟩ and 1 more" title="…the same…">👍 3</span> …</span>
 *
 * The site fills the references in with names or pseudonyms, and with authors hidden drops the
 * list (`withoutPeopleLists`): "👍 3 reactions". Reactions are shown, not searched: a message's
 * text stays its own words.
 */
import { personHtml, peopleListHtml } from '../store/person-refs.js';
import { escapeHtml, stripInvalidXml } from './html.js';

/** A reactor: `id` as the adapter identifies authors, or '' for a name without an id. */
export interface Reactor {
  id: string;
  name: string;
}

export interface Reaction {
  /** The emoji as the app shows it (`👍`, `:partyparrot:` for a custom one). */
  emoji: string;
  /** How many reacted, when the export says (it may list fewer people): else the reactors counted. */
  count?: number;
  reactors: readonly Reactor[];
}

/** Chips and reactors drawn at most (a hostile envelope can hold any number). */
const MAX_CHIPS = 100;
const MAX_REACTORS = 100;
/** An emoji is a few characters; a "custom emoji" name longer than this is cut. */
const MAX_EMOJI = 64;

/** The reactions as chips ('' for none usable). */
export function reactionsHtml(reactions: readonly Reaction[]): string {
  const chips: string[] = [];
  for (const reaction of reactions.slice(0, MAX_CHIPS)) {
    const chip = chipHtml(reaction);
    if (chip) chips.push(chip);
  }
  return chips.length ? `<span class="cc-reactions">${chips.join(' ')}</span>` : '';
}

/** The chips as a paragraph of their own, after a message's content (feed readers have no CSS). */
export function reactionsBlock(reactions: readonly Reaction[]): string {
  const chips = reactionsHtml(reactions);
  return chips ? `<p>${chips}</p>` : '';
}

function chipHtml(reaction: Reaction): string {
  const emoji = Array.from(stripInvalidXml(reaction.emoji).replace(/\s+/g, ' ').trim()).slice(0, MAX_EMOJI).join('');
  if (!emoji) return '';
  const people = reaction.reactors.slice(0, MAX_REACTORS).flatMap((r) => {
    const id = stripInvalidXml(r.id).trim();
    const name = stripInvalidXml(r.name).replace(/\s+/g, ' ').trim();
    return id || name ? [personHtml(id, name, escapeHtml)] : [];
  });
  const stated = typeof reaction.count === 'number' && Number.isSafeInteger(reaction.count) ? reaction.count : 0;
  if (reaction.count !== undefined && stated <= 0 && !people.length) return '';
  const count = Math.max(stated, people.length, 1);
  const label = `${escapeHtml(emoji)} ${count} ${count === 1 ? 'reaction' : 'reactions'}${peopleListHtml(people, count - people.length)}`;
  return `<span class="cc-reaction" role="img" aria-label="${label}" title="${label}">${escapeHtml(emoji)} ${count}</span>`;
}
