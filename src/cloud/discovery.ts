import { PreflightError } from '../errors.js';
import type { PeerTarget } from '../remote/transport.js';
import { ACK_CLUSTER_TAG, type EcsApi, type EcsInstance } from './ecs-api.js';
import type { MetadataClient } from './metadata.js';

/** The etcd members matched to the cluster's ECS instances by private IP. */
export interface MasterInstances {
  clusterId: string;
  /** Instance of every member, by member name. */
  byMember: Map<string, EcsInstance>;
  /** Instances with the cluster's tag that are no etcd member (workers, usually). */
  others: EcsInstance[];
}

/**
 * Finds the cluster's instances (tag ack.aliyun.com=<cluster id>; the id
 * comes from --cluster-id or from this instance's own tag) and matches each
 * etcd member to one by private IP. A member without an instance stops the
 * run: it could not be reached, and the member list or the tags are wrong.
 */
export async function discoverMasterInstances(
  api: EcsApi,
  members: PeerTarget[],
  options: { clusterId?: string; metadata: MetadataClient },
): Promise<MasterInstances> {
  const clusterId = options.clusterId ?? (await ownClusterId(api, options.metadata));
  const instances = await api.describeInstances({ clusterId });

  const byMember = new Map<string, EcsInstance>();
  const missing: string[] = [];
  for (const member of members) {
    const instance = instances.find((i) => i.privateIps.includes(member.ip));
    if (instance) byMember.set(member.name, instance);
    else missing.push(`${member.name} (${member.ip})`);
  }
  if (missing.length > 0) {
    const seen = instances.map((i) => `${i.instanceId} ${i.privateIps.join(',') || 'no IP'}`).join('; ') || 'none';
    throw new PreflightError(
      `no ECS instance with tag ${ACK_CLUSTER_TAG}=${clusterId} in region ${api.region} has the private IP of etcd member ${missing.join(', ')}; instances found: ${seen}`,
      { remedy: 'check --cluster-id and --region, and that every master carries the cluster tag; nothing was changed' },
    );
  }
  const matched = new Set([...byMember.values()].map((i) => i.instanceId));
  return { clusterId, byMember, others: instances.filter((i) => !matched.has(i.instanceId)) };
}

/** One line per member, then the count of other instances, for the run's log. */
export function describeMasterInstances(found: MasterInstances): string[] {
  const lines = [...found.byMember].map(
    ([name, i]) => `${name} is ${i.instanceId} (${i.name || 'unnamed'}, ${i.status || 'status unknown'})`,
  );
  if (found.others.length > 0) {
    const ids = found.others.map((i) => i.instanceId).join(', ');
    lines.push(`${found.others.length} other instance(s) of cluster ${found.clusterId} are no etcd member (workers): ${ids}`);
  }
  return lines;
}

async function ownClusterId(api: EcsApi, metadata: MetadataClient): Promise<string> {
  const instanceId = await metadata.get('instance-id');
  const [self] = await api.describeInstances({ instanceIds: [instanceId] });
  const clusterId = self?.tags[ACK_CLUSTER_TAG];
  if (!clusterId) {
    throw new PreflightError(`this instance (${instanceId}) has no ${ACK_CLUSTER_TAG} tag, so its cluster is unknown`, {
      remedy: 'pass --cluster-id (the ACK cluster id, e.g. c0123456789abcdef...)',
    });
  }
  return clusterId;
}
