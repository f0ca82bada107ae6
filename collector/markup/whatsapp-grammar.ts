/**
 * What WhatsApp writes into the text of an "Export chat" besides people's words, read by both the
 * adapter (collector/sources/whatsapp/) and the converter (whatsapp.ts): the invisible marks at
 * line starts and in names, English system lines (who acted, on whom, the group's subject), and
 * the markers in message text (attachments, omitted media, deleted and edited messages, calls,
 * polls). The header lines that start messages are the adapter's (sources/whatsapp/lines.ts).
 * Pure functions only.
 */

/** Invisible marks stripped from line starts and names: bidi marks, embeddings, isolates, BOM. */
const MARK_CLASS = '\\u200E\\u200F\\u202A-\\u202E\\u2066-\\u2069\\uFEFF';
const LEADING_MARKS = new RegExp(`^[${MARK_CLASS}]+`);
const ANY_MARKS = new RegExp(`[${MARK_CLASS}]`, 'g');

/** Removes the invisible marks WhatsApp puts at line starts. */
export function stripLeadingMarks(line: string): string {
  const c = line.charCodeAt(0);
  // Fast path: a line starting with '[' or a digit (every header) or a letter has none.
  if (c < 0x200e) return line;
  return line.replace(LEADING_MARKS, '');
}

/** A name without invisible marks, with ordinary spaces, in NFC: the same person however it was written. */
export function cleanName(name: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(name)) return name.trim();
  // NFC too: a Mac writes "é" as e + U+0301 in file names, a phone as one character.
  return name.replace(ANY_MARKS, '').replace(/[\u00A0\u202F]/g, ' ').trim().normalize('NFC');
}

// ---------------------------------------------------------------------------------------------
// System lines

export interface SystemLine {
  /** Who did it, as named in the line; null when unnamed or "You" (the exporting phone's owner). */
  actor: string | null;
  /** The line is about a group (created, added, left, subject…): the chat is a group. */
  group: boolean;
  /** The group's subject when the line sets it. */
  subject: string | null;
}

const APOS = "['’]";
const OPEN_Q = '["“„«]';
const CLOSE_Q = '["”“»]';
/**
 * English system lines: group 1 is who acted; group 2 the subject (`subject`), or the people acted
 * on (`targets`: "Bob", "Bob, Carol and Dan"). The `d` flag gives their positions (systemLinePeople).
 */
const SYSTEM_LINES: readonly { re: RegExp; group: boolean; subject?: boolean; targets?: boolean }[] = [
  { re: new RegExp(`^(.+?) created group ${OPEN_Q}(.*)${CLOSE_Q}$`, 'd'), group: true, subject: true },
  { re: new RegExp(`^(.+?) changed the subject (?:from ${OPEN_Q}.*${CLOSE_Q} )?to ${OPEN_Q}(.*)${CLOSE_Q}$`, 'd'), group: true, subject: true },
  { re: new RegExp(`^(.+?) changed (?:this group${APOS}s|the group) (?:icon|description|settings|name)`, 'd'), group: true },
  { re: new RegExp(`^(.+?) (?:deleted|removed) this group${APOS}s (?:icon|description)`, 'd'), group: true },
  { re: new RegExp(`^(.+?) joined using this group${APOS}s invite link$`, 'd'), group: true },
  { re: /^(.+?) created this group$/d, group: true },
  { re: /^(.+?) (?:added|removed) (.+)$/d, group: true, targets: true },
  { re: /^(.+?) left$/d, group: true },
  { re: /^(.+?) changed (?:their|your) phone number/d, group: false },
  { re: /^(.+?) changed to (\S.*)$/d, group: false, targets: true },
];
/**
 * The end-to-end encryption notice, in each wording exports have had ("Messages and calls are
 * end-to-end encrypted. No one outside of this chat…", "Messages to this group are now secured…",
 * "Messages you send to this chat and calls are now secured…") with their "Tap to learn more.",
 * as the whole text: a person who says more wrote a message. Group 1 says whether it is about a group.
 */
const ENCRYPTION_NOTICE = new RegExp(
  '^Messages (?:and calls |you send )?(?:(?:and calls )?to this (chat|group) (?:and calls )?)?are (?:now )?' +
    '(?:secured with end-to-end encryption|end-to-end encrypted)\\.?' +
    '(?: No one outside of this chat, not even WhatsApp, can read or listen to them\\.| Only people in this chat can read, listen to,? or share them\\.)?' +
    '(?: (?:Tap|Click) (?:to learn more|for more info)\\.| Learn more\\.)?$',
);

/**
 * Whether the text is WhatsApp's encryption notice: a system line however it comes, even credited
 * to the chat ("Trip: Messages and calls are…") without iOS's mark for text it wrote itself.
 */
export function isEncryptionNotice(text: string): boolean {
  return ENCRYPTION_NOTICE.test(text);
}

/** What an English system line says about who did it and about the chat; others are unnamed. */
export function parseSystemLine(text: string): SystemLine {
  const notice = ENCRYPTION_NOTICE.exec(text);
  if (notice) return { actor: null, group: notice[1] === 'group', subject: null };
  for (const { re, group, subject } of SYSTEM_LINES) {
    const m = re.exec(text);
    if (!m) continue;
    const actor = cleanName(m[1]);
    return { actor: namesSomeone(actor) ? actor : null, group, subject: subject ? m[2] : null };
  }
  return { actor: null, group: false, subject: null };
}

