/**
 * The container runtime half of the kubelet stand-in: starts a container as a detached child
 * process (its own session, stdout and stderr appended to the pod log file, so it outlives a
 * kubelet restart as a real container does) and stops one with SIGTERM, then SIGKILL after the
 * grace period.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { constants } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kv } from './klog.mjs';
import { isProcessAlive, readProcStat, signalProcess, waitForExit } from './proc.mjs';
import { isRunning, markExited, writeRecord } from './containers.mjs';

/** The folder of the stand-ins: argv[0] `kube-apiserver` runs `<here>/kube-apiserver.mjs`. */
const STAND_IN_DIR = dirname(dirname(fileURLToPath(import.meta.url)));

/** What a freshly exec'd container sees, before the manifest's own `env`. */
const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

/** The exit code and reason containerd records when the command cannot be started. */
const START_ERROR = { exitCode: 128, reason: 'StartError' };

export class Runtime {
  /**
   * @param {{ stateDir: string, podLogDir: string, nodeName: string, nodeIp?: string,
   *   log: ReturnType<import('./klog.mjs').createLogger>, onExit: (id: string) => void }} opts
   */
  constructor(opts) {
    this.opts = opts;
    /** Containers this kubelet process started and can reap: id -> ChildProcess. */
    this.children = new Map();
  }

  /** Starts `container` of `pod` as attempt `attempt`; returns its record. */
  start(pod, container, attempt, sandboxId) {
    const { stateDir, podLogDir, log } = this.opts;
    const id = randomBytes(32).toString('hex');
    const podDir = `${pod.namespace}_${pod.fullName}_${pod.uid}`;
    const logPath = join(podLogDir, podDir, container.name, `${attempt}.log`);
    const now = new Date().toISOString();
    const record = {
      id,
      name: `k8s_${container.name}_${pod.fullName}_${pod.namespace}_${pod.uid}_${attempt}`,
      podName: pod.fullName,
      podNamespace: pod.namespace,
      podUid: pod.uid,
      podSandboxId: sandboxId,
      containerName: container.name,
      image: container.image,
      command: container.argv,
      manifestPath: pod.manifestPath,
      graceMs: pod.graceMs,
      attempt,
      logPath,
      pid: 0,
      pidStartTime: undefined,
      state: 'running',
      createdAt: now,
      startedAt: now,
      finishedAt: null,
      exitCode: null,
      reason: '',
      message: '',
    };

    const script = join(STAND_IN_DIR, `${basename(container.argv[0] ?? '')}.mjs`);
    if (container.argv.length === 0 || !existsSync(script)) {
      const message = `exec: "${container.argv[0] ?? ''}": executable file not found in $PATH`;
      writeRecord(stateDir, {
        ...record, state: 'exited', finishedAt: now, ...START_ERROR, message,
      });
      log.error('kuberuntime_manager.go', `"Container start failed" ${kv('pod', podRef(pod))} ` +
        `${kv('containerName', container.name)} ${kv('err', message)}`);
      return undefined;
    }

    mkdirSync(dirname(logPath), { recursive: true });
    const fd = openSync(logPath, 'a');
    let child;
    try {
      child = spawn(process.execPath, [script, ...container.argv.slice(1)], {
        cwd: '/',
        detached: true,
        stdio: ['ignore', fd, fd],
        env: this.containerEnv(container),
      });
    } finally {
      closeSync(fd);
    }
    child.unref();
    record.pid = child.pid ?? 0;
    record.pidStartTime = readProcStat(record.pid)?.startTime;
    writeRecord(stateDir, record);
    this.children.set(id, child);

    child.on('exit', (code, signal) => {
      this.children.delete(id);
      const exitCode = code ?? 128 + (constants.signals[signal] ?? 0);
      markExited(stateDir, id, exitCode);
      log.info('kubelet.go', `"Container exited" ${kv('pod', podRef(pod))} ` +
        `${kv('containerName', container.name)} ${kv('containerID', id)} exitCode=${exitCode}`);
      this.opts.onExit(id);
    });
    log.info('kubelet.go', `"Started container" ${kv('pod', podRef(pod))} ` +
      `${kv('containerName', container.name)} ${kv('containerID', id)} attempt=${attempt} ` +
      `pid=${record.pid}`);
    return record;
  }

  /** Stops the container of `record`: SIGTERM, then SIGKILL after `graceMs`. */
  async stop(record, graceMs, why) {
    const { stateDir, log } = this.opts;
    if (!isRunning(record)) {
      if (!this.children.has(record.id)) markExited(stateDir, record.id, undefined);
      return;
    }
    log.info('kuberuntime_container.go', `"Killing container with a grace period" ` +
      `${kv('pod', recordRef(record))} ` +
      `${kv('containerName', record.containerName)} ${kv('containerID', record.id)} ` +
      `gracePeriod=${Math.round(graceMs / 1000)} ${kv('reason', why)}`);
    signalProcess(record.pid, 'SIGTERM');
    let gone = await waitForExit(record.pid, record.pidStartTime, graceMs);
    if (!gone) {
      signalProcess(record.pid, 'SIGKILL');
      gone = await waitForExit(record.pid, record.pidStartTime, 5000);
    }
    if (!this.children.has(record.id) && !isProcessAlive(record.pid, record.pidStartTime)) {
      markExited(stateDir, record.id, undefined);
    }
  }

  containerEnv(container) {
    const env = { PATH: BASE_PATH, HOSTNAME: this.opts.nodeName };
    // Knobs for the stand-ins (for example SIM_ETCD_DIAL_TIMEOUT) pass from the kubelet's unit.
    for (const [k, v] of Object.entries(process.env)) if (k.startsWith('SIM_')) env[k] = v;
    if (this.opts.nodeIp) env.SIM_NODE_IP = this.opts.nodeIp;
    env.SIM_IMAGE = container.image;
    return { ...env, ...container.env };
  }
}

/** `namespace/name` as kubelet log lines name a pod. */
export function podRef(pod) {
  return `${pod.namespace}/${pod.fullName}`;
}

/** `podRef` of the pod a container record belongs to. */
export function recordRef(record) {
  return `${record.podNamespace}/${record.podName}`;
}
