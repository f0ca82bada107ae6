import { openStore, type Db } from './open.js';

/**
 * What a reader of a chatchannels database may rely on — the site imports the collector only
 * through this module, so the rules a reader shares with the writer are named in one place:
 *
 * - opening: read-only, at exactly this schema version (an older database must be migrated by an
 *   import, a newer one needs a newer chatchannels: openReadOnly throws a StoreError saying so);
 * - periods: which page a message is on (periods.ts, shared with the writer's month layout);
 * - plausible times: which messages may define a chat's activity and newest page (plausible.ts);
 * - the stored HTML view: `message_rows.text` holds most messages' HTML compacted to text
 *   (viewHtmlOf expands it as the `messages` view does);
 * - person references in stored text, and how a person is named where no name is known;
 * - the change marker: a file beside the database that every import rewrites (what watchers watch).
 *
 * And the collector's helpers the site applies to the same strings (bidi balancing of stored
 * names and titles, the base32 of slugs) or the same way (temp folders it owns).
 */

export { SCHEMA_VERSION } from './schema.js';
export { keepHeapGrowthBound, BUILD_HEAP_GROWING_PERCENT } from '../heap-growth.js';
export { StoreError, DATABASE_ID_KEY, type Db } from './open.js';

/** Opens a database for reading: never migrates, never creates; refuses another schema version. */
export function openReadOnly(file: string): Db {
  return openStore(file, { readonly: true });
}

export {
  DATED_END, DATED_MIN, DAY_MS, EARLY_PATH, FAR, LATE_PATH, PAGE_SPLIT_THRESHOLD,
  WHOLE_CHAT, dayOf, dayStart, isDated, monthOf, monthRange, pagePathOf, slotOf, type Slot,
} from './periods.js';
export { viewHtmlOf } from './compact.js';
export { MessageFlags } from '../model.js';
export { hasPlausibleTime, PLAUSIBLE_SQL } from './plausible.js';
export { readableId, replacePersonRefs, withoutPeopleLists } from './person-refs.js';
export { changeMarkerPath, touchChangeMarker } from './marker.js';

export { balanceBidi, isolate } from '../markup/bidi.js';
export { base32 } from '../identity/slug.js';
export { ownedTempDir, removeTempDir } from '../temp-dir.js';
