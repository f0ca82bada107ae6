/**
 * Microsoft Teams messages as Microsoft Graph `chatMessage` JSON, in the two shapes people have:
 *
 * - Microsoft's Teams export tool: a JSON list of messages per file with PascalCase keys
 *   (`Id`, `Body{ContentType, Content}`, `CreatedDateTime`, `From{User|Application}`, `ChatId` or
 *   `ChannelIdentity{TeamId, ChannelId}`, `ReplyToId`, `Attachments`, `Mentions`, `Reactions`,
 *   `MessageType`, `EventDetail`…), laid out as `teams/<team>/messages_<team>.json` (a team's
 *   channels), `users/<user>/messages_<user>.json` (that user's chats), with `teamsList.json`,
 *   `channels_<team>.json` and `usersList.json` naming teams, channels and people.
 * - Graph API responses saved as files: `{"@odata.context", "value": [messages], "@odata.nextLink"}`
 *   pages with camelCase keys; each page is a file, a folder of pages is one import.
 *
 * Keys are read in any case (keys.ts). A file or a folder (searched a few levels deep) is one
 * import; JSON files of the folder that hold no messages are read as name lists (directory.ts).
 * Message files are streamed (collector/json/scanner.ts): each message is taken, parsed and mapped
 * alone (records.ts), then emitted (stream.ts). Teams exports carry no file contents: shared files
 * are SharePoint or OneDrive links (attachments with their URL), inline images Graph URLs that
 * need a login (shown as "🖼 image"), so no media are read.
 *
 * Errors: a file that is not JSON, truncated, or not UTF-8 is a SourceError naming the file, line
 * and column; a message without a time, a chat or a sender is skipped with a warning naming its
 * file, index and byte offset.
 */
import { describeFormat } from '../modules.js';
import { open, stat } from 'node:fs/promises';
import { basename, dirname, relative } from 'node:path';
import { JsonScanError, JsonScanner, ScanAction, type PathKey, type ScanHandler, type ScannedValue } from '../kit/json/scanner.js';
import { SourceError, type ReadOptions, type SourceAdapter, type SourceEvent } from '../types.js';
import { flatten } from '../kit/batches.js';
import { isObject } from '../kit/fields.js';
import { FileTooLarge, notAJsonObject, readFileCapped, statInput } from '../kit/files.js';
import { lineAndColumnInFile, parseJson, scanJsonFile } from '../kit/json-file.js';
import { jsonFilesIn } from '../kit/json-files.js';
import { formatLimit, MAX_JSON_FILE_BYTES } from '../kit/limits.js';
import { unreadableMessage } from '../kit/unreadable.js';
import { Warnings } from '../kit/warnings.js';
import { detect, isMessageFile } from './detect.js';
import { Directory } from './directory.js';
import { lowerKeys } from './keys.js';
import { BadMessage, messageOf, PERSON_PREFIX } from './records.js';
import { MessageStream } from './stream.js';
import { parseJsonText } from '../kit/json/parse.js';

export const teams: SourceAdapter = {
  format: 'teams',
  description: describeFormat('teams'),
  detect,
  read: (path, options) => flatten(readBatches(path, options)),
};

/** Read sizes; tests shrink them to put chunk boundaries everywhere. */
export const teamsTuning = { chunkBytes: 4 << 20 };

interface MessageFile {
  file: string;
  /** The file's name in warnings: relative to the imported folder. */
  label: string;
  size: number;
}

async function* readBatches(path: string, _options: ReadOptions): AsyncGenerator<SourceEvent[]> {
  const info = await statInput(path);
  const warnings = new Warnings(path);
  const directory = new Directory();
  const files = info.isDirectory() ? await folderFiles(path, directory, warnings) : [{ file: path, label: basename(path), size: info.size }];
  const stream = new MessageStream(directory, warnings);
  const total = files.reduce((n, f) => n + f.size, 0);
  let base = 0;
  for (const file of files) {
    for await (const done of readFile(file, stream, warnings)) yield [...stream.take(), { type: 'progress', done: base + done, total }];
    base += file.size;
  }
  yield [...stream.finish(), ...warnings.summary(), { type: 'progress', done: total, total }];
}

/** A folder's message files; its other JSON files are read for names, or skipped with a warning. */
async function folderFiles(root: string, directory: Directory, warnings: Warnings): Promise<MessageFile[]> {
  const files: MessageFile[] = [];
  let unreadable = '';
  for (const file of await jsonFilesIn(root)) {
    const label = relative(root, file);
    if (await isMessageFile(file)) {
      files.push({ file, label, size: (await stat(file)).size });
      continue;
    }
    try {
      if (directory.add(parseJson(await readFileCapped(file, MAX_JSON_FILE_BYTES))) > 0) continue;
      warnings.add(label, 'not a Teams message or directory file; skipped');
    } catch (err) {
      const why = err instanceof FileTooLarge ? `over ${formatLimit(MAX_JSON_FILE_BYTES)}` : (err as Error).message;
      warnings.add(label, `${why}; skipped`);
      unreadable ||= ` (${label}: ${why})`;
    }
  }
  if (!files.length) throw new SourceError(root, null, `not a Teams export: the folder has no files of Teams messages${unreadable}`);
  return files;
}

