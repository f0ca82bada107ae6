import { createWriteStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

const CHUNK_CHARS = 256 * 1024;

/** Joins many small strings into chunks of ~256K characters so the stream sees few, large writes. */
export function* inChunks(pieces: Iterable<string>): Generator<string> {
  let parts: string[] = [];
  let length = 0;
  for (const piece of pieces) {
    parts.push(piece);
    length += piece.length;
    if (length >= CHUNK_CHARS) {
      yield parts.join('');
      parts = [];
      length = 0;
    }
  }
  if (parts.length > 0) yield parts.join('');
}

/**
 * Writes generated text to a file with the stream's backpressure (the generator is only pulled as
 * fast as the disk takes it), returning the file's size in bytes.
 */
export async function writeGeneratedFile(outFile: string, pieces: Iterable<string>): Promise<number> {
  await pipeline(Readable.from(inChunks(pieces)), createWriteStream(outFile));
  return (await stat(outFile)).size;
}
