import { replacePersonRefs } from '../../collector/store/person-refs.js';

/** Person tokens made readable for expectations in tests: `⟨8:bob|Bob⟩`. */
export function visibleRefs(stored: string): string {
  return replacePersonRefs(stored, (id, name) => `⟨${id}|${name}⟩`);
}
