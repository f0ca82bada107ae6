/**
 * Facebook Messenger and Instagram: Meta's "Download your information" JSON
 * (`[your_facebook_activity/ | your_instagram_activity/]messages/inbox/<thread>/message_N.json`,
 * several files per thread, message_1 the newest, messages in each newest first), and Messenger's
 * end-to-end encrypted download (one JSON file per chat beside `media/`). The zip, the whole
 * export's folder, any folder on the way to the threads, one thread's folder, or one JSON file.
 *
 * Two format names, one reader: the export's layout is the same, but the names and ids are not
 * (an Instagram thread folder and a Messenger one are different chats, one name on each app is not
 * one person), so chats and people are `messenger:…` or `instagram:…`. Detection says Instagram
 * where the location does (`your_instagram_activity/`, an `instagram-<user>-…` download); a lone
 * file that does not say so is read as Messenger unless `--format instagram` is given.
 *
 * Memory: one thread file at a time (Meta writes at most 10,000 messages per file); the newest
 * file is read first for the chat's title and members, then the files oldest first, each file's
 * messages oldest first. Media are read from the input as their messages come (the zip in place).
 *
 * Bad input: no threads, a damaged zip, or a thread file that is not a JSON object with a
 * `messages` list is a SourceError naming the file and the line; a message that is not an object
 * or has no valid time is skipped with a warning naming the file and index.
 */
import { describeFormat } from '../modules.js';
import type { Attachment, MessageRecord } from '../../model.js';
import { flatten } from '../kit/batches.js';
import { isObject, list, type JsonObject } from '../kit/fields.js';
import { parseJson, salvageJson, UnreadableItem } from '../kit/json-file.js';
import { mediaEvent } from '../kit/media.js';
import { DEFAULT_MAX_MEDIA_BYTES, mediaTooLarge, mimeOf, safeName } from '../kit/media-files.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { plural, Warnings } from '../kit/warnings.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { mediaPath, openInput, sniff, type JsonFile, type MetaInput, type Thread } from './input.js';
import { BadMessage, chatRecord, isE2ee, messageRecord, type MediaUse, type Platform } from './records.js';

export const messenger: SourceAdapter = {
  format: 'messenger',
  description: describeFormat('messenger'),
  detect: async (path) => (await sniff(path))?.instagram === false,
  read: (path, options) => flatten(readMeta(path, options, 'messenger')),
};

export const instagram: SourceAdapter = {
  format: 'instagram',
  description: describeFormat('instagram'),
  detect: async (path) => (await sniff(path))?.instagram === true,
  read: (path, options) => flatten(readMeta(path, options, 'instagram')),
};

async function* readMeta(path: string, options: ReadOptions, platform: Platform): AsyncGenerator<SourceEvent[]> {
  const warnings = new Warnings(path);
  const maxMedia = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  const input = await openInput(path, maxMedia, (position, message) => warnings.add(position, message));
  try {
    const media = new MediaReader(input, maxMedia, warnings);
    const total = input.threads.reduce((n, t) => n + t.files.reduce((m, f) => m + f.size, 0), 0);
    let done = 0;
    for (const thread of input.threads) {
      const newest = await readThreadFile(input, thread.files[0]);
      const size = thread.files.reduce((m, f) => m + f.size, 0);
      const chat = chatRecord(newest, platform, fallbackName(thread));
      if (options.wantChat && !options.wantChat(chat.nativeId)) {
        done += size;
        continue;
      }
      yield [{ type: 'chat', chat }];
      // Oldest file first (the highest N), the newest one already read.
      for (const file of [...thread.files].reverse()) {
        const root = file === thread.files[0] ? newest : await readThreadFile(input, file);
        const out: SourceEvent[] = [];
        {
          const e2ee = isE2ee(root);
          // Newest first in the file: read from its end, oldest first.
          const messages = list(root.messages);
          for (let index = messages.length - 1; index >= 0; index--) {
            const raw = messages[index];
            if (raw instanceof UnreadableItem) {
              warnings.add(`${file.where} [${index}]`, raw.warning);
              continue;
            }
            if (!isObject(raw)) {
              warnings.add(`${file.where} [${index}]`, 'not a message object: skipped');
              continue;
            }
            let mapped;
            try {
              mapped = messageRecord(raw, platform, e2ee);
            } catch (err) {
              warnings.add(`${file.where} [${index}]`, err instanceof BadMessage ? err.message : unreadableMessage(err));
              continue;
            }
            await media.attach(mapped.record, mapped.media, thread, e2ee, out);
            out.push({ type: 'message', message: mapped.record });
          }
        }
        done += file.size;
        yield [...out, ...warnings.take(), { type: 'progress', done, total }];
      }
    }
    for (const w of input.summary()) warnings.add(w.position, w.message);
    media.summarize();
    yield [...warnings.summary(), { type: 'progress', done: total, total }];
  } finally {
    input.close();
  }
}

