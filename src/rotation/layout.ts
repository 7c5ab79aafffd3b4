import path from 'node:path';
import type { Inspection } from '../agent/protocol.js';
import { keyFileOf } from '../cluster/index.js';
import type { Member } from '../cluster/types.js';
import { PreflightError } from '../errors.js';

/** A certificate file and its key file. */
export interface PairPaths {
  cert: string;
  key: string;
}

/**
 * Which file on one master plays which part, read from the flags of its etcd
 * unit and kube-apiserver manifest (never assumed).
 */
export interface MasterLayout {
  member: Member;
  /** `--trusted-ca-file` and the CA key beside it (`ca-key.pem`), when present. */
  clientCa: { cert: string; key?: string };
  /** `--peer-trusted-ca-file` and its key (`peer-ca-key.pem`), when present. */
  peerCa: { cert: string; key?: string };
  server: PairPaths;
  /** etcd 3.5 `--client-cert-file`, when set: the server's identity as a client. */
  serverAsClient?: PairPaths;
  /**
   * Every member's peer pair kept on this master, by member name (ACK keeps all).
   * The member's own pair is always listed (its unit names it, etcd needs it),
   * and another member's when either half is there: a half deleted by hand is
   * then refused by `assertFilesIntact`, and written again by `rollback`,
   * instead of being silently left out of the run.
   */
  peers: Record<string, PairPaths>;
  /** `etcd-client.pem` beside the server certificate, when present. */
  client?: PairPaths;
  apiserver?: { ca: string; client: PairPaths };
  /** Kubernetes certificates under /etc/kubernetes/pki (not the etcd copies). */
  kubernetes: { cas: string[]; leaves: PairPaths[] };
}

export const KUBERNETES_PKI = '/etc/kubernetes/pki';

/** Derives the layout of one master from what its agent reported. */
export function masterLayout(inspection: Inspection): MasterLayout {
  const { etcd, apiserver } = inspection.topology;
  const exists = (file: string) =>
    inspection.certificates.some((c) => c.path === file && c.exists) ||
    inspection.keys.some((k) => k.path === file && k.exists);

  const member = etcd.members.find((m) => m.name === etcd.localName);
  if (!member) {
    throw new PreflightError(`${inspection.hostname}: member ${etcd.localName} is not in --initial-cluster`);
  }

  const caKey = (caFile: string) => {
    const key = keyFileOf(caFile);
    return exists(key) ? key : undefined;
  };
  const peerDir = path.posix.dirname(etcd.tls.peerCertFile);
  const peers: Record<string, PairPaths> = {};
  for (const other of etcd.members) {
    const pair =
      other.name === member.name
        ? { cert: etcd.tls.peerCertFile, key: etcd.tls.peerKeyFile }
        : { cert: path.posix.join(peerDir, `${other.name}.pem`), key: path.posix.join(peerDir, `${other.name}-key.pem`) };
    if (other.name === member.name || exists(pair.cert) || exists(pair.key)) peers[other.name] = pair;
  }

  const clientCert = path.posix.join(path.posix.dirname(etcd.tls.certFile), 'etcd-client.pem');
  const layout: MasterLayout = {
    member,
    clientCa: withKey(etcd.tls.trustedCaFile, caKey(etcd.tls.trustedCaFile)),
    peerCa: withKey(etcd.tls.peerTrustedCaFile, caKey(etcd.tls.peerTrustedCaFile)),
    server: { cert: etcd.tls.certFile, key: etcd.tls.keyFile },
    peers,
    kubernetes: kubernetesFiles(inspection),
  };
  if (etcd.tls.clientCertFile && etcd.tls.clientKeyFile) {
    layout.serverAsClient = { cert: etcd.tls.clientCertFile, key: etcd.tls.clientKeyFile };
  }
  if (exists(clientCert) && exists(keyFileOf(clientCert))) {
    layout.client = { cert: clientCert, key: keyFileOf(clientCert) };
  }
  if (apiserver) {
    layout.apiserver = { ca: apiserver.caFile, client: { cert: apiserver.certFile, key: apiserver.keyFile } };
  }
  return layout;
}

function withKey(cert: string, key: string | undefined): { cert: string; key?: string } {
  return key === undefined ? { cert } : { cert, key };
}

function kubernetesFiles(inspection: Inspection): MasterLayout['kubernetes'] {
  const inPki = inspection.certificates.filter(
    (c) => c.exists && path.posix.dirname(c.path) === KUBERNETES_PKI && c.path.endsWith('.crt'),
  );
  const keys = new Set(inspection.keys.filter((k) => k.exists).map((k) => k.path));
  const cas: string[] = [];
  const leaves: PairPaths[] = [];
  for (const cert of inPki) {
    if (/(^|\/)(ca|front-proxy-ca)\.crt$/.test(cert.path)) cas.push(cert.path);
    else if (keys.has(keyFileOf(cert.path))) leaves.push({ cert: cert.path, key: keyFileOf(cert.path) });
  }
  return { cas, leaves };
}
