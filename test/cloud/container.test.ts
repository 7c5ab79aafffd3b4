/**
 * Container mode over Cloud Assistant: etcd-rotate runs from its image on master 1 (as
 * `docker run` with a region flag does), SSH is stopped between the masters, and every peer's
 * agent is the same image, started by RunCommand, which pulls it by digest when missing.
 * Each master runs its own dockerd (createSimCluster({ docker: true })).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { CONTAINER_HOST_ROOT, containerMounts } from '../../src/container/images.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { fileDigests } from '../support/files.js';
import { loud } from '../support/hooks.js';
import { dockerReady, mustRun, SANDBOX_PRIVILEGE_FLAGS } from '../container/docker-host.js';
import { REGION, startImageCloud, type ImageCloud } from './support.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';

type Ctx = ImageCloud;
const test = suite<Ctx>('container mode over Cloud Assistant');
const ready = await dockerReady();

test.before(loud(async (ctx) => {
  if (!ready) return;
  Object.assign(ctx, await startImageCloud('docker', '127.0.0.1:5057'));
  await dockerOn(ctx, 1, ['pull', '-q', ctx.reference]);
}));
test.after(async (ctx) => ctx.close?.());

function dockerOn(ctx: Ctx, i: number, args: string[]): Promise<string> {
  return mustRun(['docker', '-H', `unix://${ctx.cluster.master(i).dockerSocket}`, ...args], 300_000);
}

/** `docker run` of the image on master 1, the mounts and flags the wrapper scripts give it. */
async function runImage(ctx: Ctx, args: string[]) {
  const mounts = containerMounts().flatMap((m) => {
    const mode = m.readOnly ? 'ro' : 'rw';
    return [`-v`, `${m.path}:${CONTAINER_HOST_ROOT}${m.path}:${mode}`, ...(m.alsoAt ? ['-v', `${m.path}:${m.alsoAt}:${mode}`] : [])];
  });
  const started = Date.now();
  const result = await ctx.cluster.exec(1, [
    'sh', '-c', 'for p in /var/lib/etcd-rotate /root/.ssh; do mkdir -p -m 0700 $p; done; exec "$@"', 'run',
    'docker', 'run', '--rm', '-i', ...SANDBOX_PRIVILEGE_FLAGS.split(' '),
    '--pid', 'host', '--network', 'host', '--uts', 'host', '--ipc', 'host',
    '-e', `ETCD_ROTATE_IMAGE=${ctx.reference}`, '-e', 'ETCD_ROTATE_CONTAINERIZED=1',
    '-e', `ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS=${SANDBOX_PRIVILEGE_FLAGS}`,
    '-e', `ETCD_ROTATE_ECS_ENDPOINT=${ctx.cloud.ecs.url}`, '-e', `ETCD_ROTATE_METADATA_URL=${ctx.cloud.metadataUrl}`,
    ...mounts, ctx.reference,
    ...args, '--root', CONTAINER_HOST_ROOT, '--transport', 'cloud-assistant', '--region', REGION,
  ], { timeoutMs: 600_000 });
  console.log(`  container run over Cloud Assistant (${args.join(' ')}): ${Date.now() - started} ms`);
  return result;
}

test('the peers pull the same image by digest and the rotation completes without SSH', async (ctx) => {
  if (!ready) return;
  const result = await runImage(ctx, ['rotate', '--yes']);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 0, output);
  assert.ok(result.stdout.includes(SUCCESS), output);

  const run = ctx.cloud.ecs.requests.filter((r) => r.action === 'RunCommand' && r.code === 'OK');
  assert.is(run.length, 2, 'one agent per peer through RunCommand');
  const id = (await dockerOn(ctx, 1, ['image', 'inspect', '--format', '{{.Id}}', ctx.reference])).trim();
  for (const m of ctx.cluster.masters) {
    await assertExpiryAtLeast(ctx.cluster, m, 49.9);
    const images = await dockerOn(ctx, m.index, ['images', '--no-trunc', '--format', '{{.ID}}']);
    assert.ok(images.includes(id), `${m.hostname} has the coordinator's image ${id}`);
  }
  await ctx.cluster.waitHealthy(30_000);
});

test('a peer that can neither find nor pull the image stops the run before anything changed', async (ctx) => {
  if (!ready) return;
  await dockerOn(ctx, 3, ['rmi', '-f', ctx.reference]);
  await ctx.registry.stop();
  const before = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));

  const result = await runImage(ctx, ['rotate', '--yes']);
  const output = result.stdout + result.stderr;
  assert.is(result.exitCode, 3, output);
  assert.match(output, /the agent on \S+-name-3 \(i-standinmaster3, invocation t-\w+\) ended before calling back: invocation Failed with exit code 3/);
  assert.match(output, /has no image sha256:[0-9a-f]{64} and could not pull it \(127\.0\.0\.1:5057\/acs\/etcd-rotate@sha256:/);
  assert.not.match(output, /\n\s+at /);

  const after = await Promise.all(ctx.cluster.masters.map((m) => fileDigests(ctx.cluster, m)));
  assert.equal(after, before, 'no certificate, key or kubeconfig changed');
});

test.run();
