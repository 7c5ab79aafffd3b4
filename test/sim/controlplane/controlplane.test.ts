/**
 * The control-plane stand-ins on one machine, without namespaces: a TLS etcd on 127.0.0.31,
 * the kubelet stand-in running static pods from a temp manifest folder, and crictl over its
 * state dir. The cases follow what the rotation tool relies on: restarts through crictl, and
 * which files a running kube-apiserver reads again and which only at start.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { suite } from 'uvu';
import * as assert from 'uvu/assert';
import { loud } from '../../support/hooks.js';
import {
  STAND_INS, crictl, issueCa, issueLeaf, kubeconfig, probe, startEtcd, startProcess,
  staticPodManifest, waitFor, type Pair, type Probe, type Running,
} from './fixtures.js';

const IP = '127.0.0.31';
const API = `https://${IP}:6443`;
const NODE = 'sim-test-master';

interface Fixture {
  dir: string;
  stateDir: string;
  manifests: string;
  etcd: Running;
  kubelet: Running;
  kubeCa: Pair;
  admin: Pair;
  foreignClient: Pair;
  /** The apiserver's copy of the etcd CA, and the two CAs that can be copied over it. */
  apiserverEtcdCa: string;
  etcdCa: Pair;
  otherEtcdCa: Pair;
}

let f: Fixture;
/** What this run started, for `killLeftovers`. */
const started: Running[] = [];
let stateDirOfRun = '';
const controlPlane = suite('control-plane stand-ins');

controlPlane.before(loud(async () => {
  const dir = await mkdtemp(join(tmpdir(), 'sim-controlplane-'));
  const pki = join(dir, 'pki');
  const etcdCa = await issueCa(pki, 'etcd-ca', 'CA');
  const otherEtcdCa = await issueCa(pki, 'other-etcd-ca', 'CA');
  const kubeCa = await issueCa(pki, 'kube-ca', 'kubernetes');
  const foreignCa = await issueCa(pki, 'foreign-ca', 'kubernetes');
  const [etcdServer, etcdClient, apiserver, admin, controllerManager, foreignClient] =
    await Promise.all([
      issueLeaf(pki, 'etcd-server', etcdCa, '/CN=etcd-server', ['serverAuth', 'clientAuth'], [IP]),
      issueLeaf(pki, 'etcd-client', etcdCa, '/CN=etcd-client', ['clientAuth']),
      issueLeaf(pki, 'apiserver', kubeCa, '/CN=kube-apiserver', ['serverAuth'], [IP]),
      issueLeaf(pki, 'admin', kubeCa, '/O=system:masters/CN=kubernetes-admin', ['clientAuth']),
      issueLeaf(pki, 'cm', kubeCa, '/CN=system:kube-controller-manager', ['clientAuth']),
      issueLeaf(pki, 'foreign', foreignCa, '/CN=system:kube-scheduler', ['clientAuth']),
    ]);

  // etcd and the apiserver each read their own copy of the etcd CA, as on ACK.
  const apiserverEtcdCa = join(dir, 'apiserver-etcd-ca.pem');
  await copyFile(etcdCa.cert, apiserverEtcdCa);
  process.once('exit', killLeftovers);
  const etcd = await startEtcd(dir, IP, etcdServer, etcdCa.cert);
  started.push(etcd);

  const manifests = join(dir, 'manifests');
  await mkdir(manifests);
  await writeFile(join(manifests, 'kube-apiserver.yaml'), staticPodManifest('kube-apiserver', [
    `--advertise-address=${IP}`,
    '--allow-privileged=true',
    `--client-ca-file=${kubeCa.cert}`,
    `--etcd-cafile=${apiserverEtcdCa}`,
    `--etcd-certfile=${etcdClient.cert}`,
    `--etcd-keyfile=${etcdClient.key}`,
    `--etcd-servers=https://${IP}:2379`,
    '--secure-port=6443',
    `--tls-cert-file=${apiserver.cert}`,
    `--tls-private-key-file=${apiserver.key}`,
  ]));
  await writeFile(join(dir, 'controller-manager.conf'),
    await kubeconfig(API, kubeCa.cert, 'system:kube-controller-manager', controllerManager));
  await writeFile(join(dir, 'scheduler.conf'),
    await kubeconfig(API, kubeCa.cert, 'system:kube-scheduler', foreignClient));

  const stateDir = join(dir, 'state');
  stateDirOfRun = stateDir;
  f = {
    dir, stateDir, manifests, etcd, kubelet: await startKubelet(dir, manifests, stateDir),
    kubeCa, admin, foreignClient, apiserverEtcdCa, etcdCa, otherEtcdCa,
  };
}));

