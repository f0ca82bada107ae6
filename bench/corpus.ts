/**
 * The benchmark's synthetic chat corpus: the public entry point. Generation is deterministic (seeded)
 * and streaming (fixed memory whatever the size); see corpus/generator.ts for its shape.
 */
export {
  createCorpus,
  corpusMessages,
  resolveCorpusOptions,
  CORPUS_END_MS,
  CORPUS_START_MS,
  DEFAULT_AUTHORS,
  DEFAULT_CHATS,
  DEFAULT_SEED,
  EXPORT_DATE,
  EXPORTING_USER_ID,
  type Corpus,
  type CorpusAuthor,
  type CorpusChat,
  type CorpusMessage,
  type CorpusOptions,
  type ResolvedCorpusOptions,
} from './corpus/generator.js';
export { skypeExportPieces, skypeMessageJson, skypeTime, writeSkypeExport, type WrittenCorpus } from './corpus/skype-export.js';
export { plainRecords, writePlainRecordsJson, type PlainMessageRecord } from './corpus/plain-records.js';
export { queryTerms, type QueryTerms } from './corpus/query-terms.js';
export { escapeSkype, type SkypeMessageType } from './corpus/bodies.js';
export { parseSize } from './corpus/size.js';
