/**
 * Restarting static pods on containerd masters through crictl: stop the component's
 * container, and kubelet starts a new one (with a new id) from the manifest.
 */

import { RunFailedError } from '../errors.js';
import { type CommandOutput, runCommand, showCommand } from './command.js';
import { describeFailure } from './failures.js';
import { pollUntil, RESTART_POLL_MS } from './poll.js';
import type { ContainerRuntime, RestartOptions, StaticPodComponent } from './runtime.js';

/**
 * How long the old container may take to stop before it is killed, in seconds. crictl's own
 * default is 0: an immediate kill, which drops the requests the apiserver is serving.
 */
const STOP_GRACE_SECONDS = 30;

/** How to run crictl. */
export interface CrictlOptions {
  /** The crictl program; default "crictl" from PATH. */
  crictlPath?: string;
  /** Words before crictl, e.g. nsenter into the host's namespaces from a container. */
  prefix?: readonly string[];
  /** Passed as --runtime-endpoint when set. */
  runtimeEndpoint?: string | undefined;
  /** How long one crictl call may take; default 30 s. */
  commandTimeoutMs?: number;
}

/** The crictl runtime, with the argv prefix it runs crictl with. */
export interface CrictlRuntime extends ContainerRuntime {
  readonly kind: 'crictl';
  readonly argv: readonly string[];
}

/** One container in `crictl ps -o json`, as far as we read it. */
interface CrictlContainer {
  id: string;
  metadata?: { name?: string };
  state?: string;
  createdAt?: string;
  labels?: Record<string, string>;
}

/** Creates the crictl runtime; see `CrictlOptions`. */
export function createCrictlRuntime(options: CrictlOptions = {}): CrictlRuntime {
  const endpoint = options.runtimeEndpoint ? ['--runtime-endpoint', options.runtimeEndpoint] : [];
  const argv = [...(options.prefix ?? []), options.crictlPath ?? 'crictl', ...endpoint];
  const timeoutMs = options.commandTimeoutMs ?? 30_000;

  async function crictl(args: string[], action: string): Promise<string> {
    const command = [...argv, ...args];
    let output: CommandOutput;
    try {
      output = await runCommand(command, { timeoutMs });
    } catch (error) {
      throw new RunFailedError(
        `could not ${action}: "${argv[0]}" could not be started (${describeFailure(error).reason})`,
        { remedy: 'install crictl on the host or pass its path, then run again', cause: error },
      );
    }
    if (output.exitCode !== 0) {
      const said = output.timedOut
        ? 'no answer in time'
        : output.stderr.trim() || `exit ${output.exitCode}`;
      throw new RunFailedError(`could not ${action}: "${showCommand(command)}" failed: ${said}`, {
        remedy: 'check that containerd runs ("systemctl status containerd") and crictl reaches it',
      });
    }
    return output.stdout;
  }

  async function running(component: StaticPodComponent): Promise<CrictlContainer | undefined> {
    const stdout = await crictl(
      ['ps', '--name', component, '-o', 'json'],
      `list the ${component} containers`,
    );
    let containers: CrictlContainer[];
    try {
      containers = (JSON.parse(stdout) as { containers?: CrictlContainer[] }).containers ?? [];
    } catch (error) {
      throw new RunFailedError(
        `could not read the ${component} containers: crictl printed no JSON`,
        { remedy: 'use crictl 1.19 or newer, then run again', cause: error },
      );
    }
    return containers
      .filter((container) => container.metadata?.name === component)
      .filter((container) => container.state === 'CONTAINER_RUNNING')
      .filter((container) => namespaceOf(container) === 'kube-system')
      .sort((a, b) => Number(b.createdAt ?? 0) - Number(a.createdAt ?? 0))[0];
  }

  return {
    kind: 'crictl',
    argv,

    async restartStaticPod(component, restart: RestartOptions) {
      const started = Date.now();
      const old = await running(component);
      if (old === undefined) {
        // kubelet may be between two starts of it; the one it starts now reads the new files.
        const meanwhile = await pollUntil(() => running(component), { timeoutMs: restart.timeoutMs, pollMs: restart.pollMs ?? RESTART_POLL_MS });
        if (meanwhile === undefined) throw notFound(component, argv);
        return { oldId: undefined, newId: meanwhile.id, elapsedMs: Date.now() - started };
      }

      const grace = String(STOP_GRACE_SECONDS);
      await crictl(['stop', '--timeout', grace, old.id], `stop the ${component} container ${old.id}`);
      const next = await pollUntil(
        async () => {
          const container = await running(component);
          return container !== undefined && container.id !== old.id ? container : undefined;
        },
        { timeoutMs: restart.timeoutMs, pollMs: restart.pollMs ?? RESTART_POLL_MS },
      );
      if (next === undefined) throw notBack(component, old.id, restart.timeoutMs);
      return { oldId: old.id, newId: next.id, elapsedMs: Date.now() - started };
    },
  };
}

/** The pod namespace of a container; kube-system when crictl shows no labels. */
function namespaceOf(container: CrictlContainer): string {
  return container.labels?.['io.kubernetes.pod.namespace'] ?? 'kube-system';
}

function notFound(component: StaticPodComponent, argv: readonly string[]): RunFailedError {
  return new RunFailedError(
    `could not restart ${component}: crictl (${showCommand(argv)}) lists no running ${component} container in kube-system`,
    {
      remedy: `check "crictl ps -a --name ${component}", "journalctl -u kubelet" and /etc/kubernetes/manifests/${component}.yaml on the host`,
    },
  );
}

function notBack(component: StaticPodComponent, oldId: string, timeoutMs: number): RunFailedError {
  return new RunFailedError(
    `${component} did not run again within ${Math.round(timeoutMs / 1000)} s after its container ${oldId} was stopped (crictl)`,
    {
      remedy: `check "crictl ps -a --name ${component}" and "journalctl -u kubelet" on the host; kubelet starts it from /etc/kubernetes/manifests/${component}.yaml`,
    },
  );
}
