import { mkdir, symlink } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { describeHostPath, freeBytes, hostPath, resolveHostPath } from '../../src/host/index.js';
import { makeRoot, put, rejection, removeRoot } from './helpers.js';

const paths = suite<{ root: string }>('host paths');

paths.before.each(async (context) => {
  context.root = await makeRoot();
});
paths.after.each(async (context) => {
  await removeRoot(context.root);
});

paths('hostPath joins the root and an absolute host path, and refuses a relative one', () => {
  assert.is(hostPath('/host', '/etc/kubernetes/pki'), '/host/etc/kubernetes/pki');
  assert.is(hostPath('/', '/etc/kubernetes/pki'), '/etc/kubernetes/pki');
  assert.throws(() => hostPath('/host', 'etc/kubernetes'), /must be absolute/);
});

paths('describeHostPath adds the root only when it is not "/"', () => {
  assert.is(describeHostPath('/', '/etc/x'), '/etc/x');
  assert.is(describeHostPath('/host', '/etc//x'), '/etc/x (under /host)');
});

paths('resolveHostPath follows absolute and relative links inside the root', async ({ root }) => {
  await mkdir(path.join(root, 'data/pki'), { recursive: true });
  await mkdir(path.join(root, 'etc/kubernetes'), { recursive: true });
  await symlink('/data/pki', path.join(root, 'etc/kubernetes/pki'));
  await symlink('../../../../../data', path.join(root, 'etc/kubernetes/up'));

  assert.is(await resolveHostPath(root, '/etc/kubernetes/pki/ca.crt'), '/data/pki/ca.crt');
  assert.is(await resolveHostPath(root, '/etc/kubernetes/up/pki'), '/data/pki');
  assert.is(await resolveHostPath(root, '/etc/kubernetes/pki', { followLast: false }), '/etc/kubernetes/pki');
  assert.is(await resolveHostPath(root, '/missing/../etc/./x'), '/etc/x');
});

paths('resolveHostPath stops a link loop with ELOOP', async ({ root }) => {
  await mkdir(path.join(root, 'etc'));
  await symlink('/etc/b', path.join(root, 'etc/a'));
  await symlink('/etc/a', path.join(root, 'etc/b'));

  const error = await rejection(resolveHostPath(root, '/etc/a/file'));

  assert.is((error as NodeJS.ErrnoException).code, 'ELOOP');
});

paths.run();

const disk = suite<{ root: string }>('freeBytes');

disk.before.each(async (context) => {
  context.root = await makeRoot();
});
disk.after.each(async (context) => {
  await removeRoot(context.root);
});

disk('freeBytes measures the filesystem of a path, or of its nearest existing parent', async ({ root }) => {
  await put(root, '/var/lib/etcd-rotate/lock', '{}');

  const existing = await freeBytes(root, '/var/lib/etcd-rotate');
  const missing = await freeBytes(root, '/var/lib/etcd-rotate/backups/run-1');

  assert.ok(existing > 0);
  assert.ok(Math.abs(existing - missing) < 64 * 1024 * 1024);
});

disk.run();
