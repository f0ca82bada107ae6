/** Discord's ``` code blocks, and its backslash escapes. */

const BACKSLASH = 0x5c;

/** An odd number of backslashes before `at` escapes the character there. */
export function isEscaped(s: string, at: number): boolean {
  let k = at - 1;
  while (k >= 0 && s.charCodeAt(k) === BACKSLASH) k--;
  return ((at - 1 - k) & 1) === 1;
}

export interface Fence {
  start: number;
  end: number;
  code: string;
}

const FENCE_LANGUAGE = /[a-z0-9_+\-.#]{1,32}\n/iy;

/**
 * The first ``` block starting in [from, to): a language line is dropped, newlines around the code
 * are trimmed, and the code must hold a character besides newlines (Discord's own rule).
 */
export function findFence(s: string, from: number, to: number): Fence | null {
  let start = s.indexOf('```', from);
  while (start !== -1 && start < to && isEscaped(s, start)) start = s.indexOf('```', start + 1);
  if (start === -1 || start + 3 > to) return null;
  let codeStart = start + 3;
  FENCE_LANGUAGE.lastIndex = codeStart;
  if (FENCE_LANGUAGE.test(s) && FENCE_LANGUAGE.lastIndex < to) {
    // A language only when code follows it (```js``` is the code "js").
    const after = FENCE_LANGUAGE.lastIndex;
    const close = s.indexOf('```', after);
    if (close !== -1 && close + 3 <= to && /[^\n]/.test(s.slice(after, close))) codeStart = after;
  }
  let first = codeStart;
  while (first < to && s.charCodeAt(first) === 10) first++;
  if (first >= to) return null;
  const close = s.indexOf('```', first + 1);
  if (close === -1 || close + 3 > to) return null;
  let last = close;
  while (last > first && s.charCodeAt(last - 1) === 10) last--;
  return { start, end: close + 3, code: s.slice(first, last) };
}
