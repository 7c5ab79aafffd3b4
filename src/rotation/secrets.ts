import { readHostFile } from '../cluster/index.js';
import { InputError } from '../errors.js';
import { keyMatchesCertificate, parseCertificates, parsePrivateKey, type IssuedPair } from '../pki/index.js';
import type { MasterLayout } from './layout.js';
import type { LocalSecrets } from './plan/index.js';

const KUBERNETES_CAS = ['/etc/kubernetes/pki/ca.crt', '/etc/kubernetes/pki/front-proxy-ca.crt'];

/**
 * Reads the private keys the plan needs from the coordinator's own master:
 * the client pair to talk to etcd with, the etcd CA pairs and the Kubernetes
 * CA pairs. Keys stay in memory and in the run's private state folder.
 */
export async function readLocalSecrets(root: string, layout: MasterLayout): Promise<LocalSecrets> {
  const client = await readClientPair(root, layout);
  const secrets: LocalSecrets = { client, kubernetesCas: [] };

  const clientCa = await readCaPair(root, layout.clientCa.cert, layout.clientCa.key);
  const peerCa = await readCaPair(root, layout.peerCa.cert, layout.peerCa.key);
  if (clientCa) secrets.clientCa = clientCa;
  if (peerCa) secrets.peerCa = peerCa;

  for (const cert of KUBERNETES_CAS) {
    const pair = await readCaPair(root, cert, cert.replace(/\.crt$/, '.key'));
    if (pair) secrets.kubernetesCas.push({ ...pair, path: cert });
  }
  return secrets;
}

async function readClientPair(root: string, layout: MasterLayout): Promise<{ certPem: string; keyPem: string }> {
  const candidates = [layout.apiserver?.client, layout.client, layout.server].filter((p) => p !== undefined);
  for (const pair of candidates) {
    const certPem = await readText(root, pair.cert);
    const keyPem = await readText(root, pair.key);
    if (certPem && keyPem) return { certPem, keyPem };
  }
  throw new InputError('no etcd client certificate with its key found on this master', {
    remedy: 'the tool talks to etcd with kube-apiserver\'s etcd client pair, etcd-client.pem or the server pair; restore one of them',
  });
}

/** A CA certificate with its key; the certificate of a bundle that the key belongs to. */
async function readCaPair(root: string, certPath: string, keyPath: string | undefined): Promise<IssuedPair | undefined> {
  if (!keyPath) return undefined;
  const [certText, keyPem] = [await readText(root, certPath), await readText(root, keyPath)];
  if (!certText || !keyPem) return undefined;
  const key = parsePrivateKey(keyPem, keyPath);
  const cert = parseCertificates(certText, certPath).find((c) => keyMatchesCertificate(c, key));
  if (!cert) return undefined;
  return { certPem: cert.pem, keyPem, source: certPath };
}

function readText(root: string, file: string): Promise<string | undefined> {
  return readHostFile(root, file, 'certificate or key file');
}
