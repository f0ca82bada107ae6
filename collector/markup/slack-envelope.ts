/**
 * What the Slack adapter (collector/sources/slack/) writes and the converter reads: the JSON
 * envelope of a message with more than text, and the person ids of Slack users and bots.
 */

/** The envelope the adapter writes for messages with more than text. */
export interface SlackEnvelope {
  text: string;
  attachments?: SlackCard[];
  reactions?: SlackReaction[];
}

/** A legacy message attachment (bot card, link preview): the fields worth showing, all mrkdwn. */
export interface SlackCard {
  pretext?: string;
  service_name?: string;
  author_name?: string;
  title?: string;
  title_link?: string;
  text?: string;
  fields?: { title?: string; value?: string }[];
  /** A shared message's author (`U…`), when `author_name` names a member. */
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
