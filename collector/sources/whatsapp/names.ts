/**
 * The chat's name in an export's file name: `WhatsApp Chat with X.txt` (Android), `WhatsApp Chat -
 * X.zip` (iOS), and their translations; a re-export of the chat gets the same name.
 */
import { cleanName } from '../../markup/whatsapp-grammar.js';

/** File-name forms of an export, English first; group 1 is the chat's name. */
const CHAT_FILE_NAMES: readonly RegExp[] = [
  /^WhatsApp Chat with (.+)$/,
  /^WhatsApp Chat - (.+)$/,
  /^WhatsApp[- ]Chat (?:mit|met|med|con|avec|com|z|ile|с) (.+)$/,
  /^(?:Chat de WhatsApp con|Discussion WhatsApp avec|Conversa do WhatsApp com|Chat WhatsApp con|Czat WhatsApp z) (.+)$/,
];

/** The chat's name in an export's file name (`WhatsApp Chat with Bob (1).txt` → `Bob`), or null. */
export function chatNameOf(fileName: string): string | null {
  const stem = stemOf(fileName);
  for (const re of CHAT_FILE_NAMES) {
    const m = re.exec(stem);
    if (m && m[1].trim()) return m[1].trim();
  }
  return null;
}

/** The name without extension and duplicate-download suffix, in NFC (macOS keeps file names in NFD). */
export function stemOf(fileName: string): string {
  return cleanName(fileName.replace(/\.(?:txt|zip)$/i, '').replace(/ \(\d+\)$/, ''));
}
