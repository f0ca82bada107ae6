/**
 * A message's files (`file` in old exports, `files` in newer) as attachments: name, size, type and
 * the Slack permalink (Slack-hosted files need a login, so no bytes are copied).
 */
import type { Attachment } from '../../model.js';
import { isObject, str, type JsonObject } from '../kit/fields.js';
import { safeName } from '../kit/media-files.js';

/** `file` (old exports) and `files` (newer) → attachments; a file comment's file is not its own. */
export function filesOf(raw: JsonObject, subtype: string | null): Attachment[] {
  const list: unknown[] = Array.isArray(raw.files) ? raw.files : [];
  if (isObject(raw.file) && subtype !== 'file_comment') list.unshift(raw.file);
  const out: Attachment[] = [];
  const seen = new Set<string>();
  for (const file of list) {
    if (!isObject(file)) continue;
    const id = str(file.id);
    if (id) {
      if (seen.has(id)) continue;
      seen.add(id);
    }
    const mode = str(file.mode);
    const name =
      str(file.name) ?? str(file.title) ?? (mode === 'tombstone' ? 'File deleted' : mode === 'hidden_by_limit' ? 'File hidden by the workspace plan' : 'File');
    const attachment: Attachment = { name: safeName(name) };
    if (typeof file.size === 'number' && Number.isFinite(file.size) && file.size >= 0) attachment.size = file.size;
    const type = str(file.mimetype);
    if (type && /^[\w.+-]+\/[\w.+-]+$/.test(type)) attachment.type = type;
    const url = str(file.permalink) ?? str(file.url_private) ?? str(file.url_private_download);
    if (url) attachment.url = withoutToken(url);
    out.push(attachment);
  }
  return out;
}

/** Export URLs can carry a `t=xoxe-…` token: never publish it. */
function withoutToken(url: string): string {
  try {
    const parsed = new URL(url);
    if (!parsed.searchParams.has('t')) return url;
    parsed.searchParams.delete('t');
    return parsed.href;
  } catch {
    return url;
  }
}
