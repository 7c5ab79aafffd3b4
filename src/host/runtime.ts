/**
 * Restarting the kubeadm static pods (kube-apiserver, kube-controller-manager,
 * kube-scheduler) through the host's container runtime, so they load renewed certificates.
 *
 * Older ACK masters run docker, newer ones containerd, reached with crictl. `detectRuntime`
 * asks docker first, because a docker master may also have crictl installed; a docker that
 * runs no static pod while crictl answers is not kubelet's (docker installed next to
 * containerd, e.g. for the etcd-rotate image), so crictl is used then.
 */

import { PreflightError } from '../errors.js';
import { runCommand } from './command.js';
import { createCrictlRuntime } from './crictl.js';
import { createDockerRuntime, dockerRunsStaticPods } from './docker.js';
import { describeFailure } from './failures.js';
import { describeHostPath, hostPath } from './paths.js';
import { HOST_NSENTER } from './services.js';

/** The control-plane components that run as static pods, in the order they are restarted. */
export const STATIC_POD_COMPONENTS = [
  'kube-apiserver',
  'kube-controller-manager',
  'kube-scheduler',
] as const;

/** A control-plane component that runs as a static pod. */
export type StaticPodComponent = (typeof STATIC_POD_COMPONENTS)[number];

/** Whether `name` is one of `STATIC_POD_COMPONENTS`, for names read from requests or flags. */
export function isStaticPodComponent(name: string): name is StaticPodComponent {
  return (STATIC_POD_COMPONENTS as readonly string[]).includes(name);
}

/** How long a static pod restart may take. */
export interface RestartOptions {
  /** Milliseconds to wait for the component's container to run again. */
  timeoutMs: number;
  /** Milliseconds between checks; default `RESTART_POLL_MS`. */
  pollMs?: number;
}

/** What a static pod restart did. */
export interface RestartResult {
  /**
   * The container that was running before; none when kubelet was between two
   * starts of it (back-off) and the one it started meanwhile already read the new files.
   */
  oldId: string | undefined;
  /** The container running now; the same id when docker restarted it in place. */
  newId: string;
  elapsedMs: number;
}

/** The host's container runtime, as far as restarting static pods goes. */
export interface ContainerRuntime {
  readonly kind: 'docker' | 'crictl';
  /**
   * Restarts the running container of `component` in kube-system and resolves once a
   * container of it runs again (started after the restart). It does not wait for readiness.
   */
  restartStaticPod(component: StaticPodComponent, options: RestartOptions): Promise<RestartResult>;
}

/** Where to look for a runtime. */
export interface DetectRuntimeOptions {
  /** The host's filesystem root; default "/". */
  root?: string;
  /** The host path of docker's socket; default /var/run/docker.sock. */
  dockerSocket?: string;
  /** The crictl program to run; default "crictl" from PATH. */
  crictlPath?: string;
  /** crictl's --runtime-endpoint, when its own configuration would not find containerd. */
  runtimeEndpoint?: string;
  /** In a container: crictl runs on the host, through nsenter into PID 1's namespaces. */
  containerized?: boolean;
  /** How long docker and crictl may take to answer; default 5 s. */
  answerTimeoutMs?: number;
}

/**
 * Finds the runtime of this master: docker when its socket (under `root`) answers a ping,
 * else crictl when `crictl version` succeeds. Throws a PreflightError saying what each answered
 * when neither does.
 */
export async function detectRuntime(options: DetectRuntimeOptions = {}): Promise<ContainerRuntime> {
  const root = options.root ?? '/';
  const socket = options.dockerSocket ?? '/var/run/docker.sock';
  const timeoutMs = options.answerTimeoutMs ?? 5000;
  const socketPath = hostPath(root, socket);

  let dockerAnswer: string;
  let idleDocker: ContainerRuntime | undefined;
  try {
    // dockerode loads on first use: commands that never reach docker do not pay for it.
    const { default: Docker } = await import('dockerode');
    await new Docker({ socketPath, timeout: timeoutMs }).ping();
    // No socket timeout for the runtime: a restart is silent while the old container stops.
    const docker = new Docker({ socketPath });
    const runtime = createDockerRuntime(docker, describeHostPath(root, socket));
    if (await dockerRunsStaticPods(docker, STATIC_POD_COMPONENTS)) return runtime;
    idleDocker = runtime;
    dockerAnswer = 'runs no static pod';
  } catch (error) {
    const missing = { ENOENT: { reason: 'no socket there', remedy: '' } };
    dockerAnswer = describeFailure(error, missing).reason;
  }

  const crictl = {
    crictlPath: options.crictlPath ?? 'crictl',
    runtimeEndpoint: options.runtimeEndpoint,
    prefix: options.containerized ? HOST_NSENTER : [],
  };
  const runtime = createCrictlRuntime(crictl);
  let crictlAnswer: string;
  try {
    const output = await runCommand([...runtime.argv, 'version'], { timeoutMs });
    if (output.exitCode === 0) return runtime;
    crictlAnswer = output.timedOut
      ? 'no answer'
      : output.stderr.trim() || `exit ${output.exitCode}`;
  } catch (error) {
    const missing = { ENOENT: { reason: 'not found', remedy: '' } };
    crictlAnswer = `${crictl.crictlPath}: ${describeFailure(error, missing).reason}`;
  }
  // A docker without static pods still gives the clearer error (no kube-apiserver container).
  if (idleDocker) return idleDocker;

  throw new PreflightError(
    `no container runtime answered: docker at ${describeHostPath(root, socket)}: ${dockerAnswer}; crictl: ${crictlAnswer}`,
    {
      remedy:
        "mount the host's /var/run/docker.sock, or install crictl and point it at containerd with --runtime-endpoint, then run again",
    },
  );
}
