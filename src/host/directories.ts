/**
 * Creating and syncing directories, durably.
 *
 * A rename or a new file is only on disk once the directory that names it has been synced; the
 * same holds for a new directory and its parent. Our state directories hold key material, so
 * they are created 0700 whatever the umask.
 */

import { chmod, mkdir, open } from 'node:fs/promises';
import path from 'node:path';

import { RunFailedError } from '../errors.js';
import { describeFailure, errnoOf } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';

/**
 * Creates the host directory `absolutePath` under `root` and any missing parents (each with
 * `mode`, default 0700), syncs the parents of what was created, and sets the mode of the last
 * directory even when it already existed. Symbolic links on the way are followed. Resolves to
 * the host path the directory really has.
 */
export async function ensureDirectory(
  root: string,
  absolutePath: string,
  mode = 0o700,
): Promise<string> {
  const real = await resolveHostPath(root, absolutePath);
  const onDisk = hostPath(root, real);

  try {
    const first = await mkdir(onDisk, { recursive: true, mode });
    await chmod(onDisk, mode);
    if (first !== undefined) await syncCreated(first, onDisk);
  } catch (error) {
    const { reason, remedy } = describeFailure(error);
    throw new RunFailedError(
      `could not create the directory ${describeHostPath(root, absolutePath)}: ${reason}`,
      { remedy, cause: error },
    );
  }
  return real;
}

/**
 * Flushes the entries of the directory `onDisk` (a path on disk, not a host path) to the
 * device. Filesystems that cannot sync a directory (EINVAL) are accepted as they are.
 */
export async function syncDirectory(onDisk: string): Promise<void> {
  const handle = await open(onDisk, 'r');
  try {
    await handle.sync();
  } catch (error) {
    if (errnoOf(error) !== 'EINVAL') throw error;
  } finally {
    await handle.close();
  }
}

/** Syncs the parent of `first` and every created directory between `first` and `last`. */
async function syncCreated(first: string, last: string): Promise<void> {
  let current = last;
  const chain: string[] = [];
  while (current !== path.dirname(first) && current !== path.dirname(current)) {
    current = path.dirname(current);
    chain.push(current);
  }
  for (const directory of chain) await syncDirectory(directory);
}
