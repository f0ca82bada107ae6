import { discord } from './discord/index.js';
import { googleChat } from './google-chat.js';
import { own } from '../own.js';
import { irc, ircQuiet } from './irc.js';
import { meta } from './meta.js';
import { mattermost } from './mattermost.js';
import { matrix } from './matrix.js';
import { plain } from './plain.js';
import { skype } from './skype/index.js';
import { slack } from './slack.js';
import { teams } from './teams.js';
import { telegram } from './telegram/index.js';
import { whatsapp } from './whatsapp.js';
import type { MarkupContext, MarkupConverter, RenderedBody } from './types.js';
import { hasInvalidXml, stripInvalidXml } from './html.js';

/** Every markup converter by the name adapters put in MessageRecord.markup. */
const CONVERTERS: Record<string, MarkupConverter> = { plain, skype, slack, discord, whatsapp, telegram, teams, 'google-chat': googleChat, mattermost, matrix, irc, 'irc-quiet': ircQuiet, meta };

/**
 * The version of what the converters make of a body. Raise it when stored rows should look
 * different (new markup the site relies on): the next import renders every stored row again
 * (collector/import/rerender.ts), since an import skips messages whose source did not change.
 * 2: reaction chips with their reactors in the title (markup/reactions.ts).
 * 3: no "not in the export" note beside a file or reply link the store kept (MarkupContext's
 *    files, replyLinked); WhatsApp's omitted media have the caption alone as text (markup/whatsapp.ts).
 * 4: Matrix mentions in any link form (extra attributes, upper case, matrix:u/ URIs) and
 *    Mattermost mentions inside emphasis are person references: stored rows kept the name or id
 *    as text, which hidden authors published.
 */
export const MARKUP_VERSION = 4;

/** The names renderBody takes. */
export const MARKUP_NAMES: readonly string[] = Object.keys(CONVERTERS);

export function renderBody(markup: string, body: string, context: MarkupContext): RenderedBody {
  const convert = own(CONVERTERS, markup);
  if (!convert) throw new Error(`unknown markup converter "${markup}"`);
  const { html, text } = convert(body, context);
  // One guarantee for every converter, whatever it interpolates (a mention's name, an embed's
  // field, a channel's title): no NUL or other control character reaches stored text or HTML.
  if (!hasInvalidXml(html) && !hasInvalidXml(text)) return { html, text };
  return { html: stripInvalidXml(html), text: stripInvalidXml(text) };
}
