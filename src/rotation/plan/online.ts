import type { FileWrite } from '../../agent/protocol.js';
import { resignCertificate, type EtcdCertificateSet, type IssuedPair } from '../../pki/index.js';
import { bundle, certWrite, fingerprint, mergeWrites } from '../material.js';
import type { Phase, Step } from '../types.js';
import { certificateAt, pemAt, type MasterState, type PlanInput } from './context.js';
import { finalApiserverWrites, finalEtcdWrites, finalExpectation } from './etcd-set.js';
import type { KubernetesWrites } from './kubernetes.js';
import { apiserverCredentialSteps, componentRestarts, inLane } from './control-plane.js';

/**
 * The zero-downtime CA rotation, in the order measured to keep every write
 * (see etcd-tls-facts.md): trust old and new CAs, switch the leaves to the new
 * CAs, move kube-apiserver over, then trust the new CAs only. etcd restarts
 * twice per member, one member at a time; leaf pairs change only as
 * certificate-only swaps (same key) or while the member is stopped.
 *
 * What does not depend on etcd's restarts runs beside them, in lanes of its
 * own: kube-apiserver's restarts to trust both CAs (it keeps the old client
 * pair, which every member trusts throughout), and the restarts of
 * kube-controller-manager, kube-scheduler and kubelet, which never talk to
 * etcd. One etcd member and one kube-apiserver at most are down at a time.
 */
export function planOnlinePhases(
  input: PlanInput,
  set: EtcdCertificateSet,
  kubernetes: Map<string, KubernetesWrites>,
): Phase[] {
  const { masters, validityMs } = input;

  const trustBoth: Step[] = masters.map((m) => ({
    kind: 'restart-etcd',
    lane: 'etcd',
    host: m.name,
    files: mergeWrites([
      certWrite(m.layout.clientCa.cert, bundle(pemAt(m, m.layout.clientCa.cert), set.ca.certPem)),
      certWrite(m.layout.peerCa.cert, bundle(pemAt(m, m.layout.peerCa.cert), set.peerCa.certPem)),
    ]),
    why: 'trust the old and the new etcd CAs',
  }));
  const apiserverTrustBoth: Step[] = masters.flatMap((m) => {
    if (!m.layout.apiserver) return [];
    const ca = bundle(pemAt(m, m.layout.apiserver.ca), set.ca.certPem);
    return inLane('kube-apiserver', [
      { kind: 'write', host: m.name, files: [certWrite(m.layout.apiserver.ca, ca)], why: 'kube-apiserver trusts both etcd CAs' },
      { kind: 'restart-pods', host: m.name, components: ['kube-apiserver'] },
    ]);
  });

  // Each member's swap and its check are independent of the others'.
  const interim: Step[] = masters.flatMap((m) => {
    const files = interimWrites(m, set, validityMs);
    const served = (path: string | undefined) => {
      const write = files.find((f) => f.path === path);
      return write ? fingerprint(decode(write)) : undefined;
    };
    const expect = compact({ client: served(m.layout.server.cert), peer: served(m.layout.peers[m.name]?.cert) });
    return inLane(m.name, [
      { kind: 'write', host: m.name, files, why: 'leaves signed by the new CAs, same keys' },
      { kind: 'verify-served', host: m.name, expect },
    ]);
  });

  const apiserverNew = apiserverCredentialSteps(input, kubernetes, (m) => finalApiserverWrites(m.layout, set));

  const trustNew: Step[] = masters.map((m) => ({
    kind: 'restart-etcd',
    lane: 'etcd',
    host: m.name,
    files: finalEtcdWrites(m.layout, set),
    expect: finalExpectation(m, set),
    why: 'trust only the new CAs; new keys for every leaf',
  }));

  const components = inLane('control-plane', componentRestarts(input, kubernetes));
  return [
    {
      name: 'trust-both',
      title: 'etcd and kube-apiserver trust the old and new CAs',
      identity: 'current',
      steps: [...trustBoth, ...apiserverTrustBoth],
    },
    { name: 'switch-leaves', title: 'members serve certificates of the new CAs', identity: 'current', steps: interim },
    { name: 'control-plane', title: 'kube-apiserver moves to the new credentials', identity: 'current', steps: apiserverNew },
    {
      name: 'trust-new',
      title: 'etcd trusts only the new CAs; the other control-plane components restart on their renewed certificates',
      identity: 'new',
      steps: [...trustNew, ...components],
    },
  ];
}

/**
 * Certificates re-signed by the new CAs for the keys already on the master:
 * certificate-only swaps that etcd picks up on the next handshake.
 */
function interimWrites(m: MasterState, set: EtcdCertificateSet, validityMs: number): FileWrite[] {
  const resign = (path: string, signer: IssuedPair) =>
    certWrite(path, resignCertificate(certificateAt(m, path), signer, { validityMs }));

  const writes = [resign(m.layout.server.cert, set.ca)];
  if (m.layout.serverAsClient) writes.push(resign(m.layout.serverAsClient.cert, set.ca));
  for (const pair of Object.values(m.layout.peers)) writes.push(resign(pair.cert, set.peerCa));
  return mergeWrites(writes);
}

/**
 * Leaves re-signed by the CAs they already chain to, for the keys already on
 * the master: brings a cluster whose leaves expired back without a restart.
 */
export function recoveryWrites(m: MasterState, ca: IssuedPair, peerCa: IssuedPair, validityMs: number): FileWrite[] {
  const resign = (path: string, signer: IssuedPair) =>
    certWrite(path, resignCertificate(certificateAt(m, path), signer, { validityMs }));
  const writes = [resign(m.layout.server.cert, ca)];
  if (m.layout.serverAsClient) writes.push(resign(m.layout.serverAsClient.cert, ca));
  if (m.layout.client) writes.push(resign(m.layout.client.cert, ca));
  if (m.layout.apiserver) writes.push(resign(m.layout.apiserver.client.cert, ca));
  for (const pair of Object.values(m.layout.peers)) writes.push(resign(pair.cert, peerCa));
  return mergeWrites(writes);
}

function compact(expect: { client?: string | undefined; peer?: string | undefined }): { client?: string; peer?: string } {
  const result: { client?: string; peer?: string } = {};
  if (expect.client) result.client = expect.client;
  if (expect.peer) result.peer = expect.peer;
  return result;
}

function decode(write: FileWrite): string {
  return Buffer.from(write.contentBase64, 'base64').toString();
}
