/**
 * The chat an export holds: its name (from the export's file name, else the group's last subject,
 * else the file name with a warning), whether it is a group, and its members.
 */
import { cleanName, whatsappPersonId } from '../../markup/whatsapp-grammar.js';
import type { ChatRecord } from '../../model.js';
import type { Warnings } from '../kit/warnings.js';
import type { ChatInput } from './input.js';
import { chatNameOf, stemOf } from './names.js';
import type { FormSurvey } from './survey.js';

/** The chat record of an export, from its file names and what pass 1 learned of its headers. */
export function chatRecord(input: ChatInput, form: FormSurvey, warnings: Warnings): ChatRecord {
  const authors = [...form.authors];
  const kind = form.group || authors.length > 2 ? 'group' : 'direct';
  const name = chatName(input, form.subject, warnings);
  return {
    nativeId: `whatsapp:${name}`,
    title: name,
    kind,
    members: authors.map((author) => ({ nativeId: whatsappPersonId(author), displayName: author })),
  };
}

function chatName(input: ChatInput, subject: string | null, warnings: Warnings): string {
  const { textName, zipName } = input;
  const fromFile = (textName !== '_chat.txt' ? chatNameOf(textName) : null) ?? (zipName ? chatNameOf(zipName) : null);
  if (fromFile) return fromFile;
  if (subject && cleanName(subject)) return cleanName(subject);
  const stem = textName !== '_chat.txt' || !zipName ? stemOf(textName) : stemOf(zipName);
  warnings.add(
    input.file,
    `the file name does not name the chat (as "WhatsApp Chat with <name>.txt" or "WhatsApp Chat - <name>.zip" do): ` +
      `it is imported as chat "${stem}"; keep the name when re-importing, or the messages form a second chat`,
  );
  return stem || 'chat';
}
