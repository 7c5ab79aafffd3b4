#!/usr/bin/env node
/**
 * Control-plane stand-ins for the simulated ACK masters. No Kubernetes binaries exist on this
 * machine, so these Node scripts play kubelet, crictl, kube-apiserver, kube-controller-manager
 * and kube-scheduler. They copy the real programs where the rotation tool can observe them
 * (which files are read when, ports, health answers, container ids, restarts, log lines) and
 * fake everything else. Node built-ins only, plus `yaml` from the repo's node_modules.
 *
 * kubelet.mjs (this file), the `kubelet` unit:
 *   node kubelet.mjs --pod-manifest-path=/etc/kubernetes/manifests --hostname-override=<name>
 *     --state-dir=/run/sim/kubelet --node-ip=<master IP>
 *     [--pod-log-dir=/var/log/sim/pods] [--sim-restart-backoff=200ms]
 *     [--sim-restart-backoff-max=6s] [--sim-sync-period=250ms]; other flags are logged and
 *     ignored.
 *   Does: runs every container of every static pod. command[0] names the stand-in script here
 *   (`kube-apiserver` runs kube-apiserver.mjs), the rest of command, then args, pass verbatim;
 *   the manifest's env is passed, and so are the kubelet's own SIM_* variables, SIM_NODE_IP
 *   (from --node-ip) and SIM_IMAGE (the container's image). Each container
 *   is a detached process with a 64-hex id, named k8s_<container>_<pod>-<node>_<ns>_<uid>_<n>,
 *   recorded in <state-dir>/containers/<id>.json, logging to
 *   <pod-log-dir>/<ns>_<pod>-<node>_<uid>/<container>/<n>.log. A container that exits, however
 *   it exits, is started again as attempt n+1 with the kubelet's back-off: the first restart at
 *   once, then 200 ms (counted from the exit) doubling to 6 s, forgotten once a container
 *   outlives its last restart by 12 s (the real kubelet: 10 s, 5 min, 10 min; pass 10s and 5m
 *   to the flags for real timing). The pod UID is a hash of
 *   node, path and parsed content, as in the kubelet: touching a manifest restarts nothing,
 *   any real edit replaces the pod (old one stopped first, new attempt numbers from 0); a file
 *   that disappears or stops parsing kills its pod. Every non-hidden file in the folder is read,
 *   so a `kube-apiserver.yaml.bak` there is a second pod (dropped as a duplicate name: the first
 *   file in name order wins). Stopping a pod is SIGTERM, then SIGKILL after
 *   terminationGracePeriodSeconds (30). On SIGTERM the kubelet exits and leaves its containers
 *   running, as the real one does; the next kubelet adopts them from the state dir.
 *   Does not: probes, images, volumes, pod IPs, resource limits, exec, mirror pods or any talk
 *   with the API server. The exit code of a container that ended while no kubelet was its
 *   parent is unknown: 255 with reason "Unknown", as containerd reports a lost status.
 *
 * crictl.mjs, installed on each master as /usr/local/sbin/crictl (a symlink, so its ./lib
 *   imports resolve; state dir from $CRICTL_STATE_DIR, else /run/sim/kubelet):
 *   Does: ps (-a, --name REGEX, --state, -q, -o json|table, --pod, --label, --latest, --last,
 *   --no-trunc), stop (--timeout N: SIGTERM, then SIGKILL after N s; without it SIGKILL at once,
 *   as containerd does for timeout 0), inspect (status.state, info.pid), logs (--tail), rm (-f).
 *   Ids may be unique prefixes. Unknown ids fail with crictl's NotFound text and exit 1.
 *   Does not: pods, stopp/rmp, exec, images, stats, yaml or go-template output.
 *
 * kube-apiserver.mjs:
 *   Does: reads --etcd-cafile once, at start, and never again; reads --etcd-certfile and
 *   --etcd-keyfile at start and again for every new etcd connection; holds one HTTP/2
 *   connection per --etcd-servers entry and speaks gRPC on it (KV.Range), reconnecting with
 *   gRPC's back-off and logging each failure in grpc's words. At start it blocks until some
 *   etcd server accepts its connection, up to 20 s ($SIM_ETCD_DIAL_TIMEOUT), else exits 1 with
 *   `"command failed" err="context deadline exceeded"`; meanwhile its port is bound and
 *   connections hang unanswered. Serves HTTPS on --bind-address:--secure-port (an unspecified
 *   bind address means --advertise-address here, the masters sharing one network namespace):
 *   /healthz, /livez, /readyz answer `ok`, or 500 with the real body (`[-]etcd failed: reason
 *   withheld`); /healthz/etcd gives the reason (`error getting data from etcd: context deadline
 *   exceeded`). The etcd check is a range of /registry/health within 2 s on any ready server.
 *   /version reports the image tag. /api/v1/namespaces/default needs a client certificate that
 *   verifies against --client-ca-file (200, after an etcd read), none is 403 (anonymous), a bad
 *   one is 401 on every path. --tls-cert-file/--tls-private-key-file and --client-ca-file are
 *   reloaded within a second of changing, as the real dynamic certificate controllers do (a
 *   pair that does not load is logged and the old one kept). SIGTERM: stop listening, finish
 *   requests, exit 0.
 *   Does not: store or serve any object, RBAC (every verified certificate may read), tokens,
 *   front-proxy, admission, watches, keepalive pings to etcd (a hung, not dead, etcd is never
 *   noticed between requests), HTTP/2 on its own port, intermediate CAs in client chains.
 *
 * kube-controller-manager.mjs, kube-scheduler.mjs:
 *   Does: read --kubeconfig once (current context; embedded data or files), GET
 *   /api/v1/namespaces/default every 2 s over one kept-alive connection with that client
 *   certificate, log each failure, and serve HTTPS /healthz, /livez, /readyz on
 *   --bind-address:--secure-port (10257, 10259) with an in-memory self-signed pair, `ok` only
 *   while the last call succeeded. A loopback or unspecified bind address moves to the
 *   kubelet's --node-ip: on real masters each has its own 127.0.0.1, here they share one.
 *   Does not: leader election or any controller work. The real ones' healthz does not check
 *   the apiserver; instead the leader exits when it cannot renew its lease (about 10 s) and
 *   the kubelet restarts it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestartBackoff } from './lib/backoff.mjs';
import {
  DEFAULT_STATE_DIR, isRunning, listRecords, markExited, removeRecord,
} from './lib/containers.mjs';
import { durationFlag, parseFlags } from './lib/flags.mjs';
import { createLogger, kv } from './lib/klog.mjs';
import { isProcessAlive, readProcStat } from './lib/proc.mjs';
import { Runtime, podRef, recordRef } from './lib/runtime.mjs';
import { readStaticPods } from './lib/static-pods.mjs';

const KNOWN_FLAGS = new Set([
  'pod-manifest-path', 'hostname-override', 'state-dir', 'pod-log-dir', 'node-ip',
  'sim-restart-backoff', 'sim-restart-backoff-max', 'sim-sync-period',
]);

const log = createLogger();
const { flags } = parseFlags(process.argv.slice(2));
const manifestDir = flags.get('pod-manifest-path');
if (!manifestDir) log.fatal('server.go', 'flag --pod-manifest-path is required');
const nodeName = (flags.get('hostname-override') ?? hostname()).toLowerCase();
const stateDir = flags.get('state-dir') ?? DEFAULT_STATE_DIR;
const podLogDir = flags.get('pod-log-dir') ?? '/var/log/sim/pods';
const syncMs = durationFlag(flags, 'sim-sync-period', 250);
const backoff = new RestartBackoff(
  durationFlag(flags, 'sim-restart-backoff', 200),
  durationFlag(flags, 'sim-restart-backoff-max', 6000),
);
const ignored = [...flags.keys()].filter((f) => !KNOWN_FLAGS.has(f));
if (ignored.length > 0) {
  log.info('server.go', `Ignoring flags the stand-in does not model: ${ignored.join(', ')}`);
}

claimStateDir();
const runtime = new Runtime({
  stateDir, podLogDir, nodeName, nodeIp: flags.get('node-ip'), log, onExit: () => scheduleSync(0),
});
/** Container ids with a stop in progress. */
const stopping = new Set();
/** Pod sandbox ids by pod UID: one per pod, kept across container restarts. */
const sandboxes = new Map();
/** Next attempt number by `<uid>/<container>`, for records that crictl rm deleted. */
const nextAttempt = new Map();
/** Exited container ids whose back-off has been logged. */
const backoffLogged = new Set();
let lastProblems = '';
let syncTimer;
let syncing = false;

