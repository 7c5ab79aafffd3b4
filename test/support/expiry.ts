/** The vendor's check: every certificate's notAfter, as `openssl x509 -noout -enddate` prints it. */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import type { MasterRef, SimCluster } from '../sim/index.js';

/** The directories the vendor's guide lists after a rotation. */
export const VENDOR_DIRS = ['/var/lib/etcd/cert', '/etc/kubernetes/pki/etcd', '/etc/kubernetes/pki'];

/** Every certificate file in the vendor's directories on `master`, as in-master paths. */
export async function certificateFiles(cluster: SimCluster, master: MasterRef): Promise<string[]> {
  const files: string[] = [];
  for (const dir of VENDOR_DIRS) {
    const names = await readdir(cluster.hostPath(master, dir)).catch(() => [] as string[]);
    for (const name of names.sort()) {
      if (/\.(pem|crt)$/.test(name) && !/-key\.pem$/.test(name)) files.push(path.posix.join(dir, name));
    }
  }
  return files;
}

/** notAfter of every certificate file by in-master path, from the openssl CLI. */
export async function opensslEndDates(cluster: SimCluster, master: MasterRef): Promise<Map<string, Date>> {
  const dates = new Map<string, Date>();
  for (const file of await certificateFiles(cluster, master)) {
    const result = await cluster.exec(master, ['openssl', 'x509', '-noout', '-enddate', '-in', file]);
    const match = /notAfter=(.+)/.exec(result.stdout);
    if (match) dates.set(file, new Date(match[1]!));
  }
  return dates;
}

/** The listing an operator would read: one line per file. */
export async function vendorExpiryListing(cluster: SimCluster, master: MasterRef): Promise<string> {
  const lines: string[] = [];
  for (const [file, date] of await opensslEndDates(cluster, master)) {
    lines.push(`${file.padEnd(52)} notAfter=${date.toUTCString()}`);
  }
  return lines.join('\n') + '\n';
}
