/**
 * The part of a peer command both runtimes share: the catalogue's mounts, as shell lines that
 * add a runtime's mount flags for each path that exists on the peer (docker and ctr alike would
 * otherwise create the missing ones, or fail), after creating the state directory.
 */

import { CONTAINER_HOST_ROOT, containerMounts } from './images.js';

/** One runtime's flags binding host `path` at `target` in the container, `mode` ro or rw. */
export type MountFlag = (path: string, target: string, mode: 'ro' | 'rw') => string;

/** Shell lines collecting the mount flags of the existing catalogue paths in `$m`. */
export function mountShellLines(flag: MountFlag): string[] {
  const lines: string[] = ['m=""'];
  for (const mount of containerMounts()) {
    const mode = mount.readOnly ? 'ro' : 'rw';
    if (mount.create) lines.push(`mkdir -p -m 0700 ${mount.path}`);
    const flags = [flag(mount.path, `${CONTAINER_HOST_ROOT}${mount.path}`, mode)];
    if (mount.alsoAt) flags.push(flag(mount.path, mount.alsoAt, mode));
    lines.push(`if [ -e ${mount.path} ]; then m="$m ${flags.join(' ')}"; fi`);
  }
  return lines;
}
