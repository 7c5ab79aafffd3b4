/**
 * Certificate profiles and validity windows shared by the etcd and Kubernetes
 * sets: one call issues a key, its CSR and the signed certificate.
 */
import type { KeySource } from './key-pool.js';
import { createCsr, signCertificate, type Issuer } from './openssl.js';

const DAY_MS = 86_400_000;

/** How long each kind of certificate is valid, in days. */
export interface SimValidity {
  /** etcd CA and peer CA; default 18 250 (the installer's 438000h). */
  etcdCaDays: number;
  /** etcd server, client and peer certificates; default 18 250. */
  etcdLeafDays: number;
  /** Kubernetes CA and front-proxy CA; default 3650 (kubeadm). */
  kubeCaDays: number;
  /** Kubernetes leaves and kubeconfig client certificates; default 365 (kubeadm). */
  kubeLeafDays: number;
}

/** The defaults: the vendor's etcd installer and kubeadm. */
export const DEFAULT_VALIDITY: SimValidity = {
  etcdCaDays: 18_250,
  etcdLeafDays: 18_250,
  kubeCaDays: 3650,
  kubeLeafDays: 365,
};

/** Which certificates are made already expired: none, the leaves, or everything. */
export type ExpiredMode = 'none' | 'leaves' | 'all';

/** A notBefore/notAfter pair. */
export interface Window {
  notBefore: Date;
  notAfter: Date;
}

/**
 * The window of a certificate issued now: backdated five minutes (as cfssl
 * does, against clock skew), or, when expired, valid from 400 days ago to yesterday.
 */
export function validityWindow(days: number, expired: boolean, now = new Date()): Window {
  if (expired) {
    return {
      notBefore: new Date(now.getTime() - 400 * DAY_MS),
      notAfter: new Date(now.getTime() - DAY_MS),
    };
  }
  return {
    notBefore: new Date(now.getTime() - 5 * 60_000),
    notAfter: new Date(now.getTime() + days * DAY_MS),
  };
}

/** Extensions of a CA certificate. */
export const CA_EXTENSIONS = [
  'basicConstraints = critical,CA:TRUE',
  'keyUsage = critical,digitalSignature,keyEncipherment,keyCertSign,cRLSign',
  'subjectKeyIdentifier = hash',
];

/** Extensions of a leaf with the given extended key usages and subject alternative names. */
export function leafExtensions(
  usages: ('serverAuth' | 'clientAuth')[],
  sans: { ips?: string[]; dns?: string[] } = {},
): string[] {
  const alt = [
    ...(sans.dns ?? []).map((d) => `DNS:${d}`),
    ...(sans.ips ?? []).map((i) => `IP:${i}`),
  ];
  return [
    'basicConstraints = critical,CA:FALSE',
    'keyUsage = critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage = ${usages.join(',')}`,
    'subjectKeyIdentifier = hash',
    'authorityKeyIdentifier = keyid',
    ...(alt.length > 0 ? [`subjectAltName = ${alt.join(',')}`] : []),
  ];
}

/** Where one issued pair goes, and what it says. */
export interface PairSpec {
  certPath: string;
  keyPath: string;
  csrPath: string;
  /** openssl form, for example `/O=system:masters/CN=kubernetes-admin`. */
  subject: string;
  issuer: Issuer;
  extensions: string[];
  window: Window;
}

/** Writes the key (from `keys`), the CSR and the certificate of `spec`. */
export async function issuePair(spec: PairSpec, keys: KeySource): Promise<void> {
  await keys.writeKey(spec.keyPath);
  await createCsr(spec.keyPath, spec.subject, spec.csrPath);
  await signCertificate({
    csrPath: spec.csrPath,
    keyPath: spec.keyPath,
    outPath: spec.certPath,
    issuer: spec.issuer,
    extensions: spec.extensions,
    ...spec.window,
  });
}
