import type { MarkupConverter } from './types.js';
import { stripInvalidXml, textToHtml } from './html.js';

/** Plain text bodies (IRC, WhatsApp, our own test data): escape, keep line breaks, link URLs. */
export const plain: MarkupConverter = (body) => {
  const text = stripInvalidXml(body);
  return { html: textToHtml(text).replace(/\r?\n/g, '<br>'), text };
};
