/** Fingerprints of a master's certificate, key and kubeconfig files, to compare states. */
import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { MasterRef, SimCluster } from '../sim/index.js';

const DIRS = ['/var/lib/etcd/cert', '/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki', '/etc/kubernetes'];

/** SHA-256 of every file the tool may change on `master`, by in-master path. */
export async function fileDigests(cluster: SimCluster, master: MasterRef): Promise<Record<string, string>> {
  const digests: Record<string, string> = {};
  for (const dir of DIRS) {
    const entries = await readdir(cluster.hostPath(master, dir), { withFileTypes: true }).catch(() => []);
    for (const entry of entries) {
      if (!entry.isFile() || !/\.(pem|crt|key|conf)$/.test(entry.name)) continue;
      const file = path.posix.join(dir, entry.name);
      digests[file] = createHash('sha256').update(await readFile(cluster.hostPath(master, file))).digest('hex');
    }
  }
  return digests;
}
