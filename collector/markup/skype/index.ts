/**
 * Skype message bodies → safe HTML + plain text.
 *
 * Both Skype sources carry the same XML-ish markup: "Export chats" messages.json `content` and the
 * classic main.db `body_xml`. Text with entities, `<b>`/`<i>`/`<s>`/`<pre>`, links, emoticons
 * (`<ss>`), mentions (`<at>`), quotes, edit markers (`<e_m>`), and whole-message structures for
 * calls (`<partlist>`), thread activity (`<addmember>`…), files (`<URIObject>`, `<files>`),
 * contacts, SMS and polls. Notice/PopCard bodies are JSON cards.
 *
 * How: a small HTML-style tokenizer builds a tree in one pass (depth-capped, never recursing on
 * the input); a renderer walks it writing only allow-listed HTML: fixed tags, escapeHtml()'d text,
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
import { decodeEntities, escapeHtml, linesToHtml, linkifyLines, safeHref, stripInvalidXml } from '../html.js';
import { ensureSafeFragment, sanitizeFragment } from '../sanitize.js';
import type { MarkupConverter, RenderedBody } from '../types.js';

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
// Tokenizer → tree

interface Element {
  name: string; // lower case
  /** Attributes as [name, value, name, value…]: lower-case names, entities decoded, first wins. */
  attrs: string[] | null;
  children: Node[];
}
type Node = string | Element;

/** Elements nested deeper than this are ignored (their text is kept): 10,000 `<b>`s cost nothing. */
const MAX_DEPTH = 48;

/** HTML void elements: never have children, with or without `/>`. */
const VOID = new Set([
  'br', 'img', 'hr', 'wbr', 'input', 'meta', 'link', 'source', 'area', 'col', 'embed', 'param',
  'track', 'base', 'keygen', 'frame',
]);

/**
 * Elements whose content is not message text: dropped with everything up to their end tag (or to
 * the end of the body). Raw-text elements in HTML are among them, so `<script>` content cannot
 * hide a fake end tag from us.
 */
const DROP_WITH_CONTENT = new Set([
  'script', 'style', 'textarea', 'xmp', 'iframe', 'noembed', 'noframes', 'noscript',
  'template', 'plaintext', 'object', 'applet', 'svg', 'math', 'select', 'option', 'head', 'frameset',
]);
const CLOSE_TAG = new Map([...DROP_WITH_CONTENT].map((name) => [name, new RegExp(`</${name}(?=[\\s/>]|$)`, 'gi')]));

/** Every tag name Skype bodies use (messages.json and main.db), lower case. */
const SKYPE_VOCABULARY = new Set([
  'b', 'strong', 'i', 'em', 's', 'strike', 'del', 'pre', 'code', 'p', 'ul', 'ol', 'li', 'br', 'a',
  'at', 'ss', 'flag', 'quote', 'legacyquote', 'e_m', 'c_i',
  'partlist', 'part', 'name', 'duration', 'ended', 'missed', 'started', 'ccperson',
  'uriobject', 'title', 'description', 'originalname', 'filesize', 'meta',
  'files', 'file', 'contacts', 'c',
  'sms', 'type', 'status', 'failurereason', 'targets', 'target', 'price', 'body', 'chunk',
  'untilnext', 'encoded_body', 'sendtimestamp',
  'addmember', 'deletemember', 'topicupdate', 'pictureupdate', 'historydisclosedupdate',
  'joiningenabledupdate', 'roleupdate', 'eventtime', 'initiator', 'value', 'id', 'role',
  'detailedtargetinfo', 'detailedinitiatorinfo', 'friendlyname',
  'pollquestion', 'polloption',
]);
const SUSPICIOUS_VALUE = /script:|data:/i;

/** One lookup per tag: is it Skype's, to be dropped with its content, void? */
const KNOWN = 1;
const DROP = 2;
const EMPTY = 4;
const TAG_FLAGS = new Map<string, number>();
for (const name of SKYPE_VOCABULARY) TAG_FLAGS.set(name, KNOWN);
for (const name of DROP_WITH_CONTENT) TAG_FLAGS.set(name, (TAG_FLAGS.get(name) ?? 0) | DROP);
for (const name of VOID) TAG_FLAGS.set(name, (TAG_FLAGS.get(name) ?? 0) | EMPTY);

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
}
function isSpace(c: number): boolean {
  return c === 32 || c === 9 || c === 10 || c === 13 || c === 12;
}

