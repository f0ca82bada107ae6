/**
 * The caps on what an adapter holds in memory at once. Exports are untrusted: a 3 MB zip can
 * inflate to gigabytes, a text file can be one endless line or one message with endless
 * continuation lines. Everything bigger than one of these is streamed, skipped or refused, so
 * peak memory stays bounded whatever the input. Each cap sits far above anything a real export
 * holds; the README's "Limits" paragraph lists them for users.
 *
 * Media files have their own cap (set by the media code), not here.
 */

/**
 * A JSON file read and parsed whole: the metadata lists (Slack users.json, channels.json…) and
 * Slack's day files. JSON.parse needs a few times the file's size, so 128 MiB keeps the peak under
 * about a gigabyte; the largest real lists are a few tens of MB. A metadata file over it stops the
 * import (the export cannot be read without it); a day file over it is skipped with a warning.
 */
export const MAX_JSON_FILE_BYTES = 128 << 20;

/**
 * One message (or record) taken alone from a stream: a JSON value the scanner hands over, a
 * WhatsApp message with its continuation lines. Chat apps cap messages at tens of KB; 16 MiB
 * leaves room for long quoted bodies, embeds and reactions. A message over it is skipped with a
 * warning naming its position; the rest of the file imports.
 */
export const MAX_RECORD_BYTES = 16 << 20;

/**
 * One line of a text log (WhatsApp chat text, IRC logs). An IRC line is at most 512 bytes on the
 * wire and a WhatsApp message at most 65,536 characters; a longer "line" is binary data or an
 * attack. It is skipped (counted in a warning), never held.
 */
export const MAX_LINE_BYTES = 1 << 20;

/** "16 MiB" for messages about a limit. */
export function formatLimit(bytes: number): string {
  if (bytes >= 1 << 20 && bytes % (1 << 20) === 0) return `${bytes / (1 << 20)} MiB`;
  if (bytes >= 1 << 10 && bytes % (1 << 10) === 0) return `${bytes / (1 << 10)} KiB`;
  return `${bytes} bytes`;
}
