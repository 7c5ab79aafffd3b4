/**
 * Where etcd-rotate keeps its own state on a master, and the names allowed in it.
 *
 * Everything lives under /var/lib/etcd-rotate (0700): the run lock, one folder per run with its
 * journal, run files and log, and one folder per run with the backup of the files it changes.
 * The run-id is part of those paths, so it is checked before any is built.
 */

import path from 'node:path';

import { UsageError } from '../errors.js';

/** The host directory holding all state of etcd-rotate. */
export const STATE_DIR = '/var/lib/etcd-rotate';

/** The host file that says which run is active on this master. */
export const LOCK_FILE = `${STATE_DIR}/lock`;

/** The host directory holding one backup folder per run. */
export const BACKUPS_DIR = `${STATE_DIR}/backups`;

/** The host directory holding one folder per run (journal, run files, log). */
export const RUNS_DIR = `${STATE_DIR}/runs`;

const RUN_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;
const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,254}$/;

/** Throws a UsageError unless `runId` is safe as one path component ("20240101-120000-ab12"). */
export function checkRunId(runId: string): void {
  if (!RUN_ID.test(runId)) {
    throw new UsageError(`the run-id "${runId}" is not valid`, {
      remedy: 'use letters, digits, ".", "_" and "-" only (at most 128), starting with a letter or digit',
    });
  }
}

/** Throws a TypeError unless `name` is a plain file name; `what` names it in the message. */
export function checkFileName(name: string, what: string): void {
  if (!FILE_NAME.test(name)) {
    throw new TypeError(`${what} must be a plain file name, received "${name}"`);
  }
}

/** The host directory of the run `runId`: /var/lib/etcd-rotate/runs/<run-id>. */
export function runHostDir(runId: string): string {
  checkRunId(runId);
  return path.posix.join(RUNS_DIR, runId);
}

/** The host directory of the backup of the run `runId`: /var/lib/etcd-rotate/backups/<run-id>. */
export function backupHostDir(runId: string): string {
  checkRunId(runId);
  return path.posix.join(BACKUPS_DIR, runId);
}
