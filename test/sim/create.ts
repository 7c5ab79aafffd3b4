/**
 * createSimCluster: certificates, files, namespaces, source NAT, sshd and
 * etcd on every master, then a wait for health. On failure everything made so
 * far is undone before the error is rethrown.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { chmod, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { get as httpsGet } from 'node:https';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { DEFAULT_VALIDITY, type ExpiredMode } from './certs.js';
import { cleanUpSync, reapStaleClusters, trackCluster, type CleanupState } from './cleanup.js';
import { RunningSimCluster } from './cluster.js';
import { issueEtcdCertificates } from './etcd-pki.js';
import { DEFAULT_TUNING } from './etcd-unit.js';
import {
  CONTAINERD_DATA_DIR, containerdAvailable, containerdSocketOf, hideDocker, installContainerd, waitForContainerd,
} from './containerd.js';
import { DOCKER_DATA_DIR, dockerAvailable, dockerSocketOf, renderDockerUnit, waitForDocker } from './docker.js';
import { installMaster } from './install.js';
import { freshKeys, pooledKeys } from './key-pool.js';
import { issueKubeCas, issueKubeLeaves } from './kube-pki.js';
import {
  BOUND_DIRS, CLIENT_PORT, describeMaster, PEER_PORT, type MasterFacts,
} from './layout.js';
import { acquireSimLock, releaseSimLock } from './lock.js';
import { execInside, mountNamespaceOf, setUpMounts, startAnchor } from './namespaces.js';
import { installNat, natTableName } from './nft.js';
import { ensureSimPackages } from './packages.js';
import { mapLimit } from './run.js';
import { generateSshKey, SSHD_DIR } from './ssh.js';
import type { SimCluster, SimClusterOptions, SimMaster, SimRuntime } from './types.js';

/** `<repo>/.sim`, next to this package's package.json. */
export const DEFAULT_SIM_ROOT = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  '..',
  '.sim',
);

/** Builds and starts a cluster; see SimClusterOptions for the knobs. */
export async function createSimCluster(options: SimClusterOptions = {}): Promise<SimCluster> {
  const started = Date.now();
  const size = options.size ?? 3;
  if (!Number.isInteger(size) || size < 1 || size > 9) {
    throw new Error(`createSimCluster: size must be an integer from 1 to 9, received ${size}`);
  }
  const id = options.name ?? `c${randomBytes(3).toString('hex')}`;
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(id)) {
    throw new Error(`createSimCluster: name must match [A-Za-z0-9_-]{1,40}, received "${id}"`);
  }
  const root = options.root ?? DEFAULT_SIM_ROOT;
  const dir = join(root, id);
  const sshPort = options.sshPort ?? 2222;
  const log = options.log ?? (() => {});
  const facts = Array.from({ length: size }, (_, i) => describeMaster(dir, i + 1));
  const runtime: SimRuntime | undefined = options.runtime ?? (options.docker ? 'docker' : undefined);
  if (runtime === 'docker' && !dockerAvailable()) {
    throw new Error('createSimCluster: docker: true needs /usr/sbin/dockerd and /usr/bin/containerd (apt-get install docker.io)');
  }
  if (runtime === 'containerd' && !containerdAvailable()) {
    throw new Error("createSimCluster: runtime: 'containerd' needs containerd, ctr, containerd-shim-runc-v2 and runc (apt-get install containerd)");
  }

  await ensureSimPackages();
  await mkdir(root, { recursive: true });
  // Several suites run at once on a developer machine wait their turn; SIM_LOCK_WAIT_MS stretches it.
  await acquireSimLock(dir, options.lockTimeoutMs ?? (Number(process.env.SIM_LOCK_WAIT_MS) || 300_000));
  for (const reaped of reapStaleClusters(root)) {
    log(`[sim] cleaned up ${reaped}, left by a run that died`);
  }

  const cleanup: CleanupState = {
    dir, ownerPid: process.pid, natTable: natTableName(id), namespaces: [], anchorPids: [],
    keepDir: options.keep ?? false,
  };
  try {
    await checkPortsFree(facts, sshPort);
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    trackCluster(cleanup);

    await prepareFiles(dir, facts, options, sshPort, log);
    if (runtime === 'docker') await Promise.all(facts.map((m) => installDocker(m)));
    if (runtime === 'containerd') await Promise.all(facts.map((m) => installContainerd(m)));
    await installNat(cleanup.natTable, facts);
    const masters = await startMasters(dir, facts, cleanup, log, runtime);
    const cluster = new RunningSimCluster(
      id, dir, masters, cleanup.natTable, sshPort, cleanup, log,
    );

    await Promise.all(masters.map((m) => startServices(cluster, m, options.startEtcd ?? true, runtime)));
    await waitForPort(masters, sshPort);
    if (runtime === 'docker') await Promise.all(masters.map((m) => waitForDocker(m.anchorPid, m.hostname)));
    if (runtime === 'containerd') await Promise.all(masters.map((m) => waitForContainerd(m.anchorPid, m.hostname)));
    if ((options.startEtcd ?? true) && options.expired === undefined) {
      await cluster.waitHealthy(options.healthTimeoutMs ?? 30_000);
    }
    if (options.startEtcd ?? true) {
      // kubelet runs the static pods; with expired certificates they crash-loop, as on a real master.
      await Promise.all(masters.map((m) => startUnit(cluster, m, 'kubelet')));
      if (options.expired === undefined) await waitForControlPlane(masters, options.healthTimeoutMs ?? 30_000);
    }
    cluster.createdInMs = Date.now() - started;
    log(`[sim] cluster ${id} with ${size} masters ready in ${cluster.createdInMs} ms (${dir})`);
    return cluster;
  } catch (err) {
    cleanUpSync(cleanup);
    releaseSimLock(dir);
    throw err;
  }
}

