import type { Inspection } from '../../agent/protocol.js';
import { parseCertificates, type CertificateInfo, type IssuedPair } from '../../pki/index.js';
import { PreflightError } from '../../errors.js';
import type { MasterLayout } from '../layout.js';
import type { PlannedMaster, Scenario } from '../types.js';

/** One master as the planner sees it: what its agent reported and its file layout. */
export interface MasterState {
  name: string;
  inspection: Inspection;
  layout: MasterLayout;
}

/** Private keys the coordinator reads from its own master; they never leave the plan file. */
export interface LocalSecrets {
  /** The client pair the tool talks to etcd with now (kube-apiserver's or etcd-client). */
  client: { certPem: string; keyPem: string };
  clientCa?: IssuedPair;
  peerCa?: IssuedPair;
  /** Kubernetes CAs with their keys, by path (`/etc/kubernetes/pki/ca.crt`, ...). */
  kubernetesCas: (IssuedPair & { path: string })[];
}

/** Everything a plan is built from. */
export interface PlanInput {
  runId: string;
  coordinator: string;
  scenario: Scenario;
  validity: string;
  validityMs: number;
  masters: MasterState[];
  secrets: LocalSecrets;
  /** Leave /etc/kubernetes/pki and the kubeconfigs alone. */
  skipKubernetes: boolean;
}

/** The PEM a master holds at `path`, or an error naming the master and file. */
export function pemAt(master: MasterState, path: string): string {
  const file = master.inspection.certificates.find((c) => c.path === path && c.exists);
  if (!file?.pem) {
    throw new PreflightError(`${master.name}: ${path} is missing`, {
      remedy: 'restore it from a backup, or run "etcd-rotate rollback" to issue a new set',
    });
  }
  return file.pem;
}

/** The first certificate of the file at `path` on `master`. */
export function certificateAt(master: MasterState, path: string): CertificateInfo {
  return parseCertificates(pemAt(master, path), `${master.name}:${path}`)[0]!;
}

/** The masters as the plan lists them. */
export function plannedMasters(masters: MasterState[]): PlannedMaster[] {
  return masters.map(({ name, layout, inspection }) => ({
    name,
    ip: layout.member.ip,
    hostname: inspection.hostname,
    clientUrl: layout.member.clientUrls[0] ?? `https://${layout.member.ip}:2379`,
    peerUrl: layout.member.peerUrls[0] ?? `https://${layout.member.ip}:2380`,
    etcdService:
      inspection.topology.etcd.source.kind === 'systemd'
        ? { kind: 'systemd', unit: inspection.topology.etcd.source.unitName }
        : { kind: 'static-pod' },
  }));
}
