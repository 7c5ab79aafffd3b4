/** Free space on the host's filesystems, to refuse a run before a disk fills up mid-way. */

import { statfs } from 'node:fs/promises';
import path from 'node:path';

import { InputError } from '../errors.js';
import { describeFailure, errnoOf } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';

/**
 * Bytes available to an unprivileged writer (root may use a few reserved percent more) on the
 * filesystem that holds the host path
 * `absolutePath` under `root`. A path that does not exist yet is measured at its nearest
 * existing parent, where it would be created.
 */
export async function freeBytes(root: string, absolutePath: string): Promise<number> {
  let current = await resolveHostPath(root, absolutePath);
  for (;;) {
    try {
      const stats = await statfs(hostPath(root, current));
      return stats.bavail * stats.bsize;
    } catch (error) {
      const parent = path.posix.dirname(current);
      if (errnoOf(error) !== 'ENOENT' || parent === current) {
        const { reason, remedy } = describeFailure(error);
        throw new InputError(
          `could not measure the free space at ${describeHostPath(root, absolutePath)}: ${reason}`,
          { remedy, cause: error },
        );
      }
      current = parent;
    }
  }
}
