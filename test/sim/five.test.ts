import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster } from './index.js';

test('a 5-master simulated cluster comes up healthy, replicates and lets masters ssh', async () => {
  const cluster = await createSimCluster({ size: 5 });
  try {
    const health = await cluster.etcdctl(5, ['endpoint', 'health'], { endpoints: 'all' });
    assert.is(health.exitCode, 0, health.stderr);

    const list = await cluster.etcdctl(3, ['member', 'list', '-w', 'simple']);
    const names = list.stdout.trim().split('\n').map((l) => l.split(', ')[2]).sort();
    assert.equal(names, [1, 2, 3, 4, 5].map((i) => `127.0.0.1${i}-name-${i}`));

    assert.is((await cluster.etcdctl(5, ['put', '/sim/five', 'yes'])).exitCode, 0);
    const get = await cluster.etcdctl(1, ['get', '/sim/five', '--print-value-only']);
    assert.is(get.stdout.trim(), 'yes');

    // No -p: the masters' ~/.ssh/config sends 127.0.0.1x to the simulated sshd's port.
    const ssh = await cluster.exec(5, [
      'ssh', '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=yes', 'root@127.0.0.11', 'hostname',
    ]);
    assert.is(ssh.stdout.trim(), 'master-1', ssh.stderr);
  } finally {
    await cluster.teardown();
  }
});

test.run();
