/** Human units for the printed table and progress lines. */
export function mb(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(bytes < 10 * 2 ** 20 ? 1 : 0)} MB`;
}

export function bytesText(bytes: number): string {
  if (bytes < 1024) return `${Math.round(bytes)} B`;
  if (bytes < 2 ** 20) return `${(bytes / 1024).toFixed(1)} KB`;
  return mb(bytes);
}

export function msText(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(2)} s`;
}

export function rate(perSecond: number): string {
  return `${Math.round(perSecond).toLocaleString('en')}/s`;
}

/** "100k", "1M", "2.5M", "750" */
export function sizeLabel(messages: number): string {
  if (messages >= 1e6 && messages % 1e5 === 0) return `${messages / 1e6}M`;
  if (messages >= 1e3 && messages % 100 === 0) return `${messages / 1e3}k`;
  return String(messages);
}
