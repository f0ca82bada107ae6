/**
 * Skype message bodies → safe HTML + plain text.
 *
 * Both Skype sources carry the same XML-ish markup: "Export chats" messages.json `content` and the
 * classic main.db `body_xml`. Text with entities, `<b>`/`<i>`/`<s>`/`<pre>`, links, emoticons
 * (`<ss>`), mentions (`<at>`), quotes, edit markers (`<e_m>`), and whole-message structures for
 * calls (`<partlist>`), thread activity (`<addmember>`…), files (`<URIObject>`, `<files>`),
 * contacts, SMS and polls. Notice/PopCard bodies are JSON cards.
 *
 * How: a small HTML-style tokenizer (parse.ts) builds a tree in one pass (depth-capped, never
 * recursing on the input); a renderer walks it writing only allow-listed HTML: fixed tags, escapeHtml()'d text,
 * safeHref()'d links. Then the allow-list check (sanitize.ts): a body with anything outside
 * Skype's vocabulary (unknown tags, comments, event handlers, `javascript:`…) goes through
 * sanitizeFragment(), i.e. sanitize-html; Skype's own markup is checked by isCanonicalFragment()
 * and only sanitized if the check fails. sanitize-html costs ~10 µs per tag, which on every markup
 * message would hold the import below its 150,000 messages/s target. Bodies without `<` (most
 * messages) never reach the tokenizer: escaping alone builds their HTML.
 */
import { skypePersonId } from '../../identity/skype-ids.js';
import { personHtml, personText } from '../../store/person-refs.js';
import { emoticonFor, flagFor } from './emoticons.js';
import { decodeEntities, escapeHtml, linesToHtml, safeHref, stripInvalidXml } from '../html.js';
import { ensureSafeFragment, sanitizeFragment } from '../sanitize.js';
import type { MarkupConverter, RenderedBody } from '../types.js';
import { JSON_START, renderJsonCard } from './cards.js';
import { activityLine, callHint, callLine, contactLine, displayId, fileLine, person, uriObjectName } from './lines.js';
import { flush, Output, TOP_FLOW, trimBreaks, writeLine, writeList, writeText, type Flow } from './output.js';
import { attr, childElement, childElements, childText, METADATA, parseMarkup, textContent, type Element, type Node } from './parse.js';

export { formatBytes } from './lines.js';

export const DELETED_HTML = '<span class="cc-deleted">This message has been removed.</span>';

export const skype: MarkupConverter = (body, context) => {
  if (context.deleted) return { html: DELETED_HTML, text: '' };
  if ((context.kind === 'notice' || context.kind === 'poll') && JSON_START.test(body)) {
    const card = renderJsonCard(body);
    if (card) return card;
  }
  if (body.indexOf('<') === -1) {
    // Fast path: plain text, perhaps with entities (`I&apos;m`). Escaping is the whole job.
    const clean = stripInvalidXml(body);
    const text = clean.indexOf('&') === -1 ? clean : decodeEntities(clean);
    return { html: linesToHtml(text), text };
  }
  return renderMarkup(body);
};

function renderMarkup(body: string): RenderedBody {
  const { root, unusual } = parseMarkup(stripInvalidXml(body));
  const out = new Output();
  renderNodes(root.children, out, TOP_FLOW, callHint(root));
  const html = trimBreaks(out.html);
  // Skype's own vocabulary: the renderer wrote every tag, so the result only needs checking
  // (ensureSafeFragment checks it against the canonical forms, sanitizing if that fails). Anything
  // else in the input (unknown or dangerous tags, comments, event handlers…) is hostile or
  // foreign: the full sanitize-html pass, whatever the renderer made of it.
  return { html: unusual ? sanitizeFragment(html) : ensureSafeFragment(html), text: out.text.trim() };
}

// ---------------------------------------------------------------------------------------------
// Rendering: the tree (parse.ts) to allow-listed HTML

const WRAP: Record<string, string> = {
  b: 'b', strong: 'b', i: 'i', em: 'i', s: 's', strike: 's', del: 's', pre: 'pre', code: 'code',
  p: 'p', ul: 'ul', ol: 'ol', li: 'li',
};

