/**
 * The collector as a library (the package's `chatchannels/collector` export): import chat exports
 * into a database, and read one by the store contract the site itself reads it by.
 *
 *   const db = openStore('chats.sqlite');
 *   await importPaths(db, ['skype-export.tar']);
 *   db.close();
 */
export { importPaths, type ImportOptions, type ImportSummary } from './import/index.js';
export { openStore, type OpenOptions } from './store/open.js';
export * from './store/contract.js';
