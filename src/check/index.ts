import path from 'node:path';
import { discoverTopology, listHostDirectory, type Topology } from '../cluster/index.js';
import { InputError, OperatorError } from '../errors.js';
import { assessCertificates } from './assess.js';
import type { CheckReport } from './report.js';
import { collectCertificateSources } from './sources.js';

export { formatTable } from './format/table.js';
export { formatJson } from './format/json.js';
export { formatPrometheus } from './format/prometheus.js';
export { isHealthy, type CheckReport, type CertificateReport } from './report.js';

/** Where ACK and kubeadm keep certificates when the configuration names no others. */
export const DEFAULT_CERTIFICATE_DIRS = ['/var/lib/etcd/cert', '/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki'];
const KUBECONFIG_DIR = '/etc/kubernetes';

export interface CheckOptions {
  root: string;
  warnDays: number;
  now?: Date;
}

/**
 * Inventories every certificate of a master: the directories the etcd unit
 * and the kube-apiserver manifest name, the ACK defaults, and the client
 * certificates embedded in `/etc/kubernetes/*.conf`.
 */
export async function runCheck(options: CheckOptions): Promise<CheckReport> {
  const now = options.now ?? new Date();
  const notes: string[] = [];

  const topology = await discoverTopology({ root: options.root }).catch((error: unknown) => {
    if (!(error instanceof OperatorError)) throw error;
    notes.push(`etcd configuration not read (${error.message}); checked the default directories`);
    return undefined;
  });

  const dirs = unique([...configuredDirs(topology), ...DEFAULT_CERTIFICATE_DIRS]);
  const kubeconfigs = await listKubeconfigs(options.root);
  const sources = await collectCertificateSources(options.root, dirs, kubeconfigs);
  if (sources.length === 0) {
    throw new InputError(`no certificates found in ${dirs.join(', ')} or ${KUBECONFIG_DIR}/*.conf`, {
      remedy: 'run on a master, or point --root at where the host filesystem is mounted',
    });
  }

  const assessed = assessCertificates(sources, { warnDays: options.warnDays, now });
  return { generatedAt: now.toISOString(), warnDays: options.warnDays, ...assessed, notes };
}

function configuredDirs(topology: Topology | undefined): string[] {
  if (!topology) return [];
  const { tls } = topology.etcd;
  const files = [
    tls.certFile, tls.keyFile, tls.trustedCaFile, tls.peerCertFile, tls.peerKeyFile, tls.peerTrustedCaFile,
  ];
  if (topology.apiserver) files.push(topology.apiserver.caFile, topology.apiserver.certFile);
  return files.map((f) => path.posix.dirname(f));
}

async function listKubeconfigs(root: string): Promise<string[]> {
  const names = await listHostDirectory(root, KUBECONFIG_DIR, 'Kubernetes configuration directory');
  return names
    .filter((name) => name.endsWith('.conf'))
    .sort()
    .map((name) => path.posix.join(KUBECONFIG_DIR, name));
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
