import type { FileWrite } from '../../agent/protocol.js';
import {
  findIssuer,
  parseCertificates,
  reissueCertificate,
  type CertificateInfo,
  type IssuedPair,
} from '../../pki/index.js';
import { certWrite } from '../material.js';
import type { LeafRenewal } from '../types.js';
import { certificateAt, type MasterState, type PlanInput } from './context.js';

/** What the Kubernetes part of a run writes on one master. */
export interface KubernetesWrites {
  /** CA certificates extended with their own key. */
  files: FileWrite[];
  /** Leaves and kubeconfig client certificates, issued with new keys when their step runs. */
  renew: LeafRenewal[];
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
 * Plans the renewal of the Kubernetes leaves and kubeconfig client
 * certificates of every master under the existing CAs, with the same
 * subjects, SANs and usages (issued with new keys when the step runs, as
 * kubeadm renews them). A CA certificate that would expire before the new
 * leaves is re-issued now with the same key and subject, so workers that
 * trust the old one keep working.
 */
export async function planKubernetes(
  input: PlanInput,
  warnings: string[],
): Promise<Map<string, KubernetesWrites>> {
  const result = new Map<string, KubernetesWrites>();
  if (input.skipKubernetes) return result;

  const authorities = await extendAuthorities(input);
  for (const m of input.masters) result.set(m.name, planMaster(m, authorities, warnings));
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

/**
 * The components of `master` that read one of its kubeconfigs (kube-controller-manager,
 * kube-scheduler, kubelet), in restart order: those a restore of its files must restart.
 */
export function kubeconfigComponents(master: MasterState): string[] {
  return RESTART_ORDER.filter((component) => master.inspection.kubeconfigs.some((user) => componentOf(user.path) === component));
}

/** The component that reads the kubeconfig at `path`, if any. */
function componentOf(path: string): string | undefined {
  return KUBECONFIG_COMPONENTS[path.split('/').pop() ?? ''];
}

function planMaster(master: MasterState, authorities: Authority[], warnings: string[]): KubernetesWrites {
  const writes: KubernetesWrites = { files: [], renew: [], components: [] };
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

  for (const pair of master.layout.kubernetes.leaves) {
    const existing = certificateAt(master, pair.cert);
    const authority = signerOf(existing, pair.cert);
    if (!authority) continue;
    const target = { kind: 'files' as const, cert: pair.cert, key: pair.key };
    writes.renew.push({ templatePem: existing.pem, signerPem: authority.signer.certPem, target });
  }

  for (const user of master.inspection.kubeconfigs) {
    const what = `the client certificate of user ${user.user} in ${user.path}`;
    if (!user.hasEmbeddedKey) continue;
    const existing = parseCertificates(user.certificatePem, what)[0]!;
    const authority = signerOf(existing, what);
    if (!authority) continue;
    const target: LeafRenewal['target'] = { kind: 'kubeconfig', path: user.path, user: user.user };
    if (authority.extended) target.caPem = authority.signer.certPem;
    writes.renew.push({ templatePem: existing.pem, signerPem: authority.signer.certPem, target });
    const component = componentOf(user.path);
    if (component) writes.components.push(component);
  }
  writes.components.sort((a, b) => RESTART_ORDER.indexOf(a) - RESTART_ORDER.indexOf(b));
  return writes;
}