function pushText(parent: Element, text: string): void {
  if (text === '') return;
  const children = parent.children;
  const last = children.length - 1;
  if (last >= 0 && typeof children[last] === 'string') children[last] += text;
  else children.push(text);
}

/** Skype writes at most a handful of attributes per tag; more are read but not kept. */
const MAX_ATTRIBUTES = 32;

/** Where a tag ended (-1: the body ends inside it) and whether it was written `<x/>`. */
let tagEnd = 0;
let tagSelfClosing = false;

/**
 * Reads the attributes of a start tag whose name ends at `j`, into `attrs` (when given). Sets
 * tagEnd/tagSelfClosing; returns whether an attribute looked hostile (`on…`, `javascript:`).
 */
function readAttributes(src: string, j: number, attrs: string[]): boolean {
  const n = src.length;
  let suspicious = false;
  while (j < n) {
    let c = src.charCodeAt(j);
    if (isSpace(c)) { j++; continue; }
    if (c === 62) { tagEnd = j + 1; tagSelfClosing = false; return suspicious; }
    if (c === 47) {
      if (src.charCodeAt(j + 1) === 62) { tagEnd = j + 2; tagSelfClosing = true; return suspicious; }
      j++;
      continue;
    }
    let k = j + 1; // an attribute name may start with '=' in HTML
    while (k < n) {
      c = src.charCodeAt(k);
      if (isSpace(c) || c === 47 || c === 62 || c === 61) break;
      k++;
    }
    const name = src.slice(j, k).toLowerCase();
    j = k;
    while (j < n && isSpace(src.charCodeAt(j))) j++;
    let value = '';
    if (src.charCodeAt(j) === 61) {
      j++;
      while (j < n && isSpace(src.charCodeAt(j))) j++;
      const q = src.charCodeAt(j);
      if (q === 34 || q === 39) {
        const close = src.indexOf(q === 34 ? '"' : "'", j + 1);
        if (close === -1) break;
        value = decodeEntities(src.slice(j + 1, close));
        j = close + 1;
      } else {
        k = j;
        while (k < n && !isSpace(src.charCodeAt(k)) && src.charCodeAt(k) !== 62) k++;
        value = decodeEntities(src.slice(j, k));
        j = k;
      }
    }
    if (name.charCodeAt(0) === 111 && name.charCodeAt(1) === 110) suspicious = true; // on…
    else if (value.indexOf(':') !== -1 && SUSPICIOUS_VALUE.test(value)) suspicious = true;
    if (attrs.length < MAX_ATTRIBUTES * 2) {
      let seen = false;
      for (let a = 0; a < attrs.length; a += 2) if (attrs[a] === name) seen = true;
      if (!seen) attrs.push(name, value);
    }
  }
  tagEnd = -1;
  return true;
}

/** Index just past the end tag of a DROP_WITH_CONTENT element, or the body's length. */
function skipElement(src: string, name: string, from: number): number {
  if (name === 'plaintext') return src.length;
  const re = CLOSE_TAG.get(name)!;
  re.lastIndex = from;
  const match = re.exec(src);
  if (!match) return src.length;
  const gt = src.indexOf('>', match.index);
  return gt === -1 ? src.length : gt + 1;
}

interface Parsed {
  root: Element;
  /** The body has markup Skype never writes: tags outside its vocabulary, comments, handlers… */
  unusual: boolean;
}

/**
 * Parses Skype markup the way an HTML tokenizer would (tolerant: unclosed tags close at the end,
 * stray end tags are ignored, a `<` that starts no tag is text, a tag cut off by the end of the
 * body is dropped). Text and attribute values come out entity-decoded.
 */
