import type { Inspection } from '../../agent/protocol.js';
import { masterLayout } from '../layout.js';

/**
 * How many new RSA keys a plan will need, estimated from this master alone
 * (the others are laid out the same way): the etcd set (two CAs, server,
 * client, one peer pair per member) and, unless skipped, a key per Kubernetes
 * leaf and per kubeconfig client on every master.
 */
export function expectedNewKeys(local: Inspection, skipKubernetes: boolean): number {
  const members = local.topology.etcd.members.length;
  const etcd = 4 + members;
  if (skipKubernetes) return etcd;
  const layout = masterLayout(local);
  const perMaster = layout.kubernetes.leaves.length + local.kubeconfigs.filter((k) => k.hasEmbeddedKey).length;
  return etcd + perMaster * members;
}
