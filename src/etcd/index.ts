/**
 * The etcd layer: status, health, members, leadership, snapshots and served
 * certificates of a TLS etcd cluster with client-certificate auth, through
 * the etcd3 gRPC client (etcdctl is not needed). Every call has a timeout,
 * talks to the endpoints it is given one by one, and closes its connections.
 */
export {
  DEFAULT_TIMEOUT_MS, checkEndpoint, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
export { EtcdCallError, type EtcdFailureKind } from './failure.js';
export {
  clusterHealth, endpointHealth, HEALTH_KEY, type ClusterHealth, type EndpointHealth,
} from './health.js';
export {
  leaderEndpoint, moveLeader, MOVE_LEADER_TIMEOUT_MS, type LeaderLocation, type LeaderMove,
} from './leader.js';
export { listMembers, type EtcdMember, type MemberList } from './members.js';
export {
  probeServedCertificate, type ProbeOptions, type ProbeTls, type ServedCertificate,
} from './probe.js';
export { snapshot, type SnapshotFile, type SnapshotOptions } from './snapshot.js';
export {
  describeLeaderId, formatMemberId, memberStatus, NO_LEADER, tryMemberStatus, type MemberStatus,
} from './status.js';
export {
  putAndGet, VERIFY_KEY, type PutAndGetOptions, type PutAndGetResult, type ReadBack,
} from './verify.js';
export { waitForHealthy, type WaitForHealthyOptions } from './wait.js';
