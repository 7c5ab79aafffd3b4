/**
 * Expired leaves are renewed by a run of their own before the rotation is planned. A recovery
 * run killed half-way is finished by `rotate --resume`, which then goes on with the rotation.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, replaceEtcdCertificates, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { loud } from '../support/hooks.js';
import { runTool, startTool } from '../support/tool.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

const test = suite<{ cluster: SimCluster }>('a recovery run of expired leaves, killed and resumed');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  const put = await ctx.cluster.etcdctl(1, ['put', '/data/kept', 'yes']);
  assert.is(put.exitCode, 0, put.stderr);
  await replaceEtcdCertificates(ctx.cluster, 'leaves');
}));
test.after(async (ctx) => ctx.cluster?.teardown());

test('the cluster serves once the renewal is resumed, and the rotation follows', async (ctx) => {
  const c = ctx.cluster;
  const run = startTool(c, 1, ['rotate', '--yes']);
  // One master has its renewed leaves, the others not yet.
  await run.waitFor(/\[recover\] \[[^\]]+\] \d+ files written/);
  run.kill('SIGKILL');
  await run.exited;
  assert.not.match(run.output(), /planning the rotation/, 'killed before the renewal finished');

  const resumed = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  const output = resumed.stdout + resumed.stderr;
  assert.is(resumed.exitCode, 0, output);
  assert.match(output, /resuming run \S+ \(leaves-expired\)/);
  assert.match(output, /the cluster serves again; planning the rotation[^]*Plan of run \S+: rotate online/);
  assert.ok(output.includes(SUCCESS), output);

  for (const m of c.masters) await assertExpiryAtLeast(c, m, 49.9);
  const got = await c.etcdctl(1, ['get', '/data/kept', '--print-value-only'], { endpoints: 'all' });
  assert.is(got.stdout.trim(), 'yes');
});

test.run();
