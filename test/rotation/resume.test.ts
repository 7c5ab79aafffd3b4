import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { runTool, startTool } from '../support/tool.js';
import { loud } from '../support/hooks.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

const test = suite<{ cluster: SimCluster }>('a run killed in the middle of the leaf phase');

test.before(loud(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  await ctx.cluster.etcdctl(1, ['put', '/data/kept', 'yes']);
}));
test.after(async (ctx) => ctx.cluster?.teardown());

test('blocks a second run, then continues with --resume to one consistent generation', async (ctx) => {
  const c = ctx.cluster;
  const run = startTool(c, 1, ['rotate', '--yes']);
  // The first member of the final leaf phase is done: new keys on one master, old on the others.
  await run.waitFor(/\[trust-new\] \[[^\]]+\] etcd restarted/);
  run.kill('SIGKILL');
  await run.exited;

  const second = await runTool(c, 2, ['rotate', '--yes']);
  assert.is(second.exitCode, 3, second.stdout + second.stderr);
  assert.match(second.stderr, /locked by run .* \(continue it with "rotate --resume"/);

  const resumed = await runTool(c, 1, ['rotate', '--resume', '--yes']);
  assert.is(resumed.exitCode, 0, resumed.stdout + resumed.stderr);
  assert.match(resumed.stdout, /resuming run/);
  assert.not.match(resumed.stdout, /\[prepare\]/, 'finished phases are not run again');
  assert.ok(resumed.stdout.includes(SUCCESS));

  const digests = await Promise.all(c.masters.map((m) => fileDigests(c, m)));
  for (const file of ['/var/lib/etcd/cert/ca.pem', '/var/lib/etcd/cert/peer-ca.pem', '/var/lib/etcd/cert/etcd-server.pem']) {
    assert.is(new Set(digests.map((d) => d[file])).size, 1, `${file} is the same on every master`);
  }
  for (const m of c.masters) await assertExpiryAtLeast(c, m, 49.9);
  const got = await c.etcdctl(1, ['get', '/data/kept', '--print-value-only'], { endpoints: 'all' });
  assert.is(got.stdout.trim(), 'yes');
});

test.run();
