import { hexOf, nonBlank, positive, splitNames } from './cells.js';
import type { Db } from './open.js';
import type { CallInfo, MessageRow, Transfer } from './rows.js';
import type { Schema } from './schema.js';

/**
 * What other tables tell about a message: the files of a type-68 message (Transfers, by
 * chatmsg_guid = Messages.guid), a call's members and durations (Calls, CallMembers), the text of
 * an SMS (SMSes).
 */
export class MessageExtras {
  readonly transfers = new Map<string, Transfer[]>();
  private readonly callsByGuid = new Map<string, CallInfo>();
  private readonly callsByConvo = new Map<number, CallInfo[]>();
  readonly smses = new Map<number, { body: string; targets: string[] }>();

  constructor(
    private readonly db: Db,
    private readonly schema: Schema,
  ) {}

  load(): void {
    const s = this.schema;
    if (s.has('Transfers', 'chatmsg_guid') && s.has('Transfers', 'filename')) {
      const rows = this.db
        .prepare(
          `SELECT ${s.select('Transfers', 't', ['chatmsg_guid', 'chatmsg_index', 'filename', 'filesize'])}
           FROM ${s.table('Transfers')} t WHERE t.chatmsg_guid IS NOT NULL ORDER BY t.rowid`,
        )
        .all() as { chatmsg_guid: Buffer | string; chatmsg_index: number | null; filename: string | null; filesize: string | number | null }[];
      for (const row of rows) {
        const guid = hexOf(row.chatmsg_guid);
        const name = nonBlank(row.filename);
        if (!guid || !name) continue;
        // An outgoing transfer to a group has one row per recipient: one file.
        const list = this.transfers.get(guid) ?? [];
        if (list.some((t) => t.name === name && t.index === row.chatmsg_index)) continue;
        const size = Number(row.filesize);
        list.push({ name, size: Number.isFinite(size) && size > 0 ? size : null, index: row.chatmsg_index });
        this.transfers.set(guid, list);
      }
    }
    if (s.has('Calls', 'id')) {
      const calls = new Map<number, CallInfo>();
      const rows = this.db
        .prepare(`SELECT ${s.select('Calls', 'c', ['id', 'conv_dbid', 'begin_timestamp', 'duration'])} FROM ${s.table('Calls')} c`)
        .all() as { id: number; conv_dbid: number | null; begin_timestamp: number | null; duration: number | null }[];
      for (const row of rows) {
        const call: CallInfo = { duration: positive(row.duration), begin: row.begin_timestamp, members: [] };
        calls.set(row.id, call);
        if (row.conv_dbid != null) {
          const list = this.callsByConvo.get(row.conv_dbid) ?? [];
          list.push(call);
          this.callsByConvo.set(row.conv_dbid, list);
        }
      }
      for (const list of this.callsByConvo.values()) list.sort((a, b) => (a.begin ?? 0) - (b.begin ?? 0));
      if (s.has('CallMembers', 'call_db_id')) {
        const members = this.db
          .prepare(
            `SELECT ${s.select('CallMembers', 'm', ['call_db_id', 'guid', 'identity', 'dispname', 'call_duration'])}
             FROM ${s.table('CallMembers')} m ORDER BY m.rowid`,
          )
          .all() as { call_db_id: number | null; guid: string | null; identity: string | null; dispname: string | null; call_duration: number | null }[];
        for (const member of members) {
          const call = member.call_db_id != null ? calls.get(member.call_db_id) : undefined;
          if (!call) continue;
          if (member.identity) call.members.push({ identity: member.identity, name: nonBlank(member.dispname), duration: positive(member.call_duration) });
          if (member.guid) this.callsByGuid.set(member.guid, call);
        }
      }
    }
    if (s.has('SMSes', 'chatmsg_id') && s.has('SMSes', 'body')) {
      const rows = this.db
        .prepare(`SELECT ${s.select('SMSes', 's', ['chatmsg_id', 'body', 'target_numbers'])} FROM ${s.table('SMSes')} s WHERE s.chatmsg_id IS NOT NULL`)
        .all() as { chatmsg_id: number; body: string | null; target_numbers: string | null }[];
      for (const row of rows) {
        if (row.body) this.smses.set(row.chatmsg_id, { body: row.body, targets: splitNames(row.target_numbers) });
      }
    }
  }

  /** The call a type-30/39 message belongs to: by call_guid, else the latest begun in its conversation. */
  callOf(row: MessageRow): CallInfo | null {
    if (row.call_guid) {
      const call = this.callsByGuid.get(row.call_guid);
      if (call) return call;
    }
    const list = row.convo_id != null ? this.callsByConvo.get(row.convo_id) : undefined;
    if (!list || row.timestamp == null) return null;
    let found: CallInfo | null = null;
    for (const call of list) {
      if (call.begin != null && call.begin <= row.timestamp) found = call;
      else break;
    }
    return found;
  }
}
