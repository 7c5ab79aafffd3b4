import type { FileWrite } from '../../agent/protocol.js';
import { mergeWrites } from '../material.js';
import type { Step } from '../types.js';
import type { MasterState, PlanInput } from './context.js';
import type { KubernetesWrites } from './kubernetes.js';

/**
 * Control-plane credentials written (`extraFiles` plus the renewed Kubernetes
 * certificates) and the control plane restarted, one master at a time.
 */
export function controlPlaneSteps(
  input: PlanInput,
  kubernetes: Map<string, KubernetesWrites>,
  extraFiles: (m: MasterState) => FileWrite[],
): Step[] {
  return input.masters.flatMap((m) => {
    const k8s = kubernetes.get(m.name);
    const files = mergeWrites([...extraFiles(m), ...(k8s?.files ?? [])]);
    const kubeconfigs = k8s?.kubeconfigs ?? [];
    const steps: Step[] = [];
    if (files.length > 0 || kubeconfigs.length > 0) {
      steps.push({ kind: 'write', host: m.name, files, kubeconfigs, why: 'new control-plane credentials' });
    }
    // kube-apiserver first (the others talk to it), then the others of this master at once, kubelet last.
    if (m.layout.apiserver) steps.push({ kind: 'restart-pods', host: m.name, components: ['kube-apiserver'] });
    const pods = (k8s?.components ?? []).filter((c) => c !== 'kubelet');
    if (pods.length > 0) steps.push({ kind: 'restart-pods', host: m.name, components: pods });
    if (k8s?.components.includes('kubelet')) steps.push({ kind: 'restart-kubelet', host: m.name });
    return steps;
  });
}