log.info('server.go', `"Starting kubelet stand-in" ${kv('node', nodeName)} ` +
  `${kv('manifests', manifestDir)} ${kv('stateDir', stateDir)}`);
adoptContainers();
scheduleSync(0);
for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    clearTimeout(syncTimer);
    log.info('server.go', `"Shutting down on ${signal}; containers keep running" ` +
      `running=${runtime.children.size + adoptedCount()}`);
    process.exit(0);
  });
}

/** Refuses to run beside another live kubelet on the same state dir. */
function claimStateDir() {
  mkdirSync(stateDir, { recursive: true });
  const lockPath = join(stateDir, 'kubelet.pid');
  try {
    const [pid, startTime] = readFileSync(lockPath, 'utf8').trim().split(' ');
    if (Number(pid) !== process.pid && isProcessAlive(Number(pid), startTime)) {
      log.fatal('server.go', `another kubelet (pid ${pid}) is using ${stateDir}; stop it first`);
    }
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
  }
  writeFileSync(lockPath, `${process.pid} ${readProcStat(process.pid)?.startTime}\n`);
}

/** Takes over the containers a previous kubelet left running; records dead ones as exited. */
function adoptContainers() {
  for (const record of listRecords(stateDir)) {
    if (record.state !== 'running') continue;
    if (isRunning(record)) {
      sandboxes.set(record.podUid, record.podSandboxId);
      log.info('kubelet.go', `"Adopted running container" ${kv('pod', recordRef(record))} ` +
        `${kv('containerName', record.containerName)} ${kv('containerID', record.id)} ` +
        `pid=${record.pid}`);
    } else {
      markExited(stateDir, record.id, undefined);
    }
  }
}

