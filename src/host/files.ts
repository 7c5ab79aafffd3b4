/**
 * Replacing host files atomically, keeping their owner and mode, and reading their state.
 *
 * A replaced file is either the old one or the new one, never a mix, even if the machine loses
 * power: the content goes to a temporary file in the same directory, which is synced and then
 * renamed over the target, and the directory is synced last. The temporary file is created
 * 0600 and exclusively before any byte is written, so key material is never readable by
 * others, not even for a moment.
 *
 * NB. Extended attributes, ACLs and SELinux labels of a replaced file are not carried over, and
 * a hard link to the old file keeps the old content: etcd and kubeadm files use neither.
 */

import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { lstat, open, rename, stat, unlink } from 'node:fs/promises';
import path from 'node:path';

import { RunFailedError } from '../errors.js';
import { syncDirectory } from './directories.js';
import { freeBytes } from './disk.js';
import { describeFailure, errnoOf, type FailureText } from './failures.js';
import { describeHostPath, hostPath, resolveHostPath } from './paths.js';

/** Owner and mode for `writeFileAtomic`; by default they apply to new files only. */
export interface WriteOptions {
  /** Mode of a new file; default 0600. */
  mode?: number;
  /** Owner of a new file; default the owner of its directory. */
  uid?: number;
  /** Group of a new file; default the group of its directory. */
  gid?: number;
  /** Apply `mode`, `uid` and `gid` to an existing file too, as a restore does. */
  applyToExisting?: boolean;
}

interface Attributes {
  mode: number;
  uid: number;
  gid: number;
}

/** A write that finds no path finds no directory: the file itself would be created. */
const WRITE_FAILURES: Record<string, FailureText> = {
  ENOENT: {
    reason: 'its directory does not exist',
    remedy: 'create the directory or fix the path, then run again',
  },
};

const TEMP_FLAGS =
  constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/**
 * Replaces the host file `absolutePath` under `root` with `content`, atomically. An existing
 * file keeps its owner, group and mode; a new one gets those of `options`. A symbolic link is
 * followed: the file it points to is replaced and the link stays. On failure nothing is left
 * behind, the old file is unchanged, and a RunFailedError names the path and the remedy.
 */
export async function writeFileAtomic(
  root: string,
  absolutePath: string,
  content: Buffer | string,
  options: WriteOptions = {},
): Promise<void> {
  let temp: string | undefined;
  let renamed = false;

  try {
    const target = hostPath(root, await resolveHostPath(root, absolutePath));
    const directory = path.dirname(target);
    const attributes = await attributesFor(target, directory, options);

    const name = `.${path.basename(target)}.etcd-rotate-${randomBytes(6).toString('hex')}`;
    const handle = await open(path.join(directory, name), TEMP_FLAGS, 0o600);
    temp = path.join(directory, name);
    try {
      await handle.writeFile(content);
      await handle.chown(attributes.uid, attributes.gid);
      await handle.chmod(attributes.mode);
      await handle.sync();
    } finally {
      await handle.close();
    }

    await rename(temp, target);
    renamed = true;
    await syncDirectory(directory);
  } catch (error) {
    // Best effort: the error that stopped the write is the one worth reporting.
    if (temp !== undefined && !renamed) await unlink(temp).catch(() => undefined);
    throw await writeError(root, absolutePath, error, renamed);
  }
}

/** The attributes the new file gets: the old file's, or the options', or the directory's. */
async function attributesFor(
  target: string,
  directory: string,
  options: WriteOptions,
): Promise<Attributes> {
  const existing = await lstat(target).catch((error: unknown) => {
    if (errnoOf(error) === 'ENOENT') return undefined;
    throw error;
  });
  if (existing !== undefined && !existing.isFile()) {
    throw Object.assign(new Error(`${target} is not a regular file`), { code: 'EISDIR' });
  }
  const base = existing ?? (await stat(directory));
  const keep = existing !== undefined && options.applyToExisting !== true;

  return {
    mode: keep ? existing.mode & 0o7777 : (options.mode ?? 0o600),
    uid: keep ? existing.uid : (options.uid ?? base.uid),
    gid: keep ? existing.gid : (options.gid ?? base.gid),
  };
}

async function writeError(
  root: string,
  absolutePath: string,
  error: unknown,
  renamed: boolean,
): Promise<RunFailedError> {
  const where = describeHostPath(root, absolutePath);
  const { reason, remedy } = describeFailure(error, WRITE_FAILURES);
  if (renamed) {
    return new RunFailedError(
      `could not sync the directory of ${where} after replacing it: ${reason}; the new content is in place but may not survive a power loss`,
      { remedy, cause: error },
    );
  }

  if (errnoOf(error) === 'ENOSPC' || errnoOf(error) === 'EDQUOT') {
    const directory = path.posix.dirname(absolutePath);
    // Only a detail of the message; the full disk is the error.
    const free = await freeBytes(root, directory).catch(() => undefined);
    const left = free === undefined ? '' : `, ${free} bytes free`;
    return new RunFailedError(
      `could not write ${where}: ${reason} holding ${directory}${left}; the file is unchanged`,
      { remedy, cause: error },
    );
  }
  return new RunFailedError(`could not write ${where}: ${reason}; the file is unchanged`, {
    remedy,
    cause: error,
  });
}

/**
 * Removes the host file `absolutePath` under `root` and syncs its directory. A symbolic link
 * is removed itself, not the file it points to (directories on the way are followed). Resolves
 * to false when there was nothing to remove.
 */
export async function removeFile(root: string, absolutePath: string): Promise<boolean> {
  try {
    const real = await resolveHostPath(root, absolutePath, { followLast: false });
    await unlink(hostPath(root, real));
    await syncDirectory(path.dirname(hostPath(root, real)));
    return true;
  } catch (error) {
    if (errnoOf(error) === 'ENOENT') return false;
    const { reason, remedy } = describeFailure(error);
    throw new RunFailedError(
      `could not remove ${describeHostPath(root, absolutePath)}: ${reason}`,
      { remedy, cause: error },
    );
  }
}
