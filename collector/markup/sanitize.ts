/**
 * The allow-list every converter's HTML ends in; the site prints `messages.html` as is.
 *
 * - sanitizeFragment(): sanitize-html with the allow-list below. For anything of unknown origin.
 * - ensureSafeFragment(): for HTML a converter wrote itself (fixed tags, escaped text, checked
 *   links): a strict scanner accepts it as is when it has only those canonical forms, anything
 *   else goes through sanitizeFragment(). sanitize-html costs ~10 µs per tag, too much for every
 *   message of a 150,000 messages/s import; the scanner costs about a microsecond.
 * - fragmentProblems(): an independent audit for tests.
 *
 * Allowed: the tags below; a[href, rel, title], span[class, title, aria-label, role="img"] (a
 * reaction chip names its reactors there: collector/markup/reactions.ts), blockquote[class] with
 * `cc-*` classes only; href schemes http, https, mailto. No style, no event handlers, no data: or
 * javascript: URLs, no images (a remote image leaks the reader's address and is usually dead).
 */
import type sanitizeHtml from 'sanitize-html';
import { createRequire } from 'node:module';
import { hasInvalidXml, safeHref, stripInvalidXml } from './html.js';
import { own } from '../own.js';

export const ALLOWED_TAGS: readonly string[] = [
  'a', 'b', 'strong', 'i', 'em', 's', 'del', 'pre', 'code', 'br', 'span', 'blockquote', 'cite',
  'p', 'ul', 'ol', 'li',
];
export const ALLOWED_ATTRIBUTES: Readonly<Record<string, readonly string[]>> = {
  a: ['href', 'rel', 'title'],
  span: ['class', 'title', 'aria-label', 'role'],
  blockquote: ['class'],
};
/** The one role a span may have: a reaction chip is an image with a name (its emoji, count and reactors). */
const SPAN_ROLES: readonly string[] = ['img'];
export const ALLOWED_SCHEMES: readonly string[] = ['http', 'https', 'mailto'];

const LINK_REL = 'nofollow noopener';

const OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [...ALLOWED_TAGS],
  allowedAttributes: Object.fromEntries(Object.entries(ALLOWED_ATTRIBUTES).map(([tag, names]) => [tag, [...names]])),
  allowedClasses: { span: ['cc-*'], blockquote: ['cc-*'] },
  allowedSchemes: [...ALLOWED_SCHEMES],
  allowedSchemesByTag: {},
  allowedSchemesAppliedToAttributes: ['href'],
  allowProtocolRelative: false,
  disallowedTagsMode: 'discard',
  // Disallowed tags whose content is not text either: dropped with everything inside.
  nonTextTags: [
    'script', 'style', 'textarea', 'option', 'xmp', 'noscript', 'noembed', 'noframes', 'iframe',
    'template', 'title', 'svg', 'math', 'object', 'select', 'head', 'plaintext',
  ],
  // Deeper nesting than this is an attack, not a message; the tags beyond it are dropped.
  nestingLimit: 64,
  selfClosing: ['br'],
  parseStyleAttributes: false,
  parser: { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  // A link whose href was refused is no link: keep its text only.
  exclusiveFilter: (frame) => (frame.tag === 'a' && !frame.attribs.href ? 'excludeTag' : false),
  // Every kept link gets rel="nofollow noopener", whatever the converter (or input) said, and
  // only an absolute http(s) or mailto href: sanitize-html alone would keep relative URLs.
  transformTags: {
    a: (tagName, attribs) => {
      const out: sanitizeHtml.Attributes = {};
      const href = attribs.href ? safeHref(attribs.href) : null;
      if (href) out.href = href;
      if (attribs.title) out.title = attribs.title;
      out.rel = LINK_REL;
      return { tagName, attribs: out };
    },
    span: (tagName, attribs) => {
      const out: sanitizeHtml.Attributes = { ...attribs };
      if (out.role !== undefined && !SPAN_ROLES.includes(out.role)) delete out.role;
      return { tagName, attribs: out };
    },
  },
};

let loaded: typeof sanitizeHtml | null = null;

/**
 * sanitize-html, loaded at its first use: with its parsers (htmlparser2, postcss) it is most of
 * the CLI's start-up, and converters whose output is canonical never call it.
 */
function sanitizer(): typeof sanitizeHtml {
  return (loaded ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtml);
}

/**
 * Sanitizes an HTML fragment against the allow-list above and removes characters XML cannot
 * carry (sanitize-html decodes `&#1;` and passes control characters through). `<br />` is
 * written `<br>` like the rest of our HTML.
 */
export function sanitizeFragment(html: string): string {
  const clean = sanitizer()(html, OPTIONS);
  const out = stripInvalidXml(clean);
  return out.indexOf('<br />') === -1 ? out : out.replaceAll('<br />', '<br>');
}

/**
 * One token of a canonical fragment: escaped text, an entity as escapeHtml() writes it, or one of
 * the exact tag forms our converters write. `<a href>` carries its URL in group 1.
 */
