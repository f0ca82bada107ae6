import { ftsTerms } from '../search/fts.js';
import type { Db } from '../store/open.js';
import { StoreWriter, type WriterOptions } from '../store/writer.js';
import { prepareBody } from './render-body.js';

/** A StoreWriter wired to the converters and the CLI's full-text terms: what every import writes with. */
export function storeWriter(db: Db, options: Partial<WriterOptions> = {}): StoreWriter {
  return new StoreWriter(db, { render: prepareBody, ftsTerms, ...options });
}
