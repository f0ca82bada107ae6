import { decodeEntities } from '../markup/html.js';
import { renderBody } from '../markup/index.js';
import type { MarkupContext } from '../markup/types.js';
import type { MessageRecord } from '../model.js';
import { compactBody } from '../store/compact.js';
import { personRefsIn, storedRefs, withoutPersonMarks } from '../store/person-refs.js';
import type { PreparedBody } from '../store/prepare.js';

/**
 * The render call: a message's body converted by its markup converter (collector/markup/) into the
 * stored html and text, with the people it names. The store takes it as a function
 * (StoreWriter's `render` option), so the store does not depend on the converters.
 */
export function prepareBody(chat: string, record: MessageRecord): PreparedBody {
  const context = markupContext(chat, record);
  // Person tokens come only from converters (collector/store/person-refs.ts): none from the body.
  const body = withoutPersonMarks(record.body);
  let rendered;
  try {
    rendered = renderBody(record.markup, body, context);
  } catch {
    // A body its converter cannot take (a bug meeting a hostile input) is stored as plain text
    // rather than ending the import of everything else.
    rendered = renderBody('plain', body, context);
  }
  // Some references are shown but not searched (a message's reactors): the HTML names them too.
  const people = personRefsIn(rendered.text).concat(personRefsIn(rendered.html).map(([id, name]) => [decodeEntities(id), decodeEntities(name)]));
  const withIds = people.filter(([id]) => id !== '');
  const html = storedRefs(rendered.html);
  const text = storedRefs(rendered.text);
  const stored = compactBody(record.body, html, text);
  return { html: stored.html, text: stored.text, fullText: text, people: withIds };
}

/** What a converter knows of a message besides its body: the columns that change what it draws. */
export function markupContext(chat: string, record: Pick<MessageRecord, 'kind' | 'deleted' | 'attachments' | 'replyToKey'>): MarkupContext {
  const files = !!record.attachments?.length && record.attachments.every((a) => a.hash);
  return { chat, kind: record.kind, deleted: !!record.deleted, files, replyLinked: !!record.replyToKey };
}