function parseMarkup(src: string): Parsed {
  let unusual = false;
  const root: Element = { name: '#root', attrs: null, children: [] };
  const stack: Element[] = [root];
  let top = root;
  const n = src.length;
  let textStart = 0; // start of text not yet added to the tree
  let i = 0;
  while (i < n) {
    const lt = src.indexOf('<', i);
    if (lt === -1 || lt + 1 >= n) break;
    const c = src.charCodeAt(lt + 1);
    let next: number; // where text resumes after this construct; -1: the body ends inside it
    if (isNameStart(c)) {
      let j = lt + 2;
      while (j < n) {
        const d = src.charCodeAt(j);
        if (isSpace(d) || d === 47 || d === 62) break;
        j++;
      }
      const name = src.slice(lt + 1, j).toLowerCase();
      const attrs: string[] = [];
      if (readAttributes(src, j, attrs)) unusual = true;
      next = tagEnd;
      if (next !== -1) {
        if (lt > textStart) pushText(top, decodeEntities(src.slice(textStart, lt)));
        textStart = next;
        const flags = TAG_FLAGS.get(name) ?? 0;
        if (!(flags & KNOWN)) unusual = true;
        if (flags & DROP) {
          if (!tagSelfClosing) textStart = next = skipElement(src, name, next);
        } else {
          const node: Element = { name, attrs: attrs.length ? attrs : null, children: [] };
          top.children.push(node);
          if (!tagSelfClosing && !(flags & EMPTY)) {
            if (stack.length <= MAX_DEPTH) {
              stack.push(node);
              top = node;
            } else {
              top.children.pop(); // too deep: the tag is ignored, its content stays text
            }
          }
        }
      }
    } else if (c === 47) {
      // </name …>: closes the innermost open element of that name; anything else is ignored.
      const gt = src.indexOf('>', lt + 2);
      next = gt === -1 ? -1 : gt + 1;
      if (next !== -1) {
        if (lt > textStart) pushText(top, decodeEntities(src.slice(textStart, lt)));
        textStart = next;
        if (isNameStart(src.charCodeAt(lt + 2))) { // else `</>`, `</ 3>`: bogus, dropped
          let j = lt + 3;
          while (j < gt && !isSpace(src.charCodeAt(j)) && src.charCodeAt(j) !== 47) j++;
          const name = src.slice(lt + 2, j).toLowerCase();
          for (let d = stack.length - 1; d >= 1; d--) {
            if (stack[d].name === name) {
              while (stack.length > d) stack.pop();
              top = stack[d - 1];
              break;
            }
          }
        }
      }
    } else if (c === 33 || c === 63) {
      // <!-- comment -->, <!DOCTYPE …>, <?xml …?>: never in Skype bodies, dropped. As in HTML,
      // <![CDATA[…]]> is a bogus comment up to the first `>` (its "text" could be markup).
      unusual = true;
      if (lt > textStart) pushText(top, decodeEntities(src.slice(textStart, lt)));
      if (src.startsWith('<!--', lt)) {
        const end = src.startsWith('<!-->', lt) ? lt + 1 : src.startsWith('<!--->', lt) ? lt + 2 : src.indexOf('-->', lt + 4);
        next = end === -1 ? n : end + 3;
      } else {
        const gt = src.indexOf('>', lt + 2);
        next = gt === -1 ? n : gt + 1;
      }
      textStart = next;
    } else {
      i = lt + 1; // `a < b`, `<3`: text
      continue;
    }
    if (next === -1) {
      // The body ends inside a tag: like an HTML parser, drop the unfinished tag.
      unusual = true;
      if (lt > textStart) pushText(top, decodeEntities(src.slice(textStart, lt)));
      textStart = n;
      break;
    }
    i = next;
  }
  if (n > textStart) pushText(top, decodeEntities(src.slice(textStart, n)));
  return { root, unusual };
}

// ---------------------------------------------------------------------------------------------
// Tree helpers

function attr(node: Element | undefined, name: string): string {
  const attrs = node?.attrs;
  if (attrs) for (let a = 0; a < attrs.length; a += 2) if (attrs[a] === name) return attrs[a + 1];
  return '';
}

function childElement(node: Element | undefined, name: string): Element | undefined {
  if (!node) return undefined;
  for (const child of node.children) if (typeof child !== 'string' && child.name === name) return child;
  return undefined;
}

function childElements(node: Element | undefined, name: string): Element[] {
  const found: Element[] = [];
  if (node) for (const child of node.children) if (typeof child !== 'string' && child.name === name) found.push(child);
  return found;
}

/** Elements that hold Skype metadata, never message text. */
const METADATA = new Set(['legacyquote', 'e_m', 'eventtime', 'c_i', 'ended', 'missed', 'started']);

/** The text inside a node, without Skype metadata elements. */
function textContent(node: Element | undefined): string {
  if (!node) return '';
  let text = '';
  for (const child of node.children) {
    if (typeof child === 'string') text += child;
    else if (child.name === 'br') text += '\n';
    else if (!METADATA.has(child.name)) text += textContent(child);
  }
  return text;
}

function childText(node: Element | undefined, name: string): string {
  return textContent(childElement(node, name)).trim();
}

/** `8:live:bob` → `live:bob`, `28:concierge` → `concierge`: Skype ids as users know them. */
function displayId(id: string): string {
  return id.trim().replace(/^\d+:/, '');
}

