/**
 * The status of one member, asked of that member alone, so the answer says
 * who answered and whom it believes to be the leader.
 */
import {
  checkEndpoint, deadline, timeoutOf, withEtcdClient, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
import { describeEtcdFailure, EtcdCallError } from './failure.js';

/** What one member reports about itself (etcd's Maintenance.Status). */
export interface MemberStatus {
  endpoint: string;
  /** The member's ID in decimal; IDs exceed 2^53, so they stay strings. */
  memberId: string;
  /** The member this one believes is leader; "0" when it knows none. */
  leaderId: string;
  isLeader: boolean;
  isLearner: boolean;
  raftTerm: number;
  /** The committed raft index. */
  raftIndex: number;
  raftAppliedIndex: number;
  /** Bytes allocated by the backend database. */
  dbSize: number;
  /** The etcd server version, for example "3.4.23". */
  version: string;
  /** Errors the member reports about itself, for example an active NOSPACE alarm. */
  errors: string[];
  /** How long the answer took, in ms, including the connection and TLS handshake. */
  latencyMs: number;
}

/** The ID etcd uses for "no leader". */
export const NO_LEADER = '0';

/**
 * Asks the member at `endpoint` for its status.
 *
 * @throws EtcdCallError when it does not answer in time or the TLS handshake fails;
 *   InputError when `endpoint` is not an https://host:port URL.
 */
export async function memberStatus(
  endpoint: string,
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<MemberStatus> {
  checkEndpoint(endpoint);
  const timeoutMs = timeoutOf(options);
  const started = performance.now();
  try {
    const status = await withEtcdClient(endpoint, tls, (client) =>
      client.maintenance.status(deadline(timeoutMs)),
    );
    const memberId = status.header.member_id;
    return {
      endpoint,
      memberId,
      leaderId: status.leader,
      isLeader: status.leader !== NO_LEADER && status.leader === memberId,
      isLearner: status.isLearner,
      raftTerm: Number(status.raftTerm),
      raftIndex: Number(status.raftIndex),
      raftAppliedIndex: Number(status.raftAppliedIndex),
      dbSize: Number(status.dbSize),
      version: status.version,
      errors: status.errors ?? [],
      latencyMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    throw describeEtcdFailure(error, endpoint, 'reading member status', timeoutMs);
  }
}

/** Like `memberStatus`, but returns the `EtcdCallError` instead of throwing it. */
export async function tryMemberStatus(
  endpoint: string,
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<MemberStatus | EtcdCallError> {
  try {
    return await memberStatus(endpoint, tls, options);
  } catch (error) {
    if (error instanceof EtcdCallError) return error;
    throw error;
  }
}

/** A member ID as etcdctl and etcd's logs print it: 16 hex digits. */
export function formatMemberId(memberId: string): string {
  return BigInt(memberId).toString(16).padStart(16, '0');
}

/** A leader ID for messages: etcdctl's hex, or "no leader". */
export function describeLeaderId(leaderId: string): string {
  return leaderId === NO_LEADER ? 'no leader' : formatMemberId(leaderId);
}
