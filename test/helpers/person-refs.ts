import { replacePersonRefs } from '../../collector/store/person-refs.js';

/** Person tokens made readable for expectations in tests: `⟨8:bob|Bob⟩`. */
export function visibleRefs(stored: string): string {
  return replacePersonRefs(stored, (id, name) => `⟨${id}|${name}⟩`);
}

/** Person tokens replaced by the names they showed: a converter's output as it reads with authors shown. */
export function shownRefs(stored: string): string {
  return replacePersonRefs(stored, (_id, name) => name);
}