/**
 * A person in a line of text, as a reference the site resolves (collector/store/person-refs.ts):
 * the id in the form the adapters give authors, and the name the markup showed (or the bare id).
 */
function person(id: string, name = ''): string {
  const canonical = skypePersonId(id) ?? '';
  return personText(canonical, name.trim() || displayId(id));
}

// ---------------------------------------------------------------------------------------------
// Rendering

interface Flow {
  inLink: boolean;
  inPre: boolean;
}
const TOP_FLOW: Flow = { inLink: false, inPre: false };

/**
 * HTML and text being written. `pending` remembers that a block (a quote, a call line, a file…)
 * was just written, so that what follows starts on a new line, and a line break right after the
 * block is not doubled.
 */
class Output {
  html = '';
  text = '';
  pending: 'none' | 'line' | 'block' = 'none';
}

function flush(out: Output): void {
  if (out.pending === 'line') out.html += '<br>';
  if (out.pending !== 'none') out.text += '\n';
  out.pending = 'none';
}

/** Writes a one-line structure (call, file, event…) as `<span class="cc-…">` on its own line. */
function writeLine(out: Output, className: string, line: string): void {
  if (out.pending === 'none' && out.text !== '' && !out.text.endsWith('\n')) {
    out.html += '<br>';
    out.text += '\n';
  } else {
    flush(out);
  }
  out.html += `<span class="${className}">${escapeHtml(line)}</span>`;
  out.text += line;
  out.pending = 'line';
}

const LEADING_BREAK = /^[ \t]*(?:\r\n?|\n)/;
const BLANK = /^\s*$/;

function writeText(out: Output, text: string, flow: Flow): void {
  if (out.pending !== 'none') {
    // White space between blocks is layout, not content; so is a line break right after one.
    if (BLANK.test(text)) return;
    text = text.replace(LEADING_BREAK, '');
    flush(out);
  }
  out.text += text;
  if (flow.inPre) out.html += escapeHtml(text);
  else if (flow.inLink) out.html += escapeHtml(text).replace(/\r\n?|\n/g, '<br>');
  else out.html += linkifyLines(text); // the body was cleaned before parsing; decoding adds nothing invalid
}

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
        // The main.db adapter's own person reference (sources/skype-maindb.ts): never linkified.
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

function writeList(out: Output, items: string[]): void {
  if (!items.length) return;
  // A list is a block of its own: it needs a new line in the text, never a <br> before it.
  if (out.text !== '' && !out.text.endsWith('\n')) out.text += '\n';
  out.pending = 'none';
  out.html += `<ul>${items.map((item) => `<li>${escapeHtml(item)}</li>`).join('')}</ul>`;
  out.text += items.map((item) => `• ${item}`).join('\n');
  out.pending = 'block';
}

/** Drops leading and trailing line breaks and white space (`<br>` is only ever our own tag: text is escaped). */
function trimBreaks(html: string): string {
  let start = 0;
  let end = html.length;
  for (;;) {
    if (start < end && isSpace(html.charCodeAt(start))) start++;
    else if (html.startsWith('<br>', start) && start + 4 <= end) start += 4;
    else break;
  }
  for (;;) {
    if (end > start && isSpace(html.charCodeAt(end - 1))) end--;
    else if (end - 4 >= start && html.startsWith('<br>', end - 4)) end -= 4;
    else break;
  }
  return start === 0 && end === html.length ? html : html.slice(start, end);
}

// ---------------------------------------------------------------------------------------------
// Calls, files, contacts, thread activity

/** `<ended/>` / `<missed/>` / `<started/>` markers beside a `<partlist>` without a type. */
function callHint(root: Element): string {
  for (const child of root.children) {
    if (typeof child !== 'string' && (child.name === 'ended' || child.name === 'missed' || child.name === 'started')) return child.name;
  }
  return '';
}

/** "📞 Call ended · 1 min 5 s · Alice, Bob", "📞 Call started", "📞 Missed call". */
function callLine(partlist: Element, hint: string): string {
  const type = (attr(partlist, 'type') || hint).toLowerCase();
  if (type === 'missed') return '📞 Missed call';
  if (type === 'started') return '📞 Call started';
  const names = new Set<string>();
  let duration = 0;
  for (const part of childElements(partlist, 'part')) {
    const identity = attr(part, 'identity');
    const name = childText(part, 'name');
    if (name || identity.trim()) names.add(person(identity, name));
    const seconds = Number(childText(part, 'duration'));
    if (Number.isFinite(seconds) && seconds > duration) duration = seconds;
  }
  const fields = [type === 'ended' ? '📞 Call ended' : '📞 Call'];
  if (duration > 0) fields.push(formatDuration(duration));
  if (names.size) fields.push([...names].join(', '));
  return fields.join(' · ');
}