controlPlane.after(async () => {
  if (f === undefined) return;
  await f.kubelet.stop();
  for (const id of await runningIds('.')) await crictl(f.stateDir, ['stop', '--timeout', '2', id]);
  await f.etcd.stop();
  killLeftovers();
  await rm(f.dir, { recursive: true, force: true });
});

controlPlane('kubelet runs the apiserver from its manifest and /healthz is ok while etcd is up', async () => {
  const answer = await waitHealthy();
  assert.ok(isOk(answer));
  const version = await probe(`${API}/version`, { ca: f.kubeCa.cert });
  assert.ok(version.ok && JSON.parse(version.body).gitVersion === 'v1.22.15-aliyun.1');
});

controlPlane('crictl ps --name kube-apiserver -q lists one running container with a live pid', async () => {
  const ids = await runningIds('kube-apiserver');
  assert.is(ids.length, 1);
  assert.match(ids[0] ?? '', /^[0-9a-f]{64}$/);

  const inspect = JSON.parse((await crictl(f.stateDir, ['inspect', ids[0] ?? ''])).stdout);
  assert.is(inspect.status.state, 'CONTAINER_RUNNING');
  assert.ok(inspect.info.pid > 0);
  assert.not.throws(() => process.kill(inspect.info.pid, 0));
  assert.match(inspect.status.labels['io.kubernetes.pod.name'], `kube-apiserver-${NODE}`);

  const unknown = await crictl(f.stateDir, ['stop', 'feedface']);
  assert.is(unknown.code, 1);
  assert.match(unknown.stderr, 'code = NotFound');
});

controlPlane('crictl stop kills the container and the kubelet starts a healthy next attempt', async () => {
  const [old] = await runningIds('kube-apiserver');
  const before = record(old ?? '');
  const stop = await crictl(f.stateDir, ['stop', old ?? '']);
  assert.is(stop.stdout.trim(), old);

  const next = await waitFor('a new apiserver container', async () => {
    const [id] = await runningIds('kube-apiserver');
    return id !== undefined && id !== old ? id : undefined;
  });
  assert.is(record(next).attempt, before.attempt + 1);
  assert.match(record(next).name, `k8s_kube-apiserver_kube-apiserver-${NODE}_kube-system_`);
  // crictl stop without --timeout is SIGKILL, as with containerd.
  assert.is(record(old ?? '').exitCode, 137);
  await waitHealthy();
});

controlPlane('the apiserver admits its CA\'s client certificates, 403s anonymous and 401s foreign ones', async () => {
  const path = `${API}/api/v1/namespaces/default`;
  const admin = await probe(path, { ca: f.kubeCa.cert, client: f.admin });
  assert.ok(admin.ok && admin.status === 200 && JSON.parse(admin.body).kind === 'Namespace');
  const anonymous = await probe(path, { ca: f.kubeCa.cert });
  assert.ok(anonymous.ok && anonymous.status === 403);
  const foreign = await probe(`${API}/healthz`, { ca: f.kubeCa.cert, client: f.foreignClient });
  assert.ok(foreign.ok && foreign.status === 401);
});

