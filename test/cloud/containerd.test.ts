/**
 * Container mode over Cloud Assistant on containerd-only masters: `bash rotate-etcd.sh
 * --transport cloud-assistant` as root on master 1, the masters running their own containerd
 * and no docker, SSH stopped between them. The command RunCommand runs on each peer finds the
 * image in that containerd by the coordinator's name and digest, or pulls it by digest with
 * ctr and tags it; a peer that can do neither stops the run before anything changed.
 */
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { loud } from '../support/hooks.js';
import { dockerReady, mustRun } from '../container/docker-host.js';
import { TEST_REGION, writeTestScripts } from '../container/wrapper-copy.js';
import { startImageCloud, type ImageCloud } from './support.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

type Ctx = ImageCloud & { scripts: string };
const test = suite<Ctx>('container mode over Cloud Assistant on containerd-only masters');
const ready = await dockerReady();

test.before(loud(async (ctx) => {
  if (!ready) return;
  Object.assign(ctx, await startImageCloud('containerd', '127.0.0.1:5058'));
  ctx.scripts = await writeTestScripts(ctx.reference, ctx.registry.address);
}));
test.after(async (ctx) => ctx.close?.());

/** `ctr -n k8s.io` against master i's own containerd. */
function ctrOn(ctx: Ctx, i: number, args: string[]): Promise<string> {
  return mustRun(['ctr', '--address', ctx.cluster.master(i).containerdSocket!, '-n', 'k8s.io', ...args], 300_000);
}

/** `bash rotate-etcd.sh --region <test region> --yes --transport cloud-assistant` on master 1. */
async function rotate(ctx: Ctx) {
  const started = Date.now();
  const result = await ctx.cluster.exec(1, [
    'bash', path.join(ctx.scripts, 'rotate-etcd.sh'), '--region', TEST_REGION, '--yes', '--transport', 'cloud-assistant',
  ], {
    env: { ETCD_ROTATE_METADATA_URL: ctx.cloud.metadataUrl, ETCD_ROTATE_ECS_ENDPOINT: ctx.cloud.ecs.url, ETCD_ROTATE_CTR_PULL_FLAGS: '--plain-http' },
    timeoutMs: 600_000,
  });
  console.log(`  rotate-etcd.sh over Cloud Assistant with ctr: ${Date.now() - started} ms`);
  return result;
}

test('the peers pull the image by digest with ctr and the rotation completes without SSH', async (ctx) => {
  if (!ready) return;
  const result = await rotate(ctx);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 0, output);
  assert.ok(result.stdout.includes(SUCCESS), output);

  const run = ctx.cloud.ecs.requests.filter((r) => r.action === 'RunCommand' && r.code === 'OK');
  assert.is(run.length, 2, 'one agent per peer through RunCommand');
  const digestOf = async (i: number) =>
    (await ctrOn(ctx, i, ['images', 'ls'])).split('\n').map((l) => l.trim().split(/\s+/)).find((f) => f[0] === ctx.reference)?.[2];
  const digest = await digestOf(1);
  assert.ok(digest, 'master-1 has the image by its digest reference');
  for (const m of ctx.cluster.masters) {
    await assertExpiryAtLeast(ctx.cluster, m, 49.9);
    assert.is(await digestOf(m.index), digest, `${m.hostname} has the coordinator's image under its name`);
    assert.is((await ctrOn(ctx, m.index, ['containers', 'ls', '-q'])).trim(), '', `${m.hostname} kept no container`);
  }
  await ctx.cluster.waitHealthy(30_000);
});

test('a peer that can neither find nor pull the image stops the run before anything changed', async (ctx) => {
  if (!ready) return;
  await ctrOn(ctx, 3, ['images', 'rm', ctx.reference]);
  await ctx.registry.stop();
  const before = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));

  const result = await rotate(ctx);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /the agent on \S+-name-3 \(i-standinmaster3, invocation t-\w+\) ended before calling back: invocation Failed with exit code 3/);
  assert.match(output, /has no image sha256:[0-9a-f]{64} and could not pull it \(127\.0\.0\.1:5058\/acs\/etcd-rotate@sha256:[0-9a-f]{64}\); load it there \(ctr -n k8s\.io images import\)/);
  assert.not.match(output, /\n\s+at /);

  const after = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
  assert.equal(after, before, 'no certificate, key or kubeconfig changed');
});

test.run();
