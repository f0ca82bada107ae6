/**
 * A markup converter turns one message body, as a source wrote it, into a sanitized HTML fragment
 * and plain text. One converter per markup language (collector/markup/<name>.ts), registered in
 * collector/markup/index.ts. Converters run at import time, so the site is source-agnostic.
 */
export interface RenderedBody {
  html: string;
  text: string;
}

export interface MarkupContext {
  /** Native id of the chat the message is in (for quote/reply keys). */
  chat: string;
  kind: string;
  deleted: boolean;
}

export type MarkupConverter = (body: string, context: MarkupContext) => RenderedBody;
