/**
 * Docker on the simulated masters (`createSimCluster({ docker: true })`): each master gets its
 * own PID namespace (PID 1 is its anchor), its own /run and /var/lib/docker, and its own
 * dockerd, started by a `docker.service` unit through the systemctl stand-in. So `docker run
 * -v /var/lib/etcd:...` on master 2 mounts master 2's files, `--pid host` is master 2's PID
 * namespace and `nsenter --target 1` from such a container reaches master 2, as on real hosts.
 *
 * NB. The host's own dockerd is not used by the masters; its socket stays the host's
 * /var/run/docker.sock. Containers share the host's network namespace like everything else.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MasterFacts } from './layout.js';
import { runCommand } from './run.js';
import { renderServiceUnit } from './service-unit.js';

/** The in-master directory holding a master's images and containers (bind-mounted). */
export const DOCKER_DATA_DIR = '/var/lib/docker';

/** dockerd's flags: no bridge or iptables (host networking only), vfs storage. */
const DOCKERD = [
  '/usr/sbin/dockerd',
  `--data-root=${DOCKER_DATA_DIR}`,
  '--exec-root=/run/docker',
  '--pidfile=/run/docker.pid',
  '-H unix:///run/docker.sock',
  '--storage-driver=vfs',
  '--bridge=none',
  '--iptables=false',
  '--ip6tables=false',
  '--ip-masq=false',
  '--userland-proxy=false',
];

/** The docker.service unit of master `m`. */
export function renderDockerUnit(m: MasterFacts): string {
  return renderServiceUnit({
    description: `Docker of simulated ${m.hostname} (own data root, exec root and socket)`,
    execStart: DOCKERD.join(' '),
  });
}

/** Whether this machine can give masters their own dockerd. */
export function dockerAvailable(): boolean {
  return existsSync('/usr/sbin/dockerd') && existsSync('/usr/bin/containerd');
}

/** The master's docker socket as the host reaches it (through the anchor's root). */
export function dockerSocketOf(anchorPid: number): string {
  return `/proc/${anchorPid}/root/run/docker.sock`;
}

/** Waits until the master's dockerd answers `docker version`. */
export async function waitForDocker(anchorPid: number, hostname: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await runCommand(['docker', '-H', `unix://${dockerSocketOf(anchorPid)}`, 'version', '--format', '{{.Server.Version}}']);
    if (r.exitCode === 0) return;
    last = r.stderr.trim();
    await sleep(200);
  }
  throw new Error(`dockerd on ${hostname} did not answer within ${timeoutMs} ms: ${last}`);
}
