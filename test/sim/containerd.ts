/**
 * containerd-only masters (`createSimCluster({ runtime: 'containerd' })`), as on ACK masters
 * that run containerd: each master gets its own PID namespace, /run and /var/lib/containerd and
 * its own containerd (overlayfs snapshots), started by a `containerd.service` unit through the
 * systemctl stand-in, its socket at /run/containerd/containerd.sock inside the master. docker
 * and dockerd are hidden from the master (overlayfs whiteouts over the directories holding
 * them), so `command -v docker` finds nothing there, as on such a host.
 *
 * NB. The CRI plugin is disabled: kubelet and crictl are stand-ins (controlplane/) that do not
 * talk to containerd, so the static pods are not containerd's containers.
 */
import { existsSync, realpathSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { MasterFacts } from './layout.js';
import { mustRun, runCommand } from './run.js';
import { renderServiceUnit } from './service-unit.js';

/** The in-master directory holding a master's images and snapshots (bind-mounted). */
export const CONTAINERD_DATA_DIR = '/var/lib/containerd';

/** The in-master socket, where ACK masters have it. */
export const CONTAINERD_SOCKET = '/run/containerd/containerd.sock';

/** The in-master configuration file (in the master's own /run/sim). */
const CONFIG = '/run/sim/containerd.toml';

/** The docker programs a containerd-only master must not have, and where they may be. */
const HIDDEN_PROGRAMS = ['docker', 'dockerd'];
const PROGRAM_DIRS = ['/usr/local/bin', '/usr/bin', '/usr/sbin'];

/** Whether this machine can give masters their own containerd. */
export function containerdAvailable(): boolean {
  return ['/usr/bin/containerd', '/usr/bin/ctr', '/usr/bin/containerd-shim-runc-v2'].every(existsSync)
    && (existsSync('/usr/sbin/runc') || existsSync('/usr/bin/runc'));
}

/** Writes master `m`'s containerd.service unit and configuration. */
export async function installContainerd(m: MasterFacts): Promise<void> {
  await mkdir(join(m.dir, CONTAINERD_DATA_DIR), { recursive: true, mode: 0o711 });
  await mkdir(join(m.dir, '/run/sim'), { recursive: true });
  const config = [
    'version = 2',
    `root = "${CONTAINERD_DATA_DIR}"`,
    'state = "/run/containerd"',
    'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
    '[grpc]',
    `  address = "${CONTAINERD_SOCKET}"`,
    '',
  ].join('\n');
  await writeFile(join(m.dir, CONFIG), config, { mode: 0o644 });
  const unit = renderServiceUnit({
    description: `containerd of simulated ${m.hostname} (own root, state and socket)`,
    execStart: `/usr/bin/containerd --config ${CONFIG}`,
  });
  await writeFile(join(m.dir, '/usr/lib/systemd/system/containerd.service'), unit, { mode: 0o644 });
}

/**
 * Hides docker and dockerd inside the master whose anchor is `anchorPid`: each directory
 * holding one is covered by a read-only overlay of itself under a layer of whiteouts (made in
 * `whiteoutDir` on the host). Everything else in those directories stays visible.
 */
export async function hideDocker(anchorPid: number, whiteoutDir: string): Promise<void> {
  const dirs = [...new Set(PROGRAM_DIRS.filter(existsSync).map((dir) => realpathSync(dir)))];
  for (const dir of dirs) {
    const programs = HIDDEN_PROGRAMS.filter((name) => existsSync(join(dir, name)));
    if (programs.length === 0) continue;
    const layer = join(whiteoutDir, dir);
    await mkdir(layer, { recursive: true });
    for (const name of programs) await mustRun(['mknod', join(layer, name), 'c', '0', '0']);
    const overlay = ['mount', '-t', 'overlay', 'sim-nodocker', '-o', `lowerdir=${layer}:${dir}`, dir];
    await mustRun(['nsenter', '-t', String(anchorPid), '-m', '--', ...overlay]);
  }
}

/** The master's containerd socket as the host reaches it (through the anchor's root). */
export function containerdSocketOf(anchorPid: number): string {
  return `/proc/${anchorPid}/root${CONTAINERD_SOCKET}`;
}

/** Waits until the master's containerd answers `ctr version`. */
export async function waitForContainerd(anchorPid: number, hostname: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const r = await runCommand(['ctr', '--address', containerdSocketOf(anchorPid), '--connect-timeout', '1s', 'version']);
    if (r.exitCode === 0) return;
    last = r.stderr.trim();
    await sleep(200);
  }
  throw new Error(`containerd on ${hostname} did not answer within ${timeoutMs} ms: ${last}`);
}
