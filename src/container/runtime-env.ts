/**
 * What the wrapper scripts tell the container about the runtime that started it: docker or
 * containerd (ETCD_ROTATE_CONTAINER_RUNTIME), and for containerd where its socket is and how
 * `ctr` reaches it from inside the container.
 */

import { HOST_NSENTER } from '../host/services.js';
import { IMAGE_CATALOGUE } from './catalogue.js';

/** The runtime the image runs on, on this master and (by assumption) on its peers. */
export type ImageRuntime = 'docker' | 'containerd';

/** containerd's socket on ACK masters (and containerd's own default). */
export const DEFAULT_CONTAINERD_ADDRESS = '/run/containerd/containerd.sock';

/** The runtime the wrapper ran this container with; docker when it did not say. */
export function imageRuntimeOf(env: NodeJS.ProcessEnv = process.env): ImageRuntime {
  return env['ETCD_ROTATE_CONTAINER_RUNTIME'] === 'containerd' ? 'containerd' : 'docker';
}

/** containerd's socket on the host: ETCD_ROTATE_CONTAINERD_ADDRESS, else the default. */
export function containerdAddress(env: NodeJS.ProcessEnv = process.env): string {
  return env['ETCD_ROTATE_CONTAINERD_ADDRESS']?.trim() || DEFAULT_CONTAINERD_ADDRESS;
}

/**
 * The words that run `ctr` against the host's containerd in kubelet's namespace. The image has
 * no ctr of its own: from the container it is the host's, through nsenter into PID 1 (as
 * systemctl and crictl are), so client and daemon always match.
 */
export function hostCtrArgv(env: NodeJS.ProcessEnv = process.env, containerized = true): string[] {
  return [...(containerized ? HOST_NSENTER : []), ...ctrWords(containerdAddress(env))];
}

/** `ctr --address ADDRESS --namespace k8s.io`, the same on every master. */
export function ctrWords(address: string): string[] {
  return ['ctr', '--address', address, '--namespace', IMAGE_CATALOGUE.run.containerdNamespace];
}

/** The extra flags of `ctr images pull` (ETCD_ROTATE_CTR_PULL_FLAGS, e.g. --plain-http). */
export function ctrPullFlags(env: NodeJS.ProcessEnv = process.env): string[] {
  const flags = env['ETCD_ROTATE_CTR_PULL_FLAGS']?.trim();
  return flags ? flags.split(/\s+/) : [];
}
