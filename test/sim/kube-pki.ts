/**
 * The Kubernetes side as kubeadm leaves it: CAs and the service-account key
 * shared by all masters, and per-master leaves and kubeconfig client
 * certificates (`.crt`/`.key`, kubeadm's naming).
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CA_EXTENSIONS, issuePair, leafExtensions, validityWindow,
  type ExpiredMode, type PairSpec, type SimValidity,
} from './certs.js';
import type { KeySource } from './key-pool.js';
import type { MasterFacts } from './layout.js';
import { writePublicKey } from './openssl.js';
import { mapLimit } from './run.js';

/** The kubeconfig files kubeadm writes, and the identity each one carries. */
export const KUBECONFIG_SUBJECTS: Record<string, (m: MasterFacts) => string> = {
  admin: () => '/O=system:masters/CN=kubernetes-admin',
  'controller-manager': () => '/CN=system:kube-controller-manager',
  scheduler: () => '/CN=system:kube-scheduler',
  kubelet: (m) => `/O=system:nodes/CN=system:node:${m.hostname}`,
};

/** The first address of the default service CIDR, a SAN of every apiserver. */
export const KUBERNETES_SERVICE_IP = '10.96.0.1';

/** Writes `ca`, `front-proxy-ca` and `sa.key`/`sa.pub` into `sharedDir`. */
export async function issueKubeCas(
  sharedDir: string,
  validity: SimValidity,
  expired: ExpiredMode,
  keys: KeySource,
): Promise<void> {
  await mkdir(sharedDir, { recursive: true });
  const window = validityWindow(validity.kubeCaDays, expired === 'all');
  await Promise.all([
    ...[['ca', 'kubernetes'], ['front-proxy-ca', 'front-proxy-ca']].map(([base, cn]) =>
      issuePair({
        ...kubeFiles(sharedDir, base as string),
        subject: `/CN=${cn}`,
        issuer: { kind: 'self' },
        extensions: CA_EXTENSIONS,
        window,
      }, keys),
    ),
    keys.writeKey(join(sharedDir, 'sa.key')).then(() =>
      writePublicKey(join(sharedDir, 'sa.key'), join(sharedDir, 'sa.pub')),
    ),
  ]);
}

/**
 * Writes master `m`'s leaves into `outDir`: `apiserver`,
 * `apiserver-kubelet-client`, `front-proxy-client`, and `<kubeconfig>-client`
 * for each entry of KUBECONFIG_SUBJECTS.
 */
export async function issueKubeLeaves(
  outDir: string,
  sharedDir: string,
  m: MasterFacts,
  validity: SimValidity,
  expired: ExpiredMode,
  keys: KeySource,
): Promise<void> {
  await mkdir(outDir, { recursive: true });
  const ca = { kind: 'ca' as const, ...caFiles(sharedDir, 'ca') };
  const frontProxyCa = { kind: 'ca' as const, ...caFiles(sharedDir, 'front-proxy-ca') };
  const window = validityWindow(validity.kubeLeafDays, expired !== 'none');

  const specs: PairSpec[] = [
    {
      ...kubeFiles(outDir, 'apiserver'),
      subject: '/CN=kube-apiserver',
      issuer: ca,
      extensions: leafExtensions(['serverAuth'], {
        dns: [
          m.hostname, 'kubernetes', 'kubernetes.default', 'kubernetes.default.svc',
          'kubernetes.default.svc.cluster.local',
        ],
        ips: [KUBERNETES_SERVICE_IP, m.ip, '127.0.0.1'],
      }),
      window,
    },
    {
      ...kubeFiles(outDir, 'apiserver-kubelet-client'),
      subject: '/O=system:masters/CN=kube-apiserver-kubelet-client',
      issuer: ca,
      extensions: leafExtensions(['clientAuth']),
      window,
    },
    {
      ...kubeFiles(outDir, 'front-proxy-client'),
      subject: '/CN=front-proxy-client',
      issuer: frontProxyCa,
      extensions: leafExtensions(['clientAuth']),
      window,
    },
    ...Object.entries(KUBECONFIG_SUBJECTS).map(([conf, subject]) => ({
      ...kubeFiles(outDir, `${conf}-client`),
      subject: subject(m),
      issuer: ca,
      extensions: leafExtensions(['clientAuth']),
      window,
    })),
  ];
  await mapLimit(specs, 4, (spec) => issuePair(spec, keys));
}

function kubeFiles(dir: string, base: string): Pick<PairSpec, 'certPath' | 'keyPath' | 'csrPath'> {
  return {
    certPath: join(dir, `${base}.crt`),
    keyPath: join(dir, `${base}.key`),
    csrPath: join(dir, `${base}.csr`),
  };
}

function caFiles(dir: string, base: string): { certPath: string; keyPath: string } {
  return { certPath: join(dir, `${base}.crt`), keyPath: join(dir, `${base}.key`) };
}
