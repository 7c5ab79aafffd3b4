/**
 * What the container tests need from this machine: a docker daemon (the host's), the base
 * images and the etcd-rotate image built from the Dockerfile of this checkout, and a registry
 * to pull from (Debian's docker-registry, on a loopback address).
 *
 * Without a docker daemon the suites skip, unless CI=true: then they fail, so CI never passes
 * by skipping them (.ci/run installs docker.io and starts dockerd).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCommand } from '../sim/run.js';

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The tag the tests build the image under. */
export const TEST_IMAGE = 'etcd-rotate:e2e';

/** The privilege flags this sandbox accepts (it refuses --privileged: no CAP_SYS_RESOURCE). */
export const SANDBOX_PRIVILEGE_FLAGS =
  '--cap-add=ALL --cap-drop=SYS_RESOURCE --security-opt apparmor=unconfined --security-opt seccomp=unconfined';

/**
 * Whether the container suites can run: true when dockerd answers; false (skip) when it does
 * not and CI is not set; throws when CI=true.
 */
export async function dockerReady(): Promise<boolean> {
  const r = await runCommand(['docker', 'version', '--format', '{{.Server.Version}}']).catch((e: Error) => ({
    exitCode: 127,
    stderr: e.message,
    stdout: '',
  }));
  if (r.exitCode === 0) return true;
  const why = `no docker daemon answers (${r.stderr.trim().split('\n').pop()})`;
  if (process.env['CI'] === 'true') throw new Error(`container tests cannot run in CI: ${why}; .ci/run starts dockerd`);
  console.log(`\n  container tests skipped: ${why}; start dockerd (vfs) to run them\n`);
  return false;
}

/** Builds the base images (when missing) and the image of this checkout; resolves to its id. */
export async function buildTestImage(): Promise<string> {
  await mustRun([path.join(REPO, 'images/base/build.sh')], 600_000);
  await mustRun(['docker', 'build', '--network', 'host', '-q', '-t', TEST_IMAGE, REPO], 900_000);
  const id = await mustRun(['docker', 'image', 'inspect', '--format', '{{.Id}}', TEST_IMAGE]);
  return id.trim();
}

/** Runs argv on the host; resolves to stdout, throws with stderr on failure. */
export async function mustRun(argv: string[], timeoutMs = 120_000): Promise<string> {
  const r = await runCommand(argv, { timeoutMs });
  if (r.exitCode !== 0) throw new Error(`${argv.join(' ')} failed (exit ${r.exitCode}): ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** A docker registry (Debian's docker-registry) on a loopback address; docker trusts it over HTTP. */
export interface LocalRegistry {
  address: string;
  /** Throws, with how it ended and what it said, when the registry is no longer running. */
  assertRunning(): void;
  stop(): Promise<void>;
}

/** Starts a registry with its storage in a temporary directory. */
export async function startRegistry(address = '127.0.0.1:5055'): Promise<LocalRegistry> {
  if (!existsSync('/usr/bin/docker-registry')) {
    throw new Error('the container tests need /usr/bin/docker-registry (apt-get install docker-registry)');
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-registry-'));
  const config = path.join(dir, 'config.yml');
  await writeFile(
    config,
    [
      'version: 0.1',
      'log: { level: error }',
      `storage: { filesystem: { rootdirectory: ${dir}/data }, delete: { enabled: true } }`,
      `http: { addr: "${address}" }`,
      '',
    ].join('\n'),
  );
  const child = spawn('/usr/bin/docker-registry', ['serve', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const deadline = Date.now() + 10_000;
  while ((await runCommand(['curl', '-fsS', `http://${address}/v2/`])).exitCode !== 0) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the registry on ${address} did not start: ${stderr}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  let ended = '';
  child.once('exit', (code, signal) => (ended = signal ? `killed by ${signal}` : `exited with ${code}`));
  return {
    address,
    assertRunning() {
      if (ended) throw new Error(`the registry on ${address} ${ended}: ${stderr.trim().slice(-500)}`);
    },
    async stop() {
      if (!ended) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await closed;
      }
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Pushes `image` to `registry` as `repository`; resolves to `<registry>/<repository>@sha256:...`. */
export async function pushImage(image: string, registry: string, repository: string): Promise<string> {
  const target = `${registry}/${repository}:e2e`;
  await mustRun(['docker', 'tag', image, target]);
  await mustRun(['docker', 'push', target], 600_000);
  const digests = await mustRun(['docker', 'image', 'inspect', '--format', '{{json .RepoDigests}}', target]);
  const found = (JSON.parse(digests) as string[]).find((d) => d.startsWith(`${registry}/${repository}@`));
  if (!found) throw new Error(`docker push gave ${target} no repository digest: ${digests}`);
  return found;
}
