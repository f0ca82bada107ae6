/**
 * Names and titles among other text. A right-to-left override (U+202E) or another explicit bidi
 * control in an author's name or a chat's title would otherwise reorder everything after it on the
 * line: "‮evil: hello" shows the message backwards and attributed to someone else. So a name is
 * isolated (FSI … PDI in plain text, <bdi> in HTML), and the controls in it that are not paired
 * are dropped: an unpaired PDI could close the isolate early, an unpaired opener has no end.
 */
const OPENERS = new Map([
  [0x202a, 0x202c], [0x202b, 0x202c], [0x202d, 0x202c], [0x202e, 0x202c], // LRE RLE LRO RLO … PDF
  [0x2066, 0x2069], [0x2067, 0x2069], [0x2068, 0x2069], // LRI RLI FSI … PDI
]);
const CONTROLS = /[\u202A-\u202E\u2066-\u2069]/;

/** The text with every bidi embedding, override or isolate control that has no partner removed. */
export function balanceBidi(value: string): string {
  if (!CONTROLS.test(value)) return value;
  const drop = new Set<number>();
  const open: { at: number; closer: number }[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const closer = OPENERS.get(c);
    if (closer !== undefined) {
      open.push({ at: i, closer });
    } else if (c === 0x202c || c === 0x2069) {
      // A PDF closes the embedding on top; a PDI its isolate and the embeddings left open inside it.
      let match = open.length - 1;
      if (c === 0x2069) while (match >= 0 && open[match].closer !== c) match--;
      if (match < 0 || open[match].closer !== c) {
        drop.add(i);
        continue;
      }
      for (const unclosed of open.splice(match).slice(1)) drop.add(unclosed.at);
    }
  }
  for (const unclosed of open) drop.add(unclosed.at);
  if (drop.size === 0) return value;
  let out = '';
  for (let i = 0; i < value.length; i++) if (!drop.has(i)) out += value[i];
  return out;
}

/** A name or title for plain text (feed titles, terminal output), isolated from what follows. */
export function isolate(value: string): string {
  return `\u2068${balanceBidi(value)}\u2069`;
}
