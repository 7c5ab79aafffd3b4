import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

import { suite } from 'uvu';
import * as assert from 'uvu/assert';

import { InputError, RunFailedError } from '../../src/errors.js';
import { createServiceManager, detectContainer, systemctlArgv } from '../../src/host/index.js';
import { makeRoot, rejection, removeRoot, withPath, writeScript } from './helpers.js';

/** A stand-in systemctl: records its argv (tab-separated, one call a line) and answers. */
function fakeSystemctl(log: string): string {
  return `#!/bin/bash
printf '%s\\t' "$@" >> '${log}'; echo >> '${log}'
unit="\${@: -1}"
case "$1" in
  is-active)
    case "$unit" in
      etcd.service) echo active; exit 0 ;;
      nobus.service) echo 'Failed to connect to bus: No such file or directory' >&2; exit 1 ;;
      *) echo inactive; exit 3 ;;
    esac ;;
  show)
    [ "$unit" = etcd.service ] && echo 'MainPID=4242' || echo 'MainPID=0' ;;
  restart|stop|start)
    if [ "$unit" = broken.service ]; then
      echo 'Job for broken.service failed because the control process exited with error code.' >&2
      exit 1
    fi ;;
esac
exit 0
`;
}

/** A stand-in nsenter: records its argv and runs what follows "--". */
function fakeNsenter(log: string): string {
  return `#!/bin/bash
printf '%s\\t' "$@" >> '${log}'; echo >> '${log}'
while [ "$#" -gt 0 ] && [ "$1" != "--" ]; do shift; done
shift
exec "$@"
`;
}

async function calls(log: string): Promise<string[][]> {
  const text = await readFile(log, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => line.replace(/\t$/, '').split('\t'));
}

const services = suite<{ dir: string; bin: string }>('createServiceManager');

services.before.each(async (context) => {
  context.dir = await makeRoot('etcd-rotate-services-');
  context.bin = path.join(context.dir, 'bin');
  await writeScript(context.bin, 'systemctl', fakeSystemctl(path.join(context.dir, 'systemctl.log')));
  await writeScript(context.bin, 'nsenter', fakeNsenter(path.join(context.dir, 'nsenter.log')));
});
services.after.each(async (context) => {
  await removeRoot(context.dir);
});

services('restart, stop and start run systemctl with the unit as its own argument', async ({ dir, bin }) => {
  const manager = createServiceManager({ containerized: false });

  await withPath(bin, async () => {
    await manager.restart('etcd.service');
    await manager.stop('kubelet');
    await manager.start('kubelet');
  });

  assert.equal(await calls(path.join(dir, 'systemctl.log')), [
    ['restart', 'etcd.service'],
    ['stop', 'kubelet'],
    ['start', 'kubelet'],
  ]);
  assert.equal(await calls(path.join(dir, 'nsenter.log')), []);
});

services('isActive and mainPid read the state of the unit', async ({ bin }) => {
  const manager = createServiceManager({ containerized: false });

  await withPath(bin, async () => {
    assert.is(await manager.isActive('etcd.service'), true);
    assert.is(await manager.isActive('kubelet.service'), false);
    assert.is(await manager.mainPid('etcd.service'), 4242);
    assert.is(await manager.mainPid('kubelet.service'), undefined);
  });
});

services('in a container systemctl runs in the host namespaces through nsenter', async ({ dir, bin }) => {
  const manager = createServiceManager({ containerized: true });

  await withPath(bin, () => manager.restart('etcd.service'));

  assert.equal(await calls(path.join(dir, 'nsenter.log')), [
    ['--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--', 'systemctl', 'restart', 'etcd.service'],
  ]);
  assert.equal(await calls(path.join(dir, 'systemctl.log')), [['restart', 'etcd.service']]);
  assert.equal(systemctlArgv(true, ['is-active', 'etcd']).slice(0, 2), ['nsenter', '--target']);
});

