/**
 * Host paths under a root prefix.
 *
 * Flags and unit files name host paths ("/var/lib/etcd/cert/ca.pem"). On a master the root is
 * "/"; in a container the host's filesystem is mounted somewhere else (for example "/host"),
 * and tests use a temporary directory. Joining is not enough to read such a path: an absolute
 * symbolic link on the host ("/var/lib/etcd -> /data/etcd") would escape the mount and point
 * into the container. `resolveHostPath` follows links the way the host would, inside the root.
 */

import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Linux gives up after 40 links in one lookup; so do we. */
const MAX_SYMLINKS = 40;

/**
 * Joins a root prefix and an absolute host path: `hostPath('/host', '/etc/x')` is
 * `/host/etc/x`, and with the root "/" the host path comes back unchanged. ".." in the host
 * path stops at the host's "/", so the result never leaves the root.
 */
export function hostPath(root: string, absolutePath: string): string {
  if (!path.posix.isAbsolute(absolutePath)) {
    throw new TypeError(`hostPath needs an absolute host path, received "${absolutePath}"`);
  }
  return path.posix.join(root, path.posix.normalize(absolutePath));
}

/**
 * Resolves an absolute host path to the path to open under `root`, following symbolic links
 * as the host would see them: absolute targets start again at the root, and ".." never climbs
 * above it. Components that do not exist are kept as they are, so opening the result fails
 * with ENOENT as it would on the host. Rejects with an ELOOP error after 40 links.
 */
export async function resolveHostPath(root: string, absolutePath: string): Promise<string> {
  const joined = hostPath(root, absolutePath);
  if (path.posix.resolve(root) === '/') return joined;

  const pending = absolutePath.split('/');
  let resolved: string[] = [];
  let links = 0;

  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }

    const candidate = [...resolved, part];
    const onDisk = hostPath(root, `/${candidate.join('/')}`);
    const stats = await lstat(onDisk).catch((error: NodeJS.ErrnoException) => {
      if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return undefined;
      throw error;
    });
    if (stats === undefined) {
      return hostPath(root, `/${[...candidate, ...pending].join('/')}`);
    }
    if (!stats.isSymbolicLink()) {
      resolved = candidate;
      continue;
    }

    links += 1;
    if (links > MAX_SYMLINKS) {
      const error: NodeJS.ErrnoException = new Error(`too many symbolic links in ${joined}`);
      error.code = 'ELOOP';
      throw error;
    }
    const target = await readlink(onDisk);
    pending.unshift(...target.split('/'));
    if (target.startsWith('/')) resolved = [];
  }

  return hostPath(root, `/${resolved.join('/')}`);
}

/**
 * Resolves `value` against the directory `base` when it is relative, as a process started in
 * `base` would. Absolute values come back normalised but otherwise unchanged (no realpath).
 */
export function resolveAgainst(base: string, value: string): string {
  return path.posix.resolve(base, value);
}
