/**
 * The peer command of container mode on containerd masters: the same image, by the reference
 * the coordinator runs it by, started with `ctr run` on the peer with the wrapper scripts'
 * flags and mounts. ctr replaces the image's whole command line, so the catalogue's
 * entrypoint comes before the "$@" the SSH session appends (`agent --root /host`).
 */

import { IMAGE_CATALOGUE } from './catalogue.js';
import { shellQuote } from '../remote/shell-quote.js';
import { mountShellLines } from './peer-mounts.js';
import { ctrWords } from './runtime-env.js';

/** The host namespaces the container joins besides the network (`--net-host`): PID 1's. */
const HOST_NAMESPACES = ['pid', 'uts', 'ipc'].map((ns) => `--with-ns ${ns}:/proc/1/ns/${ns}`);

/** Builds the remote shell command; `address` is containerd's socket on the peer. */
export function containerdPeerCommand(reference: string, privilege: readonly string[], address: string): string {
  const bind = (path: string, target: string, mode: string) =>
    `--mount type=bind,src=${path},dst=${target},options=rbind:${mode}`;
  const lines = ['set -e', ...mountShellLines(bind)];
  const run = [
    'exec',
    ...ctrWords(address).map(shellQuote),
    'run --rm',
    ...privilege.map(shellQuote),
    '--net-host',
    ...HOST_NAMESPACES,
    '--env ETCD_ROTATE_CONTAINERIZED=1',
    '--env ETCD_ROTATE_CONTAINER_RUNTIME=containerd',
    `--env ${shellQuote(`ETCD_ROTATE_IMAGE=${reference}`)}`,
    '$m',
    shellQuote(reference),
    // Unique on the peer even next to a container a killed run left behind.
    'etcd-rotate-agent-$(date +%s)-$$',
    ...IMAGE_CATALOGUE.run.entrypoint.map(shellQuote),
    '"$@"',
  ];
  lines.push(run.join(' '));
  return `sh -c ${shellQuote(lines.join('; '))} etcd-rotate`;
}
