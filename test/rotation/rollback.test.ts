import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { runTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

interface Ctx {
  cluster: SimCluster;
}

const test = suite<Ctx>('rollback');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  const put = await ctx.cluster.etcdctl(1, ['put', '/data/kept', 'yes']);
  assert.is(put.exitCode, 0, put.stderr);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

async function healthyWithData(cluster: SimCluster): Promise<void> {
  const health = await cluster.etcdctl(1, ['endpoint', 'health'], { endpoints: 'all' });
  assert.is(health.exitCode, 0, health.stdout + health.stderr);
  const got = await cluster.etcdctl(1, ['get', '/data/kept', '--print-value-only'], { endpoints: 'all' });
  assert.is(got.stdout.trim(), 'yes');
}

test('--from-backup puts back every file of that run byte for byte', async (ctx) => {
  const c = ctx.cluster;
  const before = await Promise.all(c.masters.map((m) => fileDigests(c, m)));

  const rotated = await runTool(c, 2, ['rotate', '--yes']);
  assert.is(rotated.exitCode, 0, rotated.stdout + rotated.stderr);
  const runId = /Plan of run (\S+):/.exec(rotated.stdout)?.[1];
  assert.ok(runId, rotated.stdout);
  assert.is.not(JSON.stringify(await fileDigests(c, 1)), JSON.stringify(before[0]));

  const listed = await runTool(c, 3, ['backups']);
  assert.ok(listed.stdout.includes(runId), listed.stdout);

  const restored = await runTool(c, 1, ['rollback', '--from-backup', runId, '--yes']);
  assert.is(restored.exitCode, 0, restored.stdout + restored.stderr);
  assert.ok(restored.stdout.includes(SUCCESS));
  for (const [i, m] of c.masters.entries()) {
    assert.equal(await fileDigests(c, m), before[i], `${m.hostname} files differ from before the run`);
  }
  await healthyWithData(c);
});

test('without --from-backup issues a new consistent set and restarts etcd together', async (ctx) => {
  const c = ctx.cluster;
  const result = await runTool(c, 3, ['rollback', '--yes']);
  assert.is(result.exitCode, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /new set on every master, etcd members restarted together/);
  assert.ok(result.stdout.includes(SUCCESS));
  const ca = await Promise.all(c.masters.map(async (m) => (await fileDigests(c, m))['/var/lib/etcd/cert/ca.pem']));
  assert.is(new Set(ca).size, 1, 'one CA on every master');
  for (const m of c.masters) await assertExpiryAtLeast(c, m, 49.9);
  await healthyWithData(c);
});

test.run();
