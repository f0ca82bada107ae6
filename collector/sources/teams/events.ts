import type { TeamsEvent, TeamsPerson } from '../../markup/teams.js';
import { isObject, list, str, type JsonObject } from '../kit/fields.js';
import { parseDuration } from './time.js';

/**
 * A system message's `eventDetail` → the converter's TeamsEvent. Graph names the event by
 * `@odata.type` (`#microsoft.graph.membersAddedEventMessageDetail`) with its fields beside it;
 * Microsoft's export tool writes one property per event type (`MembersAdded: {…}`, the others
 * null) with `Initiator` at the top, and sometimes no details at all (the event is then shown as
 * such, by its initiator). Keys arrive lower-cased (keys.ts).
 */
const TYPES = [
  'membersAdded', 'membersDeleted', 'membersJoined', 'membersLeft', 'chatRenamed', 'channelRenamed', 'channelAdded',
  'channelDeleted', 'channelDescriptionUpdated', 'channelSetAsFavoriteByDefault', 'channelUnsetAsFavoriteByDefault',
  'teamCreated', 'teamRenamed', 'teamDescriptionUpdated', 'teamArchived', 'teamUnarchived', 'teamJoiningDisabled',
  'teamJoiningEnabled', 'messagePinned', 'messageUnpinned', 'callStarted', 'callEnded', 'callRecording', 'callTranscript',
  'teamsAppInstalled', 'teamsAppRemoved', 'teamsAppUpgraded', 'conversationMemberRoleUpdated', 'tabUpdated',
  'meetingPolicyUpdated',
];
const CANONICAL = new Map(TYPES.map((t) => [t.toLowerCase(), t]));
const NAME_FIELDS = [
  'chatdisplayname', 'channeldisplayname', 'teamdisplayname', 'channeldescription', 'teamdescription',
  'teamsappdisplayname', 'callrecordingdisplayname',
];

export function eventOf(detail: JsonObject, person: (identity: unknown) => TeamsPerson | null): TeamsEvent {
  let type = '';
  let fields: JsonObject = detail;
  const odata = /#microsoft\.graph\.(\w+)EventMessageDetail$/i.exec(str(detail['@odata.type']) ?? '');
  if (odata) {
    type = CANONICAL.get(odata[1].toLowerCase()) ?? odata[1];
  } else {
    const key = [...CANONICAL.keys()].find((k) => isObject(detail[k])) ?? (str(detail.eventtype)?.toLowerCase() || '');
    type = CANONICAL.get(key) ?? '';
    if (isObject(detail[key])) fields = detail[key] as JsonObject;
  }
  const event: TeamsEvent = { type };
  const actor = person(fields.initiator ?? detail.initiator);
  if (actor) event.actor = actor;
  // Members are teamworkUserIdentity objects ({id, displayName}); call participants identity sets.
  const members = [...list(fields.members), ...list(fields.callparticipants).map((p) => (isObject(p) ? p.participant : null))]
    .slice(0, 100)
    .map((m) => (isObject(m) && str(m.id) ? person({ user: m }) : person(m)))
    .filter((p): p is TeamsPerson => p !== null);
  if (members.length) event.members = members;
  const name = NAME_FIELDS.map((f) => str(fields[f])).find((n) => n !== null);
  if (name) event.name = name;
  const seconds = parseDuration(fields.callduration);
  if (seconds !== null) event.seconds = seconds;
  return event;
}
