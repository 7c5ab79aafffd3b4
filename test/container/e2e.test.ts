/**
 * The wrapper scripts end to end, as operators run them: `bash <script>` as root on master 1
 * of a 3-master simulated cluster whose masters each run their own dockerd, the region from a
 * metadata stand-in, the image pulled by digest from a registry on a loopback address, peers
 * reached over SSH and running the same image (streamed to them over SSH, since the registry
 * is gone by then).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import path from 'node:path';
import { createSimCluster, type SimCluster } from '../sim/index.js';
import { assertExpiryAtLeast } from '../support/assertions.js';
import {
  buildTestImage, dockerReady, mustRun, pushImage, SANDBOX_PRIVILEGE_FLAGS, startRegistry, TEST_IMAGE,
  type LocalRegistry,
} from './docker-host.js';
import { startMetadata, type MetadataStandIn } from './metadata.js';
import { TEST_REGION, writeTestScripts } from './wrapper-copy.js';

const SUCCESS = 'etcd CA and certs have successfully rotated!';
const APISERVER_CONTAINER = 'k8s_kube-apiserver_kube-apiserver-master-1_kube-system_5f1e2d3c4b5a69788796a5b4c3d2e1f0_0';

const test = suite('wrapper scripts end to end');
const ready = await dockerReady();

let cluster: SimCluster;
let registry: LocalRegistry;
let metadata: MetadataStandIn;
let scripts: string;
let reference: string;
const timings: string[] = [];

test.before(async () => {
  if (!ready) return;
  let started = Date.now();
  await buildTestImage();
  timings.push(`image build ${Date.now() - started} ms`);
  started = Date.now();
  cluster = await createSimCluster({ size: 3, docker: true });
  timings.push(`cluster with dockerd per master ${Date.now() - started} ms`);
  registry = await startRegistry();
  reference = await pushImage(TEST_IMAGE, registry.address, 'acs/etcd-rotate');
  scripts = await writeTestScripts(reference, registry.address);
  metadata = await startMetadata(TEST_REGION);
});

test.after(async () => {
  if (!ready) return;
  await cluster?.teardown();
  await registry?.stop();
  await metadata?.close();
  console.log(`\n  timings: ${timings.join('; ')}\n`);
});

/** `docker` against master i's own dockerd. */
function dockerOn(i: number, args: string[]): Promise<string> {
  return mustRun(['docker', '-H', `unix://${cluster.master(i).dockerSocket}`, ...args], 300_000);
}

/** `bash <script> args` as root on master 1, with the sandbox's privilege flags. */
async function runScript(script: string, args: string[], env: Record<string, string> = {}) {
  const started = Date.now();
  const result = await cluster.exec(1, ['bash', path.join(scripts, script), ...args], {
    env: {
      ETCD_ROTATE_METADATA_URL: metadata.url,
      ETCD_ROTATE_DOCKER_PRIVILEGE_FLAGS: SANDBOX_PRIVILEGE_FLAGS,
      ...env,
    },
    timeoutMs: 600_000,
  });
  timings.push(`${script} ${Date.now() - started} ms`);
  return result;
}

test('restart-apiserver.sh pulls the regional image by digest and restarts the kube-apiserver container', async () => {
  if (!ready) return;
  // A real container named as kubelet names kube-apiserver's, in master 1's dockerd.
  await mustRun(['sh', '-c', `docker save etcd-rotate-base:bookworm | docker -H unix://${cluster.master(1).dockerSocket} load`]);
  await dockerOn(1, ['run', '-d', '--name', APISERVER_CONTAINER, '--network', 'host', '--entrypoint', 'sleep', 'etcd-rotate-base:bookworm', 'infinity']);
  const before = (await dockerOn(1, ['inspect', '--format', '{{.Id}} {{.State.StartedAt}}', APISERVER_CONTAINER])).trim();

  registry.assertRunning();
  const r = await runScript('restart-apiserver.sh', []);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.match(r.stderr, /pulling 127\.0\.0\.1:5056\//);
  assert.match(r.stdout, /kube-apiserver restarted through docker: container [0-9a-f]{12} -> [0-9a-f]{12}/);

  const after = (await dockerOn(1, ['inspect', '--format', '{{.Id}} {{.State.StartedAt}}', APISERVER_CONTAINER])).trim();
  assert.is(after.split(' ')[0], before.split(' ')[0], 'docker restarted the same container');
  assert.is.not(after.split(' ')[1], before.split(' ')[1], 'the container started again');
  assert.match(await dockerOn(1, ['images', '--digests']), /127\.0\.0\.1:5055\/acs\/etcd-rotate/);

  let started = Date.now();
  const version = await dockerOn(1, ['run', '--rm', '--network', 'host', reference, '--version']);
  timings.push(`docker run of the pulled image (--version) ${Date.now() - started} ms`);
  assert.match(version, /^\d+\.\d+\.\d+/);
  started = Date.now();
  await mustRun(['sh', '-c', `docker save ${TEST_IMAGE} >/dev/null`]);
  timings.push(`docker save of the image ${Date.now() - started} ms`);

  // From here on kubelet's (crictl's) static pods are the only ones.
  await dockerOn(1, ['rm', '-f', APISERVER_CONTAINER]);
});

test('rotate-etcd.sh rotates every master, the peers running the same image streamed over SSH', async () => {
  if (!ready) return;
  await registry.stop(); // the peers cannot pull: the coordinator must stream the image to them

  const r = await runScript('rotate-etcd.sh', ['--yes', '--ssh-port', String(cluster.sshPort)]);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.ok(r.stdout.includes(SUCCESS), r.stdout);
  assert.match(r.stderr, /streaming image sha256:[0-9a-f]{64} over SSH/);

  await cluster.waitHealthy(30_000);
  for (const m of cluster.masters) {
    await assertExpiryAtLeast(cluster, m, 49.9);
    const images = await dockerOn(m.index, ['images', '--format', '{{.ID}}']);
    assert.ok(images.trim().length > 0, `${m.hostname} has the image`);
  }
});

test('rollback-etcd.sh replaces the set on every master and ends with the success line', async () => {
  if (!ready) return;
  const r = await runScript('rollback-etcd.sh', ['--yes', '--ssh-port', String(cluster.sshPort)]);
  assert.is(r.exitCode, 0, r.stderr + r.stdout);
  assert.ok(r.stdout.includes(SUCCESS), r.stdout);
  assert.not.match(r.stderr, /streaming image/);
  await cluster.waitHealthy(30_000);
  for (const m of cluster.masters) await assertExpiryAtLeast(cluster, m, 49.9);
});

test.run();