/** Streams one file of messages into `stream`, yielding the bytes read after each chunk. */
async function* readFile(f: MessageFile, stream: MessageStream, warnings: Warnings): AsyncGenerator<number> {
  const fh = await open(f.file, 'r');
  try {
    const size = (await fh.stat()).size;
    const what = await notAJsonObject(fh, 0, size);
    if (what && what !== 'a JSON list') throw new SourceError(f.file, null, `not a Teams export: the file is ${what}`);
    const reader = new FileReader(f, stream, warnings);
    try {
      for await (const done of scanJsonFile(fh, 0, size, new JsonScanner(reader), teamsTuning.chunkBytes, (err) => err as Error)) {
        reader.flush();
        yield done;
      }
    } catch (err) {
      if (err instanceof JsonScanError) throw new SourceError(f.file, await lineAndColumnInFile(fh, err.offset), err.reason);
      throw err;
    }
    reader.flush();
  } finally {
    await fh.close();
  }
}

/** The scanner's handler for one file: the messages of a root list, or of a Graph page's `value`. */
class FileReader implements ScanHandler {
  private rootIsList = false;
  private sawValue = false;
  /** The chat a Graph page's `@odata.context` names, for messages that do not say theirs. */
  private contextChat: string | null = null;
  private queue: { text: string | null; offset: number; index: number }[] = [];
  /** `users/<id>/messages_<id>.json` is the export of that user's chats. */
  private readonly owner: string | null;

  constructor(
    private readonly f: MessageFile,
    private readonly stream: MessageStream,
    private readonly warnings: Warnings,
  ) {
    const own = /^messages_([0-9a-f-]{36})\.json$/i.exec(basename(f.file));
    this.owner = own && basename(dirname(f.file)).toLowerCase() === own[1].toLowerCase() ? PERSON_PREFIX + own[1] : null;
  }

  open(path: readonly PathKey[], first: number, offset: number): ScanAction {
    if (path.length === 0) {
      this.rootIsList = first === 0x5b;
      return ScanAction.enter;
    }
    if (!this.rootIsList && path.length === 1) {
      const key = String(path[0]).toLowerCase();
      if (key === '@odata.context') return ScanAction.take;
      if (key !== 'value') return ScanAction.skip;
      if (first !== 0x5b) throw new SourceError(this.f.file, `byte ${offset}`, 'not a Teams export: "value" is not a list');
      this.sawValue = true;
      return ScanAction.enter;
    }
    if (path.length !== (this.rootIsList ? 1 : 2)) return ScanAction.skip;
    if (first === 0x7b) return ScanAction.take;
    this.queue.push({ text: null, offset, index: path.at(-1) as number }); // warned in order at flush()
    return ScanAction.skip;
  }

  take(path: readonly PathKey[], value: ScannedValue): void {
    if (path.length === 1 && !this.rootIsList) {
      const context = parseJsonText(value.text()) as unknown;
      const named = typeof context === 'string' ? /(?:chats|channels)\('([^']{1,300})'\)\/messages/.exec(context) : null;
      if (named) this.contextChat = decode(named[1]);
      return;
    }
    this.queue.push({ text: value.text(), offset: value.start, index: path.at(-1) as number });
  }

  close(path: readonly PathKey[]): void {
    if (path.length === 0 && !this.rootIsList && !this.sawValue) {
      throw new SourceError(this.f.file, null, 'not a Teams export: neither a list of messages nor a Graph page with a "value" list');
    }
  }

  tooLarge(path: readonly PathKey[], offset: number, limit: number): void {
    this.warnings.add(this.where(path.at(-1) as number, offset), `more than ${formatLimit(limit)}, the limit for one message or record: skipped`);
  }

  /** Maps the messages taken so far. */
  flush(): void {
    for (const { text, offset, index } of this.queue) {
      const where = this.where(index, offset);
      try {
        const message = text === null ? null : lowerKeys(parseJsonText(text));
        if (!isObject(message)) throw new BadMessage('not an object; skipped');
        this.stream.add(messageOf(message, this.contextChat, this.stream.directory), this.owner);
      } catch (err) {
        this.warnings.add(where, err instanceof BadMessage ? err.message : unreadableMessage(err));
      }
    }
    this.queue = [];
  }

  private where(index: number, offset: number): string {
    return `${this.f.label}, message ${index} (byte ${offset})`;
  }
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