async function prepareFiles(
  dir: string,
  facts: MasterFacts[],
  options: SimClusterOptions,
  sshPort: number,
  log: (line: string) => void,
): Promise<void> {
  const validity = { ...DEFAULT_VALIDITY, ...options.validity };
  const expired: ExpiredMode = options.expired ?? 'none';
  const staging = join(dir, 'staging');
  const kubeShared = join(staging, 'kube');
  const kubeLeaves = new Map(facts.map((m) => [m.index, join(staging, `kube-m${m.index}`)]));

  const keys = options.freshKeys ? freshKeys : pooledKeys(join(dirname(dir), '.keys'));
  log(`[sim] issuing certificates with openssl (expired: ${expired})`);
  await mkdir(join(staging, 'ssh'), { recursive: true });
  await Promise.all([
    issueEtcdCertificates(join(staging, 'etcd'), facts, validity, expired, keys),
    issueKubeCas(kubeShared, validity, expired, keys),
  ]);
  await mapLimit(facts, 2, (m) =>
    issueKubeLeaves(kubeLeaves.get(m.index) as string, kubeShared, m, validity, expired, keys),
  );

  const clientKey = join(staging, 'ssh', 'id_ed25519');
  await generateSshKey(clientKey, 'root@etcd-rotate-sim');
  const hostKeys = new Map<number, string>();
  for (const m of facts) {
    await mkdir(join(m.dir, SSHD_DIR), { recursive: true });
    const keyPath = join(m.dir, SSHD_DIR, 'ssh_host_ed25519_key');
    hostKeys.set(m.index, await generateSshKey(keyPath, `root@${m.hostname}`));
  }

  const material = {
    all: facts,
    etcdPki: join(staging, 'etcd'),
    kubeShared,
    kubeLeaves,
    clientKey,
    hostKeys,
    sshPort,
    clusterToken: randomUUID(),
    tuning: { ...DEFAULT_TUNING, ...options.tuning },
  };
  for (const m of facts) await installMaster(m, material);
  await rm(staging, { recursive: true, force: true });
}

async function startMasters(
  dir: string,
  facts: MasterFacts[],
  cleanup: CleanupState,
  log: (line: string) => void,
  runtime: SimRuntime | undefined,
): Promise<SimMaster[]> {
  const dataDirs = runtime === undefined ? [] : [RUNTIME_DATA_DIRS[runtime]];
  await ensureMountPoints(dataDirs);
  const masters: SimMaster[] = [];
  for (const m of facts) {
    const anchorPid = await startAnchor({ pid: runtime !== undefined });
    cleanup.anchorPids.push(anchorPid);
    cleanup.namespaces.push(mountNamespaceOf(anchorPid) as string);
    trackCluster(cleanup);
    // Before setUpMounts hides the cluster directory, where the whiteouts are.
    if (runtime === 'containerd') await hideDocker(anchorPid, join(m.dir, 'nodocker'));
    await setUpMounts(anchorPid, m.dir, dir, m.hostname, dataDirs);
    log(`[sim] [${m.hostname}] namespaces ready (anchor pid ${anchorPid}, ${m.ip}${runtime ? `, own PID namespace and ${runtime}` : ''})`);
    const socket =
      runtime === 'docker' ? { dockerSocket: dockerSocketOf(anchorPid) }
      : runtime === 'containerd' ? { containerdSocket: containerdSocketOf(anchorPid) }
      : {};
    masters.push({ ...m, anchorPid, ...socket });
  }
  return masters;
}

