import { decodeEntities } from '../html.js';

/**
 * Skype markup → a tree, the way an HTML tokenizer reads it, in one pass (depth-capped, never
 * recursing on the input); and the helpers that read the tree.
 */

export interface Element {
  name: string; // lower case
  /** Attributes as [name, value, name, value…]: lower-case names, entities decoded, first wins. */
  attrs: string[] | null;
  children: Node[];
}
export type Node = string | Element;

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
export function isSpace(c: number): boolean {
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

export interface Parsed {
  root: Element;
  /** The body has markup Skype never writes: tags outside its vocabulary, comments, handlers… */
  unusual: boolean;
}

/**
 * Parses Skype markup the way an HTML tokenizer would (tolerant: unclosed tags close at the end,
 * stray end tags are ignored, a `<` that starts no tag is text, a tag cut off by the end of the
 * body is dropped). Text and attribute values come out entity-decoded.
 */
export function parseMarkup(src: string): Parsed {
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

export function attr(node: Element | undefined, name: string): string {
  const attrs = node?.attrs;
  if (attrs) for (let a = 0; a < attrs.length; a += 2) if (attrs[a] === name) return attrs[a + 1];
  return '';
}

export function childElement(node: Element | undefined, name: string): Element | undefined {
  if (!node) return undefined;
  for (const child of node.children) if (typeof child !== 'string' && child.name === name) return child;
  return undefined;
}

export function childElements(node: Element | undefined, name: string): Element[] {
  const found: Element[] = [];
  if (node) for (const child of node.children) if (typeof child !== 'string' && child.name === name) found.push(child);
  return found;
}

/** Elements that hold Skype metadata, never message text. */
export const METADATA = new Set(['legacyquote', 'e_m', 'eventtime', 'c_i', 'ended', 'missed', 'started']);

/** The text inside a node, without Skype metadata elements. */
export function textContent(node: Element | undefined): string {
  if (!node) return '';
  let text = '';
  for (const child of node.children) {
    if (typeof child === 'string') text += child;
    else if (child.name === 'br') text += '\n';
    else if (!METADATA.has(child.name)) text += textContent(child);
  }
  return text;
}

export function childText(node: Element | undefined, name: string): string {
  return textContent(childElement(node, name)).trim();
}
