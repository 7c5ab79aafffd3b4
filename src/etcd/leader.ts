/**
 * Finding the leader and handing leadership to another member, so a member
 * can be restarted without costing the cluster an election.
 */
import {
  checkEndpoints, DEFAULT_TIMEOUT_MS, deadline, withEtcdClient, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
import { describeEtcdFailure, EtcdCallError, formatSeconds } from './failure.js';
import { listMembers } from './members.js';
import {
  describeLeaderId, formatMemberId, NO_LEADER, tryMemberStatus, type MemberStatus,
} from './status.js';

/** Where the leader is. */
export interface LeaderLocation {
  /** The leader's client URL. */
  endpoint: string;
  memberId: string;
  raftTerm: number;
}

/** What `moveLeader` did. */
export interface LeaderMove {
  fromMemberId: string;
  toMemberId: string;
  /** False when the target already was the leader and nothing was asked of etcd. */
  moved: boolean;
  /** From the request until a status confirmed the new leader, in ms. */
  tookMs: number;
}

/**
 * Default time for a leadership transfer: etcd waits until the transferee has
 * caught up and won, which can take an election timeout (3 s on ACK).
 */
export const MOVE_LEADER_TIMEOUT_MS = 10_000;

/**
 * Finds the leader by asking every endpoint for its status. When no endpoint
 * is the leader itself but the members agree on one, its client URL comes
 * from the member list.
 *
 * @throws EtcdCallError when no leader can be found.
 */
export async function leaderEndpoint(
  endpoints: readonly string[],
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<LeaderLocation> {
  checkEndpoints(endpoints);
  const results = await Promise.all(endpoints.map((e) => tryMemberStatus(e, tls, options)));
  const statuses = results.filter((r): r is MemberStatus => !(r instanceof EtcdCallError));

  // Two members can both claim leadership across a term change; the higher term wins.
  const claimed = statuses.filter((s) => s.isLeader).sort((a, b) => b.raftTerm - a.raftTerm)[0];
  if (claimed) {
    return { endpoint: claimed.endpoint, memberId: claimed.memberId, raftTerm: claimed.raftTerm };
  }

  const named = new Set(statuses.map((s) => s.leaderId));
  const [leaderId] = named;
  if (named.size === 1 && leaderId !== undefined && leaderId !== NO_LEADER) {
    const list = await listMembers(endpoints, tls, options);
    const clientUrl = list.members.find((m) => m.id === leaderId)?.clientUrls[0];
    const raftTerm = Math.max(...statuses.map((s) => s.raftTerm));
    if (clientUrl !== undefined) return { endpoint: clientUrl, memberId: leaderId, raftTerm };
  }

  const views = results.map((r) =>
    r instanceof EtcdCallError ? r.message : `${r.endpoint} names ${describeLeaderId(r.leaderId)}`,
  );
  throw new EtcdCallError(
    `found no etcd leader: ${views.join('; ')}`, endpoints.join(','), 'failed',
    { remedy: 'wait for the cluster to elect a leader; check that a quorum of members runs' },
  );
}

/**
 * Asks the current leader to hand leadership to `toMemberId` (decimal ID),
 * then waits until a status confirms it. etcd accepts the request only at
 * the leader, so the leader is found first (and again once, if leadership
 * changed in between).
 *
 * @throws EtcdCallError when etcd refuses (unknown or learner target, no
 *   leader) or the move is not confirmed within `timeoutMs` (default
 *   `MOVE_LEADER_TIMEOUT_MS`, for the whole operation).
 */
export async function moveLeader(
  endpoints: readonly string[],
  tls: EtcdTls,
  toMemberId: string,
  options?: EtcdCallOptions,
): Promise<LeaderMove> {
  const timeoutMs = options?.timeoutMs ?? MOVE_LEADER_TIMEOUT_MS;
  const started = performance.now();
  const remaining = (): number => Math.max(100, timeoutMs - (performance.now() - started));
  const findLeader = (): Promise<LeaderLocation> =>
    leaderEndpoint(endpoints, tls, { timeoutMs: Math.min(DEFAULT_TIMEOUT_MS, remaining()) });

  let leader = await findLeader();
  const fromMemberId = leader.memberId;
  if (leader.memberId === toMemberId) {
    return { fromMemberId, toMemberId, moved: false, tookMs: 0 };
  }

  const action = `moving leadership to member ${formatMemberId(toMemberId)}`;
  for (let attempt = 1; leader.memberId !== toMemberId; attempt++) {
    const callTimeoutMs = remaining();
    try {
      await withEtcdClient(leader.endpoint, tls, (client) =>
        client.maintenance.moveLeader({ targetID: toMemberId }, deadline(callTimeoutMs)),
      );
      break;
    } catch (error) {
      const failure = describeEtcdFailure(error, leader.endpoint, action, callTimeoutMs);
      if (attempt > 1 || !/not leader/.test(failure.message)) throw failure;
      leader = await findLeader();
    }
  }

  await confirmLeader(toMemberId, findLeader, { until: started + timeoutMs, timeoutMs, endpoints });
  return { fromMemberId, toMemberId, moved: true, tookMs: Math.round(performance.now() - started) };
}

/** Polls `findLeader` until it names `memberId`, or `limit.until` (a performance.now time). */
async function confirmLeader(
  memberId: string,
  findLeader: () => Promise<LeaderLocation>,
  limit: { until: number; timeoutMs: number; endpoints: readonly string[] },
): Promise<void> {
  let last = '';
  do {
    try {
      const leader = await findLeader();
      if (leader.memberId === memberId) return;
      last = `the leader is still ${formatMemberId(leader.memberId)}`;
    } catch (error) {
      if (!(error instanceof EtcdCallError)) throw error;
      last = error.message;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  } while (performance.now() < limit.until);

  const within = formatSeconds(limit.timeoutMs);
  throw new EtcdCallError(
    `etcd did not confirm member ${formatMemberId(memberId)} as leader within ${within}: ${last}`,
    limit.endpoints.join(','), 'timeout',
  );
}
