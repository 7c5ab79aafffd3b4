import { statSync, watch } from 'node:fs';
import {
  chmod,
  chown,
  lstat,
  mkdir,
  readdir,
  readFile,
  readlink,
  stat,
  symlink,
} from 'node:fs/promises';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { RunFailedError } from '../../src/errors.js';
import { readFileState, removeFile, writeFileAtomic } from '../../src/host/index.js';
import { makeRoot, put, rejection, removeRoot } from './helpers.js';

const write = suite<{ root: string }>('writeFileAtomic');

write.before.each(async (context) => {
  context.root = await makeRoot();
});
write.after.each(async (context) => {
  await removeRoot(context.root);
});

write('writeFileAtomic keeps the owner, group and mode of an existing file', async ({ root }) => {
  const onDisk = await put(root, '/var/lib/etcd/cert/ca-key.pem', 'old key');
  await chown(onDisk, 41001, 41002);
  await chmod(onDisk, 0o600);

  await writeFileAtomic(root, '/var/lib/etcd/cert/ca-key.pem', 'new key', { mode: 0o644, uid: 0, gid: 0 });

  const stats = await stat(onDisk);
  assert.is(await readFile(onDisk, 'utf8'), 'new key');
  assert.is(stats.uid, 41001);
  assert.is(stats.gid, 41002);
  assert.is(stats.mode & 0o7777, 0o600);
});

write('writeFileAtomic applies owner and mode to an existing file only when asked to', async ({ root }) => {
  const onDisk = await put(root, '/etc/kubernetes/pki/ca.crt', 'old');
  await chown(onDisk, 41001, 41001);

  await writeFileAtomic(root, '/etc/kubernetes/pki/ca.crt', 'new', {
    mode: 0o640,
    uid: 41005,
    gid: 41006,
    applyToExisting: true,
  });

  const stats = await stat(onDisk);
  assert.equal([stats.uid, stats.gid, stats.mode & 0o7777], [41005, 41006, 0o640]);
});

write('writeFileAtomic gives a new file the owner and group of its directory', async ({ root }) => {
  await mkdir(path.join(root, 'var/lib/etcd/cert'), { recursive: true });
  await chown(path.join(root, 'var/lib/etcd/cert'), 41010, 41011);

  await writeFileAtomic(root, '/var/lib/etcd/cert/etcd-server.pem', 'cert');

  const stats = await stat(path.join(root, 'var/lib/etcd/cert/etcd-server.pem'));
  assert.equal([stats.uid, stats.gid, stats.mode & 0o7777], [41010, 41011, 0o600]);
});

write('writeFileAtomic gives a new file the mode and owner of the options', async ({ root }) => {
  await mkdir(path.join(root, 'etc/kubernetes/pki'), { recursive: true });

  await writeFileAtomic(root, '/etc/kubernetes/pki/new.crt', 'cert', { mode: 0o644, uid: 41020, gid: 41021 });

  const stats = await stat(path.join(root, 'etc/kubernetes/pki/new.crt'));
  assert.equal([stats.uid, stats.gid, stats.mode & 0o7777], [41020, 41021, 0o644]);
});

write('writeFileAtomic replaces the target of a symlinked file and keeps the link', async ({ root }) => {
  const real = await put(root, '/data/etcd/cert/ca.pem', 'old');
  await chown(real, 41001, 41001);
  await mkdir(path.join(root, 'var/lib/etcd/cert'), { recursive: true });
  // An absolute target: on the host it names /data/..., under the root it must not escape.
  await symlink('/data/etcd/cert/ca.pem', path.join(root, 'var/lib/etcd/cert/ca.pem'));
  await symlink('../../data/etcd/cert/ca.pem', path.join(root, 'var/lib/relative.pem'));

  await writeFileAtomic(root, '/var/lib/etcd/cert/ca.pem', 'new through absolute link');
  assert.is(await readFile(real, 'utf8'), 'new through absolute link');
  await writeFileAtomic(root, '/var/lib/relative.pem', 'new through relative link');
  assert.is(await readFile(real, 'utf8'), 'new through relative link');

  const link = await lstat(path.join(root, 'var/lib/etcd/cert/ca.pem'));
  assert.ok(link.isSymbolicLink());
  assert.is(await readlink(path.join(root, 'var/lib/etcd/cert/ca.pem')), '/data/etcd/cert/ca.pem');
  assert.is((await stat(real)).uid, 41001);
});

