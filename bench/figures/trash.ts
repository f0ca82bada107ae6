import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Outputs a measured build replaces are moved aside here, not deleted, and the folders are removed
 * once every size's figures are measured (run.ts). Why: on ext4 without a journal (this machine's root
 * file system), each new file skips every inode freed in the last ~30 s, reading its inode table
 * block to tell. A build started right after `rm -rf` of the previous build's 11k files paid
 * 1.5–2 s more system time at 100k (perf: ~38% of its samples in that scan), a cost of the bench's
 * own clean-up, not of the build. Ours and the reference's outputs are treated alike.
 */
const TRASH = '.trash';
let moved = 0;

/** Moves `dir`, if it exists, into the size's trash folder. */
export async function discard(sizeDir: string, dir: string): Promise<void> {
  if (!existsSync(dir)) return;
  const trash = join(sizeDir, TRASH);
  await mkdir(trash, { recursive: true });
  await rename(dir, join(trash, `${process.pid}-${moved++}`));
}

/** Removes the size's trash folder (after every size's figures, and before a size: what a killed run left). */
export async function emptyTrash(sizeDir: string): Promise<void> {
  await rm(join(sizeDir, TRASH), { recursive: true, force: true });
}
