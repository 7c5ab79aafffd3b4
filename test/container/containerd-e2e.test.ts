/**
 * The wrapper scripts end to end on containerd-only masters (ACK masters without docker):
 * `bash <script>` as root on master 1 of a 3-master simulated cluster whose masters each run
 * their own containerd and have no docker at all, the region from a metadata stand-in, the
 * image pulled by digest with ctr from a registry on a loopback address, peers reached over SSH
 * and running the same image with ctr, streamed to them (ctr images export | ctr images
 * import) since the registry is gone by then.
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import { loud } from '../support/hooks.js';
import { buildTestImage, dockerReady, mustRun, pushImage, startRegistry, TEST_IMAGE, type LocalRegistry } from './docker-host.js';
import { startMetadata, type MetadataStandIn } from './metadata.js';
import { TEST_REGION, writeTestScripts } from './wrapper-copy.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';
/** The test registry speaks plain HTTP; ctr needs to be told (docker trusts loopback itself). */
const PULL_FLAGS = '--plain-http';

type Ctx = {
  cluster: SimCluster;
  registry: LocalRegistry;
  metadata: MetadataStandIn;
  scripts: string;
  reference: string;
  timings: string[];
};
const test = suite<Ctx>('wrapper scripts end to end on containerd-only masters');
const ready = await dockerReady();

test.before(loud(async (ctx) => {
  ctx.timings = [];
  if (!ready) return;
  let started = Date.now();
  await buildTestImage();
  ctx.timings.push(`image build ${Date.now() - started} ms`);
  started = Date.now();
  ctx.cluster = await createSimCluster({ size: 3, runtime: 'containerd' });
  ctx.timings.push(`cluster with containerd per master ${Date.now() - started} ms`);
  ctx.registry = await startRegistry('127.0.0.1:5059');
  ctx.reference = await pushImage(TEST_IMAGE, ctx.registry.address, 'acs/etcd-rotate');
  ctx.scripts = await writeTestScripts(ctx.reference, ctx.registry.address);
  ctx.metadata = await startMetadata(TEST_REGION);
}));

test.after(async (ctx) => {
  await ctx.cluster?.teardown();
  await ctx.registry?.stop();
  await ctx.metadata?.close();
  console.log(`\n  timings: ${ctx.timings.join('; ')}\n`);
});

/** `ctr -n k8s.io` against master i's own containerd. */
function ctrOn(ctx: Ctx, i: number, args: string[]): Promise<string> {
  return mustRun(['ctr', '--address', ctx.cluster.master(i).containerdSocket!, '-n', 'k8s.io', ...args], 300_000);
}

/** `bash <script> args` as root on master 1. */
async function runScript(ctx: Ctx, script: string, args: string[]) {
  const started = Date.now();
  const result = await ctx.cluster.exec(1, ['bash', path.join(ctx.scripts, script), ...args], {
    env: { ETCD_ROTATE_METADATA_URL: ctx.metadata.url, ETCD_ROTATE_CTR_PULL_FLAGS: PULL_FLAGS },
    timeoutMs: 600_000,
  });
  ctx.timings.push(`${script} ${Date.now() - started} ms`);
  return result;
}

test('the masters have containerd and no docker', async (ctx) => {
  if (!ready) return;
  for (const m of ctx.cluster.masters) {
    const r = await ctx.cluster.exec(m.index, ['bash', '-c', 'command -v docker dockerd; ctr version >/dev/null && echo ctr ok']);
    assert.is(r.stdout.trim(), 'ctr ok', `${m.hostname}: ${r.stdout}${r.stderr}`);
  }
});

test('restart-apiserver.sh pulls the regional image by digest with ctr and restarts kube-apiserver through crictl', async (ctx) => {
  if (!ready) return;
  ctx.registry.assertRunning();
  const r = await runScript(ctx, 'restart-apiserver.sh', []);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.match(r.stderr, /pulling 127\.0\.0\.1:5056\//); // the VPC registry refuses, the public one serves
  assert.match(r.stdout, /kube-apiserver restarted through crictl: container [0-9a-f]{12} -> [0-9a-f]{12}/);
  assert.ok((await ctrOn(ctx, 1, ['images', 'ls', '-q'])).split('\n').includes(ctx.reference), 'master-1 has the image by digest');
  assert.is((await ctrOn(ctx, 1, ['containers', 'ls', '-q'])).trim(), '', 'the container was removed');

  // ctr run mounts the image on its own side, so it runs inside the master.
  const started = Date.now();
  const run = ['ctr', '-n', 'k8s.io', 'run', '--rm', '--net-host', ctx.reference, 'version-check', '/usr/bin/node', '/opt/etcd-rotate/dist/cli.js', '--version'];
  const ran = await ctx.cluster.exec(1, run, { timeoutMs: 120_000 });
  ctx.timings.push(`ctr run of the pulled image (--version) ${Date.now() - started} ms`);
  assert.is(ran.exitCode, 0, ran.stderr);
  const version = ran.stdout;
  assert.match(version, /^\d+\.\d+\.\d+/);
});

test('rotate-etcd.sh rotates every master, the peers running the same image streamed over SSH with ctr', async (ctx) => {
  if (!ready) return;
  await ctx.registry.stop(); // the peers cannot pull: the coordinator must stream the image to them

  const r = await runScript(ctx, 'rotate-etcd.sh', ['--yes', '--ssh-port', String(ctx.cluster.sshPort)]);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.ok(r.stdout.includes(SUCCESS), r.stdout);
  const streamed = r.stderr.split('\n').filter((line) => line.includes(`streaming image ${ctx.reference} over SSH (ctr images export`));
  assert.equal(streamed.map((line) => /^\[([^\]]+)\]/.exec(line)?.[1]).sort(), ['127.0.0.12-name-2', '127.0.0.13-name-3'], r.stderr);

  await ctx.cluster.waitHealthy(30_000);
  for (const m of ctx.cluster.masters) {
    await assertExpiryAtLeast(ctx.cluster, m, 49.9);
    const images = await ctrOn(ctx, m.index, ['images', 'ls', '-q']);
    assert.ok(images.split('\n').includes(ctx.reference), `${m.hostname} has the image by the same name: ${images}`);
    assert.is((await ctrOn(ctx, m.index, ['containers', 'ls', '-q'])).trim(), '', `${m.hostname} kept no container`);
  }
});

test('rollback-etcd.sh finds the image on every peer and ends with the success line', async (ctx) => {
  if (!ready) return;
  const r = await runScript(ctx, 'rollback-etcd.sh', ['--yes', '--ssh-port', String(ctx.cluster.sshPort)]);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.ok(r.stdout.includes(SUCCESS), r.stdout);
  // The wrapper itself tries the VPC registry first on master 1; no peer pulls or is streamed to.
  assert.not.match(r.stderr, /^\[[^\]]+\] (streaming image|pulling)/m);
  await ctx.cluster.waitHealthy(30_000);
  for (const m of ctx.cluster.masters) await assertExpiryAtLeast(ctx.cluster, m, 49.9);
});

test.run();
