/** The backups kept on this master, for `etcd-rotate backups` and for choosing a rollback. */

import { readdir, stat } from 'node:fs/promises';
import path from 'node:path';

import { InputError, OperatorError } from '../errors.js';
import { readManifest, SNAPSHOT_NAME } from './backup.js';
import { describeFailure, errnoOf } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';
import { BACKUPS_DIR } from './state-dir.js';

/** One backup folder, summarised. */
export interface BackupSummary {
  runId: string;
  /** ISO 8601: when the backup was completed, or when its folder last changed if it was not. */
  createdAt: string;
  /** False when the manifest is missing or damaged: the backup cannot be restored. */
  complete: boolean;
  /** How many host files it holds. */
  files: number;
  /** Bytes on disk in the folder, snapshot included. */
  bytes: number;
  /** Whether the etcd snapshot (`SNAPSHOT_NAME`) is there. */
  hasSnapshot: boolean;
}

/** Lists the backups under /var/lib/etcd-rotate/backups on the host, newest first. */
export async function listBackups(root: string): Promise<BackupSummary[]> {
  const backups = hostPath(root, await resolveHostPath(root, BACKUPS_DIR));
  const entries = await readdir(backups, { withFileTypes: true }).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return [];
    const { reason, remedy } = describeFailure(error);
    throw new InputError(
      `could not list the backups in ${describeHostPath(root, BACKUPS_DIR)}: ${reason}`,
      { remedy, cause: error },
    );
  });

  const summaries: BackupSummary[] = [];
  for (const entry of entries) {
    if (!entry.isDirectory()) continue;
    summaries.push(await summarise(root, entry.name, path.join(backups, entry.name)));
  }
  return summaries.sort((a, b) => b.createdAt.localeCompare(a.createdAt));
}

async function summarise(root: string, runId: string, onDisk: string): Promise<BackupSummary> {
  const manifest = await readManifest(root, `${BACKUPS_DIR}/${runId}`).catch(
    (error: unknown) => {
      // A damaged manifest is reported as an incomplete backup, not as a failed listing.
      if (error instanceof OperatorError) return undefined;
      throw error;
    },
  );
  const { bytes, hasSnapshot } = await measure(onDisk);
  const createdAt = manifest?.createdAt ?? (await stat(onDisk)).mtime.toISOString();

  return {
    runId,
    createdAt,
    complete: manifest !== undefined,
    files: manifest?.files.length ?? 0,
    bytes,
    hasSnapshot,
  };
}

async function measure(onDisk: string): Promise<{ bytes: number; hasSnapshot: boolean }> {
  const entries = await readdir(onDisk, { withFileTypes: true, recursive: true });
  let bytes = 0;
  let hasSnapshot = false;
  for (const entry of entries) {
    if (!entry.isFile()) continue;
    const file = path.join(entry.parentPath, entry.name);
    bytes += (await stat(file)).size;
    if (file === path.join(onDisk, SNAPSHOT_NAME)) hasSnapshot = true;
  }
  return { bytes, hasSnapshot };
}
