import { escapeHtml } from '../escape.js';
import { HEATMAP_WIDTH } from './heatmap.js';
import { num } from './svg.js';

/**
 * Messages per month as bars, every month from the first to the last (empty ones as gaps), with
 * a year under each January (every few years when months are thin). A month with messages is a
 * link to where they are, named (SVG title) with its month and count; its whole column is the
 * link's target, not only the bar, so that short bars are easy to hit.
 */
export interface MonthBar {
  /** `2021-09`. */
  month: string;
  count: number;
  href: string | null;
  label: string;
}

const LEFT = 30;
const MAX_PITCH = 24;
const TOP = 4;
const PLOT = 72;
const HEIGHT = TOP + PLOT + 16;

export function renderMonthBars(id: string, caption: string, bars: readonly MonthBar[], maxLabel: string): string {
  // A few months are not slabs: a bar is at most MAX_PITCH wide.
  const pitch = Math.min(MAX_PITCH, (HEATMAP_WIDTH - LEFT) / Math.max(bars.length, 1));
  const width = Math.ceil(LEFT + pitch * bars.length);
  const gap = pitch >= 4 ? 1 : 0;
  const max = Math.max(1, ...bars.map((b) => b.count));
  // A year label needs about 30 units: label every `every` years.
  const every = [1, 2, 5, 10, 20, 50, 100].find((k) => 12 * pitch * k >= 30) ?? 100;
  let axis = `<text x="0" y="${TOP + 8}">${escapeHtml(maxLabel)}</text><line x1="${LEFT}" x2="${width}" y1="${TOP + PLOT + 0.5}" y2="${TOP + PLOT + 0.5}"/>`;
  let marks = '';
  const januaries = bars.some((b) => b.month.endsWith('-01'));
  bars.forEach((bar, i) => {
    const x = LEFT + i * pitch;
    const year = Number(bar.month.slice(0, -3));
    if (bar.month.endsWith('-01') ? year % every === 0 : i === 0 && !januaries) {
      axis += `<text x="${num(x)}" y="${HEIGHT - 2}">${year}</text>`;
    }
    if (bar.count === 0) return;
    const h = Math.max(1, (bar.count / max) * PLOT);
    const rect = `<rect x="${num(x)}" y="${num(TOP + PLOT - h)}" width="${num(Math.max(pitch - gap, 0.5))}" height="${num(h)}" class="cc-bar"/>`;
    const hit = `<rect x="${num(x)}" y="${TOP}" width="${num(pitch)}" height="${PLOT}" class="cc-hit"/>`;
    marks +=
      bar.href === null
        ? `<g><title>${escapeHtml(bar.label)}</title>${hit}${rect}</g>`
        : `<a href="${escapeHtml(bar.href)}"><title>${escapeHtml(bar.label)}</title>${hit}${rect}</a>`;
  });
  return (
    `<figure class="cc-month-bars"><figcaption id="${id}">${caption}</figcaption>` +
    `<svg viewBox="0 0 ${width} ${HEIGHT}" width="${width}" height="${HEIGHT}" role="group" aria-labelledby="${id}">` +
    `<g class="cc-axis" aria-hidden="true">${axis}</g>${marks}</svg></figure>`
  );
}
