/**
 * A reaction chip as collector/markup/reactions.ts writes it (person references as the test shows
 * them, e.g. `⟨slack:U1|alice⟩`): `shown` on the chip, `label` its accessible name and title.
 */
export function chip(shown: string, label: string): string {
  return `<span class="cc-reaction" role="img" aria-label="${label}" title="${label}">${shown}</span>`;
}
