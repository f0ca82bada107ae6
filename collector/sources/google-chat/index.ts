/**
 * Google Chat from Google Takeout: `Google Chat/Groups/<DM id | Space id>/messages.json` (one
 * `{"messages": [...]}` per DM or Space, oldest first), `group_info.json` beside it (the Space's
 * name, the members with name, email and user_type), the attachments beside both under their
 * `export_name`, and `Users/User <id>/user_info.json` (the export's owner). Accepted as the
 * Takeout zip, the Takeout or `Google Chat` folder, one group folder, or one messages.json
 * (input.ts).
 *
 * A chat is its group folder's name (`DM 9Xq…`, `Space AAAA…`: stable across exports; the
 * message ids carry the same group id, which names the chat of a messages.json read alone). A
 * person is their email address (people.ts). Dates are locale prose (dates.ts). A message maps
 * to one record (records.ts): its text with annotations, quote, reactions, edits
 * (`updated_date`), deletion (`message_state: DELETED`), Space threads by topic.
 *
 * Errors: a messages.json that is not JSON, not UTF-8 or over the size cap is a SourceError
 * naming the file (and line and column); a message without a readable date or creator is
 * skipped with a warning naming the file, its position and its message_id.
 */
import { describeFormat } from '../modules.js';
import type { Attachment, ChatRecord } from '../../model.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { isObject, objects, str, type JsonObject } from '../kit/fields.js';
import { parseJson, salvageJson, UnreadableItem } from '../kit/json-file.js';
import { mediaEvent } from '../kit/media.js';
import { DEFAULT_MAX_MEDIA_BYTES, mimeOf, safeName } from '../kit/media-files.js';
import { plural, Warnings } from '../kit/warnings.js';
import { detect } from './detect.js';
import { openInput, type GroupInput } from './input.js';
import { People } from './people.js';
import { BadMessage, GroupMessages } from './records.js';

export const googleChat: SourceAdapter = {
  format: 'google-chat',
  description: describeFormat('google-chat'),
  detect,
  read: (path, options) => flatten(readBatches(path, options)),
};

async function* readBatches(path: string, options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const warnings = new Warnings(path);
  const input = await openInput(path, options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES, (p, m) => warnings.add(p, m));
  try {
    const people = new People();
    const owner = input.owner ? ownerOf(input.owner, people) : null;
    const total = input.groups.reduce((n, g) => n + g.size, 0);
    let done = 0;
    for (const group of input.groups) {
      const events = await readGroup(group, people, owner, options, warnings);
      done += group.size;
      yield [...events, ...warnings.take(), { type: 'progress', done, total }];
    }
    for (const { position, message } of input.summary()) warnings.add(position, message);
    yield [...warnings.summary(), { type: 'progress', done: total, total }];
  } finally {
    input.close();
  }
}

function ownerOf(bytes: Buffer, people: People): string | null {
  try {
    const info = parseJson(bytes);
    return (isObject(info) && people.person(info.user)?.id) || null;
  } catch {
    return null; // the owner is a nicety: the messages do not need it
  }
}

async function readGroup(group: GroupInput, people: People, owner: string | null, options: ReadOptions, warnings: Warnings): Promise<SourceEvent[]> {
  let doc: unknown;
  let bytes: Buffer | Uint8Array = new Uint8Array();
  try {
    bytes = await group.messages();
    doc = parseJson(bytes);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    // One message that is not valid JSON, the rest sound: that message is skipped with a warning.
    doc = bytes.length ? salvageJson(bytes, ['messages']) : null;
    if (doc === null) {
      const where = /^not valid JSON at (line \d+, column \d+): (.*)$/s.exec((err as Error).message);
      throw new SourceError(group.file, where ? group.at + where[1] : group.at.slice(0, -2) || null, where ? `not valid JSON: ${where[2]}` : (err as Error).message);
    }
  }
  if (!isObject(doc) || !Array.isArray(doc.messages)) throw new SourceError(group.file, group.at.slice(0, -2) || null, 'not a Google Chat export: messages.json has no "messages" list');
  const info = await groupInfo(group, warnings);
  const members = objects(info.members).slice(0, 10_000).map((m) => people.person(m)).filter((p) => p !== null);
  const chat = chatOf(group.folder, doc.messages, info, members.map((p) => ({ nativeId: p.id, displayName: p.name || null })), owner);
  if (options.wantChat && !options.wantChat(chat.nativeId)) return [];
  const out: SourceEvent[] = [{ type: 'chat', chat }];
  const reader = new GroupMessages(chat.nativeId, chat.nativeId.startsWith('Space '), people);
  const files = new GroupFiles(group, warnings);
  for (const [i, m] of doc.messages.entries()) {
    const id = isObject(m) ? str(m.message_id) : null;
    const where = `${group.label}: message ${i + 1}${id ? ` (${id.slice(0, 200)})` : ''}`;
    if (m instanceof UnreadableItem) {
      warnings.add(where, m.warning);
      continue;
    }
    if (!isObject(m)) {
      warnings.add(where, 'not a JSON object; skipped');
      continue;
    }
    try {
      const { record, files: attached } = reader.message(m);
      const attachments = await files.read(attached, out);
      if (attachments.length) record.attachments = attachments;
      out.push({ type: 'message', message: record });
    } catch (err) {
      if (!(err instanceof BadMessage)) throw err;
      warnings.add(where, err.message);
    }
  }
  files.summary();
  return out;
}

