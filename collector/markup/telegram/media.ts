import { escapeHtml } from '../html.js';
import { own } from '../../own.js';
import { formatDuration } from '../duration.js';
import { count, str, type Output } from './output.js';

/**
 * The media line of a message: a sticker's emoji, what the file itself does not show (an audio's
 * performer, a duration), or a placeholder for a file that is not in the archive. The adapter
 * names attachments the export left out with the same labels and notes.
 */

export const MEDIA_LABELS: Record<string, [icon: string, label: string]> = {
  photo: ['🖼', 'Photo'],
  sticker: ['', 'Sticker'],
  animation: ['🎞', 'GIF'],
  video_file: ['🎬', 'Video'],
  video_message: ['📹', 'Video message'],
  voice_message: ['🎤', 'Voice message'],
  audio_file: ['🎵', 'Audio'],
  file: ['📎', 'File'],
};

/** The Telegram Desktop texts that stand in for a file the export does not contain. */
const NOT_INCLUDED = /\((?:File|Photo) not included\b/;
const TOO_LARGE = /\((?:File|Photo) exceeds maximum size\b/;
const UNAVAILABLE = /\((?:File|Photo) unavailable\b/;

/** Why the export has a note instead of a file path in `photo` or `file`, or null for a path. */
export function notExportedReason(value: string): string | null {
  if (NOT_INCLUDED.test(value)) return 'not included in the export';
  if (TOO_LARGE.test(value)) return 'too large, not included in the export';
  if (UNAVAILABLE.test(value)) return 'was unavailable when the export was made';
  return null;
}

/**
 * Why the file of this message is not in the archive, or null when it is (or there is none).
 * `files`: the message's attachments carry their files (kept from an earlier import): the archive
 * has them, whatever this export wrote in their place.
 */
function missingReason(env: Record<string, unknown>, files: boolean): string | null {
  if (files) return null;
  const value = typeof env.photo === 'string' ? env.photo : typeof env.file === 'string' ? env.file : null;
  if (value === null) return null;
  const reason = notExportedReason(value);
  if (reason) return reason;
  if (env.cc_file_missing === true) return 'missing from the export folder';
  return null;
}

export function writeMedia(env: Record<string, unknown>, out: Output, files = false): void {
  const mediaType = str(env.media_type);
  const reason = missingReason(env, files);
  if (mediaType === 'sticker') {
    const emoji = str(env.sticker_emoji).trim();
    const label = `${emoji ? `${emoji} ` : ''}Sticker${reason ? ` — ${reason}` : ''}`;
    out.line();
    out.raw(`<span class="cc-sticker">${escapeHtml(label)}</span>`, label);
    return;
  }
  const [icon, kind] = own(MEDIA_LABELS, mediaType) ?? (typeof env.photo === 'string' ? MEDIA_LABELS.photo : typeof env.file === 'string' ? MEDIA_LABELS.file : ['', '']);
  if (!kind) return;
  let details = '';
  if (mediaType === 'audio_file') details = [str(env.performer), str(env.title)].filter(Boolean).join(' — ');
  const seconds = count(env.duration_seconds);
  const duration = seconds !== null && seconds > 0 ? formatDuration(seconds) : '';
  if (!reason) {
    // The file is in the archive (the site shows it): only what the file itself does not say.
    const note = [details, duration].filter(Boolean).join(', ');
    if (note && mediaType !== 'animation') {
      out.line();
      out.raw(`<span class="cc-media">${escapeHtml(`${icon} ${kind}: ${note}`)}</span>`, '');
    }
    return;
  }
  const name = str(env.file_name).trim();
  const label = `${kind}${name ? ` “${name}”` : ''}${details ? ` (${details})` : ''}${duration ? `, ${duration}` : ''} — ${reason}`;
  out.line();
  out.raw(`<span class="cc-media-missing">${escapeHtml(icon ? `${icon} ${label}` : label)}</span>`, label);
}
