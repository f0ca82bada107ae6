import { MessageFlags, type Attachment, type MessageRecord } from '../model.js';

/** The columns of a stored message that an export may leave out while the message stays the same. */
export interface KeptColumns {
  author_name: string | null;
  reply_to_key: string | null;
  /** JSON of the attachments, or null. */
  attachments: string | null;
  flags: number;
}

/** What of a message the rule reads and may fill in. */
export type Kept = Pick<MessageRecord, 'authorName' | 'replyToKey' | 'attachments' | 'flags' | 'deleted'>;

/** A row's columns as the fields keepStored() takes. */
export function keptOfColumns(row: KeptColumns, deleted: boolean): Kept {
  const kept: Kept = { authorName: row.author_name, replyToKey: row.reply_to_key, flags: row.flags, deleted };
  if (row.attachments) kept.attachments = JSON.parse(row.attachments) as Attachment[];
  return kept;
}

/**
 * What a message met again (a re-import, an overlapping or later export) becomes, given what is
 * stored of it: an export that lacks something the stored row has never erases it. Exports lack
 * things without the message changing: the author's name (no users file, a blank display name),
 * the reply link (its target outside the export's range), an attachment's file (exported without
 * files: the attachment is listed without its hash, sometimes under a placeholder name). So:
 * - an empty author name keeps the stored one; another name is a rename and is taken;
 * - no reply link keeps the stored link (with its thread mark); another link is taken;
 * - an attachment listed without its file keeps the stored attachment with its file (same name,
 *   else the same place in a list of the same length); an attachment no longer listed at all is
 *   gone from the message (an edit), and a deletion drops every file, as the source shows it.
 * Returns `record` itself when nothing is kept.
 */
export function keepStored<R extends Kept>(record: R, stored: KeptColumns): R {
  const kept: Partial<Kept> = {};
  if (!record.authorName && stored.author_name) kept.authorName = stored.author_name;
  if (!record.replyToKey && stored.reply_to_key) {
    kept.replyToKey = stored.reply_to_key;
    kept.flags = (record.flags ?? 0) | (stored.flags & MessageFlags.threadReply);
  }
  if (!record.deleted && record.attachments?.length && stored.attachments) {
    const files = keepFiles(record.attachments, JSON.parse(stored.attachments) as Attachment[]);
    if (files !== record.attachments) kept.attachments = files;
  }
  return Object.keys(kept).length ? { ...record, ...kept } : record;
}

/** `incoming` with each attachment that lacks its file replaced by the stored one that has it. */
function keepFiles(incoming: Attachment[], stored: Attachment[]): Attachment[] {
  const withFile = new Set(stored.filter((a) => a.hash));
  if (withFile.size === 0) return incoming;
  for (const a of incoming) {
    const same = a.hash ? stored.find((s) => s.hash === a.hash) : undefined;
    if (same) withFile.delete(same);
  }
  let out = incoming;
  const take = (i: number, s: Attachment) => {
    if (out === incoming) out = [...incoming];
    out[i] = s;
    withFile.delete(s);
  };
  incoming.forEach((a, i) => {
    const same = a.hash ? undefined : [...withFile].find((s) => s.name === a.name);
    if (same) take(i, same);
  });
  if (incoming.length === stored.length) {
    incoming.forEach((a, i) => {
      if (!a.hash && out[i] === a && withFile.has(stored[i])) take(i, stored[i]);
    });
  }
  return out;
}

/** The hashes of the files an attachments column (JSON, or null) carries. */
export function filesOf(attachments: string | null): string[] {
  if (!attachments) return [];
  return (JSON.parse(attachments) as Attachment[]).flatMap((a) => (a.hash ? [a.hash] : []));
}

/**
 * Whether two states of a message carry different files: then they are two messages (a picture
 * sent again with another file), whatever their text, unless they have the same time (one
 * picture, re-compressed in one export: store/merge.ts's distinctFiles). An attachment without its
 * file is no evidence either way (the export left it out).
 */
export function differentFiles(a: string | null, b: string | null): boolean {
  const x = filesOf(a);
  const y = filesOf(b);
  return x.length > 0 && y.length > 0 && (x.length !== y.length || x.some((h) => !y.includes(h)));
}
