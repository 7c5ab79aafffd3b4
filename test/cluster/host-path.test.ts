import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { hostPath, resolveAgainst, resolveHostPath } from '../../src/cluster/host-path.js';
import { makeRoot, rejection, removeRoot, thrown } from './helpers.js';

const hostPathSuite = suite('hostPath joins a root prefix and a host path');

const joins: Array<[string, string, string]> = [
  ['/', '/etc/kubernetes/manifests/etcd.yaml', '/etc/kubernetes/manifests/etcd.yaml'],
  ['/host', '/var/lib/etcd/cert/ca.pem', '/host/var/lib/etcd/cert/ca.pem'],
  ['/host/', '/var/lib/etcd/', '/host/var/lib/etcd/'],
  ['/host', '/a/../../b', '/host/b'],
];

for (const [root, absolutePath, expected] of joins) {
  hostPathSuite(`puts ${absolutePath} under ${root}`, () => {
    assert.is(hostPath(root, absolutePath), expected);
  });
}

hostPathSuite('refuses a relative host path', () => {
  assert.instance(thrown(() => hostPath('/host', 'etc/x')), TypeError);
});

hostPathSuite('resolveAgainst resolves relative paths only', () => {
  assert.is(resolveAgainst('/var/lib/etcd/', 'data.etcd'), '/var/lib/etcd/data.etcd');
  assert.is(resolveAgainst('/var/lib/etcd', '/data/etcd'), '/data/etcd');
});

hostPathSuite.run();

const resolveSuite = suite('resolveHostPath follows symbolic links inside the root');

let root = '';
resolveSuite.before(async () => {
  root = await makeRoot({
    '/data/etcd/cert/ca.pem': 'ca',
    '/var/lib/etcd/cert': { symlink: '/data/etcd/cert' },
    '/etc/etcd': { symlink: '../data/etcd' },
    '/escape': { symlink: '../../../../../data' },
    '/loop/a': { symlink: '/loop/b' },
    '/loop/b': { symlink: '/loop/a' },
  });
});
resolveSuite.after(() => removeRoot(root));

const resolutions: Array<[string, string, string]> = [
  ['restarts an absolute link target at the root', '/var/lib/etcd/cert/ca.pem', '/data/etcd/cert/ca.pem'],
  ['follows a relative link target', '/etc/etcd/cert/ca.pem', '/data/etcd/cert/ca.pem'],
  ['never climbs above the root', '/escape/etcd/cert/ca.pem', '/data/etcd/cert/ca.pem'],
  ['keeps components that do not exist', '/var/lib/etcd/cert/missing/x.pem', '/data/etcd/cert/missing/x.pem'],
];

for (const [name, absolutePath, expected] of resolutions) {
  resolveSuite(name, async () => {
    assert.is(await resolveHostPath(root, absolutePath), hostPath(root, expected));
  });
}

resolveSuite('rejects a symbolic link loop with ELOOP', async () => {
  const error = (await rejection(resolveHostPath(root, '/loop/a/x'))) as NodeJS.ErrnoException;
  assert.is(error.code, 'ELOOP');
});

resolveSuite('leaves paths under the root "/" to the operating system', async () => {
  assert.is(await resolveHostPath('/', '/var/../etc/hostname'), '/etc/hostname');
});

resolveSuite.run();