write('writeFileAtomic writes through a symlinked directory', async ({ root }) => {
  await put(root, '/data/pki/apiserver.crt', 'old');
  await mkdir(path.join(root, 'etc/kubernetes'), { recursive: true });
  await symlink('/data/pki', path.join(root, 'etc/kubernetes/pki'));

  await writeFileAtomic(root, '/etc/kubernetes/pki/apiserver.crt', 'new');
  await writeFileAtomic(root, '/etc/kubernetes/pki/fresh.crt', 'fresh');

  assert.is(await readFile(path.join(root, 'data/pki/apiserver.crt'), 'utf8'), 'new');
  assert.is(await readFile(path.join(root, 'data/pki/fresh.crt'), 'utf8'), 'fresh');
  assert.ok((await lstat(path.join(root, 'etc/kubernetes/pki'))).isSymbolicLink());
  assert.equal((await readdir(path.join(root, 'data/pki'))).sort(), ['apiserver.crt', 'fresh.crt']);
});

write('writeFileAtomic creates its temporary file 0600 before writing the content', async ({ root }) => {
  const dir = path.join(root, 'etc/kubernetes/pki');
  await mkdir(dir, { recursive: true });
  const content = Buffer.alloc(96 * 1024 * 1024, 0x41);
  const seen: { name: string; mode: number; size: number }[] = [];
  const watcher = watch(dir, (_event, name) => {
    if (typeof name !== 'string' || !name.startsWith('.sa.key.etcd-rotate-')) return;
    try {
      const stats = statSync(path.join(dir, name));
      seen.push({ name, mode: stats.mode & 0o7777, size: stats.size });
    } catch {
      // Renamed away between the event and the stat: nothing to observe.
    }
  });

  try {
    await writeFileAtomic(root, '/etc/kubernetes/pki/sa.key', content, { mode: 0o644 });
  } finally {
    watcher.close();
  }

  // Once complete, the temporary file takes the final mode (0644 here) before the rename.
  const partial = seen.filter((entry) => entry.size < content.length);
  assert.ok(partial.length > 0, 'the temporary file was never observed mid-write');
  assert.ok(partial.every((entry) => entry.mode === 0o600), JSON.stringify(partial.slice(0, 5)));
  assert.is((await stat(path.join(dir, 'sa.key'))).mode & 0o7777, 0o644);
  assert.equal(await readdir(dir), ['sa.key']);
});

write('writeFileAtomic on a full disk says so, keeps the file and leaves no temporary file', async ({ root }) => {
  const dir = path.join(root, 'etc/kubernetes/pki');
  await mkdir(dir, { recursive: true });
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir], { stdio: 'pipe' });
  } catch (error) {
    console.log(`  skipped the full-disk case: cannot mount a tmpfs (${String(error)})`);
    return;
  }

  try {
    const onDisk = await put(root, '/etc/kubernetes/pki/apiserver.key', 'original key');
    await chown(onDisk, 41001, 41001);

    const error = await rejection(
      writeFileAtomic(root, '/etc/kubernetes/pki/apiserver.key', Buffer.alloc(256 * 1024, 0x42)),
    );

    assert.instance(error, RunFailedError);
    assert.match(error.message, 'could not write /etc/kubernetes/pki/apiserver.key');
    assert.match(error.message, 'no space left on the device holding /etc/kubernetes/pki');
    assert.match(error.message, 'the file is unchanged');
    assert.match((error as RunFailedError).remedy ?? '', 'free space there and run again');
    assert.is(await readFile(onDisk, 'utf8'), 'original key');
    assert.is((await stat(onDisk)).uid, 41001);
    assert.equal(await readdir(dir), ['apiserver.key']);
  } finally {
    execFileSync('umount', [dir]);
  }
});

