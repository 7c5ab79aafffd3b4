/** The simulated cluster's public types. */
import type { SimValidity } from './certs.js';
import type { EtcdTuning } from './etcd-unit.js';
import type { MasterFacts } from './layout.js';
import type { ExecOptions } from './namespaces.js';
import type { CommandResult } from './run.js';

export type { CommandResult, ExecOptions, SimValidity, EtcdTuning };

/** A master's container runtime in the simulation. */
export type SimRuntime = 'docker' | 'containerd';

/** What `createSimCluster` builds. */
export interface SimClusterOptions {
  /** Number of masters; default 3. Master i is 127.0.0.(10+i). */
  size?: number;
  /**
   * Certificate lifetimes in days; unset fields keep the defaults (50 years
   * for etcd, as the installer; kubeadm's 10 years / 1 year for Kubernetes).
   */
  validity?: Partial<SimValidity>;
  /**
   * Make the leaves, or every certificate including the CAs, already expired
   * (etcd and Kubernetes alike). etcd is started but not waited for.
   */
  expired?: 'leaves' | 'all';
  /** sshd port on every master; default 2222. */
  sshPort?: number;
  /** Cluster id: names its directory and nftables table; default random. */
  name?: string;
  /** Directory holding cluster directories; default `<repo>/.sim`. */
  root?: string;
  /** Keep the cluster's directory after teardown (processes are still ended). */
  keep?: boolean;
  /** Raft timing of the members; default etcd's 100 ms / 1000 ms. */
  tuning?: Partial<EtcdTuning>;
  /**
   * Generate every private key anew; by default keys come from a pool in
   * `<root>/.keys` that is reused across clusters (never twice in one cluster).
   */
  freshKeys?: boolean;
  /**
   * Give every master its own PID namespace, /run and dockerd (vfs), for the container tests
   * (see docker.ts); default false. Needs docker.io installed.
   */
  docker?: boolean;
  /**
   * The container runtime of every master, with its own PID namespace and /run: `docker` (as
   * `docker: true`) or `containerd` (containerd only, docker hidden; see containerd.ts).
   */
  runtime?: SimRuntime;
  /** Start etcd on every master; default true. */
  startEtcd?: boolean;
  /** How long to wait for a healthy cluster; default 30 000 ms. */
  healthTimeoutMs?: number;
  /** How long to wait for another cluster on this machine to finish; default 300 000 ms. */
  lockTimeoutMs?: number;
  /** Progress lines (`[sim] [master-1] ...`); default silent. */
  log?: (line: string) => void;
}

/** One simulated master. */
export interface SimMaster extends MasterFacts {
  /** PID of the process holding the master's mount and UTS namespaces. */
  anchorPid: number;
  /** With `docker`: the master's docker socket as the host reaches it. */
  dockerSocket?: string;
  /** With `runtime: 'containerd'`: the master's containerd socket as the host reaches it. */
  containerdSocket?: string;
}

/** A master, or its 1-based index. */
export type MasterRef = SimMaster | number;

/** Options of `SimCluster.etcdctl`. */
export interface EtcdctlOptions extends ExecOptions {
  /** Which members to talk to: the master's own (default), all, or explicit URLs. */
  endpoints?: 'self' | 'all' | string[];
}

/** A running simulated cluster. */
export interface SimCluster {
  /** The cluster id. */
  readonly id: string;
  /** Host directory holding every master's root (`m1/`, `m2/`...). */
  readonly dir: string;
  readonly masters: readonly SimMaster[];
  /** Client URLs of every member, `https://127.0.0.1x:2379`. */
  readonly endpoints: readonly string[];
  /** The nftables table giving each member's peer traffic its own source address. */
  readonly natTable: string;
  readonly sshPort: number;
  /** Milliseconds `createSimCluster` took. */
  readonly createdInMs: number;

  /** Resolves a master by object or 1-based index. */
  master(ref: MasterRef): SimMaster;
  /** Runs `argv` inside the master's namespaces as root (PATH finds the stand-in first). */
  exec(master: MasterRef, argv: string[], opts?: ExecOptions): Promise<CommandResult>;
  /** Runs etcdctl inside the master with its client certificate files (paths only). */
  etcdctl(master: MasterRef, argv: string[], opts?: EtcdctlOptions): Promise<CommandResult>;
  /** Runs the systemctl stand-in inside the master. */
  systemctl(master: MasterRef, argv: string[]): Promise<CommandResult>;
  /** Where an absolute in-master path lives on the host. */
  hostPath(master: MasterRef, path: string): string;
  /** `systemctl stop etcd` on the master. */
  stopMember(master: MasterRef): Promise<void>;
  /** `systemctl start etcd` on the master. */
  startMember(master: MasterRef): Promise<void>;
  /** Waits until every member answers `endpoint health`; throws with the logs on timeout. */
  waitHealthy(timeoutMs?: number): Promise<void>;
  /** The tail of a unit's journal stand-in on the master. */
  journal(master: MasterRef, unit?: string, lines?: number): Promise<string>;
  /**
   * Ends every process of the masters (etcd and sshd included; SIGKILL unless
   * `keep`, then a graceful stop first), deletes the nftables table and the
   * directory (unless `keep`) and releases the machine-wide lock. Idempotent;
   * also run on process exit and SIGINT/SIGTERM/SIGHUP.
   */
  teardown(): Promise<void>;
}
