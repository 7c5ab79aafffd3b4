/**
 * Backups of the files a run changes, taken before it changes any, and their restore.
 *
 * A backup is the folder /var/lib/etcd-rotate/backups/<run-id>/ (0700): a byte-for-byte copy of
 * each file under `files/` at its host path (0600), the extras handed over, anything other
 * modules put there (the etcd snapshot, see `SNAPSHOT_NAME`), and manifest.json, written last.
 * A run has one backup: once its manifest exists, asking again returns it unchanged, because a
 * resumed run would otherwise copy already-rotated files over the originals.
 */

import { readFile } from 'node:fs/promises';
import path from 'node:path';

import { InputError, RunFailedError } from '../errors.js';
import {
  type BackupEntry,
  type BackupManifest,
  MANIFEST_NAME,
  parseManifest,
} from './backup-manifest.js';
import { ensureDirectory } from './directories.js';
import { describeFailure, errnoOf } from './failures.js';
import { readFileWithContent } from './file-state.js';
import { writeFileAtomic } from './files.js';
import { describeHostPath, hostPath } from './paths.js';
import { BACKUPS_DIR, backupHostDir, checkFileName } from './state-dir.js';

/** The file name under which the etcd snapshot of a run is kept in its backup folder. */
export const SNAPSHOT_NAME = 'etcd-snapshot.db';

/** Content to keep in a backup beside the copied files. */
export interface BackupExtra {
  /** A plain file name, not "manifest.json" or "files". */
  name: string;
  content: Buffer | string;
}

/** What `createBackup` left on disk. */
export interface BackupResult {
  /** The host path of the backup folder. */
  dir: string;
  manifest: BackupManifest;
  /** False when the run already had a complete backup, which was kept as it was. */
  created: boolean;
}

/** Backup files belong to whoever runs etcd-rotate (root on a master), readable by no one else. */
const PRIVATE = {
  mode: 0o600,
  uid: process.getuid?.() ?? 0,
  gid: process.getgid?.() ?? 0,
  applyToExisting: true,
};
const RESERVED = new Set([MANIFEST_NAME, 'files']);

/**
 * Creates (0700) the backup folder of the run `runId` and resolves to its path on disk, for
 * modules that write into it themselves, such as the etcd snapshot (`SNAPSHOT_NAME`).
 */
export async function backupDir(root: string, runId: string): Promise<string> {
  return hostPath(root, await ensureDirectory(root, backupHostDir(runId)));
}

/**
 * Backs up the host files `hostPaths` under `root` for the run `runId`, with `extras`, unless
 * the run already has a complete backup: then that one is returned untouched. Paths that do
 * not exist are recorded as absent. Each copy is read back and checked before the manifest is
 * written. Start changing files only after this resolves.
 */
export async function createBackup(
  root: string,
  runId: string,
  hostPaths: readonly string[],
  extras: readonly BackupExtra[] = [],
): Promise<BackupResult> {
  const dir = backupHostDir(runId);
  for (const extra of extras) {
    checkFileName(extra.name, 'a backup extra');
    if (RESERVED.has(extra.name)) throw new TypeError(`"${extra.name}" is reserved in a backup`);
  }
  await ensureDirectory(root, dir);
  const existing = await readManifest(root, dir);
  if (existing !== undefined) return { dir, manifest: existing, created: false };

  const manifest: BackupManifest = {
    version: 1,
    runId,
    createdAt: '',
    files: [],
    absent: [],
    extras: [],
  };
  for (const hostFile of new Set(hostPaths)) {
    const entry = await copyIntoBackup(root, dir, hostFile);
    if (entry === undefined) manifest.absent.push(hostFile);
    else manifest.files.push(entry);
  }
  for (const extra of extras) {
    await writeFileAtomic(root, `${dir}/${extra.name}`, extra.content, PRIVATE);
    const { state } = await readFileWithContent(root, `${dir}/${extra.name}`);
    if (state.exists) manifest.extras.push({ name: extra.name, ...pick(state) });
  }

  manifest.createdAt = new Date().toISOString();
  await writeFileAtomic(root, `${dir}/${MANIFEST_NAME}`, json(manifest), PRIVATE);
  return { dir, manifest, created: true };
}

