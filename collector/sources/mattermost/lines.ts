import { posix } from 'node:path';
import type { Attachment, ChatRecord, MessageRecord } from '../../model.js';
import { isObject } from '../kit/fields.js';
import { mediaEvent, type MediaInfo } from '../kit/media.js';
import { DEFAULT_MAX_MEDIA_BYTES, mediaTooLarge, mimeOf, safeName } from '../kit/media-files.js';
import { formatLimit, MAX_RECORD_BYTES } from '../kit/limits.js';
import type { TextLine } from '../kit/text-lines.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { plural, type Warnings } from '../kit/warnings.js';
import { SourceError, type ReadOptions, type SourceEvent } from '../types.js';
import { Directory } from './directory.js';
import type { ExportInput } from './input.js';
import { BadPost, parsePost, ThreadIds, type ParsedPost } from './posts.js';
import { parseJsonText } from '../kit/json/parse.js';

/**
 * The lines of a bulk export, one JSON object each, in order: the version line first (else this is
 * no bulk export: a SourceError naming the line), then what the directory learns (teams, channels,
 * users…) and the posts. A line that is no JSON, or a post without what it needs, is skipped with
 * a warning naming its line; the rest imports. Lines are taken synchronously as the splitter hands
 * them over; the posts' files are read at flush(), between chunks.
 */
export class ExportReader {
  private readonly directory = new Directory();
  private readonly ids = new ThreadIds();
  private sawVersion = false;
  private queue: ParsedPost[] = [];
  private current: string | null = null;
  private readonly media = new Map<string, MediaInfo | null>();
  private missing = 0;
  private firstMissing = '';
  private readonly maxMediaBytes: number;

  constructor(
    private readonly input: ExportInput,
    private readonly options: ReadOptions,
    private readonly warnings: Warnings,
  ) {
    this.maxMediaBytes = options.maxMediaBytes ?? DEFAULT_MAX_MEDIA_BYTES;
  }

  line(line: TextLine): void {
    const where = `${this.input.where}line ${line.number}`;
    if (line.tooLong !== undefined) {
      if (!this.sawVersion) throw this.notAnExport(where, `the first line is ${line.tooLong} bytes long`);
      this.warnings.add(where, `${line.tooLong} bytes, over ${formatLimit(MAX_RECORD_BYTES)}, the limit for one line: skipped`);
      return;
    }
    if (line.text.trim() === '') return;
    let value: unknown;
    try {
      value = parseJsonText(line.text);
    } catch (err) {
      if (!this.sawVersion) throw this.notAnExport(where, 'the first line is not JSON');
      this.warnings.add(where, `not JSON (${(err as Error).message}); skipped`);
      return;
    }
    const type = isObject(value) && typeof value.type === 'string' ? value.type : null;
    if (!this.sawVersion) {
      if (type !== 'version') throw this.notAnExport(where, 'the first line is not a version line');
      this.sawVersion = true;
      return;
    }
    if (!isObject(value) || type === null) {
      this.warnings.add(where, 'not an object with a "type"; skipped');
      return;
    }
    try {
      this.take(type, value, where);
    } catch (err) {
      this.warnings.add(where, err instanceof BadPost ? err.message : unreadableMessage(err));
    }
  }

  private take(type: string, value: Record<string, unknown>, where: string): void {
    const entry = value[type];
    const known = isObject(entry);
    switch (type) {
      case 'post':
      case 'direct_post': {
        const parsed = parsePost(value, type === 'direct_post', this.directory, this.ids);
        for (const why of parsed.skipped) this.warnings.add(where, why);
        if (!this.options.wantChat || this.options.wantChat(parsed.chat.nativeId)) this.queue.push(parsed);
        return;
      }
      case 'team':
        if (!known || !this.directory.team(entry)) throw new BadPost('a team without a name; skipped');
        return;
      case 'channel':
        if (!known || !this.directory.channel(entry)) throw new BadPost('a channel without its team and name; skipped');
        return;
      case 'user':
      case 'bot':
        if (!known || !this.directory.user(entry)) throw new BadPost(`a ${type} without a username; skipped`);
        return;
      case 'emoji':
        if (known) this.directory.emoji(entry);
        return;
      case 'version':
      case 'direct_channel': // its members come again with each of its posts
      case 'scheme':
      case 'role':
        return;
      default:
        this.warnings.tally(`type ${type}`, where, (n) => `${plural(n, 'line')} of type "${type.slice(0, 40)}" skipped (not a chat record)`);
    }
  }

  /** The events of the posts taken so far, their files read. */
  async flush(): Promise<SourceEvent[]> {
    const out: SourceEvent[] = [];
    const queue = this.queue;
    this.queue = [];
    for (const post of queue) {
      for (const [i, record] of post.records.entries()) {
        if (post.files[i].length) record.attachments = await this.attachments(post.files[i], out);
        this.emit(post.chat, record, out);
      }
    }
    return out.concat(this.warnings.take());
  }

  /** After the last line: an export without its version line (or without any line) is none. */
  finish(): void {
    if (!this.sawVersion) throw new SourceError(this.input.file, this.input.where.trim() || null, 'not a Mattermost bulk export: the file is empty');
  }

  /** Warnings about files: those not in the export, those the folder refused. */
  summary(): void {
    if (this.missing) {
      const n = this.missing;
      this.warnings.add(this.input.file, `${plural(n, 'attached file')} ${n === 1 ? 'is' : 'are'} not in the export (first: ${this.firstMissing}; exported without attachments?): listed without ${n === 1 ? 'it' : 'them'}`);
    }
    for (const { position, message } of this.input.summary()) this.warnings.add(position, message);
  }

  private emit(chat: ChatRecord, record: MessageRecord, out: SourceEvent[]): void {
    if (this.current !== chat.nativeId) out.push({ type: 'chat', chat });
    this.current = chat.nativeId;
    out.push({ type: 'message', message: record });
  }

  private async attachments(paths: string[], out: SourceEvent[]): Promise<Attachment[]> {
    const list: Attachment[] = [];
    for (const path of paths) {
      const name = safeName(posix.basename(path));
      let info = this.media.get(path);
      if (info === undefined) this.media.set(path, (info = await this.read(path, name, out)));
      const type = info?.type ?? mimeOf(name);
      const attachment: Attachment = { name };
      if (info?.size) attachment.size = info.size;
      if (type) attachment.type = type;
      if (info?.hash) attachment.hash = info.hash;
      list.push(attachment);
    }
    return list;
  }

  /** A file's bytes emitted as media; its size alone when refused; null when the export lacks it. */
  private async read(path: string, name: string, out: SourceEvent[]): Promise<MediaInfo | null> {
    const ref = await this.input.attachment(path);
    if (!ref) {
      if (this.missing++ === 0) this.firstMissing = path;
      return null;
    }
    if (ref.size > this.maxMediaBytes) {
      this.warnings.add(`${this.input.where}${path}`, mediaTooLarge(ref.size, this.maxMediaBytes));
      return { hash: '', size: ref.size };
    }
    let bytes;
    try {
      bytes = await ref.read(this.maxMediaBytes);
    } catch (err) {
      throw new SourceError(this.input.file, path, `cannot read the attachment: ${(err as Error).message}`);
    }
    if (bytes === 'missing') return null;
    if (typeof bytes === 'string') return { hash: '', size: 0 };
    const { event, info } = mediaEvent(name, bytes);
    out.push(event);
    return info;
  }

  private notAnExport(where: string, why: string): SourceError {
    return new SourceError(this.input.file, where, `not a Mattermost bulk export: ${why} (expected {"type":"version","version":1})`);
  }
}
