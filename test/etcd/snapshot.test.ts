import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, stat, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { InputError } from '../../src/errors.js';
import { snapshot } from '../../src/etcd/index.js';
import { useEtcdCluster } from './fixture.js';

const snapshotSuite = suite('snapshot');
const cluster = useEtcdCluster(snapshotSuite);

snapshotSuite('writes a private file that etcdctl accepts as a snapshot', async () => {
  const { endpoints, tls, dir, etcdctl } = cluster();
  const target = join(dir, 'backups', 'member-1.db');
  await mkdir(join(dir, 'backups'), { recursive: true });

  const file = await snapshot(endpoints[0] as string, tls, target);

  const info = await stat(target);
  assert.is(info.mode & 0o777, 0o600);
  assert.ok(info.size > 0);
  assert.is(file.sizeBytes, info.size);
  assert.is(file.sha256, createHash('sha256').update(await readFile(target)).digest('hex'));
  const status = JSON.parse(await etcdctl(['snapshot', 'status', target, '-w', 'json']));
  assert.ok(status.totalKey > 0, JSON.stringify(status));
  assert.equal(await readdir(join(dir, 'backups')), ['member-1.db']);
});

snapshotSuite('replaces an existing file at the destination', async () => {
  const { endpoints, tls, dir } = cluster();
  const target = join(dir, 'backups', 'again.db');
  await mkdir(join(dir, 'backups'), { recursive: true });

  await snapshot(endpoints[1] as string, tls, target);
  const second = await snapshot(endpoints[1] as string, tls, target);

  assert.is((await stat(target)).size, second.sizeBytes);
});

snapshotSuite('fails with an input error, and leaves no file, when the directory is missing', async () => {
  const { endpoints, tls, dir } = cluster();
  const error = await snapshot(endpoints[0] as string, tls, join(dir, 'missing', 'x.db')).catch((e: unknown) => e);

  assert.instance(error, InputError);
  assert.match((error as Error).message, /cannot write the etcd snapshot .*missing\/x\.db/);
});

snapshotSuite('writes nothing when the database would leave less than keepFreeBytes free', async () => {
  const { endpoints, tls, dir } = cluster();
  const backups = join(dir, 'tight');
  await mkdir(backups);
  const fs = await statfs(backups);
  const free = fs.bavail * fs.bsize;

  const refused = await snapshot(endpoints[0] as string, tls, join(backups, 'x.db'), { keepFreeBytes: free })
    .catch((e: unknown) => e);
  assert.instance(refused, InputError);
  assert.match((refused as Error).message, /^no room for the etcd snapshot in \S+\/tight: the database is \d+\.\d MiB and \d+\.\d MiB is free, which would leave less than the \d+\.\d MiB kept free$/);
  assert.equal(await readdir(backups), []);

  const taken = await snapshot(endpoints[0] as string, tls, join(backups, 'x.db'), { keepFreeBytes: 64 * 1048576 });
  assert.ok(taken.sizeBytes > 0);
});

snapshotSuite.run();
