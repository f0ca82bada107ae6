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
  /**
   * The message has attachments and each carries its file (the site shows them): a converter draws
   * no placeholder for a file the export left out. A re-import without files keeps the stored ones
   * (collector/store/keep.ts) while its body still says they were left out.
   */
  files?: boolean;
  /** The message links to the message it answers (the site shows it): no note that it is missing (same reason). */
  replyLinked?: boolean;
}

export type MarkupConverter = (body: string, context: MarkupContext) => RenderedBody;
