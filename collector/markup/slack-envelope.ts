/**
 * What the Slack adapter (collector/sources/slack/) writes and the converter reads: the JSON
 * envelope of a message with more than text, and the person ids of Slack users and bots.
 */

/** The envelope the adapter writes for messages with more than text. */
export interface SlackEnvelope {
  /** The message's `text`, exactly as the export has it. */
  text: string;
  /** What shows when `text` is empty: the text of the message's Block Kit blocks (mrkdwn). */
  blocks?: string;
  /** An event's subtype, shown (`channel archive`) when it has no text. */
  subtype?: string;
  /** Who did an event (a user id), shown before its text when the text leaves them out (bot_add). */
  actor?: string;
  /**
   * Current names (users.json, the channel lists) of the ids the text, blocks and cards mention
   * and of a card's author: user or bot id → display name, channel id → name. The text keeps its
   * ids; the converter names them.
   */
  names?: Record<string, string>;
  attachments?: SlackCard[];
  reactions?: SlackReaction[];
}

/**
 * A legacy message attachment (bot card, link preview): the fields worth showing, as the export has
 * them, with Slack's escaping of `&`, `<`, `>` (undone once when rendered).
 */
export interface SlackCard {
  pretext?: string;
  service_name?: string;
  author_name?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: { title?: string; value?: string }[];
  /** A shared message's author (`U…`), when `author_name` names a member (named from `names`). */
  author_id?: string;
  footer?: string;
  fallback?: string;
  image_url?: string;
  from_url?: string;
}

export interface SlackReaction {
  /** Emoji shortcode without colons, skin tone included: `+1::skin-tone-2`. */
  name: string;
  count: number;
  /** Who reacted: user id and display name (a bare string is a name without an id). */
  users: (SlackReactor | string)[];
}

export interface SlackReactor {
  id: string;
  name: string;
}

/** A user or bot id as Slack writes it (`U0G9QF9C6`, `W…` in Enterprise Grid, `B…` for bots). */
export const SLACK_ID = /^[A-Z][A-Z0-9]{1,30}$/;

/** The person id the Slack adapter gives a user or bot (its authors, members and mentions). */
export function slackPerson(id: string): string {
  return `slack:${id}`;
}
