/**
 * A simulated cluster reachable only through the ECS stand-in: sshd stopped
 * on every master, each master an instance tagged with the cluster id, the
 * metadata stand-in answering for master 1.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import type { CommandResult, SimCluster } from '../sim/index.js';
import { MASTER_ENV } from '../sim/namespaces.js';
import { CLI, PEER_COMMAND, type RunningTool } from '../support/tool.js';
import { buildTestImage, pushImage, startRegistry, TEST_IMAGE, type LocalRegistry } from '../container/docker-host.js';
import { createSimCluster } from '../sim/index.js';
import { startMetadataStandin } from './ecs-standin/metadata.js';
import { startEcsStandin, type EcsStandin, type StandinInstance, type StandinKey } from './ecs-standin/server.js';

export const REGION = 'cn-standin-1';
export const CLUSTER_ID = 'c0standin0cluster0id0000000000000';
export const ROLE = {
  name: 'KubernetesMasterRole-standin',
  accessKeyId: 'STS.NTstandinRoleKeyId',
  secret: 'role-secret-must-never-appear-7c1e',
  securityToken: 'CAIS-standin-security-token-value',
};

/** The stand-ins around one cluster. */
export interface CloudFixture {
  ecs: EcsStandin;
  metadataUrl: string;
  /** Runs `etcd-rotate <args> --transport <transport>` (default cloud-assistant) on master 1 with `env` added. */
  runTool(args: string[], env?: Record<string, string>, transport?: string): Promise<CommandResult>;
  /** Starts the same in the background, output collected, for tests that interrupt it. */
  startTool(args: string[]): RunningTool;
  close(): Promise<void>;
}

/** Starts the ECS and metadata stand-ins for `cluster` (plus one tagged worker). */
export async function startCloud(cluster: SimCluster, keys: Record<string, StandinKey> = {}): Promise<CloudFixture> {
  const instances: StandinInstance[] = cluster.masters.map((m, i) => ({
    instanceId: `i-standinmaster${i + 1}`,
    name: `master-0${i + 1}-k8s-for-cs-${CLUSTER_ID}`,
    privateIp: m.ip,
    tags: { 'ack.aliyun.com': CLUSTER_ID },
    master: i + 1,
  }));
  instances.push({ instanceId: 'i-standinworker1', name: 'worker-1', privateIp: '127.0.0.99', tags: { 'ack.aliyun.com': CLUSTER_ID } });
  const ecs = await startEcsStandin({
    region: REGION,
    keys: { [ROLE.accessKeyId]: { secret: ROLE.secret, securityToken: ROLE.securityToken }, ...keys },
    instances,
    exec: (master, script, timeoutMs) => cluster.exec(master, ['bash', '-c', script], { timeoutMs }),
  });
  const metadata = await startMetadataStandin({
    region: REGION,
    instanceId: instances[0]!.instanceId,
    role: { ...ROLE, expiresAt: new Date(Date.now() + 6 * 3600_000) },
  });

  return {
    ecs,
    metadataUrl: metadata.url,
    runTool: (args, env = {}, transport = 'cloud-assistant') =>
      cluster.exec(1, ['node', CLI, ...args, '--transport', transport, '--peer-command', PEER_COMMAND], {
        env: { ETCD_ROTATE_ECS_ENDPOINT: ecs.url, ETCD_ROTATE_METADATA_URL: metadata.url, ...env },
        timeoutMs: 300_000,
      }),
    startTool: (args) =>
      startInMaster(cluster, [
        'env', `ETCD_ROTATE_ECS_ENDPOINT=${ecs.url}`, `ETCD_ROTATE_METADATA_URL=${metadata.url}`,
        'node', CLI, ...args, '--transport', 'cloud-assistant', '--peer-command', PEER_COMMAND,
      ]),
    async close() {
      await ecs.settled();
      await ecs.close();
      await metadata.close();
    },
  };
}

/** Container mode's setting: masters with their own runtime, the test image in a registry, SSH off. */
export interface ImageCloud {
  cluster: SimCluster;
  registry: LocalRegistry;
  /** The image by repository digest in `registry`. */
  reference: string;
  cloud: CloudFixture;
  close(): Promise<void>;
}

/** Builds the image, a 3-master cluster running `runtime` with SSH stopped, a registry at `registryAddress`, the stand-ins. */
export async function startImageCloud(runtime: 'docker' | 'containerd', registryAddress: string): Promise<ImageCloud> {
  await buildTestImage();
  // Undone in reverse, also when a later part fails to start.
  const started: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const stop of started.reverse()) await stop();
  };
  try {
    const cluster = await createSimCluster(runtime === 'docker' ? { size: 3, docker: true } : { size: 3, runtime });
    started.push(() => cluster.teardown());
    const registry = await startRegistry(registryAddress);
    started.push(() => registry.stop());
    const reference = await pushImage(TEST_IMAGE, registry.address, 'acs/etcd-rotate');
    await disableSsh(cluster);
    const cloud = await startCloud(cluster);
    started.push(() => cloud.close());
    return { cluster, registry, reference, cloud, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Stops sshd on every master and proves SSH between them no longer works. */
export async function disableSsh(cluster: SimCluster): Promise<void> {
  for (const m of cluster.masters) await cluster.systemctl(m, ['stop', 'sshd']);
  const probe = await cluster.exec(1, [
    'ssh', '-o', 'BatchMode=yes', '-o', 'ConnectTimeout=3', '-p', String(cluster.sshPort), `root@${cluster.masters[1]!.ip}`, 'true',
  ]);
  if (probe.exitCode === 0) throw new Error('ssh to master-2 still works after stopping sshd');
}

/** Runs `argv` in master 1's namespaces in the background (as test/support/tool.ts does for SSH runs). */
function startInMaster(cluster: SimCluster, argv: string[]): RunningTool {
  const env = Object.entries(MASTER_ENV).map(([k, v]) => `${k}=${v}`);
  const enter = ['-t', String(cluster.master(1).anchorPid), '-m', '-u', '--wd=/root', 'env', ...env];
  const child = spawn('nsenter', [...enter, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => text,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline || child.exitCode !== null) throw new Error(`the tool never printed ${pattern}:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    kill: (signal) => child.kill(signal),
    exited,
  };
}

/** PIDs of the agents started through Cloud Assistant that connect from `ip`. */
export function callbackAgentPids(ip: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let argv: string[];
    try {
      argv = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    } catch {
      continue;
    }
    const bind = argv.indexOf('--bind');
    if (argv.includes('agent') && argv.includes('--connect') && argv[bind + 1] === ip) pids.push(Number(entry));
  }
  return pids;
}
