/**
 * Host paths under a root prefix, resolved the way the host would resolve them.
 *
 * Callers name files by their absolute path on the host ("/etc/kubernetes/pki/ca.crt") and
 * pass the root under which the host's filesystem is visible: "/" on a master, "/host" (or
 * similar) inside a privileged container, a temporary directory in tests. Joining the two is
 * enough for directories we own, but not for files reached through symbolic links: an
 * absolute link target on the host ("/etc/kubernetes/pki -> /data/pki") would otherwise
 * escape the mount and point into the container. `resolveHostPath` follows links inside the
 * root, as the host would.
 */

import { lstat, readlink } from 'node:fs/promises';
import path from 'node:path';

/** Linux gives up after 40 links in one lookup; so do we. */
const MAX_LINKS = 40;

/**
 * Joins `root` and the absolute host path: ("/host", "/etc/x") is "/host/etc/x". ".." in the
 * host path stops at the host's "/", so the result never leaves the root.
 */
export function hostPath(root: string, absolutePath: string): string {
  if (!path.posix.isAbsolute(absolutePath)) {
    throw new TypeError(`a host path must be absolute, received "${absolutePath}"`);
  }
  return path.posix.join(root, path.posix.normalize(absolutePath));
}

/** Names a host path for messages: the host's own path, plus the root when it is not "/". */
export function describeHostPath(root: string, absolutePath: string): string {
  const normal = path.posix.normalize(absolutePath);
  return path.posix.resolve(root) === '/' ? normal : `${normal} (under ${root})`;
}

/**
 * Resolves the absolute host path `absolutePath` to the host path it really names, following
 * every symbolic link on the way (the last component too, unless `followLast` is false).
 * Absolute link targets start again at the host's "/", which is `root` on disk, and ".." never
 * climbs above it. Components that do not exist are kept as they are, so that creating or
 * opening the result behaves as it would on the host. The answer is a host path: join it with
 * `root` (see `hostPath`) to open it. Rejects with an ELOOP error after 40 links.
 */
export async function resolveHostPath(
  root: string,
  absolutePath: string,
  { followLast = true }: { followLast?: boolean } = {},
): Promise<string> {
  const pending = hostPath('/', absolutePath).split('/').filter((part) => part !== '');
  let resolved: string[] = [];
  let links = 0;

  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }

    const candidate = [...resolved, part];
    const isLast = pending.length === 0;
    const target = isLast && !followLast ? undefined : await linkTarget(root, candidate);
    if (target === undefined) {
      resolved = candidate;
      continue;
    }

    links += 1;
    if (links > MAX_LINKS) throw tooManyLinks(root, absolutePath);
    pending.unshift(...target.split('/').filter((piece) => piece !== ''));
    if (target.startsWith('/')) resolved = [];
  }

  return `/${resolved.join('/')}`;
}

/** The target of the link at `parts` under `root`; undefined for anything else or nothing. */
async function linkTarget(root: string, parts: string[]): Promise<string | undefined> {
  const onDisk = hostPath(root, `/${parts.join('/')}`);
  try {
    const stats = await lstat(onDisk);
    return stats.isSymbolicLink() ? await readlink(onDisk) : undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
}

function tooManyLinks(root: string, absolutePath: string): NodeJS.ErrnoException {
  const error: NodeJS.ErrnoException = new Error(
    `too many levels of symbolic links in ${describeHostPath(root, absolutePath)}`,
  );
  error.code = 'ELOOP';
  return error;
}
