import { isObject, num, str, text, type JsonObject } from '../kit/fields.js';

/**
 * What the first pass learns of each room, so that the second can map every event alone: who
 * sent which event when (for reply keys and edit checks), the latest valid edit of each event,
 * the reactions to it, what was redacted, and each member's display names over time. Events may
 * come in any order (`/messages` pages newest first, a reaction before its message in a folder of
 * pages), so nothing here depends on it.
 */
export interface Edit {
  id: string;
  sender: string;
  time: number;
  content: JsonObject;
}

interface NameChange {
  time: number;
  name: string | null;
  /** The name before (`unsigned.prev_content`), for messages older than every member event seen. */
  before: string | null;
  /** A membership change that names nobody new (settle() gives it the name before). */
  keeps: boolean;
}

export class Room {
  readonly sent = new Map<string, { sender: string; time: number }>();
  readonly edits = new Map<string, Edit>();
  /** Target event → reaction event id → the reaction. */
  readonly reactions = new Map<string, Map<string, { key: string; sender: string }>>();
  readonly redacted = new Set<string>();
  private readonly names = new Map<string, NameChange[]>();
  readonly membership = new Map<string, string>();
  private membershipTime = new Map<string, number>();
  title: { time: number; name: string | null } | null = null;
  direct = false;

  constructor(readonly id: string) {}

  learn(e: JsonObject): void {
    const id = str(e.event_id);
    const sender = str(e.sender);
    const time = num(e.origin_server_ts) ?? NaN;
    const content = isObject(e.content) ? e.content : {};
    const unsigned = isObject(e.unsigned) ? e.unsigned : {};
    if (id && sender && Number.isFinite(time) && !this.sent.has(id)) this.sent.set(id, { sender, time });
    if (id && isObject(unsigned.redacted_because)) this.redacted.add(id);
    const type = str(e.type);
    if (type === 'm.room.redaction') {
      const target = str(e.redacts) ?? str(content.redacts);
      if (target) this.redacted.add(target);
      return;
    }
    // A server's bundled latest edit (`unsigned["m.relations"]["m.replace"]`, a whole event since Matrix 1.7).
    const relations = isObject(unsigned['m.relations']) ? unsigned['m.relations'] : {};
    if (id && isObject(relations['m.replace'])) this.edit(id, relations['m.replace']);
    const relation = isObject(content['m.relates_to']) ? content['m.relates_to'] : {};
    const target = str(relation.event_id);
    if (target && relation.rel_type === 'm.replace' && id) this.edit(target, e);
    if (target && relation.rel_type === 'm.annotation' && type === 'm.reaction' && id && sender && str(relation.key)) {
      const byEvent = this.reactions.get(target) ?? new Map<string, { key: string; sender: string }>();
      this.reactions.set(target, byEvent);
      byEvent.set(id, { key: str(relation.key)!, sender });
    }
    if (type === 'm.room.member' && sender && Number.isFinite(time)) this.member(e, content, unsigned, time);
    if (type === 'm.room.name' && Number.isFinite(time) && time >= (this.title?.time ?? -Infinity)) this.title = { time, name: str(content.name)?.trim() || null };
  }

  private edit(target: string, e: JsonObject): void {
    const id = str(e.event_id);
    const sender = str(e.sender);
    const time = num(e.origin_server_ts) ?? NaN;
    const content = isObject(e.content) ? e.content['m.new_content'] : null;
    if (!id || !sender || !Number.isFinite(time) || !isObject(content)) return;
    const known = this.edits.get(target);
    // The latest edit wins; of two at the same time, the greater id, so that the order of input does not matter.
    if (!known || time > known.time || (time === known.time && id > known.id)) this.edits.set(target, { id, sender, time, content });
  }

  private member(e: JsonObject, content: JsonObject, unsigned: JsonObject, time: number): void {
    const user = str(e.state_key);
    if (!user) return;
    const prev = isObject(unsigned.prev_content) ? unsigned.prev_content : isObject(e.prev_content) ? e.prev_content : {};
    const changes = this.names.get(user) ?? [];
    this.names.set(user, changes);
    const membership = str(content.membership);
    // A leave, kick or ban usually carries no display name: the person keeps the one they had.
    changes.push({ time, name: nameOf(content), before: nameOf(prev), keeps: membership !== 'join' && membership !== 'invite' && !nameOf(content) });
    if (membership && time >= (this.membershipTime.get(user) ?? -Infinity)) {
      this.membership.set(user, membership);
      this.membershipTime.set(user, time);
    }
    if (content.is_direct === true) this.direct = true;
  }

  /** Sorts what was learnt by time: call once, after the first pass. */
  settle(): void {
    for (const changes of this.names.values()) {
      changes.sort((a, b) => a.time - b.time);
      changes.forEach((c, i) => {
        if (c.keeps) c.name = c.before ?? (i > 0 ? changes[i - 1].name : null);
      });
    }
  }

  /** The user's display name at `time`: the latest member event before it, else what the first one after it replaced. */
  nameAt(user: string, time: number): string | null {
    const changes = this.names.get(user);
    if (!changes?.length) return null;
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid].time <= time) lo = mid + 1;
      else hi = mid;
    }
    return lo > 0 ? changes[lo - 1].name : changes[0].before;
  }

  /** The user's latest display name. */
  latestName(user: string): string | null {
    return this.names.get(user)?.at(-1)?.name ?? null;
  }

  /** Everyone with a member event, latest names first known. */
  users(): string[] {
    return [...this.names.keys()];
  }
}

function nameOf(content: JsonObject): string | null {
  return text(content.displayname).trim().slice(0, 256) || null;
}
