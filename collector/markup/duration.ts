/**
 * How long something lasted, the way the chat apps show a call's length: "1 h 53 min",
 * "5 min 3 s", "42 s" (seconds beside hours are noise). Every converter's call lines and media
 * lengths use this one wording.
 */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.round(totalSeconds);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  if (h) return m ? `${h} h ${m} min` : `${h} h`;
  if (m) return s ? `${m} min ${s} s` : `${m} min`;
  return `${s} s`;
}
