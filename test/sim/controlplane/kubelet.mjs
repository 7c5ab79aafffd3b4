#!/usr/bin/env node
// README (placeholder, rewritten below when the stand-ins are done)
import { writeFileSync, readFileSync, mkdirSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { RestartBackoff } from './lib/backoff.mjs';
import {
  DEFAULT_STATE_DIR, isRunning, listRecords, markExited, removeRecord,
} from './lib/containers.mjs';
import { durationFlag, parseFlags } from './lib/flags.mjs';
import { createLogger, kv } from './lib/klog.mjs';
import { isProcessAlive, readProcStat } from './lib/proc.mjs';
import { Runtime, podRef } from './lib/runtime.mjs';
import { readStaticPods } from './lib/static-pods.mjs';
import { randomBytes } from 'node:crypto';

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
if (ignored.length > 0) log.info('server.go', `Ignoring flags the stand-in does not model: ${ignored.join(', ')}`);

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
      log.info('kubelet.go', `"Adopted running container" ${kv('pod', `${record.podNamespace}/${record.podName}`)} ` +
        `${kv('containerName', record.containerName)} ${kv('containerID', record.id)} pid=${record.pid}`);
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
      log.info('kubelet.go', `"Container exited" ${kv('pod', `${record.podNamespace}/${record.podName}`)} ` +
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
  log.error('pod_workers.go', `"Error syncing pod, skipping" ${kv('err', err)} ${kv('pod', podRef(pod))}`);
}

function logProblems(problems) {
  const text = problems.join('\n');
  if (text === lastProblems) return;
  lastProblems = text;
  for (const problem of problems) log.error('file.go', problem);
}
