import type { FileWrite } from '../../agent/protocol.js';
import { mergeWrites } from '../material.js';
import type { Step } from '../types.js';
import type { MasterState, PlanInput } from './context.js';
import type { KubernetesWrites } from './kubernetes.js';

/**
 * Per master: its control-plane credentials written (`extraFiles`, the
 * extended Kubernetes CAs, the renewed leaves and kubeconfigs), then its
 * kube-apiserver restarted and gated on /healthz. Every master's restart
 * reads its new files; the other components are `componentRestarts`.
 */
export function apiserverCredentialSteps(
  input: PlanInput,
  kubernetes: Map<string, KubernetesWrites>,
  extraFiles: (m: MasterState) => FileWrite[],
): Step[] {
  return input.masters.flatMap((m) => {
    const k8s = kubernetes.get(m.name);
    const files = mergeWrites([...extraFiles(m), ...(k8s?.files ?? [])]);
    const renew = k8s?.renew ?? [];
    const steps: Step[] = [];
    if (files.length > 0 || renew.length > 0) {
      steps.push({ kind: 'write', host: m.name, files, renew, why: 'new control-plane credentials' });
    }
    if (m.layout.apiserver) steps.push({ kind: 'restart-pods', host: m.name, components: ['kube-apiserver'] });
    return steps;
  });
}

/**
 * Per master, after its kube-apiserver: kube-controller-manager and
 * kube-scheduler restarted at once (both gated on /healthz), then kubelet,
 * for the kubeconfigs renewed for them. They never talk to etcd, so this can
 * run beside etcd's own restarts.
 */
export function componentRestarts(input: PlanInput, kubernetes: Map<string, KubernetesWrites>): Step[] {
  return input.masters.flatMap((m) => {
    const components = kubernetes.get(m.name)?.components ?? [];
    const pods = components.filter((c) => c !== 'kubelet');
    const steps: Step[] = [];
    if (pods.length > 0) steps.push({ kind: 'restart-pods', host: m.name, components: pods });
    if (components.includes('kubelet')) steps.push({ kind: 'restart-kubelet', host: m.name });
    return steps;
  });
}

/** `steps` in lane `lane`. */
export function inLane(lane: string, steps: Step[]): Step[] {
  return steps.map((step) => ({ ...step, lane }));
}
