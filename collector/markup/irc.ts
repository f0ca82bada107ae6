/**
 * IRC message bodies → safe HTML + plain text. IRC text is plain, except for mIRC's formatting
 * control codes, which clients log as they received them:
 *
 *   \x02 bold   \x1D italic   \x1F underline   \x1E strike-through   \x11 monospace
 *   \x16 reverse   \x0F reset all   \x03[fg[,bg]] colour (0–15; \x03 alone ends colour)
 *   \x04[RRGGBB[,RRGGBB]] hex colour (read and dropped)
 *
 * Each run of text between codes is escaped and linked, then wrapped in the tags of the styles in
 * force (`<b>`, `<i>`, `<s>`, `<code>`, `<span class="cc-…">`): runs never share a tag, so the
 * HTML is well-formed whatever order the codes come in. Colours become classes named after
 * mIRC's palette (`cc-irc-red`, background `cc-irc-on-blue`) for the site's CSS; colours 16–98
 * (the extended palette) are dropped. The text has no codes. `irc-quiet` (mode changes) is the
 * same in a `cc-quiet` span.
 *
 * In event lines (joins, parts, kicks, nick and topic changes, modes, netsplits) the nicks are
 * person references (collector/store/person-refs.ts) with the ids the adapter gives their
 * authors, and the user@host masks clients log beside joins and parts are left out. What people
 * type (messages, actions, notices, topics) stays as they typed it.
 */
import { personText } from '../store/person-refs.js';
import { escapeHtml, linkify, stripInvalidXml } from './html.js';
import { eventParts, ircPersonId, stripNickMode } from './irc-grammar.js';
import { ensureSafeFragment } from './sanitize.js';
import type { MarkupConverter, RenderedBody } from './types.js';

const PALETTE = [
  'white', 'black', 'blue', 'green', 'red', 'brown', 'purple', 'orange',
  'yellow', 'light-green', 'cyan', 'light-cyan', 'light-blue', 'pink', 'grey', 'light-grey',
];

interface Style {
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strike: boolean;
  mono: boolean;
  reverse: boolean;
  fg: number; // -1: default
  bg: number;
}

const PLAIN: Style = { bold: false, italic: false, underline: false, strike: false, mono: false, reverse: false, fg: -1, bg: -1 };

// eslint-disable-next-line no-control-regex
const CODES = /[\x02\x03\x04\x0f\x11\x16\x1d\x1e\x1f]/;

export const irc: MarkupConverter = (body, context) => (context.kind === 'event' ? renderEvent(body, context.chat) : render(body));

export const ircQuiet: MarkupConverter = (body, context) => {
  const { html, text } = context.kind === 'event' ? renderEvent(body, context.chat) : render(body);
  return { html: `<span class="cc-quiet">${html}</span>`, text };
};

/** An event line with its nicks as person references (never through linkify: see person-refs.ts). */
function renderEvent(body: string, chat: string): RenderedBody {
  const parts = eventParts(body);
  if (!parts) return render(body);
  let html = '';
  let text = '';
  let run = '';
  const flush = () => {
    if (!run) return;
    const piece = render(run);
    html += piece.html;
    text += piece.text;
    run = '';
  };
  for (const part of parts) {
    if ('text' in part) {
      run += part.text;
      continue;
    }
    flush();
    const nick = stripNickMode(stripInvalidXml(part.nick));
    const ref = personText(ircPersonId(chat, nick) ?? '', nick);
    html += escapeHtml(ref);
    text += ref;
  }
  flush();
  return { html: ensureSafeFragment(html), text };
}

function render(body: string): RenderedBody {
  if (!CODES.test(body)) {
    const text = stripInvalidXml(body);
    return { html: linkify(text), text };
  }
  let html = '';
  let text = '';
  let style: Style = { ...PLAIN };
  let run = '';
  const flush = () => {
    if (!run) return;
    const clean = stripInvalidXml(run);
    text += clean;
    if (clean) html += wrap(linkify(clean), style);
    run = '';
  };
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    switch (c) {
      case 0x02: flush(); style.bold = !style.bold; break;
      case 0x1d: flush(); style.italic = !style.italic; break;
      case 0x1f: flush(); style.underline = !style.underline; break;
      case 0x1e: flush(); style.strike = !style.strike; break;
      case 0x11: flush(); style.mono = !style.mono; break;
      case 0x16: flush(); style.reverse = !style.reverse; break;
      case 0x0f: flush(); style = { ...PLAIN }; break;
      case 0x03: {
        flush();
        const m = /^(\d{1,2})(?:,(\d{1,2}))?/.exec(body.slice(i + 1, i + 6));
        if (!m) {
          style.fg = -1;
          style.bg = -1;
          break;
        }
        style.fg = Number(m[1]);
        if (m[2] !== undefined) style.bg = Number(m[2]);
        i += m[0].length;
        break;
      }
      case 0x04: {
        flush();
        const m = /^[0-9a-fA-F]{6}(?:,[0-9a-fA-F]{6})?/.exec(body.slice(i + 1, i + 14));
        if (m) i += m[0].length;
        break;
      }
      default:
        run += body[i];
    }
  }
  flush();
  return { html: ensureSafeFragment(html), text };
}

function wrap(html: string, style: Style): string {
  let open = '';
  let close = '';
  const add = (tag: string, end: string) => {
    open += tag;
    close = end + close;
  };
  if (style.bold) add('<b>', '</b>');
  if (style.italic) add('<i>', '</i>');
  if (style.strike) add('<s>', '</s>');
  if (style.mono) add('<code>', '</code>');
  if (style.underline) add('<span class="cc-underline">', '</span>');
  if (style.reverse) add('<span class="cc-irc-reverse">', '</span>');
  const fg = PALETTE[style.fg];
  const bg = PALETTE[style.bg];
  if (fg) add(`<span class="cc-irc-${fg}">`, '</span>');
  if (bg) add(`<span class="cc-irc-on-${bg}">`, '</span>');
  return open + html + close;
}
