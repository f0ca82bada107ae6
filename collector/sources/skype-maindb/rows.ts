import type { ListedFile } from '../../markup/skype/xml.js';

/** The rows of main.db the reader uses, and what it gathers from them. */

export interface MessageRow {
  id: number;
  convo_id: number | null;
  chatname: string | null;
  author: string | null;
  from_dispname: string | null;
  guid: Buffer | string | null;
  dialog_partner: string | null;
  timestamp: number | null;
  type: number | null;
  chatmsg_type: number | null;
  chatmsg_status: number | null;
  edited_timestamp: number | null;
  body_xml: string | null;
  body: string | null;
  identities: string | null;
  remote_id: number | null;
  call_guid: string | null;
}
export const MESSAGE_COLUMNS = [
  'id', 'convo_id', 'chatname', 'author', 'from_dispname', 'guid', 'dialog_partner', 'timestamp', 'type',
  'chatmsg_type', 'chatmsg_status', 'edited_timestamp', 'body_xml', 'body', 'identities', 'remote_id', 'call_guid',
] as const;

export interface ConversationRow {
  id: number;
  identity: string | null;
  type: number | null;
  displayname: string | null;
  given_displayname: string | null;
  meta_topic: string | null;
  alt_identity: string | null;
}

export interface ChatRow {
  name: string | null;
  type: number | null;
  topic: string | null;
  friendlyname: string | null;
  dialog_partner: string | null;
  participants: string | null;
  activemembers: string | null;
  conv_dbid: number | null;
}

/** A file sent in a message (Transfers, or the message's own `<files>` list). */
export type Transfer = ListedFile;

export interface CallInfo {
  duration: number | null;
  begin: number | null;
  members: { identity: string; name: string | null; duration: number | null }[];
}

/** One chat to emit: everything main.db files under the same canonical id. */
export interface Unit {
  nativeId: string;
  kind: 'direct' | 'group';
  title: string | null;
  /** Skypenames (or prefixed ids) of the members. */
  members: Set<string>;
  convoIds: Set<number>;
  /** Chatnames of messages that belong to no known conversation. */
  chatnames: Set<string>;
  /** Messages in the unit (for progress). */
  count: number;
}
