import { writeFileAtomic } from './atomic.js';

/** Eleventy's FileSystemManager, through which every template's output is written. */
interface FileSystemManagerClass {
  prototype: {
    writeFile(file: string, content: string | Buffer): Promise<void>;
    writeFileSync(file: string, content: string | Buffer): void;
  };
}

const PATCHED = Symbol.for('chatchannels.atomicWrites');

/**
 * Makes Eleventy write its templates' outputs (index, site feed, OPML, assets, search
 * page) the way the plugin writes its own files: to a partial file renamed into place. Eleventy
 * writes with fs.writeFile, which truncates the old file first; a build killed then leaves a good
 * page empty. Eleventy has no option for this, so its FileSystemManager (one per template, not
 * exported by the package) is patched once per process: every Eleventy build in the process then
 * writes atomically, which changes nothing else.
 */
export async function makeEleventyWritesAtomic(): Promise<void> {
  const manager = await loadFileSystemManager();
  const proto = manager.prototype as FileSystemManagerClass['prototype'] & { [PATCHED]?: true };
  if (proto[PATCHED]) return;
  proto.writeFile = async function (file, content) {
    writeFileAtomic(file, content);
  };
  proto.writeFileSync = function (file, content) {
    writeFileAtomic(file, content);
  };
  proto[PATCHED] = true;
}

async function loadFileSystemManager(): Promise<FileSystemManagerClass> {
  // The module Eleventy itself loads (same URL, so the same class): the package's exports map
  // does not list it, so it is found next to the package's entry.
  const entry = import.meta.resolve('@11ty/eleventy');
  const module = (await import(new URL('./Util/FileSystemManager.js', entry).href)) as { FileSystemManager?: FileSystemManagerClass };
  if (typeof module.FileSystemManager?.prototype?.writeFileSync !== 'function') {
    throw new Error('chatchannels: this Eleventy version writes files differently; cannot make its writes atomic');
  }
  return module.FileSystemManager;
}
