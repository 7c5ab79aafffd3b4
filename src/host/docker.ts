/**
 * Restarting static pods on docker masters, through the docker API (dockerode): the
 * component's container is restarted in place, keeping its id.
 *
 * NB. kubelet may notice the short stop and start a container of its own; either one running
 * again counts, which is why the wait looks for any running container of the component that
 * started after the old one did.
 */

import type Docker from 'dockerode';

import { RunFailedError } from '../errors.js';
import { describeFailure } from './failures.js';
import { pollUntil, RESTART_POLL_MS } from './poll.js';
import type { ContainerRuntime, RestartOptions, StaticPodComponent } from './runtime.js';

/** How long docker may take to stop the old container before killing it, in seconds. */
const STOP_GRACE_SECONDS = 30;

interface Running {
  id: string;
  startedAt: string;
}

/** Creates the docker runtime on `docker`; `where` names its socket in messages. */
export function createDockerRuntime(docker: Docker, where: string): ContainerRuntime {
  async function running(component: StaticPodComponent): Promise<Running | undefined> {
    const containers = await call(`list the ${component} containers`, where, () =>
      docker.listContainers({ filters: { status: ['running'] } }),
    );
    const match = containers
      .filter((container) => isComponent(container, component))
      .sort((a, b) => b.Created - a.Created)[0];
    if (match === undefined) return undefined;

    const details = await call(`inspect the ${component} container ${match.Id}`, where, () =>
      docker.getContainer(match.Id).inspect(),
    );
    return details.State.Running ? { id: match.Id, startedAt: details.State.StartedAt } : undefined;
  }

  return {
    kind: 'docker',

    async restartStaticPod(component, options: RestartOptions) {
      const started = Date.now();
      const old = await running(component);
      if (old === undefined) {
        // kubelet may be between two starts of it; the one it starts now reads the new files.
        const meanwhile = await pollUntil(() => running(component), { timeoutMs: options.timeoutMs, pollMs: options.pollMs ?? RESTART_POLL_MS });
        if (meanwhile === undefined) throw notFound(component, where);
        return { oldId: undefined, newId: meanwhile.id, elapsedMs: Date.now() - started };
      }

      await call(`restart the ${component} container ${old.id}`, where, () =>
        docker.getContainer(old.id).restart({ t: STOP_GRACE_SECONDS }),
      );
      const next = await pollUntil(
        async () => {
          const now = await running(component);
          if (now === undefined) return undefined;
          return now.id !== old.id || now.startedAt !== old.startedAt ? now : undefined;
        },
        { timeoutMs: options.timeoutMs, pollMs: options.pollMs ?? RESTART_POLL_MS },
      );
      if (next === undefined) throw notBack(component, old.id, options.timeoutMs);
      return { oldId: old.id, newId: next.id, elapsedMs: Date.now() - started };
    },
  };
}

/** Whether `docker` runs a container of any static pod component (kubelet uses this docker). */
export async function dockerRunsStaticPods(
  docker: Docker,
  components: readonly StaticPodComponent[],
): Promise<boolean> {
  const containers = await docker.listContainers({ filters: { status: ['running'] } });
  return containers.some((container) => components.some((c) => isComponent(container, c)));
}

/** Whether a listed container is `component`'s, by kubelet's labels or its k8s_ name. */
function isComponent(container: Docker.ContainerInfo, component: StaticPodComponent): boolean {
  const labels = container.Labels ?? {};
  if (labels['io.kubernetes.container.name'] !== undefined) {
    return (
      labels['io.kubernetes.container.name'] === component &&
      labels['io.kubernetes.pod.namespace'] === 'kube-system'
    );
  }
  return (container.Names ?? []).some(
    (name) => name.startsWith(`/k8s_${component}_${component}-`) && name.includes('_kube-system_'),
  );
}

async function call<T>(action: string, where: string, request: () => Promise<T>): Promise<T> {
  try {
    return await request();
  } catch (error) {
    const { reason } = describeFailure(error);
    throw new RunFailedError(`could not ${action} through docker at ${where}: ${reason}`, {
      remedy: 'check that dockerd runs ("systemctl status docker") and run again',
      cause: error,
    });
  }
}

function notFound(component: StaticPodComponent, where: string): RunFailedError {
  return new RunFailedError(
    `could not restart ${component}: docker at ${where} lists no running ${component} container in kube-system`,
    {
      remedy: `check "docker ps -a --filter name=k8s_${component}_", "journalctl -u kubelet" and /etc/kubernetes/manifests/${component}.yaml on the host`,
    },
  );
}

function notBack(component: StaticPodComponent, oldId: string, timeoutMs: number): RunFailedError {
  return new RunFailedError(
    `${component} did not run again within ${Math.round(timeoutMs / 1000)} s after its container ${oldId} was restarted (docker)`,
    {
      remedy: `check "docker ps -a --filter name=k8s_${component}_" and "journalctl -u kubelet" on the host`,
    },
  );
}
