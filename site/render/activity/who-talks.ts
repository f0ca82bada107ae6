import type { Author } from '../../data/authors.js';
import type { Participant } from '../../data/reader.js';
import { escapeHtml } from '../escape.js';
import { num } from './svg.js';

/**
 * "Who talks": a chat's participants by the number of messages they wrote (system lines such as
 * joins and calls not counted), with their first and last message and a bar each; the first
 * `limit`, then "and N others". With authors hidden there are no names, no dates and no people to
 * tell apart: only the distribution (how many people, and the share of the busiest ones).
 */
export interface WhoTalksRow {
  author: Author | null;
  count: number;
  first: string | null;
  last: string | null;
  firstIso: string | null;
  lastIso: string | null;
}

export interface WhoTalksText {
  count(n: number): string;
  messages(n: number): string;
}

export const WHO_TALKS_LIMIT = 20;

/** Rows in display order: most messages first, then by name (or key) so that ties are stable. */
export function orderTalkers(rows: WhoTalksRow[]): WhoTalksRow[] {
  const name = (r: WhoTalksRow): string => r.author?.name ?? '';
  const key = (r: WhoTalksRow): string => r.author?.key ?? '';
  return rows.sort((a, b) => b.count - a.count || (name(a) < name(b) ? -1 : name(a) > name(b) ? 1 : key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Only people who wrote something: talkers are participants minus their system lines. */
export function talkers(participants: readonly Participant[]): Participant[] {
  return participants.filter((p) => p.count - p.system > 0 && (p.authorId !== null || p.name));
}

function bar(count: number, max: number): string {
  return `<svg class="cc-who-bar" viewBox="0 0 100 8" preserveAspectRatio="none" width="100" height="8" aria-hidden="true" focusable="false"><rect width="${num((count / max) * 100)}" height="8"/></svg>`;
}

export function renderWhoTalks(rows: readonly WhoTalksRow[], hidden: boolean, say: WhoTalksText, limit = WHO_TALKS_LIMIT): string {
  if (rows.length === 0) return '';
  const max = rows[0].count;
  const shown = rows.slice(0, limit);
  const rest = rows.slice(limit);
  let html = '<section class="cc-who" aria-labelledby="cc-who-heading"><h2 id="cc-who-heading">Who talks</h2>';
  if (hidden) {
    const total = rows.reduce((n, r) => n + r.count, 0);
    html += `<p class="cc-meta">${say.count(rows.length)} ${rows.length === 1 ? 'person' : 'people'} wrote messages; names are not published.</p>`;
    html += '<table class="cc-who-table"><caption class="cc-visually-hidden">Messages per person, most active first, without names</caption>';
    html += '<thead><tr><th scope="col">Rank</th><th scope="col">Messages</th><th scope="col">Share</th></tr></thead><tbody>';
    shown.forEach((row, i) => {
      const share = Math.round((row.count / total) * 1000) / 10;
      html += `<tr><th scope="row">${i + 1}</th><td class="cc-who-count">${say.count(row.count)} ${bar(row.count, max)}</td><td>${share}%</td></tr>`;
    });
  } else {
    html += '<table class="cc-who-table"><caption class="cc-visually-hidden">Messages per person, most active first</caption>';
    html += '<thead><tr><th scope="col">Person</th><th scope="col">Messages</th><th scope="col">First</th><th scope="col">Last</th></tr></thead><tbody>';
    for (const row of shown) {
      const when = (label: string | null, iso: string | null): string => (label && iso ? `<time datetime="${iso}">${escapeHtml(label)}</time>` : '–');
      html +=
        `<tr><th scope="row"><bdi>${row.author?.nameHtml ?? ''}</bdi></th><td class="cc-who-count">${say.count(row.count)} ${bar(row.count, max)}</td>` +
        `<td>${when(row.first, row.firstIso)}</td><td>${when(row.last, row.lastIso)}</td></tr>`;
    }
  }
  html += '</tbody></table>';
  if (rest.length > 0) {
    const n = rest.reduce((sum, r) => sum + r.count, 0);
    html += `<p class="cc-who-more">and ${say.count(rest.length)} ${rest.length === 1 ? 'other' : 'others'} (${say.messages(n)})</p>`;
  }
  return `${html}</section>`;
}
