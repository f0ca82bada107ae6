import { FIGURE_KEYS, type Figure, type Figures, type Sample, type Unit } from './figure.js';
import { bytesText, msText, rate } from './format.js';

/** The printed table: figure | ours | reference | ratio | target | result, one row per figure. */
export function renderTable(figures: Figures): string {
  const header = ['figure', 'ours (median, min–max)', 'reference (median)', 'ratio', 'target', 'result'];
  const rows = FIGURE_KEYS.map((key) => row(figures[key]));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

function row(f: Figure): string[] {
  const ref = f.reference ? `${value(f.reference.median, f.unit)} ${f.referenceName ?? ''}`.trim() : f.referenceName ? '—' : '';
  return [
    f.label,
    f.ours ? withSpread(f.ours, f.unit) : `n/a: ${short(f.reason ?? 'not measured')}`,
    ref,
    f.ratio === null ? '' : `${f.ratio.toFixed(2)}×`,
    f.target,
    f.pass === null ? (f.target && f.ours ? '?' : '') : f.pass ? 'PASS' : 'MISS',
  ];
}

const SHORT = 44;

function short(text: string): string {
  return text.length <= SHORT ? text : `${text.slice(0, SHORT - 1)}…`;
}

function withSpread(s: Sample, unit: Unit): string {
  const median = value(s.median, unit);
  const min = value(s.min, unit);
  const max = value(s.max, unit);
  return s.values.length > 1 && min !== max ? `${median} (${min}–${max})` : median;
}

export function value(n: number, unit: Unit): string {
  switch (unit) {
    case 'msg/s': return rate(n);
    case 'bytes': return bytesText(n);
    case 'ms': return msText(n);
  }
}

/** Notes and reasons under the table (each once, with the figures it applies to). */
export function renderNotes(figures: Figures): string {
  const byNote = new Map<string, string[]>();
  for (const key of FIGURE_KEYS) {
    const f = figures[key];
    const notes = [...(f.reason && (f.ours || f.reason.length > SHORT) ? [f.reason] : []), ...(f.notes ?? [])];
    for (const note of notes) byNote.set(note, [...(byNote.get(note) ?? []), f.label]);
  }
  return [...byNote].map(([note, labels]) => `  - ${labels.join(', ')}: ${note}`).join('\n');
}
