import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast, readMasterFile } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { CLI } from '../support/tool.js';
import { ROLE, disableSsh, startCloud, type CloudFixture } from './support.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

type Ctx = { cluster: SimCluster; cloud: CloudFixture; before: Record<string, string>[] };

const test = suite<Ctx>('rotate over Cloud Assistant with SSH disabled between the masters');

test.before(async (ctx) => {
  ctx.cluster = await createSimCluster({ size: 3 });
  await disableSsh(ctx.cluster);
  ctx.cloud = await startCloud(ctx.cluster, { LTAI5tStandinEnvKey01: { secret: 'env-secret-must-never-appear-41d2' } });
  ctx.before = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
});

test.after(async (ctx) => {
  await ctx.cloud?.close();
  await ctx.cluster?.teardown();
});

async function assertNothingChanged(ctx: Ctx): Promise<void> {
  const now = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
  assert.equal(now, ctx.before, 'no certificate, key or kubeconfig changed');
  for (const m of ctx.cluster.masters) {
    const lock = await readMasterFile(ctx.cluster, m, '/var/lib/etcd-rotate/lock').catch(() => undefined);
    assert.is(lock, undefined, `${m.name} holds no run lock`);
  }
}

test('bad credentials stop the run before anything changed, with the API\'s code and no secret', async (ctx) => {
  const result = await ctx.cloud.runTool(['rotate', '--yes'], {
    ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAI5tNotAKnownKey99',
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'bad-secret-must-never-appear-0000',
  });
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /the ECS API refused DescribeInstances in region cn-standin-1 .*InvalidAccessKeyId\.NotFound/);
  assert.match(output, /check ALIBABA_CLOUD_ACCESS_KEY_ID/);
  assert.not.match(output, /bad-secret-must-never-appear|\n\s+at /);
  assert.not.ok(ctx.cloud.ecs.requests.some((r) => r.action === 'RunCommand'), 'no command was run');
  await assertNothingChanged(ctx);
});

test('throttling that does not stop gets a clear message and a clean stop', async (ctx) => {
  ctx.cloud.ecs.throttle('always');
  const result = await ctx.cloud.runTool(['rotate', '--yes']);
  ctx.cloud.ecs.throttle(0);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /the ECS API kept throttling DescribeInstances .*5 attempts over .* Throttling\.User/);
  assert.match(output, /nothing was changed/);
  await assertNothingChanged(ctx);
});

test('an invocation that never starts times out, is stopped, and the other agents are closed', async (ctx) => {
  ctx.cloud.ecs.stall('i-standinmaster3');
  const result = await ctx.cloud.runTool(['rotate', '--yes', '--callback-timeout', '6']);
  ctx.cloud.ecs.invocations.clear();
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /the agent on .*-name-3 \(i-standinmaster3, invocation t-\w+\) did not call back within 6 s; Cloud Assistant reports the invocation Pending; the invocation was stopped/);
  assert.ok(ctx.cloud.ecs.requests.some((r) => r.action === 'StopInvocation' && r.code === 'OK'), 'StopInvocation was called');
  await ctx.cloud.ecs.settled();
  await assertNothingChanged(ctx);
  ctx.cloud.ecs.stall('i-standinmaster3', false);
});

test('discover --discover ecs shows which instance each member is', async (ctx) => {
  const result = await ctx.cluster.exec(1, ['node', CLI, 'discover', '--discover', 'ecs'], {
    env: { ETCD_ROTATE_ECS_ENDPOINT: ctx.cloud.ecs.url, ETCD_ROTATE_METADATA_URL: ctx.cloud.metadataUrl },
  });
  assert.is(result.exitCode, 0, result.stdout + result.stderr);
  assert.match(result.stdout, /ECS instances:\n\s+127\.0\.0\.11-name-1 is i-standinmaster1 /);
  assert.match(result.stdout, /1 other instance\(s\) of cluster c0standin\w+ are no etcd member \(workers\): i-standinworker1/);
});

test('--discover ecs with SSH reports the instances before SSH is tried', async (ctx) => {
  const result = await ctx.cloud.runTool(['rotate', '--dry-run', '--discover', 'ecs'], {}, 'ssh');
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /\[cloud\] 127\.0\.0\.12-name-2 is i-standinmaster2/);
  assert.match(output, /cannot start the agent on 127\.0\.0\.12-name-2 .* over SSH/);
  await assertNothingChanged(ctx);
});

test('the full rotation passes and ends with the success line', async (ctx) => {
  ctx.cloud.ecs.throttle(2);
  const started = Date.now();
  const result = await ctx.cloud.runTool(['rotate', '--yes']);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 0, output);
  assert.ok(output.includes(SUCCESS), output);
  assert.match(output, /\[cloud\] .*-name-2 is i-standinmaster2/);
  assert.match(output, /1 other instance\(s\) of cluster c0standin/);
  process.stdout.write(`    (3 masters rotated over Cloud Assistant in ${((Date.now() - started) / 1000).toFixed(1)} s)\n`);

  await ctx.cluster.waitHealthy();
  for (const m of ctx.cluster.masters) await assertExpiryAtLeast(ctx.cluster, m, 49.9);
  const after = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
  for (const [i, digests] of after.entries()) {
    assert.is.not(digests['/var/lib/etcd/cert/ca.pem'], ctx.before[i]!['/var/lib/etcd/cert/ca.pem'], `master ${i + 1} has a new CA`);
  }
  await ctx.cloud.ecs.settled();
  const runs = [...ctx.cloud.ecs.invocations.values()].filter((i) => i.status !== 'Stopped');
  assert.is(runs.length, 2, 'one agent invocation per peer');
  for (const run of runs) assert.is(run.status, 'Success', run.output);
  assert.not.match(output, new RegExp(ROLE.secret));
});

test('the command text the API stores holds no key material', (ctx) => {
  const scripts = ctx.cloud.ecs.requests.filter((r) => r.action === 'RunCommand' && r.script).map((r) => r.script!);
  assert.ok(scripts.length >= 2);
  for (const script of scripts) {
    assert.not.match(script, /PRIVATE KEY|BEGIN/);
    assert.match(script, /--connect '?https:\/\/127\.0\.0\.11:\d+'? --fingerprint sha256:[0-9a-f]{64}/);
  }
});

test.run();
