import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError } from '../../src/errors.js';
import { listHostDirectory, readHostFile, readHostLink } from '../../src/cluster/host-file.js';
import { makeRoot, rejection, removeRoot } from './helpers.js';

const readSuite = suite('readHostFile reads host files under the root');

let root = '';
readSuite.before(async () => {
  root = await makeRoot({
    '/data/etcd/etcd.env': 'ETCD_NAME=m1\n',
    '/etc/etcd': { symlink: '/data/etcd' },
    '/etc/systemd/system/etcd.service': { symlink: '/dev/null' },
    '/etc/systemd/system/etcd.service.d/20-b.conf': '',
    '/etc/systemd/system/etcd.service.d/10-a.conf': '',
    '/etc/kubernetes/manifests/etcd.yaml': { directory: true },
  });
});
readSuite.after(() => removeRoot(root));

readSuite('reads through a symbolic link with an absolute target', async () => {
  assert.is(await readHostFile(root, '/etc/etcd/etcd.env', 'environment file'), 'ETCD_NAME=m1\n');
});

readSuite('returns undefined for a file that does not exist', async () => {
  assert.is(await readHostFile(root, '/etc/etcd/missing.env', 'environment file'), undefined);
  assert.is(await readHostFile(root, '/etc/etcd/etcd.env/x', 'environment file'), undefined);
});

readSuite('refuses a directory with an InputError naming the path', async () => {
  const error = await rejection(
    readHostFile(root, '/etc/kubernetes/manifests/etcd.yaml', 'etcd manifest'),
  );
  assert.instance(error, InputError);
  assert.is(
    error.message,
    `cannot read etcd manifest ${root}/etc/kubernetes/manifests/etcd.yaml: it is a directory, not a file`,
  );
});

readSuite('listHostDirectory lists names sorted, and nothing for a missing directory', async () => {
  assert.equal(
    await listHostDirectory(root, '/etc/systemd/system/etcd.service.d', 'drop-ins'),
    ['10-a.conf', '20-b.conf'],
  );
  assert.equal(await listHostDirectory(root, '/run/systemd/system', 'drop-ins'), []);
});

readSuite('readHostLink returns a link target as written, else undefined', async () => {
  assert.is(await readHostLink(root, '/etc/systemd/system/etcd.service', 'unit'), '/dev/null');
  assert.is(await readHostLink(root, '/etc/etcd/etcd.env', 'unit'), undefined);
  assert.is(await readHostLink(root, '/etc/missing', 'unit'), undefined);
});

readSuite.run();
