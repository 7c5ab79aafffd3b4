import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { callbackAgentPids, disableSsh, startCloud, type CloudFixture } from './support.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

const test = suite<{ cluster: SimCluster; cloud: CloudFixture }>('a peer agent lost in the middle of a Cloud Assistant run');

test.before(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  await disableSsh(ctx.cluster);
  ctx.cloud = await startCloud(ctx.cluster);
});

test.after(async (ctx) => {
  await ctx.cloud?.close();
  await ctx.cluster?.teardown();
});

test('fails the run like a lost SSH connection, and --resume over Cloud Assistant finishes it', async (ctx) => {
  const c = ctx.cluster;
  const run = ctx.cloud.startTool(['rotate', '--yes']);
  await run.waitFor(/\[trust-both\] done/);
  const [pid] = callbackAgentPids(c.masters[1]!.ip);
  assert.ok(pid, 'the agent of master-2 runs');
  process.kill(pid!, 'SIGKILL');
  const code = await run.exited;
  assert.is(code, 1, run.output());
  assert.match(run.output(), /lost the connection to the agent on 127\.0\.0\.12-name-2 \(i-standinmaster2, started through Cloud Assistant\).*rotate --resume/);

  const resumed = await ctx.cloud.runTool(['rotate', '--resume', '--yes']);
  const output = resumed.stdout + resumed.stderr;
  assert.is(resumed.exitCode, 0, output);
  assert.match(output, /resuming run/);
  assert.ok(output.includes(SUCCESS), output);

  const digests = await Promise.all(c.masters.map((m) => fileDigests(c, m)));
  for (const file of ['/var/lib/etcd/cert/ca.pem', '/var/lib/etcd/cert/peer-ca.pem', '/var/lib/etcd/cert/etcd-server.pem']) {
    assert.is(new Set(digests.map((d) => d[file])).size, 1, `${file} is the same on every master`);
  }
  for (const m of c.masters) await assertExpiryAtLeast(c, m, 49.9);
  await c.waitHealthy();
});

test.run();
