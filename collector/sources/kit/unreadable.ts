import { SourceError } from '../types.js';

/**
 * One message that breaks its adapter (nested too deeply for the stack, a shape no code path
 * expected) is skipped with a warning naming it; the rest of the file is still read. Errors about
 * the file as a whole (SourceError) are rethrown: those stop the import.
 */
export function unreadableMessage(err: unknown): string {
  if (err instanceof SourceError) throw err;
  const reason =
    err instanceof RangeError && /call stack/i.test(err.message) ? 'nested too deeply' : err instanceof Error ? err.message : String(err);
  return `could not be read (${reason}); skipped`;
}