function adoptedCount() {
  return listRecords(stateDir).filter((r) => isRunning(r) && !runtime.children.has(r.id)).length;
}

function scheduleSync(delayMs) {
  clearTimeout(syncTimer);
  syncTimer = setTimeout(runSync, delayMs);
}

function runSync() {
  if (syncing) return;
  syncing = true;
  try {
    syncOnce();
  } catch (error) {
    log.error('kubelet.go', `"Sync failed; retrying" ${kv('err', error.message)}`);
  } finally {
    syncing = false;
    scheduleSync(syncMs);
  }
}

/** One pass of the pod workers: read manifests, notice exits, stop, start, collect garbage. */
function syncOnce() {
  const { pods, problems } = readStaticPods(manifestDir, nodeName);
  logProblems(problems);

  for (const record of listRecords(stateDir)) {
    if (record.state === 'running' && !runtime.children.has(record.id) && !isRunning(record)) {
      const exited = markExited(stateDir, record.id, undefined);
      log.info('kubelet.go', `"Container exited" ${kv('pod', recordRef(record))} ` +
        `${kv('containerName', record.containerName)} ${kv('containerID', record.id)} ` +
        `exitCode=${exited?.exitCode}`);
    }
  }

  const records = listRecords(stateDir);
  const wanted = new Set(pods.map((p) => p.uid));
  for (const record of records) {
    if (record.state === 'running' && !wanted.has(record.podUid) && !stopping.has(record.id)) {
      stopContainer(record, record.graceMs ?? 30_000, 'static pod removed or changed');
    }
  }

  for (const pod of pods) {
    for (const container of pod.containers) syncContainer(pod, container, records);
  }
  collectGarbage(records);
}

/** Starts `container` when no instance runs, honouring the restart back-off. */
function syncContainer(pod, container, records) {
  const key = `${pod.uid}/${container.name}`;
  const mine = records.filter((r) => r.podUid === pod.uid && r.containerName === container.name);
  if (mine.some((r) => r.state === 'running')) return;
  // An older version of the same pod must finish terminating first (ports, files).
  const older = records.some((r) => r.podName === pod.fullName && r.podUid !== pod.uid &&
    r.state === 'running');
  if (older) return;

  const last = mine.filter((r) => r.state === 'exited').at(-1);
  if (last !== undefined) {
    const finishedMs = Date.parse(last.finishedAt);
    const waitMs = backoff.remaining(key, finishedMs);
    if (waitMs > 0) {
      logBackoff(pod, container, last, backoff.delay(key));
      return;
    }
    backoff.next(key, finishedMs);
  }

  const attempt = Math.max(nextAttempt.get(key) ?? 0, ...mine.map((r) => r.attempt + 1));
  nextAttempt.set(key, attempt + 1);
  if (!sandboxes.has(pod.uid)) {
    sandboxes.set(pod.uid, mine[0]?.podSandboxId ?? randomBytes(32).toString('hex'));
  }
  runtime.start(pod, container, attempt, sandboxes.get(pod.uid));
}

function stopContainer(record, graceMs, why) {
  stopping.add(record.id);
  runtime.stop(record, graceMs, why).then(
    () => stopping.delete(record.id),
    (error) => {
      stopping.delete(record.id);
      log.error('kuberuntime_container.go', `"Failed to stop container" ` +
        `${kv('containerID', record.id)} ${kv('err', error.message)}`);
    },
  );
}

/** Keeps the newest exited container per pod and container name, as the kubelet's GC does. */
function collectGarbage(records) {
  const newest = new Map();
  for (const record of records) {
    if (record.state !== 'exited') continue;
    const key = `${record.podName}/${record.containerName}`;
    const previous = newest.get(key);
    if (previous !== undefined) removeRecord(stateDir, previous.id);
    newest.set(key, record);
  }
}

function logBackoff(pod, container, last, delayMs) {
  if (backoffLogged.has(last.id)) return;
  backoffLogged.add(last.id);
  const err = `failed to "StartContainer" for "${container.name}" with CrashLoopBackOff: ` +
    `"back-off ${delayMs}ms restarting failed container=${container.name} ` +
    `pod=${pod.fullName}_${pod.namespace}(${pod.uid})"`;
  log.error('pod_workers.go',
    `"Error syncing pod, skipping" ${kv('err', err)} ${kv('pod', podRef(pod))}`);
}

function logProblems(problems) {
  const text = problems.join('\n');
  if (text === lastProblems) return;
  lastProblems = text;
  for (const problem of problems) log.error('file.go', problem);
}
