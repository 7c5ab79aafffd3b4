/** Checks shared by the rotation tests, on the files of a simulated master. */
import { stat, readFile } from 'node:fs/promises';
import * as assert from 'uvu/assert';
import type { MasterRef, SimCluster } from '../sim/index.js';
import { opensslEndDates } from './expiry.js';

const YEAR_MS = 365 * 24 * 3600 * 1000;

/** Every certificate in the vendor's directories expires at least `years` from now (openssl says). */
export async function assertExpiryAtLeast(cluster: SimCluster, master: MasterRef, years: number): Promise<number> {
  const dates = await opensslEndDates(cluster, master);
  assert.ok(dates.size >= 10, `expected the ACK layout, found ${dates.size} certificates`);
  for (const [file, date] of dates) {
    const left = (date.getTime() - Date.now()) / YEAR_MS;
    assert.ok(left >= years, `${file} expires ${date.toISOString()}, ${left.toFixed(1)} years from now`);
  }
  return dates.size;
}

/** Key files in the etcd certificate directory belong to that master's etcd user and are 0600. */
export async function assertEtcdKeysPrivate(cluster: SimCluster, master: MasterRef): Promise<void> {
  const m = cluster.master(master);
  const { readdir } = await import('node:fs/promises');
  const dir = cluster.hostPath(m, '/var/lib/etcd/cert');
  for (const name of (await readdir(dir)).filter((n) => n.endsWith('-key.pem'))) {
    const info = await stat(`${dir}/${name}`);
    assert.is(info.uid, m.etcdUid, `${name} owner`);
    assert.is(info.mode & 0o077, 0, `${name} is readable by group or others (mode ${(info.mode & 0o777).toString(8)})`);
  }
}

/** Reads a file of a master as text. */
export function readMasterFile(cluster: SimCluster, master: MasterRef, file: string): Promise<string> {
  return readFile(cluster.hostPath(master, file), 'utf8');
}