function renderNodes(nodes: Node[], out: Output, flow: Flow, callType = ''): void {
  for (let index = 0; index < nodes.length; index++) {
    const node = nodes[index];
    if (typeof node === 'string') {
      writeText(out, node, flow);
      continue;
    }
    const name = node.name;
    const wrap = Object.hasOwn(WRAP, name) ? WRAP[name] : undefined;
    if (wrap) {
      flush(out);
      out.html += `<${wrap}>`;
      renderNodes(node.children, out, wrap === 'pre' ? { ...flow, inPre: true } : flow);
      out.html += `</${wrap}>`;
      continue;
    }
    switch (name) {
      case 'br':
        flush(out);
        out.html += '<br>';
        out.text += '\n';
        break;
      case 'a':
        renderLink(node, out, flow);
        break;
      case 'at':
        renderMention(node, out);
        break;
      case 'ccperson': {
        // The main.db adapter's own person reference (xml.ts personXml): never linkified.
        const ref = person(attr(node, 'id'), textContent(node));
        if (out.pending !== 'none') flush(out);
        out.html += escapeHtml(ref);
        out.text += ref;
        break;
      }
      case 'ss': {
        const emoji = emoticonFor(attr(node, 'type'));
        if (emoji) writeText(out, emoji, flow);
        else renderNodes(node.children, out, flow);
        break;
      }
      case 'flag': {
        const flag = flagFor(attr(node, 'country'));
        if (flag) writeText(out, flag, flow);
        else renderNodes(node.children, out, flow);
        break;
      }
      case 'quote':
        renderQuote(node, out);
        break;
      case 'img':
        renderImage(node, out, flow);
        break;
      case 'partlist':
        writeLine(out, 'cc-call', callLine(node, callType));
        break;
      case 'uriobject':
        writeLine(out, 'cc-file', fileLine(uriObjectName(node), Number(attr(childElement(node, 'filesize'), 'v'))));
        break;
      case 'files':
        for (const file of childElements(node, 'file')) {
          writeLine(out, 'cc-file', fileLine(textContent(file).trim() || 'File', Number(attr(file, 'size'))));
        }
        break;
      case 'contacts':
        for (const contact of childElements(node, 'c')) writeLine(out, 'cc-contact', contactLine(contact));
        break;
      case 'sms':
        renderSms(node, out);
        break;
      case 'pollquestion':
        writeLine(out, 'cc-poll', `📊 ${textContent(node).trim()}`);
        break;
      case 'polloption': {
        const options: string[] = [];
        while (index < nodes.length) {
          const next = nodes[index];
          if (typeof next === 'string' && next.trim() === '') { index++; continue; }
          if (typeof next === 'string' || next.name !== 'polloption') break;
          options.push(textContent(next).trim());
          index++;
        }
        index--;
        writeList(out, options);
        break;
      }
      default:
        if (METADATA.has(name)) break;
        if (childElement(node, 'initiator')) writeLine(out, 'cc-event', activityLine(node));
        else renderNodes(node.children, out, flow); // unknown tag: dropped, its text kept
    }
  }
}

function renderLink(node: Element, out: Output, flow: Flow): void {
  const url = flow.inLink ? null : safeHref(attr(node, 'href'));
  if (!url) {
    renderNodes(node.children, out, flow);
    return;
  }
  flush(out);
  out.html += `<a href="${escapeHtml(url)}" rel="nofollow noopener">`;
  const before = out.text.length;
  renderNodes(node.children, out, { ...flow, inLink: true });
  if (out.text.length === before) writeText(out, url, { ...flow, inLink: true });
  out.html += '</a>';
}

function renderMention(node: Element, out: Output): void {
  const id = attr(node, 'id');
  const name = (textContent(node).trim() || displayId(id)).replace(/^@/, '');
  if (!name) return;
  flush(out);
  const canonical = skypePersonId(id) ?? '';
  out.html += `<span class="cc-mention">@${personHtml(canonical, name, escapeHtml)}</span>`;
  out.text += `@${personText(canonical, name)}`;
}

/**
 * `<quote authorname="Bob" …><legacyquote>[…] Bob: </legacyquote>text<legacyquote>&lt;&lt;&lt;
 * </legacyquote></quote>` → a blockquote with a cite. The link to the quoted message comes from
 * the message's reply_to_key, added by the site.
 */
function renderQuote(node: Element, out: Output): void {
  const authorId = attr(node, 'author');
  const authorName = attr(node, 'authorname').trim();
  const author = authorName || authorId.trim() ? person(authorId, authorName) : '';
  const inner = new Output();
  renderNodes(node.children, inner, TOP_FLOW);
  const text = inner.text.trim();
  if (out.text !== '' && !out.text.endsWith('\n')) out.text += '\n';
  out.pending = 'none';
  out.html += `<blockquote class="cc-quote">${author ? `<cite>${escapeHtml(author)}</cite>` : ''}${trimBreaks(inner.html)}</blockquote>`;
  out.text += `> ${author ? `${author}: ` : ''}${text.replace(/\n/g, '\n> ')}`;
  out.pending = 'block';
}

/**
 * `<img src>` does not occur in real Skype exports (the fedorzima fixture was edited by hand), so
 * it is not worth an image: a remote image would leak every reader's address to its host and
 * usually be dead. An http(s) source becomes a plain link the reader may choose to follow.
 */
function renderImage(node: Element, out: Output, flow: Flow): void {
  const alt = attr(node, 'alt').trim();
  const url = flow.inLink ? null : safeHref(attr(node, 'src'));
  if (!url || url.toLowerCase().startsWith('mailto:')) {
    if (alt) writeText(out, alt, flow);
    return;
  }
  const file = stripInvalidXml(decodeURIComponentSafe(url.replace(/[?#].*$/, '').replace(/\/+$/, '').split('/').pop() ?? ''));
  const label = `🖼 ${alt || file || 'image'}`;
  flush(out);
  out.html += `<a href="${escapeHtml(url)}" rel="nofollow noopener">${escapeHtml(label)}</a>`;
  out.text += url;
}

function decodeURIComponentSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function renderSms(node: Element, out: Output): void {
  const targets = childElements(childElement(node, 'targets'), 'target').map((t) => textContent(t).trim()).filter(Boolean).map((t) => person(t));
  const chunks = childElements(childElement(node, 'body'), 'chunk').map((c) => textContent(c)).join('');
  const message = chunks || childText(node, 'encoded_body') || attr(node, 'alt');
  writeLine(out, 'cc-sms', `📱 SMS${targets.length ? ` to ${targets.join(', ')}` : ''}`);
  if (message.trim()) {
    flush(out);
    writeText(out, message, TOP_FLOW);
  }
}

