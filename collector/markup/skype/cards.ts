import { escapeHtml, decodeEntities, linesToHtml, safeHref, stripInvalidXml } from '../html.js';
import { ensureSafeFragment } from '../sanitize.js';
import type { RenderedBody } from '../types.js';
import { flush, Output, writeLine, writeList } from './output.js';
import { parseMarkup, textContent } from './parse.js';

// ---------------------------------------------------------------------------------------------
// JSON cards: Notice, PopCard, Poll

export const JSON_START = /^\s*[[{]/;
const MAX_CARD_STRINGS = 20;

interface Card {
  titles: string[];
  texts: string[];
  links: string[];
  question: string;
  options: string[];
}

/**
 * Notice (`[{"attachments":[{"content":{"title","text","mainActionUri"}}]}]`), PopCard
 * (`[{"content":{"title","text"}}]`) and poll JSON → a short card. Returns null when the body is
 * not JSON (it is then rendered as markup or text). Card strings may hold HTML: only their text
 * is kept.
 */
export function renderJsonCard(body: string): RenderedBody | null {
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch {
    return null;
  }
  const card: Card = { titles: [], texts: [], links: [], question: '', options: [] };
  collectCard(data, card, 0);
  const out = new Output();
  if (card.question || card.options.length) {
    if (card.question) writeLine(out, 'cc-poll', `📊 ${card.question}`);
    writeList(out, card.options);
  } else {
    const lines = [...card.titles.map((t) => ({ t, bold: true })), ...card.texts.map((t) => ({ t, bold: false }))];
    if (!lines.length && !card.links.length) return null; // not a card we know: shown as text
    flush(out);
    out.html += '<span class="cc-notice">';
    lines.forEach(({ t, bold }, i) => {
      if (i) {
        out.html += '<br>';
        out.text += '\n';
      }
      out.html += bold ? `<b>${escapeHtml(t)}</b>` : linesToHtml(t);
      out.text += t;
    });
    out.html += '</span>';
    for (const link of card.links) {
      out.html += `<br><a href="${escapeHtml(link)}" rel="nofollow noopener">${escapeHtml(link)}</a>`;
      out.text += `\n${link}`;
    }
  }
  return { html: ensureSafeFragment(out.html), text: stripInvalidXml(out.text).trim() };
}

function cardText(value: string): string {
  const text = value.indexOf('<') === -1 ? decodeEntities(value) : textContent(parseMarkup(value).root);
  return stripInvalidXml(text).trim();
}

function optionText(option: unknown): string {
  if (typeof option === 'string') return cardText(option);
  if (option && typeof option === 'object') {
    for (const key of ['text', 'title', 'value', 'label', 'name', 'option']) {
      const value = (option as Record<string, unknown>)[key];
      if (typeof value === 'string') return cardText(value);
    }
  }
  return '';
}

function collectCard(value: unknown, card: Card, depth: number): void {
  if (depth > 8 || !value || typeof value !== 'object') return;
  if (Array.isArray(value)) {
    for (const item of value.slice(0, 50)) collectCard(item, card, depth + 1);
    return;
  }
  for (const [key, item] of Object.entries(value as Record<string, unknown>)) {
    const k = key.toLowerCase();
    if (typeof item === 'string') {
      const full = card.titles.length + card.texts.length >= MAX_CARD_STRINGS;
      if ((k === 'question' || k === 'pollquestion') && !card.question) card.question = cardText(item);
      else if ((k === 'title' || k === 'modaltitle') && !full) pushUnique(card.titles, cardText(item));
      else if ((k === 'text' || k === 'body' || k === 'description') && !full) pushUnique(card.texts, cardText(item));
      else if ((k === 'mainactionuri' || k === 'url' || k === 'link') && card.links.length < 3) {
        const url = safeHref(item);
        if (url && /^https?:/i.test(url)) pushUnique(card.links, url);
      }
    } else if (Array.isArray(item) && ['options', 'choices', 'answers', 'polloptions'].includes(k)) {
      for (const option of item.slice(0, 50)) pushUnique(card.options, optionText(option));
    } else {
      collectCard(item, card, depth + 1);
    }
  }
}

function pushUnique(list: string[], value: string): void {
  if (value && !list.includes(value)) list.push(value);
}
