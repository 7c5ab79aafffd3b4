/**
 * The local etcd member's configuration, interpreted from how it is launched: members, TLS
 * files, URLs and data directory, with relative paths resolved as etcd resolves them. Pure.
 */

import path from 'node:path';

import { InputError } from '../errors.js';
import { readEtcdFlags } from './etcd-flags.js';
import { resolveAgainst } from './host-path.js';
import type { EtcdLaunch } from './launch.js';
import { assignClientUrls, parseInitialCluster } from './members.js';
import type { EtcdConfig, EtcdTlsPaths, Member } from './types.js';

/** Each TLS path of EtcdTlsPaths with its flag; the required ones make etcd TLS-enabled. */
const TLS_FLAGS: ReadonlyArray<{ key: keyof EtcdTlsPaths; flag: string; required: boolean }> = [
  { key: 'certFile', flag: 'cert-file', required: true },
  { key: 'keyFile', flag: 'key-file', required: true },
  { key: 'trustedCaFile', flag: 'trusted-ca-file', required: true },
  { key: 'peerCertFile', flag: 'peer-cert-file', required: true },
  { key: 'peerKeyFile', flag: 'peer-key-file', required: true },
  { key: 'peerTrustedCaFile', flag: 'peer-trusted-ca-file', required: true },
  { key: 'clientCertFile', flag: 'client-cert-file', required: false },
  { key: 'clientKeyFile', flag: 'client-key-file', required: false },
  { key: 'peerClientCertFile', flag: 'peer-client-cert-file', required: false },
  { key: 'peerClientKeyFile', flag: 'peer-client-key-file', required: false },
];

/** etcd's defaults for the URL flags, used when neither a flag nor ETCD_* sets them. */
const URL_DEFAULTS = {
  'listen-client-urls': 'http://localhost:2379',
  'advertise-client-urls': 'http://localhost:2379',
  'listen-peer-urls': 'http://localhost:2380',
  'initial-advertise-peer-urls': 'http://localhost:2380',
} as const;

/**
 * Interprets the launch of the local etcd member. `etcdServers` (kube-apiserver's
 * `--etcd-servers`, possibly empty) supplies the other members' client URLs. Throws InputError
 * when the members cannot be known, when `--name` is not one of them, or when etcd does not
 * use TLS for clients and peers.
 */
export function buildEtcdConfig(launch: EtcdLaunch, etcdServers: string[]): EtcdConfig {
  const source = launch.description;
  const flags = readEtcdFlags(launch.args, launch.env, source);
  const resolve = (value: string): string => resolvePath(value, launch, source);
  const urls = (flag: keyof typeof URL_DEFAULTS): string[] =>
    splitList(flags[flag] ?? URL_DEFAULTS[flag]);

  // etcd calls an unnamed member "default".
  const localName = flags['name'] ?? 'default';
  const declared = readDeclaredMembers(flags, localName, source);
  const tls = readTlsPaths(flags, resolve, source);

  const advertiseClientUrls = urls('advertise-client-urls');
  const members = assignClientUrls(declared, { localName, advertiseClientUrls, etcdServers });

  const config: EtcdConfig = {
    source: launch.source,
    localName,
    members,
    dataDir: resolve(flags['data-dir'] ?? `${localName}.etcd`),
    tls,
    listenClientUrls: urls('listen-client-urls'),
    advertiseClientUrls,
    listenPeerUrls: urls('listen-peer-urls'),
    initialAdvertisePeerUrls: urls('initial-advertise-peer-urls'),
    flags,
  };
  if (launch.user !== undefined) config.user = launch.user;
  if (launch.workingDirectory !== undefined) config.workingDirectory = launch.workingDirectory;
  return config;
}

/** The members `--initial-cluster` declares, checked to include the local one. */
function readDeclaredMembers(
  flags: Record<string, string>,
  localName: string,
  source: string,
): Member[] {
  const initialCluster = flags['initial-cluster'];
  if (initialCluster === undefined || initialCluster.trim() === '') {
    throw new InputError(
      `${source} sets no --initial-cluster (nor ETCD_INITIAL_CLUSTER), so the cluster's members are unknown`,
      { remedy: 'add --initial-cluster as the cluster was bootstrapped (name=https://<IP>:2380,...), then run again' },
    );
  }

  const declared = parseInitialCluster(initialCluster, source);
  if (!declared.some((member) => member.name === localName)) {
    const names = declared.map((member) => member.name).join(', ');
    throw new InputError(
      `--name ${localName} in ${source} is not among the --initial-cluster members (${names})`,
      { remedy: 'fix --name or --initial-cluster so that they name the local member alike, then run again' },
    );
  }
  return declared;
}

function readTlsPaths(
  flags: Record<string, string>,
  resolve: (value: string) => string,
  source: string,
): EtcdTlsPaths {
  const missing = TLS_FLAGS.filter(({ flag, required }) => required && !flags[flag])
    .map(({ flag }) => `--${flag}`)
    .join(', ');
  if (missing !== '') {
    throw new InputError(
      `${source} runs etcd without ${missing}: etcd-rotate needs a TLS-enabled etcd (client and peer certificates)`,
      { remedy: 'enable TLS for clients and peers first; this tool renews certificates, it does not introduce them' },
    );
  }

  const tls: Partial<EtcdTlsPaths> = {};
  for (const { key, flag } of TLS_FLAGS) {
    const value = flags[flag];
    if (value) tls[key] = resolve(value);
  }
  return tls as EtcdTlsPaths;
}

/** Resolves a path flag against the working directory, as etcd would see it at runtime. */
function resolvePath(value: string, launch: EtcdLaunch, source: string): string {
  const base = launch.workingDirectory ?? '/';
  if (path.posix.isAbsolute(base)) return resolveAgainst(base, value);
  if (path.posix.isAbsolute(value)) return resolveAgainst('/', value);

  // NB. systemd's "WorkingDirectory=~" means the home of User=, which would need the host's
  // user database; only a relative path under it is a problem.
  throw new InputError(
    `${source} gives the relative path ${value} with the working directory ${base}, which etcd-rotate cannot resolve`,
    { remedy: 'make the path or the working directory absolute, then run again' },
  );
}

function splitList(value: string): string[] {
  return value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
}