/**
 * A thread file's JSON object. A file that is not one is a damaged download: the import stops,
 * naming it (inside the input) and the line, rather than publish a thread with a hole in it. One
 * message in it that is not valid JSON, the rest sound, stands as an UnreadableItem: skipped with
 * a warning.
 */
async function readThreadFile(input: MetaInput, file: JsonFile): Promise<JsonObject> {
  const where = input.single ? null : file.where;
  let value: unknown;
  let bytes: Uint8Array = new Uint8Array();
  try {
    bytes = await file.read();
    value = parseJson(bytes);
  } catch (err) {
    if (err instanceof SourceError) throw err;
    value = bytes.length ? salvageJson(bytes, ['messages']) : null;
    if (value === null) throw new SourceError(input.file, where, (err as Error).message);
  }
  const problem = !isObject(value) ? 'not a JSON object' : !Array.isArray(value.messages) ? 'no "messages" list' : null;
  if (problem) throw new SourceError(input.file, where, `not a Messenger or Instagram thread file: ${problem}`);
  return value as JsonObject;
}

/** What names a thread whose file says nothing: its folder, or the file's own name. */
function fallbackName(thread: Thread): string {
  if (thread.files[0].n > 0 && thread.name) return thread.name;
  return thread.files[0].where.split('/').pop()!.replace(/\.json$/i, '');
}

/** Media files of messages: read once each, emitted, and recorded on the message's attachments. */
class MediaReader {
  private readonly seen = new Map<string, Attachment>();
  private missing = 0;
  private firstMissing = '';

  constructor(
    private readonly input: MetaInput,
    private readonly maxBytes: number,
    private readonly warnings: Warnings,
  ) {}

  async attach(record: MessageRecord, uses: MediaUse[], thread: Thread, e2ee: boolean, out: SourceEvent[]): Promise<void> {
    if (!uses.length) return;
    const attachments: Attachment[] = [];
    for (const use of uses) attachments.push(await this.attachment(use.uri, thread, e2ee, out));
    record.attachments = attachments;
  }

  summarize(): void {
    if (!this.missing) return;
    this.warnings.add(this.input.file, `${plural(this.missing, 'media file')} not in the input (first: ${this.firstMissing}): listed without ${this.missing === 1 ? 'its' : 'their'} bytes`);
  }

  private async attachment(uri: string, thread: Thread, e2ee: boolean, out: SourceEvent[]): Promise<Attachment> {
    if (/^https?:\/\//i.test(uri)) return { name: safeName(uri.split(/[?#]/)[0]), url: uri };
    const name = safeName(uri);
    const path = mediaPath(thread, uri, e2ee);
    const key = path?.join('/') ?? uri;
    const known = this.seen.get(key);
    if (known) return { ...known };
    const attachment: Attachment = { name };
    const type = mimeOf(name);
    if (type) attachment.type = type;
    const ref = path ? await this.input.media(path, key) : null;
    if (!ref) {
      if (this.missing++ === 0) this.firstMissing = uri;
    } else if (ref.size > this.maxBytes) {
      this.warnings.add(key, mediaTooLarge(ref.size, this.maxBytes));
      attachment.size = ref.size;
    } else {
      const bytes = await ref.read(this.maxBytes);
      if (typeof bytes !== 'string') {
        const { event, info } = mediaEvent(name, bytes);
        out.push(event);
        attachment.hash = info.hash;
        attachment.size = info.size;
      }
    }
    this.seen.set(key, attachment);
    return { ...attachment };
  }
}
