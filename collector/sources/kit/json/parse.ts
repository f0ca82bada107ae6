/**
 * JSON.parse for text from an export, with a bound on nesting. V8 parses nesting of any depth,
 * holding every open level on the heap (~110 bytes each): a 117 KB zip inflating to 60 million
 * `[` took 6 GB (the machine's memory, or an abort). Real exports nest a few dozen levels; the
 * bound is far above that, so that a message nested 100,000 deep is still read harmlessly (test/
 * reliability-badfiles.test.ts), and far below where memory matters: ~28 MB at the bound.
 */
export const MAX_JSON_DEPTH = 250_000;

/** Text nested deeper than MAX_JSON_DEPTH; the message says where, as line and column of the text. */
export class JsonTooDeep extends Error {
  constructor(text: string, offset: number) {
    const before = text.slice(0, offset);
    const line = before.split('\n').length;
    super(`nested deeper than ${MAX_JSON_DEPTH.toLocaleString('en-US')} levels at line ${line}, column ${offset - before.lastIndexOf('\n')}`);
  }
}

/** JSON.parse(text), or JsonTooDeep when it nests deeper than MAX_JSON_DEPTH. */
export function parseJsonText(text: string): unknown {
  const deep = tooDeepAt(text);
  if (deep >= 0) throw new JsonTooDeep(text, deep);
  return JSON.parse(text);
}

/** Where `text` opens its (MAX_JSON_DEPTH + 1)th nested level, outside strings; -1 if it never does. */
export function tooDeepAt(text: string): number {
  if (text.length <= 2 * MAX_JSON_DEPTH) return -1; // too short to hold that many levels and close them
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: the next character is escaped
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return i;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return -1;
}
