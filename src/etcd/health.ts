/**
 * Cluster health from gRPC calls to every endpoint. A member counts as healthy
 * when it answers Maintenance.Status, reports no errors (alarms), and serves a
 * linearizable read, which needs a leader and a quorum behind it. etcd 3.4's
 * `/health` is not used: it can say true while the member's gateway is broken.
 */
import {
  checkEndpoints, deadline, timeoutOf, withEtcdClient, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
import { describeEtcdFailure, EtcdCallError } from './failure.js';
import { listMembers, type EtcdMember } from './members.js';
import {
  describeLeaderId, formatMemberId, NO_LEADER, tryMemberStatus, type MemberStatus,
} from './status.js';

/** The key every health check reads; it need not exist. */
export const HEALTH_KEY = '/etcd-rotate/health';

/** The health of one endpoint. */
export interface EndpointHealth {
  endpoint: string;
  healthy: boolean;
  /** Present when the member answered the status request. */
  status?: MemberStatus;
  /** How long the linearizable read took, in ms, when it succeeded. */
  readLatencyMs?: number;
  /** Why the endpoint is not healthy. */
  error?: EtcdCallError;
}

/** The health of every endpoint and the cluster-wide view. */
export interface ClusterHealth {
  /** Every endpoint healthy, and all of them agree on one leader. */
  healthy: boolean;
  endpoints: EndpointHealth[];
  /** The leader every answering member names; undefined when they disagree or know none. */
  leaderId?: string;
  /** Whether every member that answered names the same leader (and one exists). */
  leaderAgreed: boolean;
  /** The member list from the first endpoint that answered; empty when none did. */
  members: EtcdMember[];
  /** Listed members none of whose client URLs was among the endpoints checked. */
  unchecked: EtcdMember[];
  /** One sentence per problem found, empty when healthy. */
  problems: string[];
}

/**
 * Checks every endpoint in parallel and combines their views of the leader.
 * A member in the member list whose client URL was not checked makes the
 * cluster count as unhealthy too: give every member's endpoint (for one
 * member alone, use `endpointHealth`). Never throws for an unhealthy
 * cluster: every failure is in the result.
 */
export async function clusterHealth(
  endpoints: readonly string[],
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<ClusterHealth> {
  checkEndpoints(endpoints);
  const [results, members] = await Promise.all([
    Promise.all(endpoints.map((endpoint) => endpointHealth(endpoint, tls, options))),
    listMembers(endpoints, tls, options).then(
      (list) => list.members,
      (error: unknown) => {
        if (error instanceof EtcdCallError) return [];
        throw error;
      },
    ),
  ]);

  const leaders = new Set(results.flatMap((r) => (r.status ? [r.status.leaderId] : [])));
  const [onlyLeader] = leaders;
  const leaderAgreed = leaders.size === 1 && onlyLeader !== NO_LEADER;
  const problems = results.flatMap((r) => (r.error ? [r.error.message] : []));
  if (!leaderAgreed && leaders.size > 0) problems.push(describeLeaderViews(results));
  const unchecked = members.filter((m) => !m.clientUrls.some((url) => endpoints.includes(url)));
  for (const m of unchecked) {
    const urls = m.clientUrls.join(', ') || 'no client URL yet';
    problems.push(`member ${m.name || formatMemberId(m.id)} (${urls}) was not checked`);
  }

  return {
    healthy: problems.length === 0 && endpoints.length > 0,
    endpoints: results,
    leaderId: leaderAgreed ? onlyLeader : undefined,
    leaderAgreed,
    members,
    unchecked,
    problems,
  };
}

/** Checks one endpoint: status, reported errors, and a linearizable read. */
export async function endpointHealth(
  endpoint: string,
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<EndpointHealth> {
  const status = await tryMemberStatus(endpoint, tls, options);
  if (status instanceof EtcdCallError) return { endpoint, healthy: false, error: status };

  if (status.errors.length > 0) {
    const error = new EtcdCallError(
      `etcd at ${endpoint} reports errors: ${status.errors.join('; ')}`, endpoint, 'rejected',
      { remedy: 'resolve the alarm (for a NOSPACE alarm: compact, defragment, then disarm it)' },
    );
    return { endpoint, healthy: false, status, error };
  }

  const timeoutMs = timeoutOf(options);
  const started = performance.now();
  try {
    await withEtcdClient(endpoint, tls, (client) =>
      client.kv.range({ key: Buffer.from(HEALTH_KEY), count_only: true }, deadline(timeoutMs)),
    );
  } catch (error) {
    const action = `reading ${HEALTH_KEY} (a linearizable read needs a leader and a quorum)`;
    const failure = describeEtcdFailure(error, endpoint, action, timeoutMs);
    return { endpoint, healthy: false, status, error: failure };
  }
  const readLatencyMs = Math.round(performance.now() - started);
  return { endpoint, healthy: true, status, readLatencyMs };
}

function describeLeaderViews(results: EndpointHealth[]): string {
  const views = results.flatMap((r) =>
    r.status ? [`${r.endpoint} names ${describeLeaderId(r.status.leaderId)}`] : [],
  );
  return `the members do not agree on one leader: ${views.join(', ')}`;
}