/** The person a name in an export stands for: authors, and the people system lines name. */
export function whatsappPersonId(name: string): string {
  return `whatsapp:${name}`;
}

/** A person named in a system line: where (in the line's text) and the name, cleaned. */
export interface NamedSpan {
  start: number;
  end: number;
  name: string;
}

/** "You" (the exporting phone's owner) names nobody the archive knows. */
function namesSomeone(name: string): boolean {
  return name !== '' && name.length <= 128 && !/^you$/i.test(name);
}

/**
 * The people an English system line names, in order: who acted ("Loris added …") and who was
 * acted on ("… added John, Emily and Ben", "+1 555 changed to +1 556"). Other lines: none.
 */
export function systemLinePeople(text: string): NamedSpan[] {
  if (ENCRYPTION_NOTICE.test(text)) return [];
  for (const { re, targets } of SYSTEM_LINES) {
    const m = re.exec(text);
    if (!m) continue;
    const spans: NamedSpan[] = [];
    const add = (start: number, end: number) => {
      const name = cleanName(text.slice(start, end));
      if (namesSomeone(name)) spans.push({ start, end, name });
    };
    add(m.indices![1][0], m.indices![1][1]);
    if (targets) {
      const [from, to] = m.indices![2];
      let start = from;
      for (const sep of text.slice(from, to).matchAll(/, | and /g)) {
        add(start, from + sep.index!);
        start = from + sep.index! + sep[0].length;
      }
      add(start, to);
    }
    return spans;
  }
  return [];
}

// ---------------------------------------------------------------------------------------------
// Markers in message text

export interface MediaMarker {
  /** The file's name, when the marker names one. */
  name: string | null;
  /** The export left the file out ("<Media omitted>", "image omitted"). */
  omitted: boolean;
  /** The text besides the marker (an Android caption), or ''. */
  caption: string;
  /** The marker names a file only if the archive has it (an unknown "(… attached)" wording). */
  needsFile: boolean;
}

const ATTACHED = /^< ?attached: ?([^<>\n]+?) ?>$/;
const FILE_ATTACHED = /^(.+?\.[A-Za-z0-9]{1,10}) \(([^()]{2,40})\)$/;
const ATTACHED_WORDS = new Set([
  'file attached', 'Datei angehängt', 'archivo adjunto', 'fichier joint', 'file allegato', 'arquivo anexado',
  'ficheiro anexado', 'bestand bijgevoegd', 'dosya ekli', 'plik załączony',
]);
const OMITTED = new RegExp(
  '^(?:<(?:Media omitted|Medien ausgeschlossen|Multimedia omitido|Médias omis|Media omessi|Mídia oculta|Arquivo de mídia oculto|Media weggelaten)>' +
    '|(?:image|video|audio|sticker|GIF|document|Contact card|video note) omitted|.+ document omitted)$',
);

/** The media marker a message's text is or starts with, or null. */
export function mediaMarker(text: string): MediaMarker | null {
  const nl = text.indexOf('\n');
  const first = stripLeadingMarks(nl < 0 ? text : text.slice(0, nl)).trimEnd();
  const caption = nl < 0 ? '' : text.slice(nl + 1);
  let m = ATTACHED.exec(first);
  if (m) return { name: m[1], omitted: false, caption, needsFile: false };
  m = FILE_ATTACHED.exec(first);
  if (m) return { name: m[1], omitted: false, caption, needsFile: !ATTACHED_WORDS.has(m[2]) };
  if (OMITTED.test(first)) return { name: null, omitted: true, caption, needsFile: false };
  return null;
}

const DELETED = /^(?:This message was deleted|You deleted this message)\.?$/;

/** The text WhatsApp leaves in place of a deleted message. */
export function isDeletedNotice(text: string): boolean {
  return DELETED.test(text);
}

// Android: "text <This message was edited>"; iOS marks it with U+200E.
const EDITED = /\s*\u200e?<This message was edited>$/;

/** Whether WhatsApp marked the text as edited (the body is the text after the edit). */
export function isEditedText(text: string): boolean {
  return EDITED.test(text);
}

const CALL = /^(?:Missed )?(?:group )?(?:voice|video) call\b/i;

/** iOS call lines ("‎Missed voice call", "‎Video call, 12 min"), credited to the caller. */
export function isCallNotice(text: string): boolean {
  return CALL.test(text);
}

/** A poll: `POLL:`, the question, then `OPTION: text (n votes)` lines. */
export function isPoll(text: string): boolean {
  return /^POLL:\s*\n/.test(text) && /\n[\u200E\u200F]*OPTION: /.test(text);
}

export interface Poll {
  question: string;
  options: { text: string; votes: number | null }[];
}

/** A poll's question and options, or null when the text is no poll. */
export function parsePoll(text: string): Poll | null {
  if (!isPoll(text)) return null;
  const lines = text.split('\n').map(stripLeadingMarks);
  const question: string[] = [];
  const options: Poll['options'] = [];
  for (const line of lines.slice(1)) {
    const option = /^OPTION: (.*?)(?: \((\d+) votes?\))?$/.exec(line);
    if (option) options.push({ text: option[1], votes: option[2] === undefined ? null : Number(option[2]) });
    else if (options.length === 0) question.push(line);
    else options[options.length - 1].text += `\n${line}`;
  }
  return { question: question.join('\n').trim(), options };
}
