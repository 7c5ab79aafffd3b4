import type { Topology } from '../cluster/types.js';

/**
 * The peer side of a run speaks JSON lines over the SSH channel: the
 * coordinator writes one request a line on the agent's stdin and reads one
 * response a line from its stdout. Private keys travel only inside this
 * channel, never in argv or the environment.
 */
export interface AgentRequest {
  id: number;
  method: keyof AgentMethods;
  params: unknown;
}

export type AgentResponse =
  | { id: number; result: unknown }
  | { id: number; error: AgentError };

/** An error as it crosses the channel; `operator` errors keep their exit code. */
export interface AgentError {
  message: string;
  remedy?: string;
  operator: boolean;
  exitCode: number;
  errorClass: string;
}

/** State of one file on a master. */
export interface FileSnapshot {
  path: string;
  exists: boolean;
  mode?: number;
  uid?: number;
  gid?: number;
  sha256?: string;
  /** Contents, for certificates only (public); keys are never sent back. */
  pem?: string;
  /** For a key that does not parse: why, in words that hold none of its content. */
  unreadable?: string;
}

/** A kubeconfig user with an embedded client certificate. */
export interface KubeconfigUserSnapshot {
  path: string;
  user: string;
  certificatePem: string;
  hasEmbeddedKey: boolean;
}

/** Everything the coordinator learns about one master before planning. */
export interface Inspection {
  hostname: string;
  containerized: boolean;
  topology: Topology;
  /** Certificates by host path (CA, server, peer, client and Kubernetes files). */
  certificates: FileSnapshot[];
  /** Private key files that exist, by host path (contents stay on the master). */
  keys: FileSnapshot[];
  kubeconfigs: KubeconfigUserSnapshot[];
  freeBytes: number;
  /** Run ids with a backup on this master. */
  backups: string[];
  lock?: { runId: string; host: string; pid: number; command: string; since: string };
}

/** One file to write; contents are base64 so keys and certificates pass unchanged. */
export interface FileWrite {
  path: string;
  contentBase64: string;
  /** Mode for a new file; an existing file keeps its own. */
  mode: number;
}

/** Replace the client credentials of a kubeconfig user, and optionally its cluster CA. */
export interface KubeconfigWrite {
  path: string;
  user: string;
  certificatePem: string;
  keyPem: string;
  caPem?: string;
}

/** The methods an agent serves, with their parameter and result types. */
export interface AgentMethods {
  hello: { params: Record<string, never>; result: { version: string; hostname: string; pid: number } };
  inspect: { params: Record<string, never>; result: Inspection };
  lock: { params: { runId: string; command: string; host: string }; result: { acquired: true } };
  unlock: { params: { runId: string }; result: { released: boolean } };
  backup: { params: { runId: string; paths: string[] }; result: { files: number; created: boolean } };
  restore: { params: { runId: string }; result: { files: number } };
  /** Copies the local member's data directory into the backup; the member must be stopped. */
  backupData: { params: { runId: string }; result: { bytes: number; created: boolean } };
  write: {
    params: { files: FileWrite[]; kubeconfigs?: KubeconfigWrite[] };
    result: { written: string[] };
  };
  saveRunState: { params: { runId: string; name: string; contentBase64: string }; result: { saved: true } };
  /** Removes a run file, for the plan once its run is finished (it holds private keys). */
  removeRunState: { params: { runId: string; name: string }; result: { removed: boolean } };
  loadRunState: { params: { runId: string; name: string }; result: { contentBase64?: string } };
  journal: { params: { runId: string; event: Record<string, unknown> }; result: { appended: true } };
  /** Keys of the steps this master's journal lists as done. */
  progress: { params: { runId: string }; result: { steps: string[] } };
  service: {
    params: { action: 'stop' | 'start' | 'restart' | 'is-active'; unit: string };
    /** `state`: what `systemctl is-active` says after the action ("active", "failed"...). */
    result: { active: boolean; state: string; elapsedMs: number };
  };
  /** Restarts the given static pods at once and waits until each answers /healthz. */
  restartStaticPods: {
    params: { components: string[]; timeoutMs: number };
    result: { component: string; newId: string; elapsedMs: number }[];
  };
}

export type MethodName = keyof AgentMethods;
export type ParamsOf<M extends MethodName> = AgentMethods[M]['params'];
export type ResultOf<M extends MethodName> = AgentMethods[M]['result'];