services('a failed restart names the unit, the command, its stderr and the remedy', async ({ bin }) => {
  const manager = createServiceManager({ containerized: false });

  const error = await withPath(bin, () => rejection(manager.restart('broken.service')));

  assert.instance(error, RunFailedError);
  assert.match(error.message, 'could not restart broken.service: "systemctl restart broken.service" exited with 1');
  assert.match(error.message, 'Job for broken.service failed');
  assert.match((error as RunFailedError).remedy ?? '', 'journalctl -u broken.service');
});

services('isActive fails when systemctl cannot reach systemd', async ({ bin }) => {
  const manager = createServiceManager({ containerized: false });

  const error = await withPath(bin, () => rejection(manager.isActive('nobus.service')));

  assert.instance(error, RunFailedError);
  assert.match(error.message, 'Failed to connect to bus');
});

services('a missing systemctl or nsenter is reported with the way to reach systemd', async ({ dir }) => {
  const empty = path.join(dir, 'empty');
  await mkdir(empty);

  const direct = await withPath(empty, () => rejection(createServiceManager({ containerized: false }).restart('etcd')), true);
  const contained = await withPath(empty, () => rejection(createServiceManager({ containerized: true }).restart('etcd')), true);

  assert.instance(direct, RunFailedError);
  assert.match(direct.message, '"systemctl" could not be started (ENOENT)');
  assert.match((contained as RunFailedError).remedy ?? '', '--pid=host');
});

services('a unit name that looks like a flag is refused before anything runs', async ({ dir, bin }) => {
  const manager = createServiceManager({ containerized: false });

  const error = await withPath(bin, () => rejection(manager.stop('--all')));

  assert.instance(error, InputError);
  assert.equal(await calls(path.join(dir, 'systemctl.log')), []);
});

services.run();

const container = suite<{ fsRoot: string }>('detectContainer');

container.before.each(async (context) => {
  context.fsRoot = await makeRoot('etcd-rotate-fsroot-');
  await mkdir(path.join(context.fsRoot, 'proc/1'), { recursive: true });
  await mkdir(path.join(context.fsRoot, 'proc/self'), { recursive: true });
});
container.after.each(async (context) => {
  await removeRoot(context.fsRoot);
});

container('detectContainer obeys ETCD_ROTATE_CONTAINERIZED', async ({ fsRoot }) => {
  await writeFile(path.join(fsRoot, '.dockerenv'), '');

  assert.is(await detectContainer({ env: { ETCD_ROTATE_CONTAINERIZED: '0' }, fsRoot }), false);
  assert.is(await detectContainer({ env: { ETCD_ROTATE_CONTAINERIZED: '1' }, fsRoot: '/nonexistent' }), true);
});

container('detectContainer sees a host as a host', async ({ fsRoot }) => {
  await writeFile(path.join(fsRoot, 'proc/1/cgroup'), '0::/init.scope\n');
  await writeFile(
    path.join(fsRoot, 'proc/self/mountinfo'),
    '22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw\n',
  );

  assert.is(await detectContainer({ env: {}, fsRoot }), false);
});

container('detectContainer finds the marker files of docker and podman', async ({ fsRoot }) => {
  await mkdir(path.join(fsRoot, 'run'));
  await writeFile(path.join(fsRoot, 'run/.containerenv'), '');

  assert.is(await detectContainer({ env: {}, fsRoot }), true);
});

container('detectContainer reads a container cgroup of PID 1', async ({ fsRoot }) => {
  await writeFile(path.join(fsRoot, 'proc/1/cgroup'), '11:pids:/kubepods/besteffort/pod1234/abcdef\n');

  assert.is(await detectContainer({ env: {}, fsRoot }), true);
});

container('detectContainer reads the bind mounts of a runtime under cgroup v2', async ({ fsRoot }) => {
  await writeFile(path.join(fsRoot, 'proc/1/cgroup'), '0::/\n');
  await writeFile(
    path.join(fsRoot, 'proc/self/mountinfo'),
    [
      '600 500 0:50 / / rw,relatime - overlay overlay rw',
      '610 600 253:1 /var/lib/docker/containers/abc/hostname /etc/hostname rw,relatime - ext4 /dev/vda1 rw',
      '',
    ].join('\n'),
  );

  assert.is(await detectContainer({ env: {}, fsRoot }), true);
});

container.run();
