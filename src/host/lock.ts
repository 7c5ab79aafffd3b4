/**
 * One run at a time per master: the lock file /var/lib/etcd-rotate/lock.
 *
 * The file is created exclusively (O_EXCL), so two runs starting together cannot both get it.
 * It names its run, and the same run may take it again: that is how `rotate --resume` gets
 * back in after a crash. The lock is never taken away from another run automatically, since a
 * run on another host or in another container may still be going.
 */

import { constants } from 'node:fs';
import { open, readFile } from 'node:fs/promises';

import { InputError, PreflightError, RunFailedError } from '../errors.js';
import { ensureDirectory, syncDirectory } from './directories.js';
import { describeFailure, errnoOf } from './failures.js';
import { removeFile, writeFileAtomic } from './files.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';
import { checkRunId, LOCK_FILE, STATE_DIR } from './state-dir.js';

/** What the lock file says. */
export interface RunLock {
  runId: string;
  /** The host name of the master the run works from. */
  host: string;
  pid: number;
  /** The command line, for the operator who finds the lock ("etcd-rotate rotate"). */
  command: string;
  /** ISO 8601 time the lock was taken (or taken again on resume). */
  since: string;
}

const CREATE_EXCLUSIVE =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Takes the run lock for `owner.runId`, or takes it again when that run already holds it.
 * Throws a PreflightError naming the other run, its host and since when when another run
 * holds it, with the way out.
 */
export async function acquireRunLock(
  root: string,
  owner: Omit<RunLock, 'since'>,
): Promise<RunLock> {
  checkRunId(owner.runId);
  const lock: RunLock = { ...owner, since: new Date().toISOString() };
  const text = `${JSON.stringify(lock)}\n`;
  const directory = await ensureDirectory(root, STATE_DIR);
  const onDisk = hostPath(root, `${directory}/lock`);

  // A lock removed between our create and our read is retried, so that it stays exclusive.
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (await createExclusive(root, onDisk, text)) {
      await syncDirectory(hostPath(root, directory));
      return lock;
    }
    const holder = await readRunLock(root);
    if (holder === undefined) continue;
    if (holder.runId !== owner.runId) throw heldBy(holder);

    // The same run, resuming: it takes the lock again with its new pid.
    await writeFileAtomic(root, LOCK_FILE, text, { mode: 0o600, applyToExisting: true });
    return lock;
  }
  throw new PreflightError(
    `could not take the run lock ${LOCK_FILE}: it keeps appearing and vanishing`,
    {
      remedy:
        'another etcd-rotate is starting and stopping on this master; let it finish and run again',
    },
  );
}

/** Creates the lock file with `text`; false when it exists already. */
async function createExclusive(root: string, onDisk: string, text: string): Promise<boolean> {
  try {
    const handle = await open(onDisk, CREATE_EXCLUSIVE, 0o600);
    try {
      await handle.writeFile(text);
      await handle.sync();
    } finally {
      await handle.close();
    }
    return true;
  } catch (error) {
    if (errnoOf(error) === 'EEXIST') return false;
    throw lockError(root, error);
  }
}

/**
 * Removes the run lock when `runId` holds it. Resolves to false when there was none; throws a
 * RunFailedError, and leaves the lock, when another run holds it.
 */
export async function releaseRunLock(root: string, runId: string): Promise<boolean> {
  const holder = await readRunLock(root);
  if (holder === undefined) return false;
  if (holder.runId !== runId) {
    throw new RunFailedError(
      `run ${runId} cannot release the lock ${LOCK_FILE}: run ${holder.runId} on ${holder.host} holds it since ${holder.since}`,
      { remedy: 'leave it to that run; check with "etcd-rotate status"' },
    );
  }
  return removeFile(root, LOCK_FILE);
}

/** Reads the run lock; undefined when no run holds it. A damaged lock is an InputError. */
export async function readRunLock(root: string): Promise<RunLock | undefined> {
  const where = describeHostPath(root, LOCK_FILE);
  let text: string;
  try {
    text = await readFile(hostPath(root, await resolveHostPath(root, LOCK_FILE)), 'utf8');
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    const { reason, remedy } = describeFailure(error);
    throw new InputError(`could not read the run lock ${where}: ${reason}`, {
      remedy,
      cause: error,
    });
  }

  const lock = parseLock(text);
  if (lock === undefined) {
    const shown = JSON.stringify(text.slice(0, 80));
    throw new InputError(`the run lock ${where} is damaged (${shown})`, {
      remedy: `if no etcd-rotate run is active on any master, remove ${LOCK_FILE} and run again`,
    });
  }
  return lock;
}

function parseLock(text: string): RunLock | undefined {
  try {
    const value = JSON.parse(text) as Partial<RunLock> | null;
    if (typeof value?.runId !== 'string' || typeof value.since !== 'string') return undefined;
    return {
      runId: value.runId,
      host: String(value.host ?? 'an unknown host'),
      pid: Number(value.pid ?? 0),
      command: String(value.command ?? ''),
      since: value.since,
    };
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}

function heldBy(holder: RunLock): PreflightError {
  const command = holder.command ? ` ("${holder.command}", pid ${holder.pid})` : '';
  return new PreflightError(
    `another etcd-rotate run holds the lock ${LOCK_FILE}: run ${holder.runId} on ${holder.host} since ${holder.since}${command}`,
    {
      remedy: `finish it with "etcd-rotate rotate --resume" or undo it with "etcd-rotate rollback"; remove ${LOCK_FILE} only if no run is active`,
    },
  );
}

function lockError(root: string, error: unknown): PreflightError {
  const { reason, remedy } = describeFailure(error);
  return new PreflightError(
    `could not create the run lock ${describeHostPath(root, LOCK_FILE)}: ${reason}`,
    { remedy, cause: error },
  );
}
