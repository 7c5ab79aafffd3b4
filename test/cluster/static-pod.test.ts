import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { expandVariables, readStaticPodContainer } from '../../src/cluster/static-pod.js';
import { makeRoot, rejection, removeRoot } from './helpers.js';

const readSuite = suite('readStaticPodContainer reads a container of a static pod');

const MANIFEST = '/etc/kubernetes/manifests/etcd.yaml';
const roots: string[] = [];
async function read(manifest: string | undefined) {
  const root = await makeRoot(manifest === undefined ? {} : { [MANIFEST]: manifest });
  roots.push(root);
  return readStaticPodContainer(root, MANIFEST, 'etcd');
}
readSuite.after(async () => {
  await Promise.all(roots.map(removeRoot));
});

readSuite('returns undefined when there is no manifest', async () => {
  assert.is(await read(undefined), undefined);
});

readSuite('picks the container by name, joins command and args, expands $(VAR)', async () => {
  const container = await read(`
apiVersion: v1
kind: Pod
spec:
  containers:
  - name: sidecar
    command: [sleep, infinity]
  - name: etcd
    command: [etcd, --name=$(NODE)]
    args: ["--data-dir=$(DATA)/member", "--cost=$$(NODE)"]
    workingDir: /var/lib/etcd
    env:
    - name: NODE
      value: master-1
    - name: DATA
      value: /var/lib/$(NODE)
    - name: POD_IP
      valueFrom:
        fieldRef:
          fieldPath: status.podIP
`);
  assert.equal(container, {
    argv: ['etcd', '--name=master-1', '--data-dir=/var/lib/master-1/member', '--cost=$(NODE)'],
    env: { NODE: 'master-1', DATA: '/var/lib/master-1' },
    workingDir: '/var/lib/etcd',
  });
});

const errors: Array<[string, string, RegExp]> = [
  ['refuses malformed YAML', 'spec:\n  containers:\n  - command: [etcd\n', /^malformed YAML in etcd manifest .*etcd.yaml: /],
  ['refuses a document without containers', 'kind: Pod\nspec: {}\n', /is not a usable pod manifest: it has no spec.containers$/],
  ['refuses an empty document', '', /it has no spec.containers$/],
  ['refuses a command that is not a list of strings', 'spec:\n  containers:\n  - command: etcd --name a\n', /its command is not a list of strings$/],
];

for (const [name, manifest, pattern] of errors) {
  readSuite(name, async () => {
    const error = await rejection(read(manifest));
    assert.instance(error, InputError);
    assert.match(error.message, pattern);
  });
}

readSuite.run();

const expandSuite = suite('expandVariables expands $(VAR) as the kubelet does');

expandSuite('keeps undefined references and unescapes $$', () => {
  assert.is(expandVariables('$(A)-$(B)-$$(A)-$$-$x', { A: 'a' }), 'a-$(B)-$(A)-$-$x');
});

expandSuite.run();
