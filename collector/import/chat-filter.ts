import { slugFor } from '../identity/slug.js';

/**
 * `--chat` takes native ids or slugs: a chat is wanted when its native id or its slug is listed.
 * A plain list, so the same filter runs on a reading thread (sources/threaded.ts).
 */
export function wantedChats(wanted: readonly string[] | null): (nativeId: string) => boolean {
  if (!wanted?.length) return () => true;
  const set = new Set(wanted);
  return (nativeId) => set.has(nativeId) || set.has(slugFor(nativeId));
}
