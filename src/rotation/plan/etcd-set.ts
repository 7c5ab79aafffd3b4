import type { FileWrite } from '../../agent/protocol.js';
import {
  issueEtcdCertificateSet,
  parseCertificates,
  type CertificateInfo,
  type EtcdCertificateSet,
} from '../../pki/index.js';
import { InputError } from '../../errors.js';
import { certWrite, fingerprint, keyWrite, mergeWrites } from '../material.js';
import type { MasterLayout } from '../layout.js';
import type { MasterState, PlanInput } from './context.js';

/**
 * Issues the new etcd set. The server certificate keeps every name the
 * current one carries (the member IPs, 127.0.0.1 and localhost are always in).
 */
export async function issueNewEtcdSet(input: PlanInput): Promise<EtcdCertificateSet> {
  const coordinator = input.masters.find((m) => m.name === input.coordinator) ?? input.masters[0]!;
  const members = coordinator.inspection.topology.etcd.members;
  const extra = { dnsNames: [] as string[], ipAddresses: [] as string[] };
  for (const master of input.masters) {
    const file = master.inspection.certificates.find((c) => c.path === master.layout.server.cert && c.exists);
    if (!file?.pem) continue;
    // A server certificate damaged by hand is what `rollback` writes over: its names
    // are the members' (always in) and those the other masters' copies carry.
    let current: CertificateInfo;
    try {
      current = parseCertificates(file.pem, `${master.name}:${master.layout.server.cert}`)[0]!;
    } catch (error) {
      if (error instanceof InputError) continue;
      throw error;
    }
    extra.dnsNames.push(...current.dnsNames);
    extra.ipAddresses.push(...current.ipAddresses);
  }
  return issueEtcdCertificateSet({ members, extraServerSans: extra, validityMs: input.validityMs });
}

/**
 * Every etcd file of one master in the final state: the new CAs alone with
 * their keys, the new server, client and peer pairs, and kube-apiserver's
 * copies of the CA and client pair.
 */
export function finalEtcdWrites(layout: MasterLayout, set: EtcdCertificateSet): FileWrite[] {
  const writes: FileWrite[] = [
    certWrite(layout.clientCa.cert, set.ca.certPem),
    certWrite(layout.peerCa.cert, set.peerCa.certPem),
    certWrite(layout.server.cert, set.server.certPem),
    keyWrite(layout.server.key, set.server.keyPem),
  ];
  if (layout.clientCa.key) writes.push(keyWrite(layout.clientCa.key, set.ca.keyPem));
  if (layout.peerCa.key) writes.push(keyWrite(layout.peerCa.key, set.peerCa.keyPem));
  if (layout.serverAsClient) {
    writes.push(certWrite(layout.serverAsClient.cert, set.server.certPem));
    writes.push(keyWrite(layout.serverAsClient.key, set.server.keyPem));
  }
  if (layout.client) {
    writes.push(certWrite(layout.client.cert, set.client.certPem), keyWrite(layout.client.key, set.client.keyPem));
  }
  for (const [name, pair] of Object.entries(layout.peers)) {
    const issued = set.peers[name];
    if (!issued) continue;
    writes.push(certWrite(pair.cert, issued.certPem), keyWrite(pair.key, issued.keyPem));
  }
  return mergeWrites(writes);
}

/** kube-apiserver's etcd files in the final state: the new CA alone and the new client pair. */
export function finalApiserverWrites(layout: MasterLayout, set: EtcdCertificateSet): FileWrite[] {
  if (!layout.apiserver) return [];
  return mergeWrites([
    certWrite(layout.apiserver.ca, set.ca.certPem),
    certWrite(layout.apiserver.client.cert, set.client.certPem),
    keyWrite(layout.apiserver.client.key, set.client.keyPem),
  ]);
}

/** Every path a run may write on a master, for its backup. */
export function backupPaths(master: MasterState, extra: string[]): string[] {
  const { layout } = master;
  const paths = [
    layout.clientCa.cert, layout.clientCa.key, layout.peerCa.cert, layout.peerCa.key,
    layout.server.cert, layout.server.key,
    layout.serverAsClient?.cert, layout.serverAsClient?.key,
    layout.client?.cert, layout.client?.key,
    layout.apiserver?.ca, layout.apiserver?.client.cert, layout.apiserver?.client.key,
    ...Object.values(layout.peers).flatMap((p) => [p.cert, p.key]),
    ...layout.kubernetes.cas,
    ...layout.kubernetes.leaves.flatMap((p) => [p.cert, p.key]),
    ...master.inspection.kubeconfigs.map((k) => k.path),
    ...extra,
  ];
  return [...new Set(paths.filter((p): p is string => p !== undefined))];
}

/** The certificates a member serves at the end of the run. */
export function finalExpectation(m: MasterState, set: EtcdCertificateSet): { client: string; peer?: string } {
  const peer = set.peers[m.name];
  return peer
    ? { client: fingerprint(set.server.certPem), peer: fingerprint(peer.certPem) }
    : { client: fingerprint(set.server.certPem) };
}
