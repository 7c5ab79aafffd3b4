/**
 * What every fault test proves once the documented recovery has run: the
 * cluster is healthy, every key written before the fault is there, and every
 * master holds one certificate generation, 50 years ahead.
 */
import * as assert from 'uvu/assert';
import type { SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { runTool } from '../support/tool.js';

export const SUCCESS = 'etcd CA and certs have successfully rotated!';

/** Files every master must hold byte for byte the same once a run is done. */
const SHARED = ['/var/lib/etcd/cert/ca.pem', '/var/lib/etcd/cert/peer-ca.pem', '/var/lib/etcd/cert/etcd-server.pem', '/etc/kubernetes/pki/etcd/ca.pem'];

/** Writes `count` keys `<prefix>/<n>` = `v<n>` through master 1. */
export async function putKeys(cluster: SimCluster, prefix: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const put = await cluster.etcdctl(1, ['put', `${prefix}/${i}`, `v${i}`], { endpoints: 'all' });
    assert.is(put.exitCode, 0, put.stdout + put.stderr);
  }
}

/** Every key `putKeys` wrote under each prefix, read through every member. */
export async function assertKeys(cluster: SimCluster, written: Map<string, number>): Promise<void> {
  for (const m of cluster.masters) {
    for (const [prefix, count] of written) {
      const got = await cluster.etcdctl(m, ['get', `${prefix}/`, '--prefix', '--keys-only=false', '--write-out=json']);
      assert.is(got.exitCode, 0, `${m.hostname}: ${got.stderr}`);
      const kvs = (JSON.parse(got.stdout) as { kvs?: { key: string; value: string }[] }).kvs ?? [];
      assert.is(kvs.length, count, `${m.hostname} holds ${kvs.length} of the ${count} keys under ${prefix}/`);
      for (const kv of kvs) {
        const n = Buffer.from(kv.key, 'base64').toString().split('/').pop();
        assert.is(Buffer.from(kv.value, 'base64').toString(), `v${n}`);
      }
    }
  }
}

/**
 * Healthy on every endpoint, serving a write, every written key present, and
 * one generation on every master: the same CA and server certificate
 * everywhere, every certificate at least 49.9 years ahead.
 */
export async function assertRecovered(cluster: SimCluster, written: Map<string, number>): Promise<void> {
  const health = await cluster.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
  assert.is(health.exitCode, 0, health.stdout + health.stderr);
  const put = await cluster.etcdctl(2, ['put', '/faults/after', 'ok'], { endpoints: 'all' });
  assert.is(put.exitCode, 0, put.stdout + put.stderr);
  await assertKeys(cluster, written);

  const digests = await Promise.all(cluster.masters.map((m) => fileDigests(cluster, m)));
  for (const file of SHARED) {
    const seen = new Set(digests.map((d) => d[file] ?? 'missing'));
    assert.equal([...seen].length, 1, `${file} differs between masters`);
    assert.ok(!seen.has('missing'), `${file} is missing on a master`);
  }
  for (const m of cluster.masters) await assertExpiryAtLeast(cluster, m, 49.9);
  const check = await runTool(cluster, 3, ['check']);
  assert.is(check.exitCode, 0, check.stdout + check.stderr);
}

/** A plain `rotate` on another master while a run is unfinished: refused, exit 3, naming the run. */
export async function assertSecondRunRefused(cluster: SimCluster, master: number): Promise<void> {
  const second = await runTool(cluster, master, ['rotate', '--yes']);
  assert.is(second.exitCode, 3, second.stdout + second.stderr);
  assert.match(second.stderr, /locked by run .* \(continue it with "rotate --resume"/);
}

/** The one `etcd-rotate: ...` line a failed run ends with. */
export function errorLine(stderr: string): string {
  const lines = stderr.split('\n').filter((l) => l.startsWith('etcd-rotate: '));
  assert.is(lines.length, 1, stderr);
  return lines[0]!;
}

/** Milliseconds since `started`, as seconds for the timing lines. */
export function secondsSince(started: number): string {
  return `${((Date.now() - started) / 1000).toFixed(1)} s`;
}

/** A timing line under the test's name, so CI shows where the minutes go. */
export function timing(line: string): void {
  process.stdout.write(`    (${line})\n`);
}