/**
 * Restores every file of the backup of `runId`, byte for byte, with the owner, group and mode
 * it had, each atomically. Every copy is checked against its SHA-256 first, and a damaged
 * backup is refused with an InputError before any file is touched. Files that were absent at
 * backup time are listed, not removed: that is the caller's decision.
 */
export async function restoreBackup(
  root: string,
  runId: string,
): Promise<{ restored: string[]; absent: string[] }> {
  const dir = backupHostDir(runId);
  const manifest = await readManifest(root, dir);
  if (manifest === undefined) {
    throw new InputError(
      `there is no complete backup of run ${runId} at ${describeHostPath(root, dir)}`,
      { remedy: `pick a run-id that has a manifest.json under ${BACKUPS_DIR}; nothing was changed` },
    );
  }

  const copies = await Promise.all(manifest.files.map((entry) => readCopy(root, dir, entry)));
  const damaged = copies.filter((copy) => copy.problem !== undefined);
  if (damaged.length > 0) {
    const list = damaged.map((copy) => `${copy.entry.path} (${copy.problem})`).join(', ');
    throw new InputError(
      `refusing to restore the backup of run ${runId} at ${describeHostPath(root, dir)}: damaged copies of ${list}`,
      { remedy: 'restore those files by hand from another copy; nothing was changed' },
    );
  }

  for (const { entry, content } of copies) {
    const { mode, uid, gid } = entry;
    await writeFileAtomic(root, entry.realPath, content, { mode, uid, gid, applyToExisting: true });
  }
  return { restored: manifest.files.map((entry) => entry.path), absent: manifest.absent };
}

/** Reads the manifest of the backup folder `dir`; undefined when the backup did not finish. */
export async function readManifest(
  root: string,
  dir: string,
): Promise<BackupManifest | undefined> {
  const where = describeHostPath(root, `${dir}/${MANIFEST_NAME}`);
  const text = await readFile(hostPath(root, `${dir}/${MANIFEST_NAME}`), 'utf8').catch(
    (error: unknown) => {
      if (errnoOf(error) === 'ENOENT') return undefined;
      const { reason, remedy } = describeFailure(error);
      throw new InputError(`could not read the backup manifest ${where}: ${reason}`, {
        remedy,
        cause: error,
      });
    },
  );
  return text === undefined ? undefined : parseManifest(text, where);
}

async function copyIntoBackup(
  root: string,
  dir: string,
  hostFile: string,
): Promise<BackupEntry | undefined> {
  const { state, content } = await readFileWithContent(root, hostFile);
  if (!state.exists || content === undefined) return undefined;

  const archive = path.posix.join('files', path.posix.normalize(hostFile));
  await ensureDirectory(root, path.posix.dirname(`${dir}/${archive}`));
  await writeFileAtomic(root, `${dir}/${archive}`, content, PRIVATE);

  const copy = await readFileWithContent(root, `${dir}/${archive}`);
  if (!copy.state.exists || copy.state.sha256 !== state.sha256) {
    throw new RunFailedError(`the backup copy of ${hostFile} does not match the original`, {
      remedy: 'check the disk holding /var/lib/etcd-rotate (dmesg) and run again',
    });
  }
  const { realPath, mode, uid, gid } = state;
  const linkTarget = state.linkTarget ?? null;
  return { path: hostFile, realPath, linkTarget, mode, uid, gid, ...pick(state), archive };
}

async function readCopy(root: string, dir: string, entry: BackupEntry) {
  const { state, content } = await readFileWithContent(root, `${dir}/${entry.archive}`);
  let problem: string | undefined;
  if (!state.exists || content === undefined) problem = 'missing';
  else if (state.size !== entry.size) problem = `size ${state.size}, expected ${entry.size}`;
  else if (state.sha256 !== entry.sha256) problem = 'SHA-256 differs';
  return { entry, content: content ?? Buffer.alloc(0), problem };
}

function pick(state: { size: number; sha256: string }): { size: number; sha256: string } {
  return { size: state.size, sha256: state.sha256 };
}

function json(value: unknown): string {
  return `${JSON.stringify(value, null, 2)}\n`;
}
