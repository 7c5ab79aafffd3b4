import type { FileWrite, KubeconfigWrite } from '../agent/protocol.js';

/** What kind of run a plan carries out. */
export type Scenario =
  /** Every CA valid with its key: rotate online, never losing quorum. */
  | 'online'
  /** Leaves expired under valid CAs: re-sign them in place first, then rotate online. */
  | 'leaves-expired'
  /** A CA expired or its key is gone (or `rollback`): new set everywhere, etcd restarted together. */
  | 'reset'
  /** `rollback --from-backup`: the archived files back on every master. */
  | 'restore';

/** Which client certificate the tool presents to etcd while a phase runs. */
export type IdentityName = 'current' | 'new';

/** A client identity the tool uses to talk to etcd, PEM. */
export interface EtcdIdentity {
  /** Every CA a member's server certificate may chain to during the run. */
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** The certificate a member must present once a step is done, by SHA-256 of its DER. */
export interface ServedExpectation {
  client?: string;
  peer?: string;
}

/**
 * A leaf renewed when its step runs, with a new key: the same subject, SANs
 * and usages as the certificate it renews, signed by a Kubernetes CA whose
 * key is read on the coordinator then. No private key is in the plan for it:
 * a step run again (a resumed run) issues afresh and writes the whole pair.
 */
export interface LeafRenewal {
  /** The certificate renewed (public), whose subject and extensions the new one keeps. */
  templatePem: string;
  /** The CA certificate that signs it (the original, or its copy extended with the same key). */
  signerPem: string;
  /** Where the new pair goes: a certificate and key file, or a kubeconfig user's embedded pair. */
  target:
    | { kind: 'files'; cert: string; key: string }
    | { kind: 'kubeconfig'; path: string; user: string; caPem?: string };
}

/** One action on one master (or on all of them at once). */
export type Step = StepAction & {
  /**
   * Steps of a phase with the same lane run one after another; lanes run at
   * the same time, and the phase ends when every lane has. No lane is a lane too.
   */
  lane?: string;
};

/** What a step does. */
export type StepAction =
  | { kind: 'backup'; host: string; paths: string[] }
  | { kind: 'snapshot'; host: string }
  /** A copy of the member's data directory, taken while every member is stopped. */
  | { kind: 'backup-data'; host: string }
  | {
      kind: 'write';
      host: string;
      files: FileWrite[];
      kubeconfigs?: KubeconfigWrite[];
      /** Leaves issued when the step runs and written with `files`. */
      renew?: LeafRenewal[];
      why: string;
    }
  | {
      kind: 'restart-etcd';
      host: string;
      /** Written while the member is stopped, so it never sees a half-written pair. */
      files: FileWrite[];
      expect?: ServedExpectation;
      why: string;
    }
  | { kind: 'verify-served'; host: string; expect: ServedExpectation }
  | { kind: 'stop-etcd-all'; hosts: string[] }
  | { kind: 'start-etcd-all'; hosts: string[] }
  | { kind: 'wait-quorum' }
  /** Static pods of one master restarted at once, each gated on its own /healthz. */
  | { kind: 'restart-pods'; host: string; components: string[] }
  | { kind: 'restart-kubelet'; host: string }
  | { kind: 'restore'; host: string }
  | { kind: 'verify-old-client-rejected' }
  | { kind: 'verify-final' };

/** A named group of steps, shown as one line of progress. */
export interface Phase {
  name: string;
  title: string;
  /** The client identity this phase talks to etcd with. */
  identity: IdentityName;
  steps: Step[];
}

/** A master as the plan knows it. */
export interface PlannedMaster {
  /** Member name, the label of the master throughout the run. */
  name: string;
  ip: string;
  hostname: string;
  clientUrl: string;
  peerUrl: string;
  /** How etcd runs there: a systemd unit (ACK) or a kubeadm static pod. */
  etcdService: { kind: 'systemd'; unit: string } | { kind: 'static-pod' };
}

/**
 * Everything a run does, decided before the first change and saved (0600,
 * with the new keys) on every master so any of them can resume it.
 */
export interface RotationPlan {
  runId: string;
  scenario: Scenario;
  createdAt: string;
  /** The master that started the run. */
  coordinator: string;
  validity: string;
  masters: PlannedMaster[];
  identities: Record<IdentityName, EtcdIdentity>;
  /** A client certificate of the old CA, to prove it is refused at the end. */
  oldClient?: { certPem: string; keyPem: string };
  /** SHA-256 fingerprints every member must serve when the run is done. */
  finalServed: Record<string, ServedExpectation>;
  phases: Phase[];
  /** `rollback --from-backup`: the run whose archive is restored. */
  restoreFrom?: string;
}
