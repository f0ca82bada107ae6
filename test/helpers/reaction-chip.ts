import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { cli } from './db-state.js';

/**
 * A reaction chip as collector/markup/reactions.ts writes it (person references as the test shows
 * them, e.g. `⟨slack:U1|alice⟩`): `shown` on the chip, `label` its accessible name and title.
 */
export function chip(shown: string, label: string): string {
  return `<span class="cc-reaction" role="img" aria-label="${label}" title="${label}">${shown}</span>`;
}

/**
 * Every format whose exports carry reactions, with its fixture in test/fixtures/reactions/<format>/:
 * "Lunch at noon?" by Rhea Quill, 👍 from Ivo Brandt and Oona Vale (some exports count a third they
 * do not name), ❤ from Oona, and where the format has them a custom emoji from Ivo.
 */
export interface ReactionSource {
  format: string;
  args?: string[];
  /** What the 👍 chip shows: the emoji as the app writes it and how many reacted (some exports count more than they name). */
  thumbs: { emoji: string; count: number };
  heart: string;
  /** A third chip: a custom emoji as the format shows it. */
  custom?: string;
}

export const REACTION_SOURCES: ReactionSource[] = [
  { format: 'slack', thumbs: { emoji: '👍', count: 3 }, heart: '❤️', custom: ':partyparrot:' },
  { format: 'discord', thumbs: { emoji: '👍', count: 3 }, heart: '❤️', custom: ':partyparrot:' },
  { format: 'telegram', thumbs: { emoji: '👍', count: 3 }, heart: '❤', custom: 'custom emoji' },
  { format: 'teams', thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
  { format: 'matrix', thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
  { format: 'mattermost', thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
  { format: 'google-chat', thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
  { format: 'messenger', thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
  { format: 'instagram', args: ['--format', 'instagram'], thumbs: { emoji: '👍', count: 2 }, heart: '❤️' },
];

export interface Chip {
  shown: string;
  label: string;
  title: string;
}

/** The reaction chips of a page, in order (attribute values decoded). */
export function chipsIn(html: string): Chip[] {
  const decode = (s: string) => s.replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
  return [...html.matchAll(/<span class="cc-reaction" role="img" aria-label="([^"]*)" title="([^"]*)">([^<]*)<\/span>/g)].map((m) => ({
    label: decode(m[1]),
    title: decode(m[2]),
    shown: decode(m[3]),
  }));
}

/** Imports a format's reaction fixture into a fresh database. */
export function importReactions(source: ReactionSource, db: string): void {
  const run = cli(['import', resolve('test/fixtures/reactions', source.format), '--db', db, ...(source.args ?? [])], resolve('.'));
  assert.equal(run.code, 0, run.err);
}

