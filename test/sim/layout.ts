/**
 * The table of facts about a simulated master: its address, names, user ids and
 * which in-master paths are bind-mounted from its own directory on the host.
 */
import { join } from 'node:path';

/** First octet offset: master i listens on 127.0.0.(IP_BASE + i). */
export const IP_BASE = 10;

/** Master i's `etcd` user and group get the id ETCD_ID_BASE + i. */
export const ETCD_ID_BASE = 41000;

/** The etcd ports, as on ACK. */
export const CLIENT_PORT = 2379;
export const PEER_PORT = 2380;

/** The directories bind-mounted per master, in mount order. */
export const BOUND_DIRS = [
  '/var/lib/etcd',
  '/etc/kubernetes',
  '/usr/lib/systemd/system',
  '/etc/systemd/system',
  '/root/.ssh',
  '/var/lib/etcd-rotate',
  '/run/sim',
  '/var/log/sim',
  '/usr/local/sbin',
] as const;

/** The files bind-mounted per master (copies of the host's, edited). */
export const BOUND_FILES = ['/etc/passwd', '/etc/group'] as const;

/** What the simulation knows about one master, without any process. */
export interface MasterFacts {
  /** 1-based position, as in the member name. */
  index: number;
  /** The etcd member name, `<IP>-name-<N>`. */
  name: string;
  ip: string;
  hostname: string;
  /** Host path of this master's root; bound paths live under it at the same path. */
  dir: string;
  /** uid and gid of this master's `etcd` user. */
  etcdUid: number;
}

/** Derives master i's facts; `simDir` is the cluster's directory on the host. */
export function describeMaster(simDir: string, index: number): MasterFacts {
  const ip = `127.0.0.${IP_BASE + index}`;
  return {
    index,
    name: `${ip}-name-${index}`,
    ip,
    hostname: `master-${index}`,
    dir: join(simDir, `m${index}`),
    etcdUid: ETCD_ID_BASE + index,
  };
}

/**
 * Maps an absolute in-master path to where it lives on the host: bound paths
 * move under the master's directory, everything else is shared with the host.
 */
export function mapToHost(masterDir: string, path: string): string {
  if (!path.startsWith('/')) {
    throw new Error(`hostPath needs an absolute in-master path, received "${path}"`);
  }
  const bound = [...BOUND_DIRS, ...BOUND_FILES].some(
    (b) => path === b || path.startsWith(`${b}/`),
  );
  return bound ? join(masterDir, path) : path;
}
