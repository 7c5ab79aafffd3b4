import { chmod, readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { ETCD_UNIT_PATH } from '../sim/etcd-unit.js';
import { fileDigests } from '../support/files.js';
import { runTool, startTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';

const test = suite<{ cluster: SimCluster }>('preflight');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
}));
test.after(async (ctx) => ctx.cluster?.teardown());

async function state(cluster: SimCluster): Promise<string> {
  const masters = await Promise.all(
    cluster.masters.map(async (m) => ({
      files: await fileDigests(cluster, m),
      locked: (await readdir(cluster.hostPath(m, '/var/lib/etcd-rotate')).catch(() => [] as string[])).includes('lock'),
      backups: await readdir(cluster.hostPath(m, '/var/lib/etcd-rotate/backups')).catch(() => [] as string[]),
    })),
  );
  return JSON.stringify(masters);
}

test('refuses with exit 3 and changes nothing anywhere when a peer is unreachable', async ({ cluster }) => {
  const before = await state(cluster);
  await cluster.systemctl(3, ['stop', 'sshd']);
  try {
    const result = await runTool(cluster, 1, ['rotate', '--yes']);
    assert.is(result.exitCode, 3, result.stdout + result.stderr);
    const lines = result.stderr.trim().split('\n').filter((l) => l.startsWith('etcd-rotate: '));
    assert.is(lines.length, 1, result.stderr);
    assert.match(lines[0]!, /cannot start the agent on 127\.0\.0\.13-name-3 \(127\.0\.0\.13\) over SSH/);
    assert.match(lines[0]!, /nothing was changed/);
  } finally {
    await cluster.systemctl(3, ['start', 'sshd']);
  }
  assert.is(await state(cluster), before, 'no file, lock or backup changed on any master');
});

/** Runs `rotate --yes` on master 1 and expects one preflight line (exit 3) matching every pattern, nothing changed. */
async function expectRefused(cluster: SimCluster, patterns: RegExp[]): Promise<string> {
  const before = await state(cluster);
  const result = await runTool(cluster, 1, ['rotate', '--yes']);
  assert.is(result.exitCode, 3, result.stdout + result.stderr);
  const lines = result.stderr.trim().split('\n').filter((l) => l.startsWith('etcd-rotate: '));
  assert.is(lines.length, 1, result.stderr);
  for (const pattern of patterns) assert.match(lines[0]!, pattern);
  assert.match(lines[0]!, /nothing was changed/);
  assert.is(await state(cluster), before, 'no file, lock or backup changed on any master');
  return lines[0]!;
}

test('refuses a key file open to other users on a peer, naming it, its mode and the chmod', async ({ cluster }) => {
  const key = cluster.hostPath(2, '/var/lib/etcd/cert/etcd-server-key.pem');
  const mode = (await stat(key)).mode & 0o7777;
  await chmod(key, 0o644);
  try {
    await expectRefused(cluster, [
      /127\.0\.0\.12-name-2: \/var\/lib\/etcd\/cert\/etcd-server-key\.pem is open to other users \(mode 0644\)/,
      /chmod 600/,
    ]);
  } finally {
    await chmod(key, mode);
  }
});

test('refuses a peer whose unit names a member the others do not know', async ({ cluster }) => {
  const unit = cluster.hostPath(3, ETCD_UNIT_PATH);
  const original = await readFile(unit, 'utf8');
  const stranger = '127.0.0.19-name-9=https://127.0.0.19:2380';
  await writeFile(unit, original.replace(/--initial-cluster (\S+)/, `--initial-cluster $1,${stranger}`));
  try {
    await expectRefused(cluster, [/127\.0\.0\.13-name-3 names other members \(.*127\.0\.0\.19-name-9=https:\/\/127\.0\.0\.19:2380.*\) than 127\.0\.0\.11-name-1/]);
  } finally {
    await writeFile(unit, original);
  }
});

test('lets exactly one of two runs started at once on two masters proceed', async ({ cluster }) => {
  const first = startTool(cluster, 1, ['rotate', '--yes']);
  const second = startTool(cluster, 2, ['rotate', '--yes']);
  const codes = [await first.exited, await second.exited].sort();
  const outputs = first.output() + second.output();
  assert.equal(codes, [0, 3], outputs);
  const refusal = outputs.split('\n').find((l) => l.startsWith('etcd-rotate: ')) ?? '';
  assert.match(refusal, /holds the lock|locked by run/);
  assert.is(outputs.split('etcd CA and certs have successfully rotated!').length - 1, 1, outputs);
  const health = await cluster.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
  assert.is(health.exitCode, 0, health.stdout + health.stderr);
});

test.run();
