/**
 * A message as a record: author or system line (credited to who acted, when an English line says),
 * deleted and edited marks, and its kind (media, file, contact, poll, call, text). The file a
 * media marker names is looked up later (media.ts).
 */
import { isCallNotice, isDeletedNotice, isEditedText, isPoll, mediaMarker, parseSystemLine, whatsappPersonId, type MediaMarker } from '../../markup/whatsapp-grammar.js';
import { MessageFlags, type MessageKind, type MessageRecord } from '../../model.js';
import { mimeOf } from '../kit/media-files.js';
import type { Meaning } from './lines.js';

/** The record of a message, and the marker of the file it attaches when the export may hold it. */
export function messageRecord(meaning: Meaning, text: string, time: number): { record: MessageRecord; file: MediaMarker | null } {
  if (meaning.event) {
    const actor = parseSystemLine(text).actor;
    return {
      record: { authorId: actor ? whatsappPersonId(actor) : 'system', authorName: actor, time, kind: 'event', body: text, markup: 'whatsapp' },
      file: null,
    };
  }
  const author = meaning.author!;
  const record: MessageRecord = { authorId: whatsappPersonId(author), authorName: author, time, kind: 'text', body: text, markup: 'whatsapp' };
  if (isDeletedNotice(text)) {
    record.deleted = true;
    return { record, file: null };
  }
  // Edited at an unknown time: the store lets it replace the text it had (store/merge.ts).
  if (isEditedText(text)) record.flags = MessageFlags.edited;
  const marker = mediaMarker(text);
  if (marker) {
    record.kind = marker.name ? kindOfFile(marker.name) : 'media';
    return { record, file: marker.name ? marker : null };
  }
  if (isPoll(text)) record.kind = 'poll';
  else if (meaning.generated && isCallNotice(text)) record.kind = 'call'; // not a person's "video call later?"
  return { record, file: null };
}

/** Pictures, films and sounds are media; a contact card a contact; anything else a file. */
function kindOfFile(name: string): MessageKind {
  const type = mimeOf(name);
  if (type === 'text/vcard') return 'contact';
  return type && /^(?:image|video|audio)\//.test(type) ? 'media' : 'file';
}
