import { DAY_MS } from '../../../collector/store/contract.js';
import { HEATMAP_YEARS, yearOfDay, type ChatActivity } from '../../data/activity.js';
import type { ChatSummary } from '../../data/catalog.js';
import type { LocalCalendar } from '../../data/local-calendar.js';
import type { BuildSession } from '../../data/session.js';
import { formatCount, plural } from '../../templates/common.js';
import { escapeHtml, text } from '../escape.js';
import { dayAnchor, sitePaths, type Links } from '../links.js';
import { isoTime } from '../time.js';
import { renderHeatLegend, renderHeatmapYear, type HeatmapDay } from './heatmap.js';
import { renderMonthBars, type MonthBar } from './month-bars.js';
import { heatLevels } from './svg.js';
import { orderTalkers, renderWhoTalks, talkers, type WhoTalksRow } from './who-talks.js';

/**
 * The "Activity" section of a chat's landing page and of the home page: a heatmap of the last
 * HEATMAP_YEARS calendar years (newest on top) and bars for every month, then the same months as
 * a table (folded) for screen readers and anyone who wants the numbers. Where a day or month
 * links to: on a landing page, the archive page holding its first message, at the day separator
 * of that message's day; on the home page (every chat together), the search page filtered to it
 * when search is on, else nowhere.
 */
export interface Destination {
  day(dayKey: number): string | null;
  month(month: string): string | null;
}

/** The activity of one chat, with links into its archive. */
export function renderChatActivity(session: BuildSession, chat: ChatSummary, links: Links): string {
  const activity = session.activity.of(chat);
  const { calendar } = session.activity;
  const { reader, catalog } = session;
  const at = (time: number): string => `${sitePaths.archive(chat.slug, catalog.pagePath(chat.id, time))}#${dayAnchor(calendar.dayKey(time))}`;
  const destination: Destination = {
    day(dayKey) {
      // Most days lie on one archive page; a day across two (a UTC month or day page ends inside
      // it) goes to the page of its first message.
      const start = calendar.dayStart(dayKey);
      const page = catalog.pagePath(chat.id, start);
      if (page === catalog.pagePath(chat.id, calendar.dayStart(dayKey + 1) - 1)) return links.to(`${sitePaths.archive(chat.slug, page)}#${dayAnchor(dayKey)}`);
      const first = reader.firstAtOrAfter(chat.id, start);
      return first === null ? null : links.to(at(first));
    },
    month(month) {
      const first = reader.firstAtOrAfter(chat.id, calendar.dayStart(calendar.monthFirstDay(month)));
      return first === null ? null : links.to(at(first));
    },
  };
  return renderActivity(session, activity.months, activity.days, activity.daysFrom, activity.undated, destination, 'chat');
}

/** Every published chat's activity together (the home page). */
export function renderSiteActivity(session: BuildSession, links: Links): string {
  const { calendar } = session.activity;
  const all = session.catalog.chats.map((chat) => session.activity.of(chat));
  const months = new Map<string, number>();
  let undated = 0;
  let lastDay = -Infinity;
  for (const activity of all) {
    for (const [month, n] of activity.months) months.set(month, (months.get(month) ?? 0) + n);
    undated += activity.undated;
    if (activity.days.length) lastDay = Math.max(lastDay, activity.days[activity.days.length - 1][0]);
  }
  // The heatmap's years end with the newest message of any chat; each chat's days cover its own
  // last years, which start no later than these.
  const daysFrom = lastDay === -Infinity ? 0 : heatmapStart(calendar, lastDay);
  const days = new Map<number, number>();
  for (const activity of all) {
    for (const [day, n] of activity.days) if (day >= daysFrom) days.set(day, (days.get(day) ?? 0) + n);
  }
  const search = session.options.search;
  const destination: Destination = {
    day: (dayKey) => (search ? links.to(`${sitePaths.search}?after=${calendar.dateOf(dayKey)}&before=${calendar.dateOf(dayKey + 1)}`) : null),
    month: (month) => (search ? links.to(`${sitePaths.search}?after=${month}&before=${calendar.nextMonth(month)}`) : null),
  };
  return renderActivity(
    session,
    [...months].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
    [...days].sort((a, b) => a[0] - b[0]),
    daysFrom,
    undated,
    destination,
    'site',
  );
}

/** Day key of 1 January of the first heatmap year, for a newest day. */
function heatmapStart(calendar: LocalCalendar, lastDay: number): number {
  return calendar.monthFirstDay(`${String(yearOfDay(calendar, lastDay) - HEATMAP_YEARS + 1).padStart(4, '0')}-01`);
}

