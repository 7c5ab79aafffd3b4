import { readFile } from 'node:fs/promises';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { discoverTopology, resolveHostPath, type Topology } from '../../src/cluster/index.js';
import { ackCertificates, fixture, makeRoot, removeRoot, type Entry } from './helpers.js';

const discoverSuite = suite('discoverTopology reads the topology a master runs');

const roots: string[] = [];
async function root(layout: Record<string, Entry>): Promise<string> {
  const made = await makeRoot(layout);
  roots.push(made);
  return made;
}
discoverSuite.after(async () => {
  await Promise.all(roots.map(removeRoot));
});

const ACK_IPS = ['192.168.0.180', '192.168.0.181', '192.168.0.182'];
const CERT = '/var/lib/etcd/cert';

/** A member of the ACK fixtures, with the client URL every layout gives it. */
function ackMember(ip: string, index: number) {
  return {
    name: `${ip}-name-${index + 1}`,
    ip,
    peerUrls: [`https://${ip}:2380`],
    clientUrls: [`https://${ip}:2379`],
  };
}

const ACK_TLS = (ip: string, index: number) => ({
  certFile: `${CERT}/etcd-server.pem`,
  keyFile: `${CERT}/etcd-server-key.pem`,
  trustedCaFile: `${CERT}/ca.pem`,
  peerCertFile: `${CERT}/${ip}-name-${index + 1}.pem`,
  peerKeyFile: `${CERT}/${ip}-name-${index + 1}-key.pem`,
  peerTrustedCaFile: `${CERT}/peer-ca.pem`,
});

const ACK_APISERVER = {
  manifestPath: '/etc/kubernetes/manifests/kube-apiserver.yaml',
  servers: ACK_IPS.map((ip) => `https://${ip}:2379`),
  caFile: '/etc/kubernetes/pki/etcd/ca.pem',
  certFile: '/etc/kubernetes/pki/etcd/etcd-client.pem',
  keyFile: '/etc/kubernetes/pki/etcd/etcd-client-key.pem',
};

discoverSuite('reads the ACK unit, with its certificates behind a symlinked directory', async () => {
  const hostRoot = await root({
    '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' },
    '/etc/kubernetes/manifests/kube-apiserver.yaml': { fixture: 'kube-apiserver.yaml' },
    ...ackCertificates('/data/etcd/cert', ACK_IPS),
    '/var/lib/etcd/data.etcd/member': { directory: true },
    [CERT]: { symlink: '/data/etcd/cert' },
  });

  const topology = await discoverTopology({ root: hostRoot });

  const expected: Topology = {
    root: hostRoot,
    etcd: {
      source: {
        kind: 'systemd',
        unitPath: '/usr/lib/systemd/system/etcd.service',
        unitName: 'etcd.service',
      },
      localName: '192.168.0.180-name-1',
      members: ACK_IPS.map(ackMember),
      dataDir: '/var/lib/etcd/data.etcd',
      user: 'etcd',
      workingDirectory: '/var/lib/etcd/',
      tls: ACK_TLS('192.168.0.180', 0),
      listenClientUrls: ['https://192.168.0.180:2379'],
      advertiseClientUrls: ['https://192.168.0.180:2379'],
      listenPeerUrls: ['https://192.168.0.180:2380'],
      initialAdvertisePeerUrls: ['https://192.168.0.180:2380'],
      flags: {
        'data-dir': 'data.etcd',
        name: '192.168.0.180-name-1',
        'client-cert-auth': 'true',
        'trusted-ca-file': `${CERT}/ca.pem`,
        'cert-file': `${CERT}/etcd-server.pem`,
        'key-file': `${CERT}/etcd-server-key.pem`,
        'peer-client-cert-auth': 'true',
        'peer-trusted-ca-file': `${CERT}/peer-ca.pem`,
        'peer-cert-file': `${CERT}/192.168.0.180-name-1.pem`,
        'peer-key-file': `${CERT}/192.168.0.180-name-1-key.pem`,
        'initial-advertise-peer-urls': 'https://192.168.0.180:2380',
        'listen-peer-urls': 'https://192.168.0.180:2380',
        'advertise-client-urls': 'https://192.168.0.180:2379',
        'listen-client-urls': 'https://192.168.0.180:2379',
        'initial-cluster': ACK_IPS.map((ip, i) => `${ip}-name-${i + 1}=https://${ip}:2380`).join(','),
        'initial-cluster-state': 'new',
        'initial-cluster-token': '5d1c3a52-8f0e-4f57-b0b6-6f1f5e4c2a9d',
        'election-timeout': '3000',
        'heartbeat-interval': '500',
        'snapshot-count': '50000',
        'auto-compaction-retention': '1',
      },
    },
    apiserver: ACK_APISERVER,
  };
  assert.equal(topology, expected);

  // The paths are the host's, and readable through the link under the root.
  const caPath = await resolveHostPath(hostRoot, topology.etcd.tls.trustedCaFile);
  assert.is(await readFile(caPath, 'utf8'), '-----BEGIN ca-----\n');
});