controlPlane('controller-manager is healthy with its kubeconfig; a scheduler with a foreign certificate is not', async () => {
  for (const [component, conf] of [
    ['kube-controller-manager', 'controller-manager.conf'],
    ['kube-scheduler', 'scheduler.conf'],
  ] as const) {
    await writeFile(join(f.manifests, `${component}.yaml`), staticPodManifest(component, [
      `--kubeconfig=${join(f.dir, conf)}`, '--bind-address=127.0.0.1', '--leader-elect=true',
    ]));
  }
  await waitFor('controller-manager healthz ok', async () => {
    const p = await probe(`https://${IP}:10257/healthz`, { insecure: true });
    return p.ok && p.status === 200 ? p : undefined;
  });
  const scheduler = await waitFor('scheduler healthz to answer', async () => {
    const p = await probe(`https://${IP}:10259/healthz`, { insecure: true });
    return p.ok ? p : undefined;
  });
  assert.is(scheduler.ok && scheduler.status, 500);
  const [schedulerId] = await runningIds('kube-scheduler');
  assert.match(await readFile(record(schedulerId ?? '').logPath, 'utf8'), 'Unauthorized');

  await rm(join(f.manifests, 'kube-controller-manager.yaml'));
  await rm(join(f.manifests, 'kube-scheduler.yaml'));
  await waitFor('both components to stop', async () =>
    ((await runningIds('kube-(controller-manager|scheduler)')).length === 0 ? true : undefined));
});

controlPlane('a restarted kubelet adopts the running apiserver instead of starting another', async () => {
  const before = await runningIds('kube-apiserver');
  await f.kubelet.stop();
  assert.equal(await runningIds('kube-apiserver'), before);
  assert.ok(isOk(await healthz()));

  f.kubelet = await startKubelet(f.dir, f.manifests, f.stateDir);
  await waitFor('the kubelet to log the adoption', async () => {
    const log = readFileSync(join(f.dir, 'kubelet.log'), 'utf8');
    return log.includes('Adopted running container') ? true : undefined;
  });
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await runningIds('kube-apiserver'), before);
});

controlPlane('touching the manifest changes nothing; editing it replaces the pod', async () => {
  const manifest = join(f.manifests, 'kube-apiserver.yaml');
  const [old] = await runningIds('kube-apiserver');
  await utimes(manifest, new Date(), new Date());
  await new Promise((resolve) => setTimeout(resolve, 1000));
  assert.equal(await runningIds('kube-apiserver'), [old]);

  const text = await readFile(manifest, 'utf8');
  const edited = text.replace('- --secure-port=6443', '- --secure-port=6443\n        - --v=2');
  assert.is.not(edited, text);
  await writeFile(manifest, edited);
  const next = await waitFor('the new pod', async () => {
    const [id] = await runningIds('kube-apiserver');
    return id !== undefined && id !== old ? id : undefined;
  });
  assert.is(record(next).attempt, 0);
  assert.is.not(record(next).podUid, record(old ?? '').podUid);
  await waitHealthy();
});

controlPlane('the apiserver keeps the etcd CA it started with; restarted with another it crash-loops', async () => {
  await copyFile(f.otherEtcdCa.cert, f.apiserverEtcdCa);
  await new Promise((resolve) => setTimeout(resolve, 1500));
  assert.ok(isOk(await healthz()), 'a running apiserver never reads its etcd CA again');

  const [old] = await runningIds('kube-apiserver');
  const stopped = record(old ?? '');
  await crictl(f.stateDir, ['stop', old ?? '']);
  const crashed = await waitFor('the restarted apiserver to exit', async () => {
    const all = JSON.parse((await crictl(f.stateDir, ['ps', '-a', '-o', 'json'])).stdout);
    const exited = (all.containers as CriContainer[]).find((c) =>
      c.labels['io.kubernetes.pod.uid'] === stopped.podUid &&
      c.metadata.attempt > stopped.attempt && c.state === 'CONTAINER_EXITED');
    return exited?.id;
  }, 15_000);
  assert.not.ok(isOk(await healthz()));
  assert.is(record(crashed).exitCode, 1);
  const log = await readFile(record(crashed).logPath, 'utf8');
  assert.match(log, 'authentication handshake failed: x509: certificate signed by unknown authority');
  assert.match(log, '"command failed" err="context deadline exceeded"');

  await copyFile(f.etcdCa.cert, f.apiserverEtcdCa);
  await waitHealthy(20_000);
});

