import type { EtcdIdentity } from './types.js';

/** A member's reachable addresses, as the plan knows them. */
export interface MemberEndpoint {
  name: string;
  clientUrl: string;
  peerUrl: string;
}

/** The cluster as the tool sees it through one client identity. */
export interface ClusterView {
  leader: string | undefined;
  /** Member names that answered and serve linearizable reads. */
  healthy: string[];
  /** Member names that did not, with why. */
  unhealthy: { name: string; reason: string }[];
}

/**
 * What the rotation needs from etcd, in terms of plan members. The
 * implementation (`etcd-access.ts`) talks to etcd through the etcd3 client.
 */
export interface ClusterAccess {
  view(members: MemberEndpoint[], identity: EtcdIdentity): Promise<ClusterView>;
  /** Waits until `member` answers and the cluster has a leader; returns the time it took. */
  waitHealthy(member: MemberEndpoint, identity: EtcdIdentity, timeoutMs: number): Promise<number>;
  /** Hands leadership from the current leader to `to`; returns the time it took. */
  moveLeader(members: MemberEndpoint[], identity: EtcdIdentity, to: MemberEndpoint): Promise<number>;
  /** SHA-256 of the certificate presented on `url` (client or peer port). */
  servedFingerprint(url: string, identity: EtcdIdentity): Promise<string>;
  /** Streams a snapshot of `member` to `destination` (a host path on this machine). */
  snapshot(member: MemberEndpoint, identity: EtcdIdentity, destination: string): Promise<{ bytes: number }>;
  /** True when `member` refuses `identity` (the old client certificate at the end of a run). */
  refuses(member: MemberEndpoint, identity: EtcdIdentity): Promise<boolean>;
  /** Writes a key through one member and reads it back from every member. */
  writeAndReadBack(members: MemberEndpoint[], identity: EtcdIdentity): Promise<void>;
}
