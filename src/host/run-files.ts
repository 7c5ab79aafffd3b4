/**
 * The other state of a run, beside its journal, in /var/lib/etcd-rotate/runs/<run-id>/:
 * named files (plans, issued certificates waiting to be installed; 0600, replaced atomically)
 * and run.log, the plain-text log an operator reads after the fact.
 */

import { appendFile, readFile } from 'node:fs/promises';

import { InputError, RunFailedError } from '../errors.js';
import { ensureDirectory } from './directories.js';
import { describeFailure, errnoOf } from './failures.js';
import { removeFile, writeFileAtomic } from './files.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';
import { checkFileName, runHostDir } from './state-dir.js';

/** The name of the plain-text log in a run folder. */
export const RUN_LOG_NAME = 'run.log';

/**
 * Creates (0700) the folder of the run `runId` and resolves to its path on disk, for modules
 * that keep their own files there.
 */
export async function runDir(root: string, runId: string): Promise<string> {
  return hostPath(root, await ensureDirectory(root, runHostDir(runId)));
}

/** Replaces the run file `name` of `runId` with `content`, atomically, readable by root only. */
export async function writeRunFile(
  root: string,
  runId: string,
  name: string,
  content: Buffer | string,
): Promise<void> {
  checkFileName(name, 'a run file name');
  const directory = await ensureDirectory(root, runHostDir(runId));
  await writeFileAtomic(root, `${directory}/${name}`, content, {
    mode: 0o600,
    uid: process.getuid?.() ?? 0,
    gid: process.getgid?.() ?? 0,
    applyToExisting: true,
  });
}

/** Reads the run file `name` of `runId`; undefined when it was never written. */
export async function readRunFile(
  root: string,
  runId: string,
  name: string,
): Promise<Buffer | undefined> {
  checkFileName(name, 'a run file name');
  const hostFile = `${runHostDir(runId)}/${name}`;
  try {
    return await readFile(hostPath(root, await resolveHostPath(root, hostFile)));
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return undefined;
    const { reason, remedy } = describeFailure(error);
    const where = describeHostPath(root, hostFile);
    throw new InputError(`could not read the run file ${where}: ${reason}`, {
      remedy,
      cause: error,
    });
  }
}

/** Removes the run file `name` of `runId`; false when there was none. */
export async function removeRunFile(root: string, runId: string, name: string): Promise<boolean> {
  checkFileName(name, 'a run file name');
  return removeFile(root, `${runHostDir(runId)}/${name}`);
}

/**
 * Appends `line` to run.log of `runId`, prefixed with the ISO 8601 time. Not synced line by
 * line: the journal is the record that must survive a crash, the log is for reading.
 */
export async function appendRunLog(root: string, runId: string, line: string): Promise<void> {
  const directory = await ensureDirectory(root, runHostDir(runId));
  const text = line.replace(/\n+$/, '').replace(/\n/g, '\n    ');
  try {
    const file = hostPath(root, `${directory}/${RUN_LOG_NAME}`);
    await appendFile(file, `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
  } catch (error) {
    const { reason, remedy } = describeFailure(error);
    const where = describeHostPath(root, `${runHostDir(runId)}/${RUN_LOG_NAME}`);
    throw new RunFailedError(`could not append to the run log ${where}: ${reason}`, {
      remedy,
      cause: error,
    });
  }
}
