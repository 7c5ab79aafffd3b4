import { hostname } from 'node:os';
import path from 'node:path';
import { discoverTopology, listHostDirectory, readHostFile, type Topology } from '../cluster/index.js';
import { readKubeconfigCredentials } from '../check/kubeconfig.js';
import { InputError } from '../errors.js';
import { freeBytes, listBackups, readFileState, readRunLock, STATE_DIR } from '../host/index.js';
import { parsePrivateKey } from '../pki/index.js';
import type { FileSnapshot, Inspection, KubeconfigUserSnapshot } from './protocol.js';

const KUBERNETES_DIR = '/etc/kubernetes';
const KUBERNETES_PKI = '/etc/kubernetes/pki';

/**
 * What this master runs with: its topology, every certificate the run may
 * touch (contents included; they are public), which key files exist (never
 * their contents), the kubeconfig client certificates, free disk and the lock.
 */
export async function inspectMaster(root: string, containerized: boolean): Promise<Inspection> {
  const topology = await discoverTopology({ root });
  const certPaths = new Set<string>();
  const keyPaths = new Set<string>();

  for (const dir of etcdDirs(topology)) {
    for (const name of await listNames(root, dir)) {
      if (!name.endsWith('.pem')) continue;
      (name.endsWith('-key.pem') ? keyPaths : certPaths).add(path.posix.join(dir, name));
    }
  }
  for (const name of await listNames(root, KUBERNETES_PKI)) {
    if (name.endsWith('.crt')) certPaths.add(path.posix.join(KUBERNETES_PKI, name));
    if (name.endsWith('.key')) keyPaths.add(path.posix.join(KUBERNETES_PKI, name));
  }
  const { tls } = topology.etcd;
  for (const p of [tls.certFile, tls.trustedCaFile, tls.peerCertFile, tls.peerTrustedCaFile, tls.clientCertFile]) {
    if (p) certPaths.add(p);
  }
  for (const p of [tls.keyFile, tls.peerKeyFile, tls.clientKeyFile]) if (p) keyPaths.add(p);
  if (topology.apiserver) {
    certPaths.add(topology.apiserver.caFile).add(topology.apiserver.certFile);
    keyPaths.add(topology.apiserver.keyFile);
  }

  const inspection: Inspection = {
    hostname: hostname(),
    containerized,
    topology,
    certificates: await Promise.all([...certPaths].sort().map((p) => snapshot(root, p, true))),
    keys: await Promise.all([...keyPaths].sort().map((p) => snapshot(root, p, false))),
    kubeconfigs: await kubeconfigUsers(root),
    freeBytes: await freeBytes(root, STATE_DIR).catch(() => freeBytes(root, '/')),
    backups: (await listBackups(root)).map((b) => b.runId),
  };
  const lock = await readRunLock(root);
  if (lock) inspection.lock = lock;
  return inspection;
}

function etcdDirs(topology: Topology): string[] {
  const { tls } = topology.etcd;
  const files = [tls.certFile, tls.trustedCaFile, tls.peerCertFile, tls.peerTrustedCaFile];
  if (topology.apiserver) files.push(topology.apiserver.caFile);
  return [...new Set(files.map((f) => path.posix.dirname(f)))];
}

async function snapshot(root: string, file: string, withContent: boolean): Promise<FileSnapshot> {
  const state = await readFileState(root, file);
  if (!state.exists) return { path: file, exists: false };
  const result: FileSnapshot = {
    path: file, exists: true, mode: state.mode, uid: state.uid, gid: state.gid, sha256: state.sha256,
  };
  if (withContent) {
    const pem = await readHostFile(root, file, 'certificate file');
    if (pem !== undefined) result.pem = pem;
  } else {
    const unreadable = await keyProblem(root, file);
    if (unreadable !== undefined) result.unreadable = unreadable;
  }
  return result;
}

/** Why the key at `file` does not parse, or undefined when it does; the key stays on this master. */
async function keyProblem(root: string, file: string): Promise<string | undefined> {
  try {
    const text = await readHostFile(root, file, 'key file');
    if (text !== undefined) parsePrivateKey(text, file);
    return undefined;
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return error.message.replace(`cannot read private key ${file}: `, '');
  }
}

async function kubeconfigUsers(root: string): Promise<KubeconfigUserSnapshot[]> {
  const names = (await listNames(root, KUBERNETES_DIR)).filter((n) => n.endsWith('.conf'));
  const users: KubeconfigUserSnapshot[] = [];
  for (const name of names) {
    const file = path.posix.join(KUBERNETES_DIR, name);
    for (const source of await readKubeconfigCredentials(root, file)) {
      users.push({
        path: file,
        user: source.user ?? '',
        certificatePem: source.pem,
        hasEmbeddedKey: source.keyPath === file,
      });
    }
  }
  return users;
}

function listNames(root: string, dir: string): Promise<string[]> {
  return listHostDirectory(root, dir, 'certificate directory');
}
