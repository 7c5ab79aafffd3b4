/** The containerd side of container mode, without a cluster: the peer command and the settings read from the environment. */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { repositoryOf } from '../../src/container/containerd-image.js';
import { containerdPeerCommand } from '../../src/container/containerd-peer-command.js';
import { containerdEnsureImageScript } from '../../src/container/pull-first.js';
import { containerMounts } from '../../src/container/images.js';
import { ctrPrivilegeFlags } from '../../src/container/privilege.js';
import { containerdAddress, ctrPullFlags, hostCtrArgv, imageRuntimeOf } from '../../src/container/runtime-env.js';
import { runCommand } from '../sim/run.js';

const REFERENCE = `registry-vpc.cn-hangzhou.aliyuncs.com/acs/etcd-rotate@sha256:${'b'.repeat(64)}`;

const command = suite('containerdPeerCommand');

command('runs the image by name with ctr in k8s.io, the host namespaces of PID 1, the privilege flags and the entrypoint', () => {
  const text = containerdPeerCommand(REFERENCE, ['--cap-add', 'CAP_SYS_ADMIN'], '/run/containerd/containerd.sock');
  assert.match(text, /^sh -c '/);
  assert.ok(text.includes('exec ctr --address /run/containerd/containerd.sock --namespace k8s.io run --rm'), text);
  assert.ok(text.includes('--cap-add CAP_SYS_ADMIN --net-host --with-ns pid:/proc/1/ns/pid --with-ns uts:/proc/1/ns/uts --with-ns ipc:/proc/1/ns/ipc'), text);
  // The reference holds ":" and "@", so it is quoted (inside the single-quoted sh -c script).
  assert.ok(text.includes(`'\\''${REFERENCE}'\\'' etcd-rotate-agent-$(date +%s)-$$ /usr/bin/node /opt/etcd-rotate/dist/cli.js "$@"' etcd-rotate`), text);
  for (const mount of containerMounts()) assert.ok(text.includes(`if [ -e ${mount.path} ]`), mount.path);
  assert.ok(text.includes('--mount type=bind,src=/root/.ssh,dst=/host/root/.ssh,options=rbind:ro --mount type=bind,src=/root/.ssh,dst=/root/.ssh,options=rbind:ro'));
});

command('is valid shell that hands its arguments to ctr after the entrypoint', async () => {
  // Run it with a ctr that prints its arguments, one a line, from a PATH of its own.
  const text = containerdPeerCommand(REFERENCE, ['--privileged'], '/run/containerd/containerd.sock');
  const fake = 'ctr() { printf "%s\\n" "$@"; }';
  const script = text.replace(/^sh -c '/, `sh -c '${fake}; `).replace('exec ctr ', 'ctr ');
  const r = await runCommand(['sh', '-c', `${script} agent --root /host`]);
  assert.is(r.exitCode, 0, r.stderr);
  const words = r.stdout.trim().split('\n');
  assert.equal(words.slice(-5), ['/usr/bin/node', '/opt/etcd-rotate/dist/cli.js', 'agent', '--root', '/host']);
  assert.ok(words.includes(REFERENCE));
  assert.match(words[words.indexOf(REFERENCE) + 1]!, /^etcd-rotate-agent-\d+-\d+$/);
});

command.run();

const ensure = suite('containerdEnsureImageScript (what RunCommand runs first on a peer)');
const IMAGE = { reference: 'reg.example/acs/etcd-rotate:v1', digest: `sha256:${'c'.repeat(64)}`, repoDigests: [`reg.example/acs/etcd-rotate@sha256:${'c'.repeat(64)}`] };

/** Runs the script with a ctr that logs its arguments to ctr.log and answers from `present` (a file). */
async function runEnsure(pullWorks: boolean): Promise<{ exitCode: number; log: string[]; stderr: string }> {
  const dir = await mkdtemp(path.join(tmpdir(), 'ensure-'));
  const fake = [
    `ctr() { echo "$*" >> ${dir}/ctr.log; case "$*" in`,
    `  *" images ls "*) [ -e ${dir}/present ] && echo ${IMAGE.reference}; return 0 ;;`,
    `  *" images pull "*) ${pullWorks ? 'return 0' : 'echo "pull failed" >&2; return 1'} ;;`,
    `  *" images tag "*) touch ${dir}/present; return 0 ;;`,
    'esac; }',
  ].join('\n');
  const script = containerdEnsureImageScript(IMAGE, '/run/containerd/containerd.sock', ['--plain-http']);
  const r = await runCommand(['sh', '-c', `${fake}\n${script}; echo ready`]);
  const log = (await readFile(path.join(dir, 'ctr.log'), 'utf8')).trim().split('\n');
  await rm(dir, { recursive: true });
  assert.is(r.stdout.trim(), r.exitCode === 0 ? 'ready' : '', 'nothing on standard output but the command after it');
  return { exitCode: r.exitCode, log, stderr: r.stderr };
}

ensure('a peer without the image pulls it by digest, tags it with the coordinator\'s name and goes on', async () => {
  const r = await runEnsure(true);
  assert.is(r.exitCode, 0, r.stderr);
  const prefix = '--address /run/containerd/containerd.sock --namespace k8s.io images';
  assert.equal(r.log, [
    `${prefix} ls -q name==${IMAGE.reference},target.digest==${IMAGE.digest}`,
    `${prefix} pull --plain-http ${IMAGE.repoDigests[0]}`,
    `${prefix} tag --force ${IMAGE.repoDigests[0]} ${IMAGE.reference}`,
    `${prefix} ls -q name==${IMAGE.reference},target.digest==${IMAGE.digest}`,
  ]);
});

ensure('a peer that cannot pull it exits 3 naming the image, what it tried and how to load it', async () => {
  const r = await runEnsure(false);
  assert.is(r.exitCode, 3);
  assert.match(r.stderr, new RegExp(`etcd-rotate: \\S+ has no image ${IMAGE.digest} and could not pull it \\(${IMAGE.repoDigests[0]!.replace(/[.]/g, '\\.')}\\); load it there \\(ctr -n k8s\\.io images import\\) or pass --peer-command; nothing was changed`));
});

ensure.run();

const env = suite('containerd settings from the environment');

env('the runtime is containerd only when the wrapper says so', () => {
  assert.is(imageRuntimeOf({}), 'docker');
  assert.is(imageRuntimeOf({ ETCD_ROTATE_CONTAINER_RUNTIME: 'docker' }), 'docker');
  assert.is(imageRuntimeOf({ ETCD_ROTATE_CONTAINER_RUNTIME: 'containerd' }), 'containerd');
});

env('the socket, the pull flags and the privilege flags have defaults the environment replaces', () => {
  assert.is(containerdAddress({}), '/run/containerd/containerd.sock');
  assert.is(containerdAddress({ ETCD_ROTATE_CONTAINERD_ADDRESS: ' /x/c.sock ' }), '/x/c.sock');
  assert.equal(ctrPullFlags({}), []);
  assert.equal(ctrPullFlags({ ETCD_ROTATE_CTR_PULL_FLAGS: '--plain-http  --skip-verify' }), ['--plain-http', '--skip-verify']);
  assert.equal(ctrPrivilegeFlags({}), ['--privileged']);
  assert.equal(ctrPrivilegeFlags({ ETCD_ROTATE_CTR_PRIVILEGE_FLAGS: '--cap-add CAP_SYS_ADMIN' }), ['--cap-add', 'CAP_SYS_ADMIN']);
});

env('ctr on the host is reached through nsenter into PID 1 from the container', () => {
  const argv = hostCtrArgv({ ETCD_ROTATE_CONTAINERD_ADDRESS: '/x/c.sock' });
  assert.equal(argv.slice(0, 3), ['nsenter', '--target', '1']);
  assert.equal(argv.slice(argv.indexOf('ctr')), ['ctr', '--address', '/x/c.sock', '--namespace', 'k8s.io']);
  assert.equal(hostCtrArgv({}, false), ['ctr', '--address', '/run/containerd/containerd.sock', '--namespace', 'k8s.io']);
});

env('repositoryOf drops the tag or the digest, not a registry port', () => {
  assert.is(repositoryOf(REFERENCE), 'registry-vpc.cn-hangzhou.aliyuncs.com/acs/etcd-rotate');
  assert.is(repositoryOf('127.0.0.1:5055/acs/etcd-rotate:e2e'), '127.0.0.1:5055/acs/etcd-rotate');
  assert.is(repositoryOf('127.0.0.1:5055/acs/etcd-rotate'), '127.0.0.1:5055/acs/etcd-rotate');
});

env.run();