const CANONICAL_TOKEN = new RegExp(
  '[^<>&]+|&(?:amp|lt|gt|quot|#39);|<(?:' + [
    '/?(?:b|strong|i|em|s|del|pre|code|p|ul|ol|li|cite)',
    'br', '/span', '/blockquote', '/a',
    'span class="cc-[a-z]+(?:-[a-z]+)*"',
    // A reaction chip (collector/markup/reactions.ts): label and title are escaped text.
    'span class="cc-reaction" role="img" aria-label="(?:[^"<>&]|&(?:amp|lt|gt|quot|#39);)*" title="(?:[^"<>&]|&(?:amp|lt|gt|quot|#39);)*"',
    'blockquote class="cc-[a-z]+(?:-[a-z]+)*"',
    'a href="((?:[hH][tT][tT][pP][sS]?://|[mM][aA][iI][lL][tT][oO]:)[^"<>\\s\\0-\\x1F\\x7F]*)" rel="nofollow noopener"',
  ].join('|') + ')>',
  'y',
);

/**
 * True when the fragment consists only of escaped text and the exact tag forms our converters
 * write (with an http, https or mailto href): such a fragment is inside the allow-list as it is.
 * A strict scanner, ~50× cheaper than sanitize-html; anything it does not recognize is not canonical.
 */
export function isCanonicalFragment(html: string): boolean {
  if (hasInvalidXml(html)) return false;
  const token = CANONICAL_TOKEN;
  token.lastIndex = 0;
  while (token.lastIndex < html.length) {
    const match = token.exec(html);
    if (!match) return false;
    // An entity-encoded character inside the URL could hide a scheme change: escapeHtml only
    // writes &amp; and &#39; there, and the scheme was matched before any of them.
    if (match[1] !== undefined && /&(?!amp;|#39;)/.test(match[1])) return false;
  }
  return true;
}

/**
 * The cheap guarantee for converter output: returned as is when it is canonical (see
 * isCanonicalFragment), otherwise passed through sanitizeFragment(). Either way the result is
 * within the allow-list.
 */
export function ensureSafeFragment(html: string): string {
  return isCanonicalFragment(html) ? html : sanitizeFragment(html);
}

const TAG = /<\/?([A-Za-z][^\s/>]*)([^>]*)>/g;
const ATTRIBUTE = /([^\s"'=<>`/]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g;
const CONTROL = /[\0-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * An independent audit of a fragment against the allow-list (it does not use sanitize-html, so
 * it can check it): returns what is wrong, [] when the fragment is safe to print. For tests of
 * every converter: disallowed tags or attributes, event handlers, non-allowed URL schemes
 * (after the normalization browsers apply), raw `<` starting a tag-like run, control characters.
 */
export function fragmentProblems(html: string): string[] {
  const problems: string[] = [];
  if (CONTROL.test(html)) problems.push('control character');
  if (/<script/i.test(html)) problems.push('<script');
  if (/<!|<\?/.test(html)) problems.push('comment, doctype or processing instruction');
  for (const match of html.matchAll(TAG)) {
    const tag = match[1].toLowerCase();
    if (!ALLOWED_TAGS.includes(tag)) problems.push(`tag <${tag}>`);
    const allowed = own(ALLOWED_ATTRIBUTES, tag) ?? [];
    for (const attr of match[2].matchAll(ATTRIBUTE)) {
      const name = attr[1].toLowerCase();
      const value = decodeForAudit(attr[2] ?? attr[3] ?? attr[4] ?? '');
      if (/^on/.test(name)) problems.push(`event handler ${name} on <${tag}>`);
      else if (!allowed.includes(name)) problems.push(`attribute ${name} on <${tag}>`);
      if (name === 'href') {
        const url = value.replace(/[\t\n\r]/g, '').replace(/^[\0-\x20]+/, '');
        const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1].toLowerCase();
        if (!scheme || !ALLOWED_SCHEMES.includes(scheme)) problems.push(`href ${JSON.stringify(value)}`);
      }
      if (name === 'class' && !/^cc-[a-z-]+(?: cc-[a-z-]+)*$/.test(value)) problems.push(`class ${JSON.stringify(value)}`);
      if (name === 'role' && !SPAN_ROLES.includes(value)) problems.push(`role ${JSON.stringify(value)}`);
    }
  }
  // Every `<` must start one of the allowed tags: a stray one means text was not escaped.
  const stray = html.replace(TAG, '').indexOf('<');
  if (stray !== -1) problems.push(`unescaped < at ${stray}`);
  return problems;
}

function decodeForAudit(value: string): string {
  return value.replace(/&#(\d+);?|&#x([0-9a-f]+);?|&(colon|tab|newline);/gi, (_, dec, hex, name) => {
    if (name) return ({ colon: ':', tab: '\t', newline: '\n' } as Record<string, string>)[name.toLowerCase()];
    const cp = dec !== undefined ? Number(dec) : parseInt(hex, 16);
    return cp <= 0x10ffff ? String.fromCodePoint(cp) : '';
  });
}
