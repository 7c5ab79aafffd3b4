/** The cluster's member list, as any member reports it. */
import {
  checkEndpoints, deadline, timeoutOf, withEtcdClient, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
import { describeEtcdFailure } from './failure.js';
import { firstAnswer } from './first-answer.js';

/** One member of the cluster, as etcd's member list describes it. */
export interface EtcdMember {
  /** The member ID in decimal (see `formatMemberId` for etcdctl's hex). */
  id: string;
  /** Empty while a newly added member has not started yet. */
  name: string;
  peerUrls: string[];
  /** Empty while a newly added member has not started yet. */
  clientUrls: string[];
  isLearner: boolean;
}

/** The member list and the endpoint that gave it. */
export interface MemberList {
  endpoint: string;
  members: EtcdMember[];
}

/**
 * Lists the cluster's members, asking `endpoints` in order until one answers.
 *
 * NB. etcd 3.4 serves the member list from the answering member's own view
 * (3.5 adds a linearizable option); right after a membership change a member
 * that has not caught up can answer with the old list.
 *
 * @throws EtcdCallError when no endpoint answers.
 */
export async function listMembers(
  endpoints: readonly string[],
  tls: EtcdTls,
  options?: EtcdCallOptions,
): Promise<MemberList> {
  const timeoutMs = timeoutOf(options);
  const answer = await firstAnswer(checkEndpoints(endpoints), 'listing members', (endpoint) =>
    listMembersAt(endpoint, tls, timeoutMs),
  );
  return { endpoint: answer.endpoint, members: answer.value };
}

async function listMembersAt(
  endpoint: string,
  tls: EtcdTls,
  timeoutMs: number,
): Promise<EtcdMember[]> {
  try {
    const response = await withEtcdClient(endpoint, tls, (client) =>
      client.cluster.memberList({}, deadline(timeoutMs)),
    );
    return response.members.map((m) => ({
      id: m.ID,
      name: m.name,
      peerUrls: m.peerURLs,
      clientUrls: m.clientURLs,
      isLearner: m.isLearner,
    }));
  } catch (error) {
    throw describeEtcdFailure(error, endpoint, 'listing members', timeoutMs);
  }
}
