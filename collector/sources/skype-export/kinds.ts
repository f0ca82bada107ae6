import { own } from '../../own.js';
import type { ChatRecord, MessageKind } from '../../model.js';

/** What kind of chat and message Skype's ids and `messagetype`s are. */

export function chatKind(id: string): ChatRecord['kind'] {
  if (id.startsWith('19:')) return 'group';
  if (id.startsWith('48:')) return 'channel'; // 48:notes, 48:calllogs…: system feeds
  if (/^\d+:/.test(id)) return 'direct'; // 8: people, 28: bots, 2:/4: phone numbers
  return 'group';
}

const KINDS: Record<string, MessageKind> = {
  Text: 'text',
  RichText: 'text',
  'RichText/Html': 'text',
  'RichText/UriObject': 'media',
  'RichText/Media_GenericFile': 'file',
  'RichText/Media_Video': 'media',
  'RichText/Media_AudioMsg': 'media',
  'RichText/Media_Album': 'media',
  'RichText/Media_Card': 'media',
  'RichText/Media_FlikMsg': 'media',
  'RichText/Media_CallRecording': 'media',
  'RichText/Contacts': 'contact',
  'RichText/Location': 'text',
  'RichText/ScheduledCallInvite': 'call',
  'Event/Call': 'call',
  Poll: 'poll',
  Notice: 'notice',
  PopCard: 'notice',
  'InviteFreeRelationshipChanged/Initialized': 'event',
  'EndToEndEncryption/EncryptedText': 'notice',
};

/** The kind a Skype message type maps to, and whether the type is a known one. */
export function kindOf(type: string): [MessageKind, boolean] {
  const kind = own(KINDS, type);
  if (kind) return [kind, true];
  if (type.startsWith('ThreadActivity/')) return ['event', true];
  if (type.startsWith('RichText/Media_')) return ['media', true];
  if (type.startsWith('Event/')) return ['event', true];
  if (type.startsWith('RichText/')) return ['text', false];
  return ['event', false];
}

export function isTextual(kind: MessageKind): boolean {
  return kind === 'text' || kind === 'media' || kind === 'file';
}