controlPlane('stopping etcd makes /healthz answer 500 with the etcd check failed', async () => {
  await waitHealthy();
  await f.etcd.stop();
  const answer = await healthz();
  assert.ok(answer.ok);
  assert.is(answer.ok && answer.status, 500);
  assert.match(answer.ok ? answer.body : '', '[-]etcd failed: reason withheld');
  const single = await probe(`${API}/healthz/etcd`, { ca: f.kubeCa.cert });
  assert.match(single.ok ? single.body : '', 'error getting data from etcd: context deadline exceeded');
});

controlPlane.run();

async function startKubelet(dir: string, manifests: string, stateDir: string): Promise<Running> {
  const kubelet = await startProcess([
    process.execPath, join(STAND_INS, 'kubelet.mjs'),
    `--pod-manifest-path=${manifests}`, `--hostname-override=${NODE}`, `--state-dir=${stateDir}`,
    `--pod-log-dir=${join(dir, 'pods')}`, `--node-ip=${IP}`,
    '--sim-restart-backoff=200ms', '--sim-restart-backoff-max=2s',
  ], join(dir, 'kubelet.log'), { SIM_ETCD_DIAL_TIMEOUT: '2s' });
  started.push(kubelet);
  return kubelet;
}

async function runningIds(nameRegex: string): Promise<string[]> {
  const r = await crictl(f.stateDir, ['ps', '--name', nameRegex, '-q']);
  return r.stdout.split('\n').filter(Boolean);
}

/** The fields of `crictl ps -o json` entries the tests read. */
interface CriContainer {
  id: string;
  state: string;
  metadata: { name: string; attempt: number };
  labels: Record<string, string>;
}

/** A container record as the kubelet stand-in writes it. */
interface ContainerRecord {
  name: string;
  podUid: string;
  attempt: number;
  exitCode: number | null;
  logPath: string;
  pid: number;
  pidStartTime: string;
  state: string;
}

function record(id: string): ContainerRecord {
  return JSON.parse(readFileSync(join(f.stateDir, 'containers', `${id}.json`), 'utf8'));
}

function healthz(): Promise<Probe> {
  return probe(`${API}/healthz`, { ca: f.kubeCa.cert, timeoutMs: 3000 });
}

function isOk(p: Probe): boolean {
  return p.ok && p.status === 200 && p.body === 'ok';
}

function waitHealthy(timeoutMs = 15_000): Promise<Probe> {
  return waitFor('apiserver /healthz ok', async () => {
    const p = await healthz();
    return isOk(p) ? p : undefined;
  }, timeoutMs);
}

/**
 * Last resort when the process exits (a failed `before`, an interrupted run): SIGKILL what this
 * test started, and every container process a record still names as running.
 */
function killLeftovers(): void {
  for (const p of started) p.child.kill('SIGKILL');
  const dir = join(stateDirOfRun, 'containers');
  if (stateDirOfRun === '' || !existsSync(dir)) return;
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.json'))) {
    const r = JSON.parse(readFileSync(join(dir, name), 'utf8')) as ContainerRecord;
    if (r.state !== 'running' || !isSameProcess(r.pid, r.pidStartTime)) continue;
    process.kill(r.pid, 'SIGKILL');
  }
}

/** Whether `pid` is still the process that started at `startTime` (pids get reused). */
function isSameProcess(pid: number, startTime: string): boolean {
  const stat = `/proc/${pid}/stat`;
  if (pid <= 0 || !existsSync(stat)) return false;
  const text = readFileSync(stat, 'utf8');
  return text.slice(text.lastIndexOf(')') + 2).split(' ')[19] === startTime;
}
