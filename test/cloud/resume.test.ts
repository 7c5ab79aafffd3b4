import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { callbackAgentPids, disableSsh, startCloud, type CloudFixture } from './support.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

const test = suite<{ cluster: SimCluster; cloud: CloudFixture; before: Record<string, string>[]; runId: string }>('a peer agent lost in the middle of a Cloud Assistant run');

test.before(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  await disableSsh(ctx.cluster);
  ctx.cloud = await startCloud(ctx.cluster);
  ctx.before = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
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
  assert.match(run.output(), /lost the connection to the agent on 127\.0\.0\.12-name-2 \(i-standinmaster2, started through Cloud Assistant\); Cloud Assistant reports invocation t-\w+ Failed with exit code 137.*rotate --resume/);

  const resumed = await ctx.cloud.runTool(['rotate', '--resume', '--yes']);
  const output = resumed.stdout + resumed.stderr;
  assert.is(resumed.exitCode, 0, output);
  assert.match(output, /resuming run/);
  ctx.runId = /Plan of run (\S+):/.exec(run.output())?.[1] ?? '';
  assert.ok(output.includes(SUCCESS), output);

  const digests = await Promise.all(c.masters.map((m) => fileDigests(c, m)));
  for (const file of ['/var/lib/etcd/cert/ca.pem', '/var/lib/etcd/cert/peer-ca.pem', '/var/lib/etcd/cert/etcd-server.pem']) {
    assert.is(new Set(digests.map((d) => d[file])).size, 1, `${file} is the same on every master`);
  }
  for (const m of c.masters) await assertExpiryAtLeast(c, m, 49.9);
  await c.waitHealthy();
});

test('rollback --from-backup over Cloud Assistant puts every file back byte for byte', async (ctx) => {
  assert.ok(ctx.runId, 'the first run printed its id');
  const restored = await ctx.cloud.runTool(['rollback', '--from-backup', ctx.runId, '--yes']);
  const output = restored.stdout + restored.stderr;
  assert.is(restored.exitCode, 0, output);
  assert.ok(output.includes(SUCCESS), output);
  for (const [i, m] of ctx.cluster.masters.entries()) {
    assert.equal(await fileDigests(ctx.cluster, m), ctx.before[i], `${m.hostname} files differ from before the run`);
  }
  await ctx.cluster.waitHealthy();
});

test.run();