function renderActivity(
  session: BuildSession,
  months: readonly [string, number][],
  days: readonly [number, number][],
  daysFrom: number,
  undated: number,
  destination: Destination,
  scope: 'chat' | 'site',
): string {
  if (months.length === 0) return '';
  const { time } = session;
  const { calendar } = session.activity;
  const messages = (n: number): string => plural(session, n, 'message', 'messages');
  let html = '<section class="cc-activity" aria-labelledby="cc-activity-heading"><h2 id="cc-activity-heading">Activity</h2>';
  // A keyboard user can step over a few hundred day links.
  html += '<a class="cc-skip-activity" href="#cc-activity-end">Skip the activity charts</a>';

  // Heatmap: the last HEATMAP_YEARS years, newest first.
  const level = heatLevels(days.map((d) => d[1]));
  const dayMap = new Map<number, HeatmapDay>();
  for (const [day, count] of days) {
    if (day < daysFrom) continue;
    dayMap.set(day, { count, href: destination.day(day), label: `${time.dayLabel(day)}: ${messages(count)}` });
  }
  const lastYear = Number(months[months.length - 1][0].slice(0, -3));
  const firstYear = Math.max(Number(months[0][0].slice(0, -3)), lastYear - HEATMAP_YEARS + 1);
  const monthNames = Array.from({ length: 12 }, (_, m) => time.shortMonthLabel(`2000-${String(m + 1).padStart(2, '0')}`));
  const weekdays = weekdayNames(session.options.lang);
  let heat = '';
  for (let year = lastYear; year >= firstYear; year--) {
    const firstDay = calendar.monthFirstDay(`${String(year).padStart(4, '0')}-01`);
    const length = calendar.monthFirstDay(`${String(year + 1).padStart(4, '0')}-01`) - firstDay;
    let count = 0;
    let active = 0;
    for (let day = firstDay; day < firstDay + length; day++) {
      const info = dayMap.get(day);
      if (info) {
        count += info.count;
        active++;
      }
    }
    heat += renderHeatmapYear({
      id: `cc-heat-${year}`,
      caption: `<span class="cc-heat-year">${year}</span> <span class="cc-count">${escapeHtml(messages(count))} on ${escapeHtml(plural(session, active, 'day', 'days'))}</span>`,
      firstDay,
      length,
      days: dayMap,
      level,
      monthNames,
      weekdayNames: weekdays,
      monthStarts: Array.from({ length: 12 }, (_, m) => calendar.monthFirstDay(`${String(year).padStart(4, '0')}-${String(m + 1).padStart(2, '0')}`)),
    });
  }
  html += `<div class="cc-heatmaps">${heat}</div>${renderHeatLegend('Fewer', 'More')}`;

  // Month bars: every month from the first to the last.
  const counts = new Map(months);
  const bars: MonthBar[] = [];
  for (let month = months[0][0]; ; month = calendar.nextMonth(month)) {
    const count = counts.get(month) ?? 0;
    bars.push({ month, count, href: count ? destination.month(month) : null, label: `${time.monthLabel(month)}: ${messages(count)}` });
    if (month >= months[months.length - 1][0]) break;
  }
  const total = months.reduce((n, m) => n + m[1], 0);
  const span = months.length > 1 ? `${text(time.monthLabel(months[0][0]))} – ${text(time.monthLabel(months[months.length - 1][0]))}` : text(time.monthLabel(months[0][0]));
  const max = Math.max(...months.map((m) => m[1]));
  html += renderMonthBars('cc-month-bars-caption', `Messages per month, ${span}`, bars, formatCount(session, max));

  // The same as a table.
  html += '<details class="cc-activity-table"><summary>Messages per month, as a table</summary><table>';
  html += `<caption class="cc-visually-hidden">Messages per month${scope === 'site' ? ' in all chats' : ''}</caption>`;
  html += '<thead><tr><th scope="col">Month</th><th scope="col">Messages</th></tr></thead><tbody>';
  for (const bar of bars) {
    if (bar.count === 0) continue;
    const label = text(time.monthLabel(bar.month));
    html += `<tr><th scope="row">${bar.href ? `<a href="${escapeHtml(bar.href)}">${label}</a>` : label}</th><td>${formatCount(session, bar.count)}</td></tr>`;
  }
  html += '</tbody></table></details>';

  const notes = [`Days and months in ${text(time.zoneLabel)}`, `${escapeHtml(messages(total))} in all`];
  if (undated > 0) notes.push(`${escapeHtml(plural(session, undated, 'message has', 'messages have'))} an implausible date and ${undated === 1 ? 'is' : 'are'} not shown`);
  html += `<p class="cc-activity-note" id="cc-activity-end" tabindex="-1">${notes.join(' · ')}.</p>`;
  return `${html}</section>`;
}

const weekdayFormats = new Map<string, readonly [string, string, string]>();

/** Short names of Monday, Wednesday and Friday in the site's language. */
function weekdayNames(lang: string): readonly [string, string, string] {
  let names = weekdayFormats.get(lang);
  if (!names) {
    const format = new Intl.DateTimeFormat(lang, { timeZone: 'UTC', weekday: 'short' });
    // 5, 7 and 9 January 1970 were a Monday, a Wednesday and a Friday.
    names = [format.format(4 * DAY_MS), format.format(6 * DAY_MS), format.format(8 * DAY_MS)];
    weekdayFormats.set(lang, names);
  }
  return names;
}

/** A chat's "Who talks" section (names as the `authors` option says). */
export function renderChatWhoTalks(session: BuildSession, chat: ChatSummary): string {
  const { reader, catalog, time } = session;
  const hidden = catalog.authors.mode === 'hide';
  const rows: WhoTalksRow[] = talkers(reader.participants(chat.id)).map((p) => {
    const person = reader.person(p.authorId);
    return {
      author: hidden ? null : catalog.authors.author(person?.nativeId ?? null, p.authorId === null ? p.name : null, person?.displayName ?? null),
      count: p.count - p.system,
      first: hidden || p.first === null ? null : time.date(p.first),
      last: hidden || p.last === null ? null : time.date(p.last),
      firstIso: hidden || p.first === null ? null : isoTime(p.first),
      lastIso: hidden || p.last === null ? null : isoTime(p.last),
    };
  });
  if (hidden) {
    // Sorted by count only: an order by key would tell apart people who are not to be told apart.
    rows.sort((a, b) => b.count - a.count);
  } else {
    orderTalkers(rows);
  }
  return renderWhoTalks(rows, hidden, {
    count: (n) => formatCount(session, n),
    messages: (n) => plural(session, n, 'message', 'messages'),
  });
}

export type { ChatActivity };
