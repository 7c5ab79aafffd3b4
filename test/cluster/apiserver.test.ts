import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { readApiserverEtcdConfig, type DiscoveryWarning } from '../../src/cluster/apiserver.js';
import { fixture, makeRoot, rejection, removeRoot, type Entry } from './helpers.js';

const apiserverSuite = suite('readApiserverEtcdConfig reads the apiserver etcd client settings');

const MANIFEST = '/etc/kubernetes/manifests/kube-apiserver.yaml';
const roots: string[] = [];
async function read(entry: Entry | undefined, warnings: DiscoveryWarning[] = []) {
  const root = await makeRoot(entry === undefined ? {} : { [MANIFEST]: entry });
  roots.push(root);
  return readApiserverEtcdConfig(root, (warning) => warnings.push(warning));
}
apiserverSuite.after(async () => {
  await Promise.all(roots.map(removeRoot));
});

apiserverSuite('reads the four etcd flags of the ACK manifest', async () => {
  assert.equal(await read({ fixture: 'kube-apiserver.yaml' }), {
    manifestPath: MANIFEST,
    servers: ['https://192.168.0.180:2379', 'https://192.168.0.181:2379', 'https://192.168.0.182:2379'],
    caFile: '/etc/kubernetes/pki/etcd/ca.pem',
    certFile: '/etc/kubernetes/pki/etcd/etcd-client.pem',
    keyFile: '/etc/kubernetes/pki/etcd/etcd-client-key.pem',
  });
});

apiserverSuite('adds up repeated --etcd-servers flags, as the list flag does', async () => {
  const text = (await fixture('kube-apiserver.yaml')).replace(
    '    - --secure-port=6443\n',
    '    - --secure-port=6443\n    - --etcd-servers=https://10.9.9.9:2379\n',
  );
  const config = await read(text);
  assert.equal(config?.servers.at(-1), 'https://10.9.9.9:2379');
  assert.is(config?.servers.length, 4);
});

apiserverSuite('returns undefined when there is no manifest', async () => {
  assert.is(await read(undefined), undefined);
});

apiserverSuite('returns undefined and warns when the manifest names no etcd flags', async () => {
  const text = (await fixture('kube-apiserver.yaml'))
    .split('\n')
    .filter((line) => !line.includes('--etcd-'))
    .join('\n');
  const warnings: DiscoveryWarning[] = [];
  assert.is(await read(text, warnings), undefined);
  assert.equal(warnings, [{ kind: 'apiserver-without-etcd-flags', manifestPath: MANIFEST }]);
});

apiserverSuite('refuses a manifest with only some of the etcd flags', async () => {
  const text = (await fixture('kube-apiserver.yaml'))
    .split('\n')
    .filter((line) => !line.includes('--etcd-keyfile') && !line.includes('--etcd-servers'))
    .join('\n');
  const error = await rejection(read(text));
  assert.instance(error, InputError);
  assert.match(error.message, /kube-apiserver manifest .*kube-apiserver.yaml sets some etcd client flags but not --etcd-servers, --etcd-keyfile$/);
});

apiserverSuite('refuses a manifest that is not YAML', async () => {
  const text = (await fixture('kube-apiserver.yaml')).replace('  containers:', '  containers: [');
  const error = await rejection(read(text));
  assert.instance(error, InputError);
  assert.match(error.message, /^malformed YAML in kube-apiserver manifest .*kube-apiserver.yaml: /);
});

apiserverSuite.run();
