/**
 * Host paths as discovery uses them: opened on disk under the root, links
 * followed inside it. The resolution itself lives in `src/host/paths.ts`.
 */

import path from 'node:path';
import { hostPath, resolveHostPath as resolveWithinHost } from '../host/paths.js';

export { hostPath };

/**
 * The path to open on disk for the host path `absolutePath`, following
 * symbolic links as the host would see them, inside `root`.
 */
export async function resolveHostPath(root: string, absolutePath: string): Promise<string> {
  return hostPath(root, await resolveWithinHost(root, absolutePath));
}

/**
 * Resolves `value` against the directory `base` when it is relative, as a process started in
 * `base` would. Absolute values come back normalised but otherwise unchanged (no realpath).
 */
export function resolveAgainst(base: string, value: string): string {
  return path.posix.resolve(base, value);
}