export function formatDuration(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return m ? `${h} h ${m} min` : `${h} h`;
  if (m) return s ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const units = ['MB', 'GB', 'TB'];
  let value = bytes / (1024 * 1024);
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(1).replace(/\.0$/, '')} ${units[unit]}`;
}

function fileLine(name: string, size: number): string {
  return `📎 ${name}${Number.isFinite(size) && size > 0 ? ` (${formatBytes(size)})` : ''}`;
}

/** What a user would call the file: its original name, else a name for its type. */
function uriObjectName(node: Element): string {
  const name = attr(childElement(node, 'originalname'), 'v').trim() ||
    attr(childElement(node, 'meta'), 'originalname').trim() ||
    childText(node, 'title').replace(/^Title:\s*/, '');
  if (name) return name;
  const type = attr(node, 'type').toLowerCase();
  if (type.startsWith('picture') || type.includes('image')) return 'Photo';
  if (type.startsWith('video')) return 'Video';
  if (type.startsWith('audio')) return 'Voice message';
  if (type.includes('sticker') || type.includes('moji')) return 'Sticker';
  return 'File';
}

/** `<c t="s" s="live:bob" f="Bob Smith"/>` → "👤 Bob Smith (live:bob)". */
function contactLine(contact: Element): string {
  const id = attr(contact, 's') || attr(contact, 'p') || attr(contact, 'id');
  const name = attr(contact, 'f').trim();
  return `👤 ${name || id.trim() ? person(id, name) : 'Contact'}`;
}

function joinNames(names: string[]): string {
  if (names.length <= 1) return names[0] ?? '';
  return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
}

/**
 * Thread activity (`<addmember>`, `<deletemember>`, `<topicupdate>`, …: an element with an
 * `<initiator>`) → one sentence, with display names where the markup has them.
 */
function activityLine(node: Element): string {
  const names = new Map<string, string>();
  const initiatorId = childText(node, 'initiator');
  const initiatorName = childText(childElement(node, 'detailedinitiatorinfo'), 'friendlyname');
  if (initiatorId && initiatorName) names.set(initiatorId, initiatorName);
  for (const info of childElements(node, 'detailedtargetinfo')) {
    const id = childText(info, 'id');
    const name = childText(info, 'friendlyname');
    if (id && name) names.set(id, name);
  }
  const who = (id: string): string => (id.trim() ? person(id, names.get(id)) : '');
  const actor = initiatorId ? who(initiatorId) : 'Someone';
  const targetNodes = childElements(node, 'target');
  const targets = targetNodes.map((t) => childText(t, 'id') || textContent(t).trim()).filter(Boolean);
  const value = childText(node, 'value');
  switch (node.name) {
    case 'addmember':
      if (!targets.length) return `${actor} added a member`;
      if (targets.length === 1 && targets[0] === initiatorId) return `${actor} joined`;
      if (!initiatorId) return `${joinNames(targets.map(who))} joined`;
      return `${actor} added ${joinNames(targets.map(who))}`;
    case 'deletemember':
      if (!targets.length || (targets.length === 1 && targets[0] === initiatorId)) return `${who(targets[0] ?? initiatorId) || actor} left`;
      return `${actor} removed ${joinNames(targets.map(who))}`;
    case 'topicupdate':
      return value ? `${actor} changed the topic to “${value}”` : `${actor} removed the topic`;
    case 'pictureupdate':
      return `${actor} changed the group picture`;
    case 'historydisclosedupdate':
      return value === 'true' ? `${actor} let new members see the chat history` : `${actor} hid the chat history from new members`;
    case 'joiningenabledupdate':
      return value === 'true' ? `${actor} allowed joining this chat with a link` : `${actor} turned off joining this chat with a link`;
    case 'roleupdate': {
      const changes = targetNodes.map((t) => `${who(childText(t, 'id'))} ${childText(t, 'role') || 'member'}`.trim());
      return `${actor} changed roles: ${changes.join(', ')}`;
    }
    default:
      return `${actor} updated the chat (${node.name}${value ? `: ${value}` : ''})`;
  }
}

// ---------------------------------------------------------------------------------------------
// JSON cards: Notice, PopCard, Poll

const JSON_START = /^\s*[[{]/;
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
function renderJsonCard(body: string): RenderedBody | null {
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
