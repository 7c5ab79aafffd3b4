/**
 * kube-apiserver's etcd client settings, from its static pod manifest.
 *
 * What counts as an error here, decided for an apiserver that is optional to discovery:
 * - no manifest: the host runs no kube-apiserver (an etcd-only host); the topology has none;
 * - a manifest that is not YAML or not a pod: an InputError, the operator must look at it;
 * - a manifest without any of the four etcd flags: not fatal; this apiserver does not reach a
 *   TLS etcd, so there is nothing to renew for it; the topology has none and the caller is
 *   told through `onWarning`;
 * - some etcd TLS flags but not all: an InputError, since rotating the etcd CA would cut such an
 *   apiserver off in a way the tool cannot repair.
 */

import path from 'node:path';

import { InputError } from '../errors.js';
import { lastFlagValues, parseFlags } from './flags.js';
import { hostPath, resolveAgainst } from './host-path.js';
import { MANIFEST_DIRECTORY, readStaticPodContainer } from './static-pod.js';
import type { ApiserverEtcdConfig } from './types.js';

/** The kubeadm static pod manifest of kube-apiserver. */
export const APISERVER_MANIFEST_PATH = path.posix.join(MANIFEST_DIRECTORY, 'kube-apiserver.yaml');

/** Something discovery carried on past, for the caller to log with the reason. */
export type DiscoveryWarning = {
  kind: 'apiserver-without-etcd-flags';
  /** The manifest's host path (without the root prefix). */
  manifestPath: string;
};

/** kube-apiserver boolean flags that kubeadm or operators may write without a value. */
const APISERVER_BOOLEAN_FLAGS: ReadonlySet<string> = new Set([
  'allow-privileged',
  'anonymous-auth',
  'enable-aggregator-routing',
  'enable-bootstrap-token-auth',
  'enable-garbage-collector',
  'enable-priority-and-fairness',
  'profiling',
  'logtostderr',
  'alsologtostderr',
]);

/** The file flags, keyed by the field they fill. */
const FILE_FLAGS = {
  caFile: 'etcd-cafile',
  certFile: 'etcd-certfile',
  keyFile: 'etcd-keyfile',
} as const;

/**
 * Reads kube-apiserver's etcd settings under `root`. Returns `undefined` when there is no
 * manifest, or when it names no etcd flags at all (reported through `onWarning`). Throws
 * InputError for a malformed manifest or an incomplete set of etcd flags.
 */
export async function readApiserverEtcdConfig(
  root: string,
  onWarning: (warning: DiscoveryWarning) => void = () => {},
): Promise<ApiserverEtcdConfig | undefined> {
  const manifestPath = APISERVER_MANIFEST_PATH;
  const container = await readStaticPodContainer(root, manifestPath, 'kube-apiserver');
  if (container === undefined) return undefined;

  const source = `kube-apiserver manifest ${hostPath(root, manifestPath)}`;
  const args = container.argv[0]?.startsWith('-') ? container.argv : container.argv.slice(1);
  const flags = parseFlags(args, { booleans: APISERVER_BOOLEAN_FLAGS, source });

  // --etcd-servers is a list flag: repeating it adds to the list.
  const servers = flags
    .filter(({ name }) => name === 'etcd-servers')
    .flatMap(({ value }) => value.split(','))
    .map((server) => server.trim())
    .filter(Boolean);
  const last = lastFlagValues(flags);

  const missing = [
    ...(servers.length === 0 ? ['--etcd-servers'] : []),
    ...Object.values(FILE_FLAGS)
      .filter((flag) => !last[flag])
      .map((flag) => `--${flag}`),
  ];
  if (missing.length === 4) {
    onWarning({ kind: 'apiserver-without-etcd-flags', manifestPath });
    return undefined;
  }
  if (missing.length > 0) {
    throw new InputError(
      `${source} sets some etcd client flags but not ${missing.join(', ')}`,
      { remedy: 'give kube-apiserver all of --etcd-servers, --etcd-cafile, --etcd-certfile and --etcd-keyfile, then run again' },
    );
  }

  const base = container.workingDir ?? '/';
  const resolve = (flag: string): string =>
    resolveAgainst(path.posix.isAbsolute(base) ? base : '/', last[flag] as string);
  return {
    manifestPath,
    servers,
    caFile: resolve(FILE_FLAGS.caFile),
    certFile: resolve(FILE_FLAGS.certFile),
    keyFile: resolve(FILE_FLAGS.keyFile),
  };
}
