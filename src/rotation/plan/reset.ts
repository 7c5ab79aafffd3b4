import type { EtcdCertificateSet } from '../../pki/index.js';
import { mergeWrites } from '../material.js';
import type { Phase, Step } from '../types.js';
import type { PlanInput } from './context.js';
import { apiserverCredentialSteps, componentRestarts, inLane } from './control-plane.js';
import { finalApiserverWrites, finalEtcdWrites, finalExpectation } from './etcd-set.js';
import type { KubernetesWrites } from './kubernetes.js';

/**
 * The reset used when trust is already broken (a CA expired or its key is
 * gone) and by `rollback`: downtime cannot be avoided, so every member stops,
 * the complete new set is written everywhere, and all members start together
 * with their data and peer URLs unchanged.
 */
export function planResetPhases(
  input: PlanInput,
  set: EtcdCertificateSet,
  kubernetes: Map<string, KubernetesWrites>,
): Phase[] {
  const hosts = input.masters.map((m) => m.name);
  const reset: Step[] = [
    { kind: 'stop-etcd-all', hosts },
    // The cluster cannot serve a snapshot now; its data is kept as files instead.
    { kind: 'backup-data', host: input.coordinator },
    ...input.masters.map((m): Step => ({
      kind: 'write',
      host: m.name,
      files: mergeWrites([...finalEtcdWrites(m.layout, set), ...finalApiserverWrites(m.layout, set)]),
      why: 'the new etcd CAs and certificates',
    })),
    { kind: 'start-etcd-all', hosts },
    { kind: 'wait-quorum' },
    ...input.masters.map((m): Step => ({ kind: 'verify-served', host: m.name, expect: finalExpectation(m, set) })),
  ];
  // The API is down until kube-apiserver runs on the new files: every master restarts at once.
  const controlPlane = input.masters.flatMap((m) => {
    const one = { ...input, masters: [m] };
    return inLane(m.name, [...apiserverCredentialSteps(one, kubernetes, () => []), ...componentRestarts(one, kubernetes)]);
  });
  return [
    { name: 'reset', title: 'new etcd certificates on every master, members restarted together', identity: 'new', steps: reset },
    { name: 'control-plane', title: 'control plane restarted on the new credentials', identity: 'new', steps: controlPlane },
  ];
}
