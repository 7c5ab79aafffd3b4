import type { Inspection } from '../../agent/protocol.js';

/**
 * How many new RSA keys a plan needs before its first step, estimated from
 * this master alone: the etcd set (two CAs, server, client, one peer pair per
 * member). The renewed Kubernetes leaves get theirs while the run goes on.
 */
export function expectedNewKeys(local: Inspection): number {
  return 4 + local.topology.etcd.members.length;
}
