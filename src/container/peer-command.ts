/**
 * The peer command of container mode: the same image, by id, started with `docker run` on the
 * peer with the wrapper scripts' flags and mounts; `agent --root /host` is appended by the
 * SSH session and reaches the entrypoint through "$@".
 */

import { CONTAINER_HOST_ROOT, containerMounts } from './images.js';

/** Single-quotes `word` for a POSIX shell. */
function quote(word: string): string {
  return `'${word.replace(/'/g, `'\\''`)}'`;
}

/**
 * Builds the remote shell command. Only the catalogue's paths that exist on the peer are
 * mounted (docker would create the missing ones); the state directory is created first.
 */
export function containerPeerCommand(imageId: string, privilege: readonly string[]): string {
  const lines: string[] = ['set -e', 'm=""'];
  for (const mount of containerMounts()) {
    const mode = mount.readOnly ? 'ro' : 'rw';
    if (mount.create) lines.push(`mkdir -p -m 0700 ${mount.path}`);
    const flags = [`-v ${mount.path}:${CONTAINER_HOST_ROOT}${mount.path}:${mode}`];
    if (mount.alsoAt) flags.push(`-v ${mount.path}:${mount.alsoAt}:${mode}`);
    lines.push(`if [ -e ${mount.path} ]; then m="$m ${flags.join(' ')}"; fi`);
  }
  const run = [
    'exec docker run -i --rm',
    ...privilege.map(quote),
    '--pid host --network host --uts host --ipc host',
    '-e ETCD_ROTATE_CONTAINERIZED=1',
    `-e ETCD_ROTATE_IMAGE=${imageId}`,
    '$m',
    imageId,
    '"$@"',
  ];
  lines.push(run.join(' '));
  return `sh -c ${quote(lines.join('; '))} etcd-rotate`;
}
