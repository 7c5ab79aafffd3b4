/** Makes sure the programs the simulation drives are installed (Debian). */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { mustRun } from './run.js';

/** Each program the simulation runs, and the Debian package providing it. */
export const SIM_PROGRAMS: Record<string, string> = {
  etcd: 'etcd-server',
  etcdctl: 'etcd-client',
  sshd: 'openssh-server',
  ssh: 'openssh-client',
  'ssh-keygen': 'openssh-client',
  nft: 'nftables',
  openssl: 'openssl',
  unshare: 'util-linux',
  nsenter: 'util-linux',
  mount: 'mount',
  ss: 'iproute2',
  hostname: 'hostname',
};

const SEARCH_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

/** The programs of SIM_PROGRAMS not found in the usual system directories or PATH. */
export function missingSimPrograms(): string[] {
  const dirs = [...SEARCH_PATH, ...(process.env.PATH ?? '').split(delimiter)];
  return Object.keys(SIM_PROGRAMS).filter(
    (prog) =>
      !dirs.some((d) => {
        try {
          accessSync(join(d, prog), constants.X_OK);
          return true;
        } catch {
          return false;
        }
      }),
  );
}

/**
 * Installs the simulation's packages with apt-get when a program is missing.
 * Resolves to the programs that were missing (empty when nothing was done).
 */
export async function ensureSimPackages(): Promise<string[]> {
  const missing = missingSimPrograms();
  if (missing.length === 0) return [];
  const env = { DEBIAN_FRONTEND: 'noninteractive' };
  await mustRun(['apt-get', 'update'], { env, timeoutMs: 600_000 });
  await mustRun(
    [
      'apt-get', 'install', '-y', '--no-install-recommends',
      'etcd-server', 'etcd-client', 'openssh-server', 'openssh-client', 'nftables',
      'util-linux', 'mount', 'hostname', 'iproute2', 'openssl',
    ],
    { env, timeoutMs: 600_000 },
  );
  const still = missingSimPrograms();
  if (still.length > 0) {
    throw new Error(`apt-get install finished but ${still.join(', ')} are still missing`);
  }
  return missing;
}
