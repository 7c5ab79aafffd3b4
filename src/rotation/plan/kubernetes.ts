import type { FileWrite, KubeconfigWrite } from '../../agent/protocol.js';
import {
  findIssuer,
  parseCertificates,
  reissueCertificate,
  type CertificateInfo,
  type IssuedPair,
} from '../../pki/index.js';
import { certWrite, keyWrite } from '../material.js';
import { certificateAt, type MasterState, type PlanInput } from './context.js';

/** What the Kubernetes part of a run writes on one master. */
export interface KubernetesWrites {
  files: FileWrite[];
  kubeconfigs: KubeconfigWrite[];
  /** Static pods and services whose credentials changed, to restart. */
  components: string[];
}

interface Authority {
  original: CertificateInfo;
  /** The CA that signs the new leaves: the original, or a copy with the same key valid long enough. */
  signer: IssuedPair;
  extended: boolean;
}

/** Restarts follow the dependency order: the schedulers need the apiserver, kubelet last. */
const RESTART_ORDER = ['kube-controller-manager', 'kube-scheduler', 'kubelet'];

const KUBECONFIG_COMPONENTS: Record<string, string> = {
  'controller-manager.conf': 'kube-controller-manager',
  'scheduler.conf': 'kube-scheduler',
  'kubelet.conf': 'kubelet',
};

/**
 * Re-issues the Kubernetes leaves and kubeconfig client certificates of every
 * master under the existing CAs, with the same subjects, SANs and usages.
 * A CA certificate that would expire before the new leaves is re-issued with
 * the same key and subject, so workers that trust the old one keep working.
 */
export async function planKubernetes(
  input: PlanInput,
  warnings: string[],
): Promise<Map<string, KubernetesWrites>> {
  const result = new Map<string, KubernetesWrites>();
  if (input.skipKubernetes) return result;

  const authorities = await extendAuthorities(input);
  const planned = await Promise.all(input.masters.map((m) => planMaster(m, authorities, input.validityMs, warnings)));
  input.masters.forEach((m, i) => result.set(m.name, planned[i]!));
  return result;
}

async function extendAuthorities(input: PlanInput): Promise<Authority[]> {
  const needed = Date.now() + input.validityMs;
  return Promise.all(
    input.secrets.kubernetesCas.map(async (ca) => {
      const original = parseCertificates(ca.certPem, ca.path)[0]!;
      if (original.notAfter.getTime() >= needed) return { original, signer: ca, extended: false };
      const renewed = await reissueCertificate(original, ca, {
        validityMs: input.validityMs,
        keyPem: ca.keyPem,
        keySource: ca.path,
      });
      return { original, signer: { ...renewed, source: ca.path }, extended: true };
    }),
  );
}

async function planMaster(
  master: MasterState,
  authorities: Authority[],
  validityMs: number,
  warnings: string[],
): Promise<KubernetesWrites> {
  const writes: KubernetesWrites = { files: [], kubeconfigs: [], components: [] };
  const signerOf = (cert: CertificateInfo, what: string) => {
    const issuer = findIssuer(cert, authorities.map((a) => a.original));
    const authority = authorities.find((a) => a.original === issuer);
    if (!authority) warnings.push(`${master.name}: ${what} is not signed by a Kubernetes CA of this master; left unchanged`);
    return authority;
  };

  for (const caPath of master.layout.kubernetes.cas) {
    const current = certificateAt(master, caPath);
    const authority = authorities.find((a) => a.original.raw.publicKey.equals(current.raw.publicKey));
    if (authority?.extended) writes.files.push(certWrite(caPath, authority.signer.certPem));
  }

  const leaves = await Promise.all(
    master.layout.kubernetes.leaves.map(async (pair) => {
      const existing = certificateAt(master, pair.cert);
      const authority = signerOf(existing, pair.cert);
      if (!authority) return [];
      const renewed = await reissueCertificate(existing, authority.signer, { validityMs });
      return [certWrite(pair.cert, renewed.certPem), keyWrite(pair.key, renewed.keyPem)];
    }),
  );
  writes.files.push(...leaves.flat());

  for (const user of master.inspection.kubeconfigs) {
    const what = `the client certificate of user ${user.user} in ${user.path}`;
    if (!user.hasEmbeddedKey) continue;
    const existing = parseCertificates(user.certificatePem, what)[0]!;
    const authority = signerOf(existing, what);
    if (!authority) continue;
    const renewed = await reissueCertificate(existing, authority.signer, { validityMs });
    const write: KubeconfigWrite = { path: user.path, user: user.user, certificatePem: renewed.certPem, keyPem: renewed.keyPem };
    if (authority.extended) write.caPem = authority.signer.certPem;
    writes.kubeconfigs.push(write);
    const component = KUBECONFIG_COMPONENTS[user.path.split('/').pop() ?? ''];
    if (component) writes.components.push(component);
  }
  writes.components.sort((a, b) => RESTART_ORDER.indexOf(a) - RESTART_ORDER.indexOf(b));
  return writes;
}
