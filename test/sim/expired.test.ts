import { chown, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { issuePair, leafExtensions, validityWindow } from './certs.js';
import { createSimCluster, type SimCluster, type SimMaster } from './index.js';
import { freshKeys } from './key-pool.js';
import { mustRun } from './run.js';

async function notAfter(path: string): Promise<Date> {
  const out = await mustRun(['openssl', 'x509', '-in', path, '-noout', '-enddate']);
  return new Date(out.trim().replace('notAfter=', ''));
}

/** Issues a fresh leaf from the master's CA files and moves it over the old pair. */
async function replaceLeaf(
  cluster: SimCluster,
  m: SimMaster,
  base: string,
  issuer: 'ca' | 'peer-ca',
  extensions: string[],
): Promise<void> {
  const dir = cluster.hostPath(m, '/var/lib/etcd/cert');
  const tmp = (f: string) => join(dir, `.new-${f}`);
  await issuePair(
    {
      certPath: tmp(`${base}.pem`),
      keyPath: tmp(`${base}-key.pem`),
      csrPath: tmp(`${base}.csr`),
      subject: `/CN=${base}`,
      issuer: {
        kind: 'ca',
        certPath: join(dir, `${issuer}.pem`),
        keyPath: join(dir, `${issuer}-key.pem`),
      },
      extensions,
      window: validityWindow(365, false),
    },
    freshKeys,
  );
  for (const f of [`${base}-key.pem`, `${base}.pem`, `${base}.csr`]) {
    await chown(tmp(f), m.etcdUid, m.etcdUid);
    await rename(tmp(f), join(dir, f));
  }
}

test('expired leaves under a valid CA stop the cluster until new leaves are written', async () => {
  const cluster = await createSimCluster({ size: 3, expired: 'leaves' });
  try {
    const m1 = cluster.master(1);
    const certDir = cluster.hostPath(m1, '/var/lib/etcd/cert');
    assert.ok((await notAfter(join(certDir, 'etcd-server.pem'))) < new Date());
    assert.ok((await notAfter(join(certDir, '127.0.0.12-name-2.pem'))) < new Date());
    assert.ok((await notAfter(join(certDir, 'ca.pem'))) > new Date());
    assert.ok((await notAfter(cluster.hostPath(m1, '/etc/kubernetes/pki/apiserver.crt'))) < new Date());

    const active = await cluster.systemctl(1, ['is-active', 'etcd']);
    assert.is(active.stdout.trim(), 'active', 'etcd runs with expired certificates');
    const health = await cluster.etcdctl(1, ['endpoint', 'health', '--command-timeout=1s']);
    assert.is.not(health.exitCode, 0);

    // The fact the simulation must reproduce: new leaves from the same CA, no restart.
    const ips = [...cluster.masters.map((m) => m.ip), '127.0.0.1'];
    const both = ['serverAuth', 'clientAuth'] as const;
    for (const m of cluster.masters) {
      await replaceLeaf(cluster, m, 'etcd-server', 'ca', leafExtensions([...both], { ips }));
      await replaceLeaf(cluster, m, 'etcd-client', 'ca', leafExtensions(['clientAuth']));
      for (const peer of cluster.masters) {
        const ext = leafExtensions([...both], { ips: [peer.ip] });
        await replaceLeaf(cluster, m, peer.name, 'peer-ca', ext);
      }
    }
    await cluster.waitHealthy(20_000);
  } finally {
    await cluster.teardown();
  }
});

test('expired: all makes the CAs expired too', async () => {
  const cluster = await createSimCluster({ size: 1, expired: 'all', startEtcd: false });
  try {
    const m = cluster.master(1);
    const cas = ['/var/lib/etcd/cert/ca.pem', '/var/lib/etcd/cert/peer-ca.pem', '/etc/kubernetes/pki/ca.crt'];
    for (const f of cas) {
      assert.ok((await notAfter(cluster.hostPath(m, f))) < new Date(), f);
    }
    const state = await cluster.systemctl(1, ['is-active', 'etcd']);
    assert.is(state.stdout.trim(), 'inactive');
  } finally {
    await cluster.teardown();
  }
});

test.run();
