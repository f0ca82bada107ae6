/**
 * Names and types of the media files exports carry, for every adapter alike: names come from the
 * export (so they are made safe to show and store), types from the extension.
 */
import { own } from '../../own.js';

/**
 * Media files larger than this are listed as attachments without their bytes (`--max-media-size`):
 * one file must not take the memory of the import, nor exceed what a database row holds.
 */
export const DEFAULT_MAX_MEDIA_BYTES = 256 * 1024 * 1024;
/** SQLite's default limit on one value (SQLITE_MAX_LENGTH): no cap may be above it. */
export const MAX_MEDIA_BYTES_LIMIT = 1_000_000_000;

/** The warning for a file over the cap, the same for folders, tars and zips. */
export function mediaTooLarge(size: number, cap: number): string {
  return `${megabytes(size)} (${size} bytes), larger than the media limit of ${megabytes(cap)} (--max-media-size): listed, not copied into the database`;
}

function megabytes(bytes: number): string {
  if (bytes < 100 * 1024) return `${bytes} bytes`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

/** A file name without folders or control characters. */
export function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  const base = name.replace(/[\u0000-\u001f\u007f]/g, '').split(/[\\/]/).pop()!.trim();
  return base === '' || base === '.' || base === '..' ? 'file' : base;
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  bmp: 'image/bmp',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  mp4: 'video/mp4',
  mov: 'video/quicktime',
  webm: 'video/webm',
  m4a: 'audio/mp4',
  mp3: 'audio/mpeg',
  ogg: 'audio/ogg',
  wav: 'audio/wav',
  amr: 'audio/amr',
  pdf: 'application/pdf',
  txt: 'text/plain',
  zip: 'application/zip',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  oga: 'audio/ogg',
  tgs: 'application/x-tgsticker',
  avif: 'image/avif',
  mkv: 'video/x-matroska',
  opus: 'audio/ogg',
  flac: 'audio/flac',
  log: 'text/plain',
  json: 'application/json',
  '7z': 'application/x-7z-compressed',
  '3gp': 'video/3gpp',
  aac: 'audio/aac',
  vcf: 'text/vcard',
};

/** The MIME type of a file name's extension, when it is a common one. */
export function mimeOf(name: string): string | undefined {
  const dot = name.lastIndexOf('.');
  return dot < 0 ? undefined : own(MIME, name.slice(dot + 1).toLowerCase());
}
