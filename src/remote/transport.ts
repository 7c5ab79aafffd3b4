import type { AgentSession } from './session.js';

/** A master as the transports see it: its etcd member name and private address. */
export interface PeerTarget {
  name: string;
  ip: string;
}

/** What a transport learns about the cluster before it opens any peer. */
export interface TransportContext {
  /** This master, the coordinator. */
  local: PeerTarget;
  /** Every etcd member, this one included, in member-list order. */
  members: PeerTarget[];
  /** Lines the peers' agents write on stderr, with the master's name. */
  onPeerLog: (host: string, line: string) => void;
}

/**
 * How the coordinator starts the agent on another master: over SSH, or
 * through Cloud Assistant with the agent calling back. Every peer is opened
 * at once; then `finishOpening` releases what opening needed.
 */
export interface PeerTransport {
  /** What to fix when some peers could not be opened, given why. */
  remedyFor(failures: unknown[]): string;
  /** Starts the agent on `peer` and resolves once it answered `hello`. */
  open(peer: PeerTarget): Promise<AgentSession>;
  /** No more peers will be opened (successfully or not). */
  finishOpening(): Promise<void>;
}

/** Builds the transport of a run once the members are known. */
export type PeerTransportFactory = (context: TransportContext) => Promise<PeerTransport>;
