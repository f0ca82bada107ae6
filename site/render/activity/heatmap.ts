import { escapeHtml } from '../escape.js';
import { num } from './svg.js';

/**
 * One calendar year of days as a GitHub-style heatmap: a column per week (Monday first), a row per
 * weekday, each day a square coloured by its heat level (classes cc-heat0…4, whose colours are the
 * theme's: site/assets/chatchannels.css). A day with messages is a link to where they are, named
 * (its SVG title: the tooltip and the accessible name) with its date and count.
 */
export interface HeatmapDay {
  count: number;
  /** Where the day's messages are (null: not a link). */
  href: string | null;
  /** "Tuesday, 14 September 2021: 12 messages". */
  label: string;
}

export interface HeatmapYear {
  /** Element id prefix, unique in the page. */
  id: string;
  /** Visible caption: "2021 · 1,234 messages". */
  caption: string;
  /** Day key (days since 1970-01-01 of the local calendar) of 1 January, and the number of days. */
  firstDay: number;
  length: number;
  days: ReadonlyMap<number, HeatmapDay>;
  level(count: number): number;
  /** Short month names, January first ("Jan"…), and Monday, Wednesday, Friday ("Mon"…). */
  monthNames: readonly string[];
  weekdayNames: readonly [string, string, string];
  /** The day keys of the year's first days of months (1 January …), for the month labels. */
  monthStarts: readonly number[];
}

const CELL = 10;
const PITCH = 12;
const LEFT = 30;
const TOP = 16;
export const HEATMAP_WIDTH = LEFT + 54 * PITCH;
const HEIGHT = TOP + 7 * PITCH;

/** Monday 0 … Sunday 6 of a day key (1970-01-01 was a Thursday). */
function weekday(day: number): number {
  return (((day + 3) % 7) + 7) % 7;
}

/**
 * A day's square: one of 54 × 7 × 5 strings, made once and shared by every heatmap of the build
 * (making one per day was most of what drawing a landing page allocated).
 */
const squares: string[] = [];

function square(column: number, row: number, level: number): string {
  const made = (): string => `<rect x="${LEFT + column * PITCH}" y="${TOP + row * PITCH}" width="${CELL}" height="${CELL}" rx="2" class="cc-heat${level}"/>`;
  if (!Number.isInteger(level) || level < 0 || level > 7) return made();
  return (squares[(column * 7 + row) * 8 + level] ??= made());
}

export function renderHeatmapYear(year: HeatmapYear): string {
  const start = year.firstDay - weekday(year.firstDay); // the Monday of the first column
  let axis = '';
  for (const [row, name] of [[0, year.weekdayNames[0]], [2, year.weekdayNames[1]], [4, year.weekdayNames[2]]] as const) {
    axis += `<text x="0" y="${TOP + row * PITCH + CELL - 1}">${escapeHtml(name)}</text>`;
  }
  let cells = '';
  let linked = false;
  // Months are found by their first days' keys: no date worked out per day (a year has 365).
  let month = 0;
  for (let day = year.firstDay; day < year.firstDay + year.length; day++) {
    const column = Math.floor((day - start) / 7);
    const x = LEFT + column * PITCH;
    if (day === year.monthStarts[month]) axis += `<text x="${x}" y="${TOP - 5}">${escapeHtml(year.monthNames[month++])}</text>`;
    const info = year.days.get(day);
    const rect = square(column, weekday(day), info ? year.level(info.count) : 0);
    if (!info || info.count === 0) cells += rect;
    else if (info.href === null) cells += `<g><title>${escapeHtml(info.label)}</title>${rect}</g>`;
    else {
      linked = true;
      cells += `<a href="${escapeHtml(info.href)}"><title>${escapeHtml(info.label)}</title>${rect}</a>`;
    }
  }
  return (
    `<figure class="cc-heatmap"><figcaption id="${year.id}">${year.caption}</figcaption>` +
    // The scroller starts at its end (direction: rtl in the theme): on a narrow screen the newest
    // weeks show first, without a script.
    // Scrolled by keyboard too: focusable itself when no link inside is.
    `<div class="cc-heatmap-scroll"${linked ? '' : ' tabindex="0"'}><svg viewBox="0 0 ${num(HEATMAP_WIDTH)} ${HEIGHT}" width="${HEATMAP_WIDTH}" height="${HEIGHT}" role="group" aria-labelledby="${year.id}">` +
    `<g class="cc-axis" aria-hidden="true">${axis}</g>${cells}</svg></div></figure>`
  );
}

/** The colour key: five squares from none to most. */
export function renderHeatLegend(fewer: string, more: string): string {
  let squares = '';
  for (let level = 0; level <= 4; level++) squares += `<rect x="${level * PITCH}" y="0" width="${CELL}" height="${CELL}" rx="2" class="cc-heat${level}"/>`;
  return `<p class="cc-heat-legend" aria-hidden="true">${escapeHtml(fewer)} <svg viewBox="0 0 ${5 * PITCH - 2} ${CELL}" width="${5 * PITCH - 2}" height="${CELL}">${squares}</svg> ${escapeHtml(more)}</p>`;
}