async function groupInfo(group: GroupInput, warnings: Warnings): Promise<JsonObject> {
  try {
    const bytes = await group.info();
    const info = bytes ? parseJson(bytes) : {};
    if (isObject(info)) return info;
  } catch (err) {
    warnings.add(group.label.replace(/messages\.json$/, 'group_info.json'), `${(err as Error).message}; the group is read without its name and members`);
  }
  return {};
}

/**
 * The chat of a group: named by its folder (`DM …`, `Space …`), else by the group id its message
 * ids begin with (a DM has no name in group_info.json, a Space has), else by the folder as it is.
 */
function chatOf(folder: string, messages: unknown[], info: JsonObject, members: NonNullable<ChatRecord['members']>, owner: string | null): ChatRecord {
  let nativeId = /^(?:DM|Space) \S+$/.test(folder) ? folder : null;
  if (!nativeId) {
    const first = messages.find((m) => isObject(m) && str(m.message_id)?.includes('/'));
    const group = isObject(first) ? str(first.message_id)!.split('/')[0] : '';
    nativeId = group ? `${str(info.name) ? 'Space' : 'DM'} ${group}` : folder || 'Google Chat';
  }
  const space = nativeId.startsWith('Space ');
  const chat: ChatRecord = {
    nativeId,
    kind: space || members.length > 2 ? 'group' : 'direct',
    title: str(info.name)?.trim().slice(0, 500) || null,
  };
  if (members.length) chat.members = members;
  if (owner && (!members.length || members.some((m) => m.nativeId === owner))) chat.owner = owner;
  return chat;
}

/**
 * The attached files of one group, read from beside its messages.json. Takeout stores a file
 * under its `export_name` with `?` written `_` (`File-123_account_id=3.jpg`), a name cut to 51
 * characters (extension kept), and a second file of the same name as `name(1).ext`; each is
 * tried in that order. A file not found is kept as an attachment by name, counted in one warning.
 */
class GroupFiles {
  private readonly used = new Map<string, number>();
  private missing = 0;
  private firstMissing = '';

  constructor(
    private readonly group: GroupInput,
    private readonly warnings: Warnings,
  ) {}

  async read(attached: JsonObject[], out: SourceEvent[]): Promise<Attachment[]> {
    const attachments: Attachment[] = [];
    for (const f of attached) {
      const exportName = str(f.export_name);
      const name = safeName(str(f.original_name) ?? exportName ?? 'file');
      const type = mimeOf(name) ?? (exportName ? mimeOf(exportName) : undefined);
      const bytes = exportName ? await this.bytesOf(exportName) : null;
      if (bytes) {
        const { event, info } = mediaEvent(name, bytes, type ?? '');
        out.push(event);
        attachments.push({ name, ...info });
      } else {
        attachments.push(type ? { name, type } : { name });
        if (bytes === null && !this.missing++) this.firstMissing = `${this.group.label}: ${exportName ?? name}`;
      }
    }
    return attachments;
  }

  summary(): void {
    if (this.missing) this.warnings.add(this.firstMissing, `${plural(this.missing, 'attached file')} not found beside messages.json; kept by name`);
  }

  /** The bytes of the file, null when not found, undefined when refused (already warned or counted). */
  private async bytesOf(exportName: string): Promise<Buffer | null | undefined> {
    if (/[/\\]|^\.\.?$/.test(exportName)) return null;
    const disk = exportName.replace(/\?/g, '_');
    const count = this.used.get(disk) ?? 0;
    this.used.set(disk, count + 1);
    for (const candidate of new Set([exportName, disk, cut(disk)].map((n) => (count ? numbered(n, count) : n)))) {
      const got = await this.group.attachment(candidate);
      if (typeof got !== 'string') return got;
      if (got !== 'missing') return undefined;
    }
    return null;
  }
}

/** A name Takeout cut to 51 characters, its extension kept. */
function cut(name: string): string {
  const chars = [...name];
  if (chars.length <= 51) return name;
  const ext = /\.[^.]{1,10}$/.exec(name)?.[0] ?? '';
  return chars.slice(0, 51 - ext.length).join('') + ext;
}

function numbered(name: string, n: number): string {
  const ext = /\.[^.]{1,10}$/.exec(name)?.[0] ?? '';
  return `${name.slice(0, name.length - ext.length)}(${n})${ext}`;
}
