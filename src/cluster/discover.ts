/**
 * Discovery: the topology of one master, read from what it actually runs (the etcd unit or
 * static pod, and the kube-apiserver static pod). Reads files only; changes nothing.
 */

import { readApiserverEtcdConfig, type DiscoveryWarning } from './apiserver.js';
import { buildEtcdConfig } from './etcd-config.js';
import { readEtcdLaunch } from './etcd-launch.js';
import type { Topology } from './types.js';

/** Where to look, and whom to tell about what discovery carried on past. */
export interface DiscoverOptions {
  /** Prefix under which host paths are resolved: "/" on a master, the host mount in a container. */
  root: string;
  /** Called for each problem discovery carried on past; log it with its reason. */
  onWarning?: (warning: DiscoveryWarning) => void;
}

/**
 * Discovers the local etcd member, the cluster's members and kube-apiserver's etcd settings on
 * the master whose filesystem is at `root`. Paths in the result are host paths, as written in
 * the flags (relative ones resolved against the working directory), not prefixed with `root`.
 * `apiserver` is absent when the host has no kube-apiserver manifest or it names no etcd flags.
 * Throws InputError, with the file and the remedy, for anything it cannot read or use.
 *
 * @example
 * const topology = await discoverTopology({ root: '/host' });
 * topology.etcd.members.map((member) => member.ip); // ['192.168.0.180', ...]
 */
export async function discoverTopology(options: DiscoverOptions): Promise<Topology> {
  const { root, onWarning } = options;

  const launch = await readEtcdLaunch(root);
  const apiserver = await readApiserverEtcdConfig(root, onWarning);

  const etcd = buildEtcdConfig(launch, apiserver?.servers ?? []);
  return apiserver === undefined ? { root, etcd } : { root, etcd, apiserver };
}