write('writeFileAtomic refuses to replace a directory and leaves nothing behind', async ({ root }) => {
  await mkdir(path.join(root, 'etc/kubernetes/pki/ca.crt'), { recursive: true });

  const error = await rejection(writeFileAtomic(root, '/etc/kubernetes/pki/ca.crt', 'x'));

  assert.instance(error, RunFailedError);
  assert.match(error.message, 'it is a directory, not a file');
  assert.equal(await readdir(path.join(root, 'etc/kubernetes/pki')), ['ca.crt']);
});

write('writeFileAtomic names the missing directory and the remedy', async ({ root }) => {
  const error = await rejection(writeFileAtomic(root, '/etc/missing/ca.crt', 'x'));

  assert.instance(error, RunFailedError);
  assert.match(error.message, `could not write /etc/missing/ca.crt (under ${root}): its directory does not exist`);
  assert.match((error as RunFailedError).remedy ?? '', 'create the directory');
});

write.run();

const state = suite<{ root: string }>('readFileState');

state.before.each(async (context) => {
  context.root = await makeRoot();
});
state.after.each(async (context) => {
  await removeRoot(context.root);
});

state('readFileState reports owner, mode, size and checksum of a file', async ({ root }) => {
  const onDisk = await put(root, '/etc/kubernetes/admin.conf', 'hello');
  await chown(onDisk, 41001, 41003);

  const result = await readFileState(root, '/etc/kubernetes/admin.conf');

  assert.equal(result, {
    path: '/etc/kubernetes/admin.conf',
    isSymlink: false,
    linkTarget: undefined,
    realPath: '/etc/kubernetes/admin.conf',
    exists: true,
    mode: (await stat(onDisk)).mode & 0o7777,
    uid: 41001,
    gid: 41003,
    size: 5,
    sha256: '2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824',
  });
});

state('readFileState follows a link inside the root and names its target', async ({ root }) => {
  await put(root, '/data/etcd/ca.pem', 'ca');
  await mkdir(path.join(root, 'var/lib/etcd'), { recursive: true });
  await symlink('/data/etcd', path.join(root, 'var/lib/etcd/cert'));
  await symlink('ca.pem', path.join(root, 'data/etcd/ca-link.pem'));

  const result = await readFileState(root, '/var/lib/etcd/cert/ca-link.pem');

  assert.is(result.exists, true);
  assert.is(result.isSymlink, true);
  assert.is(result.linkTarget, 'ca.pem');
  assert.is(result.realPath, '/data/etcd/ca.pem');
});

state('readFileState reports a missing file and a dangling link as absent', async ({ root }) => {
  await mkdir(path.join(root, 'etc'), { recursive: true });
  await symlink('/nowhere/file', path.join(root, 'etc/dangling'));

  const missing = await readFileState(root, '/etc/missing');
  const dangling = await readFileState(root, '/etc/dangling');

  assert.equal(missing, {
    path: '/etc/missing',
    isSymlink: false,
    linkTarget: undefined,
    realPath: '/etc/missing',
    exists: false,
  });
  assert.is(dangling.exists, false);
  assert.is(dangling.isSymlink, true);
  assert.is(dangling.realPath, '/nowhere/file');
});

state.run();

const remove = suite<{ root: string }>('removeFile');

remove.before.each(async (context) => {
  context.root = await makeRoot();
});
remove.after.each(async (context) => {
  await removeRoot(context.root);
});

remove('removeFile removes a link itself, not its target, and reports a missing file', async ({ root }) => {
  await put(root, '/data/target', 'kept');
  await symlink('/data/target', path.join(root, 'data/link'));

  assert.is(await removeFile(root, '/data/link'), true);
  assert.is(await removeFile(root, '/data/link'), false);
  assert.is(await readFile(path.join(root, 'data/target'), 'utf8'), 'kept');
  assert.equal(await readdir(path.join(root, 'data')), ['target']);
});

remove.run();
