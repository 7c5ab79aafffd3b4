/**
 * Reading the host's files under a root prefix, with errors the operator can act on.
 *
 * A file that does not exist is a normal answer during discovery (the unit may live in one of
 * several directories), so it comes back as `undefined`. Anything else that stops the read
 * (permissions, a directory where a file should be, a symlink loop) is an InputError.
 */

import { readdir, readFile, readlink } from 'node:fs/promises';
import path from 'node:path';

import { InputError, messageOf } from '../errors.js';
import { hostPath, resolveHostPath } from './host-path.js';

const ABSENT = new Set(['ENOENT', 'ENOTDIR']);

/** Why a read failed, in words, with what to do about it; keyed on the errno code. */
const READ_FAILURES: Record<string, { reason: string; remedy: string }> = {
  EACCES: {
    reason: 'permission denied',
    remedy: 'run etcd-rotate as root (for example with sudo) or make the file readable',
  },
  EPERM: {
    reason: 'operation not permitted',
    remedy: 'run etcd-rotate as root (for example with sudo) or make the file readable',
  },
  EISDIR: {
    reason: 'it is a directory, not a file',
    remedy: 'replace it with the file it should be',
  },
  ELOOP: {
    reason: 'too many levels of symbolic links',
    remedy: 'fix the symbolic links on that path',
  },
};

/**
 * Reads the text of the host file `absolutePath` under `root`, following symbolic links inside
 * the root. Returns `undefined` when the file does not exist. `what` names the file in errors
 * ("etcd unit", "kube-apiserver manifest").
 */
export async function readHostFile(
  root: string,
  absolutePath: string,
  what: string,
): Promise<string | undefined> {
  try {
    return await readFile(await resolveHostPath(root, absolutePath), 'utf8');
  } catch (error) {
    if (ABSENT.has(codeOf(error))) return undefined;
    throw readError(error, what, hostPath(root, absolutePath));
  }
}

/**
 * Lists the names in the host directory `absolutePath` under `root`, sorted; an empty list
 * when the directory does not exist.
 */
export async function listHostDirectory(
  root: string,
  absolutePath: string,
  what: string,
): Promise<string[]> {
  try {
    const names = await readdir(await resolveHostPath(root, absolutePath));
    return names.sort();
  } catch (error) {
    if (ABSENT.has(codeOf(error))) return [];
    throw readError(error, what, hostPath(root, absolutePath));
  }
}

function readError(error: unknown, what: string, shownPath: string): InputError {
  const known = READ_FAILURES[codeOf(error)];
  if (known) {
    return new InputError(`cannot read ${what} ${shownPath}: ${known.reason}`, {
      remedy: known.remedy,
      cause: error,
    });
  }
  return new InputError(`cannot read ${what} ${shownPath}: ${messageOf(error)}`, {
    remedy: 'check the file and run again',
    cause: error,
  });
}

function codeOf(error: unknown): string {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' ? code : '';
}

/**
 * The target of the host symbolic link `absolutePath` under `root`, as written in the link;
 * `undefined` when the path does not exist or is not a symbolic link.
 */
export async function readHostLink(
  root: string,
  absolutePath: string,
  what: string,
): Promise<string | undefined> {
  const linkPath = hostPath(root, absolutePath);
  try {
    const parent = await resolveHostPath(root, path.posix.dirname(absolutePath));
    return await readlink(path.posix.join(parent, path.posix.basename(linkPath)));
  } catch (error) {
    if (ABSENT.has(codeOf(error)) || codeOf(error) === 'EINVAL') return undefined;
    throw readError(error, what, linkPath);
  }
}
