import type { Page } from 'playwright-core';
import { ALLOWED_ATTRIBUTES, ALLOWED_SCHEMES, ALLOWED_TAGS } from '../../collector/markup/sanitize.js';

/**
 * Parses HTML fragments with the browser's own HTML parser (DOMParser: a full HTML5 tree
 * construction, in a document where nothing runs) exactly where the site puts a message body —
 * inside a <div> in <body> — and lists, per fragment, anything executable or outside the
 * allow-list of collector/markup/sanitize.ts: script, style, svg, math, iframe, object, embed,
 * form, base, meta… elements, on* attributes, URLs whose scheme is not http(s)/mailto after the
 * browser's own URL normalization, and markup that escapes its container.
 */
export async function auditFragments(page: Page, htmls: string[]): Promise<string[][]> {
  return page.evaluate(
    ({ htmls, tags, attributes, schemes }) => {
      const EXECUTABLE = new Set([
        'script', 'style', 'svg', 'math', 'iframe', 'frame', 'frameset', 'object', 'embed', 'applet', 'form', 'base',
        'meta', 'link', 'img', 'image', 'video', 'audio', 'source', 'input', 'button', 'textarea', 'select', 'noscript', 'template',
      ]);
      const URL_ATTRIBUTES = new Set(['href', 'src', 'action', 'formaction', 'data', 'xlink:href', 'poster', 'background', 'srcdoc', 'content']);
      return htmls.map((html) => {
        const doc = new DOMParser().parseFromString(
          `<!doctype html><html><head></head><body><div id="cc-host">${html}</div><p id="cc-after">after</p></body></html>`,
          'text/html',
        );
        const problems: string[] = [];
        const host = doc.getElementById('cc-host');
        const after = doc.getElementById('cc-after');
        if (!host || !after || host.parentElement !== doc.body || after.parentElement !== doc.body || doc.body.children.length !== 2) {
          problems.push('escapes its container');
        }
        if (doc.head.children.length) problems.push(`puts <${doc.head.children[0].localName}> in <head>`);
        for (const el of Array.from((host ?? doc.body).querySelectorAll('*'))) {
          const tag = el.localName;
          if (el.namespaceURI !== 'http://www.w3.org/1999/xhtml') problems.push(`foreign element <${tag}>`);
          if (EXECUTABLE.has(tag)) problems.push(`element <${tag}>`);
          else if (!tags.includes(tag)) problems.push(`tag <${tag}> outside the allow-list`);
          for (const attr of Array.from(el.attributes)) {
            const name = attr.name.toLowerCase();
            if (name.startsWith('on')) problems.push(`event handler ${name} on <${tag}>`);
            else if (!(attributes[tag] ?? []).includes(name)) problems.push(`attribute ${name} on <${tag}>`);
            if (URL_ATTRIBUTES.has(name)) {
              let scheme: string | null;
              try {
                scheme = new URL(attr.value, 'https://base.invalid/').protocol.slice(0, -1);
              } catch {
                // Not a URL to the browser either (a `|` in a host…): a dead link, not a way in,
                // unless it still names a scheme that can run something.
                const raw = attr.value.replace(/[\t\n\r]/g, '').replace(/^[\0- ]+/, '');
                scheme = /^(javascript|data|vbscript):/i.test(raw) ? 'unparsable script' : null;
              }
              if (scheme !== null && !schemes.includes(scheme)) problems.push(`${name}=${JSON.stringify(attr.value.slice(0, 60))} (${scheme}:) on <${tag}>`);
            }
          }
        }
        return problems;
      });
    },
    { htmls, tags: [...ALLOWED_TAGS], attributes: ALLOWED_ATTRIBUTES as Record<string, string[]>, schemes: [...ALLOWED_SCHEMES] },
  );
}