discoverSuite('reads a unit configured through ETCD_* variables in environment files', async () => {
  const hostRoot = await root({
    '/lib/systemd/system/etcd.service': { fixture: 'env-etcd.service' },
    '/opt/etcd/conf/etcd.conf': { fixture: 'env-etcd.conf' },
    '/etc/etcd': { symlink: '/opt/etcd/conf' },
    '/etc/default/etcd': { fixture: 'env-etcd.default' },
    ...ackCertificates(CERT, ACK_IPS),
  });

  const topology = await discoverTopology({ root: hostRoot });

  assert.is(topology.apiserver, undefined);
  assert.is(topology.etcd.localName, '192.168.0.181-name-2');
  assert.equal(topology.etcd.members, ACK_IPS.map(ackMember));
  assert.is(topology.etcd.dataDir, '/var/lib/etcd/data.etcd');
  assert.equal(topology.etcd.tls, ACK_TLS('192.168.0.181', 1));
  assert.equal(topology.etcd.listenClientUrls, ['https://192.168.0.181:2379', 'https://127.0.0.1:2379']);
  assert.equal(topology.etcd.advertiseClientUrls, ['https://192.168.0.181:2379']);
  assert.equal(topology.etcd.source, {
    kind: 'systemd',
    unitPath: '/lib/systemd/system/etcd.service',
    unitName: 'etcd.service',
  });
  assert.equal(
    Object.fromEntries(
      ['client-cert-auth', 'peer-client-cert-auth', 'heartbeat-interval', 'snapshot-count', 'initial-cluster-state']
        .map((flag) => [flag, topology.etcd.flags[flag]]),
    ),
    {
      'client-cert-auth': 'true',
      'peer-client-cert-auth': 'true',
      'heartbeat-interval': '500',
      'snapshot-count': '50000',
      'initial-cluster-state': 'existing',
    },
  );
});

discoverSuite('reads a unit in /etc/systemd/system whose drop-in replaces ExecStart=', async () => {
  // The same apiserver on 10.0.1.11-13, which does not list the third member.
  const apiserver = (await fixture('kube-apiserver.yaml'))
    .replace(/192\.168\.0\.18([0-2])/g, (_match, last: string) => `10.0.1.1${Number(last) + 1}`)
    .replace(',https://10.0.1.13:2379', '');
  const hostRoot = await root({
    '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' },
    '/etc/systemd/system/etcd.service': { fixture: 'dropin-etcd.service' },
    '/etc/systemd/system/etcd.service.d/10-cluster.conf': { fixture: 'dropin-10-cluster.conf' },
    '/usr/lib/systemd/system/etcd.service.d/10-cluster.conf': {
      fixture: 'dropin-10-cluster-vendor.conf',
    },
    '/etc/kubernetes/manifests/kube-apiserver.yaml': apiserver,
  });

  const topology = await discoverTopology({ root: hostRoot });
  const ips = ['10.0.1.11', '10.0.1.12', '10.0.1.13'];

  assert.equal(topology.etcd.source, {
    kind: 'systemd',
    unitPath: '/etc/systemd/system/etcd.service',
    unitName: 'etcd.service',
  });
  assert.is(topology.etcd.localName, '10.0.1.12-name-2');
  assert.equal(topology.etcd.members, ips.map(ackMember));
  assert.equal(topology.etcd.tls, ACK_TLS('10.0.1.12', 1));
  assert.is(topology.etcd.dataDir, '/var/lib/etcd/data.etcd');
  assert.equal(topology.etcd.listenClientUrls, ['https://10.0.1.12:2379', 'https://127.0.0.1:2379']);
  assert.is(topology.etcd.flags['client-cert-auth'], 'true');
  assert.is(topology.etcd.flags['initial-cluster-state'], 'existing');
  assert.equal(topology.apiserver?.servers, ['https://10.0.1.11:2379', 'https://10.0.1.12:2379']);
});

