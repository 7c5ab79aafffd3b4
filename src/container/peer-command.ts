/**
 * The peer command of container mode: the same image, by id, started with `docker run` on the
 * peer with the wrapper scripts' flags and mounts; `agent --root /host` is appended by the
 * SSH session and reaches the entrypoint through "$@".
 */

import { shellQuote } from '../remote/shell-quote.js';
import { mountShellLines } from './peer-mounts.js';

/**
 * Builds the remote shell command. Only the catalogue's paths that exist on the peer are
 * mounted (docker would create the missing ones); the state directory is created first.
 */
export function containerPeerCommand(imageId: string, privilege: readonly string[]): string {
  const lines = ['set -e', ...mountShellLines((path, target, mode) => `-v ${path}:${target}:${mode}`)];
  const run = [
    'exec docker run -i --rm',
    ...privilege.map(shellQuote),
    '--pid host --network host --uts host --ipc host',
    '-e ETCD_ROTATE_CONTAINERIZED=1',
    `-e ETCD_ROTATE_IMAGE=${imageId}`,
    '$m',
    imageId,
    '"$@"',
  ];
  lines.push(run.join(' '));
  return `sh -c ${shellQuote(lines.join('; '))} etcd-rotate`;
}