/** The in-master directory each runtime keeps its images in (bound from the master's own). */
const RUNTIME_DATA_DIRS: Record<SimRuntime, string> = {
  docker: DOCKER_DATA_DIR,
  containerd: CONTAINERD_DATA_DIR,
};

/** A docker master's unit and data directory (see docker.ts). */
async function installDocker(m: MasterFacts): Promise<void> {
  await mkdir(join(m.dir, DOCKER_DATA_DIR), { recursive: true, mode: 0o710 });
  const unit = join(m.dir, '/usr/lib/systemd/system/docker.service');
  await writeFile(unit, renderDockerUnit(m));
  await chmod(unit, 0o644);
}

/** Empty directories the bind mounts need on the host; nothing existing is changed. */
async function ensureMountPoints(dataDirs: readonly string[]): Promise<void> {
  for (const p of [...BOUND_DIRS, ...dataDirs]) {
    await mkdir(p, { recursive: true, mode: p === '/root/.ssh' ? 0o700 : 0o755 });
  }
  // sshd's privilege separation directory, as its Debian unit creates it.
  await mkdir('/run/sshd', { recursive: true, mode: 0o755 });
}

async function startServices(
  cluster: RunningSimCluster,
  m: SimMaster,
  startEtcd: boolean,
  runtime: SimRuntime | undefined,
): Promise<void> {
  const units = [...(runtime ? [runtime] : []), 'sshd', ...(startEtcd ? ['etcd'] : [])];
  for (const argv of [['daemon-reload'], ['start', ...units]]) {
    const r = await cluster.systemctl(m, argv);
    if (r.exitCode !== 0) {
      throw new Error(`systemctl ${argv.join(' ')} failed on ${m.hostname}: ${r.stderr.trim()}`);
    }
  }
}

async function startUnit(cluster: RunningSimCluster, m: SimMaster, unit: string): Promise<void> {
  const r = await cluster.systemctl(m, ['start', unit]);
  if (r.exitCode !== 0) throw new Error(`systemctl start ${unit} failed on ${m.hostname}: ${r.stderr.trim()}`);
}

/** Waits until every master's kube-apiserver, controller-manager and scheduler answer /healthz with ok. */
async function waitForControlPlane(masters: readonly SimMaster[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const urls = masters.flatMap((m) => [6443, 10257, 10259].map((port) => `https://${m.ip}:${port}/healthz`));
  for (const url of urls) {
    let last = '';
    while ((last = await healthz(url)) !== 'ok') {
      if (Date.now() > deadline) throw new Error(`${url} is not healthy after ${timeoutMs} ms: ${last}`);
      await sleep(100);
    }
  }
}

function healthz(url: string): Promise<string> {
  return new Promise((resolveBody) => {
    const request = httpsGet(url, { rejectUnauthorized: false, timeout: 2_000 }, (response) => {
      let body = '';
      response.on('data', (chunk: Buffer) => (body += chunk.toString()));
      response.on('end', () => resolveBody(response.statusCode === 200 ? body.trim() : `HTTP ${response.statusCode} ${body.trim()}`));
    });
    request.on('timeout', () => request.destroy(new Error('timed out')));
    request.on('error', (error) => resolveBody(error.message));
  });
}

/** Fails early, with the address, when something already listens where a master will. */
async function checkPortsFree(facts: MasterFacts[], sshPort: number): Promise<void> {
  for (const m of facts) {
    // The control-plane stand-ins' ports too: a process left by a killed run fails here, clearly.
    for (const port of [CLIENT_PORT, PEER_PORT, sshPort, 6443, 10257, 10259]) {
      await new Promise<void>((resolveFree, reject) => {
        const srv = createServer();
        srv.once('error', (err: NodeJS.ErrnoException) =>
          reject(
            new Error(
              `${m.ip}:${port} is already in use (${err.code}); is an old simulated cluster or another etcd still running?`,
              { cause: err },
            ),
          ),
        );
        srv.listen(port, m.ip, () => srv.close(() => resolveFree()));
      });
    }
  }
}

/** Waits until every master's sshd accepts connections. */
async function waitForPort(masters: SimMaster[], port: number): Promise<void> {
  const { connect } = await import('node:net');
  for (const m of masters) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const ok = await new Promise<boolean>((res) => {
        const s = connect(port, m.ip, () => {
          s.destroy();
          res(true);
        });
        s.once('error', () => res(false));
      });
      if (ok) break;
      if (Date.now() > deadline) {
        const r = await execInside(m.anchorPid, ['systemctl', 'status', 'sshd', '--no-pager']);
        throw new Error(`sshd on ${m.hostname} (${m.ip}:${port}) did not come up within 10 s:\n${r.stdout}`);
      }
      await sleep(50);
    }
  }
}