discoverSuite('reads a kubeadm etcd static pod when there is no etcd unit', async () => {
  const hostRoot = await root({
    '/etc/kubernetes/manifests/etcd.yaml': { fixture: 'kubeadm-etcd.yaml' },
    '/etc/kubernetes/manifests/kube-apiserver.yaml': { fixture: 'kubeadm-apiserver.yaml' },
  });

  const topology = await discoverTopology({ root: hostRoot });
  const pki = '/etc/kubernetes/pki';

  assert.equal(topology.etcd.source, {
    kind: 'static-pod',
    manifestPath: '/etc/kubernetes/manifests/etcd.yaml',
  });
  assert.is(topology.etcd.localName, 'master-3');
  assert.equal(topology.etcd.members, [
    { name: 'master-3', ip: '192.168.0.182', peerUrls: ['https://192.168.0.182:2380'], clientUrls: ['https://192.168.0.182:2379'] },
    { name: 'master-1', ip: '192.168.0.180', peerUrls: ['https://192.168.0.180:2380'], clientUrls: ['https://192.168.0.180:2379'] },
    { name: 'master-2', ip: '192.168.0.181', peerUrls: ['https://192.168.0.181:2380'], clientUrls: ['https://192.168.0.181:2379'] },
  ]);
  assert.is(topology.etcd.dataDir, '/var/lib/etcd');
  assert.is(topology.etcd.user, undefined);
  assert.is(topology.etcd.workingDirectory, undefined);
  assert.equal(topology.etcd.tls, {
    certFile: `${pki}/etcd/server.crt`,
    keyFile: `${pki}/etcd/server.key`,
    trustedCaFile: `${pki}/etcd/ca.crt`,
    peerCertFile: `${pki}/etcd/peer.crt`,
    peerKeyFile: `${pki}/etcd/peer.key`,
    peerTrustedCaFile: `${pki}/etcd/ca.crt`,
  });
  assert.equal(topology.etcd.listenClientUrls, ['https://127.0.0.1:2379', 'https://192.168.0.182:2379']);
  assert.is(topology.etcd.flags['experimental-initial-corrupt-check'], 'true');
  assert.equal(topology.apiserver, {
    manifestPath: '/etc/kubernetes/manifests/kube-apiserver.yaml',
    servers: ['https://127.0.0.1:2379'],
    caFile: `${pki}/etcd/ca.crt`,
    certFile: `${pki}/apiserver-etcd-client.crt`,
    keyFile: `${pki}/apiserver-etcd-client.key`,
  });
});

discoverSuite('prefers the etcd unit over an etcd static pod', async () => {
  const hostRoot = await root({
    '/etc/kubernetes/manifests/etcd.yaml': { fixture: 'kubeadm-etcd.yaml' },
    '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' },
  });
  const topology = await discoverTopology({ root: hostRoot });
  assert.is(topology.etcd.source.kind, 'systemd');
});

discoverSuite('reports an apiserver manifest without etcd flags and carries on', async () => {
  const hostRoot = await root({
    '/usr/lib/systemd/system/etcd.service': { fixture: 'ack-etcd.service' },
    '/etc/kubernetes/manifests/kube-apiserver.yaml':
      'kind: Pod\nspec:\n  containers:\n  - name: kube-apiserver\n    command: [kube-apiserver, --v=2]\n',
  });
  const warnings: unknown[] = [];
  const topology = await discoverTopology({ root: hostRoot, onWarning: (w) => warnings.push(w) });
  assert.is(topology.apiserver, undefined);
  assert.equal(warnings, [
    { kind: 'apiserver-without-etcd-flags', manifestPath: '/etc/kubernetes/manifests/kube-apiserver.yaml' },
  ]);
});

discoverSuite.run();
