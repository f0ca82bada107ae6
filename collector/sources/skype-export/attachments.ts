import type { Attachment } from '../../model.js';
import { mimeOf, safeName } from '../kit/media-files.js';
import { uriObjects } from '../../markup/skype/xml.js';
import type { MediaRef } from './input.js';

/** An attachment as a message record first has it; ExportMedia.link() removes the internal fields. */
export type PendingAttachment = Attachment & { amsId?: string; unnamed?: boolean };

/**
 * Attachments: one per `<URIObject uri="…/objects/<AMS id>" …><OriginalName v="…"/><FileSize
 * v="…"/></URIObject>`, plus one per `amsreferences` id that no URIObject names but the export has a
 * file for (named after the file).
 */
export function attachmentsOf(body: string, hasMarkup: boolean, amsReferences: unknown, media: Map<string, MediaRef[]>): PendingAttachment[] | undefined {
  if (!(hasMarkup && body.indexOf('URIObject') >= 0) && !(Array.isArray(amsReferences) && amsReferences.length)) return undefined;
  const out: PendingAttachment[] = [];
  const named = new Set<string>();
  if (hasMarkup && body.indexOf('URIObject') >= 0) {
    for (const { attrs, originalName, fileSize } of uriObjects(body)) {
      const uri = attrs.uri || attrs.url_thumbnail || '';
      const id = attrs.doc_id || /\/objects\/([^/?#]+)/.exec(uri)?.[1] || '';
      const name = safeName(originalName !== null ? originalName : attrs.title || (id ? `${id}` : 'file'));
      const attachment: PendingAttachment = { name };
      const size = fileSize !== null ? Number(fileSize) : NaN;
      if (Number.isFinite(size) && size >= 0) attachment.size = size;
      const type = mimeOf(name);
      if (type) attachment.type = type;
      if (uri) attachment.url = uri;
      if (id) {
        attachment.amsId = id;
        named.add(id);
      }
      out.push(attachment);
    }
  }
  if (Array.isArray(amsReferences)) {
    for (const ref of amsReferences) {
      if (typeof ref !== 'string' || named.has(ref) || !media.has(ref)) continue;
      named.add(ref);
      out.push({ name: largest(media.get(ref)!).name, amsId: ref, unnamed: true });
    }
  }
  return out.length ? out : undefined;
}

/** The largest of the files stored under one AMS id (the original, beside its thumbnails). */
export function largest(refs: MediaRef[]): MediaRef {
  return refs.reduce((a, b) => (b.size > a.size ? b : a));
}
