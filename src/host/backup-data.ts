/**
 * A copy of an etcd member's data directory beside a run's backup, taken while
 * the member is stopped: the last resort when the cluster cannot serve a
 * snapshot (its certificates are broken) and every member is about to restart.
 */

import { cp, readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { RunFailedError } from '../errors.js';
import { ensureDirectory } from './directories.js';
import { freeBytes } from './disk.js';
import { describeFailure } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';
import { backupHostDir } from './state-dir.js';

/** The folder in a backup that holds the copied data directory. */
export const DATA_COPY_NAME = 'etcd-data';

/**
 * Copies `dataDir` (a host path) into the backup of `runId`, keeping modes and
 * owners, unless a copy is there already. Refuses, changing nothing, when the
 * copy would not fit in the free space with 64 MiB to spare.
 */
export async function copyDataDirectory(root: string, runId: string, dataDir: string): Promise<{ bytes: number; created: boolean }> {
  const backup = await ensureDirectory(root, backupHostDir(runId));
  const target = `${backup}/${DATA_COPY_NAME}`;
  const existing = await stat(hostPath(root, target)).catch(() => undefined);
  if (existing) return { bytes: await sizeOf(hostPath(root, target)), created: false };

  const source = hostPath(root, await resolveHostPath(root, dataDir));
  const bytes = await sizeOf(source);
  const free = await freeBytes(root, backup);
  if (bytes + 64 * 1024 * 1024 > free) {
    throw new RunFailedError(
      `cannot copy the etcd data directory ${describeHostPath(root, dataDir)} (${bytes} bytes) into the backup: ${free} bytes free under ${backup}`,
      { remedy: 'free space under /var/lib/etcd-rotate, then run "etcd-rotate rotate --resume"' },
    );
  }
  try {
    await cp(source, hostPath(root, target), { recursive: true, preserveTimestamps: true, verbatimSymlinks: true });
  } catch (error) {
    const { reason, remedy } = describeFailure(error);
    throw new RunFailedError(`could not copy the etcd data directory into the backup: ${reason}`, { remedy, cause: error });
  }
  return { bytes, created: true };
}

async function sizeOf(dir: string): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    total += entry.isDirectory() ? await sizeOf(full) : (await stat(full)).size;
  }
  return total;
}
