import { telegramPersonId } from '../../identity/telegram-ids.js';
import { escapeHtml, safeHref } from '../html.js';
import { clean, isObject, link, MAX_PARTS, str, type Output } from './output.js';
import { ref } from './people.js';

/** A message's text: a string, or a list of plain strings and entity objects (bold, links, code…). */

export function hasText(value: unknown): boolean {
  return (typeof value === 'string' && value !== '') || (Array.isArray(value) && value.length > 0);
}

export function writeText(value: unknown, out: Output): void {
  if (typeof value === 'string') {
    out.plain(clean(value));
    return;
  }
  if (!Array.isArray(value)) return;
  const parts = value.length > MAX_PARTS ? value.slice(0, MAX_PARTS) : value;
  for (const part of parts) {
    if (typeof part === 'string') out.plain(clean(part));
    else if (isObject(part)) writeEntity(part, out);
  }
}

function writeEntity(part: Record<string, unknown>, out: Output): void {
  const text = typeof part.text === 'string' ? clean(part.text) : '';
  if (!text) return;
  const html = escapeHtml(text);
  const lines = html.replace(/\r\n?|\n/g, '<br>');
  switch (str(part.type)) {
    case 'bold':
      return out.raw(`<b>${lines}</b>`, text);
    case 'italic':
      return out.raw(`<i>${lines}</i>`, text);
    case 'underline':
      return out.raw(`<span class="cc-underline">${lines}</span>`, text);
    case 'strikethrough':
      return out.raw(`<s>${lines}</s>`, text);
    case 'spoiler':
      return out.raw(`<span class="cc-spoiler">${lines}</span>`, text);
    case 'code':
      return out.raw(`<code>${lines}</code>`, text);
    case 'pre': {
      const language = str(part.language).trim();
      if (language) {
        out.line();
        out.raw(`<span class="cc-code-language">${escapeHtml(language)}</span>`, '');
      }
      return out.block(`<pre><code>${html}</code></pre>`, text);
    }
    case 'blockquote':
    case 'expandable_blockquote':
      return out.block(`<blockquote class="cc-quote">${lines}</blockquote>`, text);
    case 'link': {
      // Telegram links bare domains too (`example.com/x`): they open as http.
      const href = safeHref(/^[a-z][a-z0-9+.-]*:/i.test(text) ? text : `http://${text}`);
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'text_link': {
      const href = safeHref(str(part.href));
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'email': {
      const href = /^[^\s@<>"]+@[^\s@<>"]+$/.test(text) ? safeHref(`mailto:${text}`) : null;
      return out.raw(href ? link(href, lines) : lines, text);
    }
    case 'mention':
      return out.raw(`<span class="cc-mention">${lines}</span>`, text);
    case 'mention_name':
    case 'text_mention': {
      // A mention of someone without a username: the entity knows who.
      const mention = ref(telegramPersonId(part.user_id), text.replace(/\s+/g, ' ').trim());
      return out.raw(`<span class="cc-mention">${escapeHtml(mention)}</span>`, mention);
    }
    case 'hashtag':
    case 'cashtag':
      return out.raw(`<span class="cc-hashtag">${lines}</span>`, text);
    case 'bot_command':
      return out.raw(`<span class="cc-bot-command">${lines}</span>`, text);
    case 'phone':
      return out.raw(`<span class="cc-phone">${lines}</span>`, text);
    case 'custom_emoji':
      // The text is the emoji Telegram shows where the custom one cannot be drawn.
      return out.raw(`<span class="cc-custom-emoji">${lines}</span>`, text);
    default: // plain, bank_card, unknown
      return out.plain(text);
  }
}
