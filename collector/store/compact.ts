/**
 * The writer stores a message's html and text as NULL when the `messages` view can rebuild them
 * (collector/store/schema.ts). This mirrors the view's SQL expression exactly; NULL is stored only
 * when it reproduces the converter's output byte for byte, so the view never changes what a
 * converter produced.
 */
const NEEDS_ESCAPE = /[&<>"'\n]/;

export function viewHtmlOf(text: string): string {
  if (!NEEDS_ESCAPE.test(text)) return text;
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;')
    .replace(/\n/g, '<br>');
}

export function compactBody(body: string, html: string, text: string): { html: string | null; text: string | null } {
  return { html: html === viewHtmlOf(text) ? null : html, text: text === body ? null : text };
}
