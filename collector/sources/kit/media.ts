import { createHash } from 'node:crypto';
import type { SourceEvent } from '../types.js';
import { mimeOf } from './media-files.js';

/** What an attachment records of a media file the export contained. */
export interface MediaInfo {
  hash: string;
  size: number;
  type?: string;
}

/** The content address of media bytes: the store keeps each file once under it. */
export function mediaHash(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/**
 * A media file of the export as an event for the store, and what its attachment records. The type
 * is the one given, else guessed from the name's extension.
 */
export function mediaEvent(name: string, bytes: Buffer, type: string | undefined = mimeOf(name)): { event: SourceEvent; info: MediaInfo } {
  const hash = mediaHash(bytes);
  const event: SourceEvent = { type: 'media', media: type ? { name, type, bytes } : { name, bytes }, hash };
  return { event, info: type ? { hash, size: bytes.length, type } : { hash, size: bytes.length } };
}
