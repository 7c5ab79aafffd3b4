/**
 * The wrapper scripts refuse bad input with one clear line, a non-zero exit and nothing
 * changed: not root, no container runtime (neither docker nor ctr; no docker and containerd
 * not answering), metadata unreachable or silent, unknown region, image pull failure. Run on this machine directly (the checks come before anything touches a host).
 */
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCommand, type CommandResult } from '../sim/run.js';
import { dockerReady, mustRun, REPO } from './docker-host.js';
import { startMetadata, type MetadataStandIn } from './metadata.js';

const ROTATE = path.join(REPO, 'scripts/rotate-etcd.sh');
const DIGEST = `sha256:${'0'.repeat(64)}`;

const test = suite('wrapper scripts: bad input');
const ready = await dockerReady();
let metadata: MetadataStandIn;
let silent: Server;
let silentUrl: string;

test.before(async () => {
  if (!ready) return;
  metadata = await startMetadata('xx-nowhere-1', '127.0.0.200', { requireToken: true });
  silent = createServer(() => undefined); // accepts, never answers
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.201', resolve));
  silentUrl = `http://127.0.0.201:${(silent.address() as { port: number }).port}`;
});

test.after(async () => {
  if (!ready) return;
  await metadata.close();
  silent.close();
});

/** What the wrapper could change: containers, images, its state directory. */
async function hostState(): Promise<string> {
  const containers = await mustRun(['docker', 'ps', '-a', '-q', '--no-trunc']);
  const images = await mustRun(['docker', 'images', '-q', '--no-trunc']);
  const dir = '/var/lib/etcd-rotate';
  const state = existsSync(dir) ? `${statSync(dir).mtimeMs}` : 'absent';
  return `${containers}|${images}|${state}`;
}

/** Runs the script, checks it failed with a line naming `pattern` and changed nothing. */
async function assertRefused(argv: string[], env: Record<string, string>, pattern: RegExp): Promise<CommandResult> {
  const before = await hostState();
  const r = await runCommand(argv, { env: { PATH: process.env['PATH'] ?? '', ...env }, extendEnv: false, timeoutMs: 30_000 });
  assert.is.not(r.exitCode, 0, r.stdout);
  // One line says why; before it only progress ("pulling ...").
  const lines = r.stderr.trim().split('\n');
  const last = lines.pop()!;
  for (const line of lines) assert.match(line, /^rotate-etcd\.sh: pulling /);
  assert.match(last, /^rotate-etcd\.sh: /);
  assert.match(last, pattern);
  assert.match(last, /nothing was changed$/);
  assert.is(await hostState(), before, 'the host changed');
  return r;
}

test('not root: says to run it as root', async () => {
  if (!ready) return;
  const argv = ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--', 'bash', ROTATE, '--region', 'cn-hangzhou'];
  await assertRefused(argv, {}, /must run as root \(running as nobody\)/);
});

/** A PATH directory with the tools the wrapper needs and, of the runtimes, only `runtimes`. */
async function toolDir(runtimes: string[]): Promise<string> {
  const bin = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-tools-'));
  for (const tool of ['bash', 'id', 'hostname', 'curl', 'tail', 'mkdir', ...runtimes]) {
    const found = (await mustRun(['sh', '-c', `command -v ${tool}`])).trim();
    await symlink(found, path.join(bin, tool));
  }
  return bin;
}

test('neither docker nor ctr: says neither is installed', async () => {
  if (!ready) return;
  const bin = await toolDir([]);
  try {
    await assertRefused([path.join(bin, 'bash'), ROTATE, '--region', 'cn-hangzhou'], { PATH: bin }, /neither docker nor containerd's ctr is installed on \S+ \(not found in PATH=/);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('no docker and no containerd socket: names the socket it looked for', async () => {
  if (!ready) return;
  const bin = await toolDir(['ctr']);
  const socket = path.join(bin, 'containerd.sock');
  try {
    const env = { PATH: bin, ETCD_ROTATE_CONTAINERD_ADDRESS: socket };
    const pattern = new RegExp(`docker is not installed on \\S+ and containerd does not answer at ${socket} \\(no socket there\\); start containerd`);
    await assertRefused([path.join(bin, 'bash'), ROTATE, '--region', 'cn-hangzhou'], env, pattern);
  } finally {
    await rm(bin, { recursive: true, force: true });
  }
});

test('no docker and a containerd socket nobody answers on: gives up within seconds, saying what ctr said', async () => {
  if (!ready) return;
  const bin = await toolDir(['ctr']);
  const socket = path.join(bin, 'containerd.sock');
  const mute = createServer(() => undefined); // accepts, never speaks gRPC
  await new Promise<void>((resolve) => mute.listen(socket, resolve));
  try {
    const env = { PATH: bin, ETCD_ROTATE_CONTAINERD_ADDRESS: socket };
    const started = Date.now();
    const pattern = new RegExp(`docker is not installed on \\S+ and containerd does not answer at ${socket} \\(ctr: .+\\); start containerd`);
    await assertRefused([path.join(bin, 'bash'), ROTATE, '--region', 'cn-hangzhou'], env, pattern);
    assert.ok(Date.now() - started < 15_000, `took ${Date.now() - started} ms`);
  } finally {
    mute.close();
    await rm(bin, { recursive: true, force: true });
  }
});

test('metadata unreachable: says so and asks for --region', async () => {
  if (!ready) return;
  const url = 'http://127.0.0.201:9';
  await assertRefused(['bash', ROTATE], { ETCD_ROTATE_METADATA_URL: url }, /cannot read the region from the metadata service at http:\/\/127\.0\.0\.201:9\/.*pass --region REGION/);
});

test('metadata silent: gives up within a few seconds', async () => {
  if (!ready) return;
  const started = Date.now();
  await assertRefused(['bash', ROTATE], { ETCD_ROTATE_METADATA_URL: silentUrl }, /cannot read the region from the metadata service/);
  assert.ok(Date.now() - started < 8_000, `took ${Date.now() - started} ms`);
});

test('unknown region from the metadata service (token mode) or --region: names the known regions', async () => {
  if (!ready) return;
  await assertRefused(['bash', ROTATE], { ETCD_ROTATE_METADATA_URL: metadata.url }, /unknown region "xx-nowhere-1".*cn-hangzhou/);
  await assertRefused(['bash', ROTATE, '--region', 'mars-1'], {}, /unknown region "mars-1"/);
});

test('image pull failure: names the reference and what docker said', async () => {
  if (!ready) return;
  const image = `127.0.0.1:5999/acs/etcd-rotate@${DIGEST}`;
  await assertRefused(['bash', ROTATE, '--image', image], {}, /cannot pull the etcd-rotate image with docker \(127\.0\.0\.1:5999\/acs\/etcd-rotate@sha256:0+: .+\)/);
});

test('a flag without its value is refused', async () => {
  if (!ready) return;
  await assertRefused(['bash', ROTATE, '--region'], {}, /--region needs a value/);
});

test.run();
