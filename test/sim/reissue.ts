/**
 * Replacing the etcd certificates of a running simulated cluster, as if time
 * had passed: the data stays, the certificates become a new installer-made set
 * whose leaves (or everything) have already expired.
 */
import { chmod, copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_VALIDITY, type ExpiredMode } from './certs.js';
import { issueEtcdCertificates } from './etcd-pki.js';
import { installEtcdCertificates } from './install.js';
import { freshKeys } from './key-pool.js';
import type { SimCluster } from './types.js';

/**
 * Stops every member, writes a new etcd set (and kube-apiserver's copies of its
 * CA and client pair) on every master, and starts the members again. With
 * `leaves` the new CAs are valid and the cluster stays down without quorum;
 * with `all` the CAs have expired too.
 */
export async function replaceEtcdCertificates(cluster: SimCluster, expired: ExpiredMode): Promise<void> {
  const staging = await mkdtemp(join(tmpdir(), 'sim-etcd-'));
  try {
    await issueEtcdCertificates(staging, cluster.masters, DEFAULT_VALIDITY, expired, freshKeys);
    await Promise.all(cluster.masters.map((m) => cluster.systemctl(m, ['stop', 'etcd'])));
    for (const m of cluster.masters) {
      await installEtcdCertificates(m, staging);
      for (const name of ['ca.pem', 'etcd-client.pem', 'etcd-client-key.pem']) {
        const target = join(m.dir, '/etc/kubernetes/pki/etcd', name);
        await copyFile(join(staging, name), target);
        await chmod(target, name.endsWith('-key.pem') ? 0o600 : 0o644);
      }
    }
    await Promise.all(cluster.masters.map((m) => cluster.systemctl(m, ['start', 'etcd'])));
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}
