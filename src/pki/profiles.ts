/**
 * The certificates an ACK dedicated master's etcd uses, as profiles: the two
 * CAs, the server and client pairs shared by all members, and one peer pair
 * per member. All keys of a set are generated in parallel first.
 */

import type { KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import type { Member } from '../cluster/types.js';
import { UsageError } from '../errors.js';
import type { SubjectAltNames } from './extension-builders.js';
import { type CertificateProfile, type IssuedPair, issueCertificate, readSigner } from './issue.js';
import { exportPrivateKeyPem, generateRsaKey, parsePrivateKey } from './keys.js';
import type { NameAttribute } from './names.js';
import type { KeyUsage } from './oids.js';
import { validityWindow } from './validity.js';

const CA_USAGE: KeyUsage[] = ['digitalSignature', 'keyCertSign', 'cRLSign'];
const LEAF_USAGE: KeyUsage[] = ['digitalSignature', 'keyEncipherment'];

/** Options of `issueCertificateAuthority`. */
export interface CertificateAuthorityOptions {
  commonName: string;
  organization?: string;
  validityMs: number;
  /** Keep this key (PEM) instead of generating one; it is returned unchanged. */
  keyPem?: string;
  /** Where `keyPem` came from, for messages. */
  keySource?: string;
}

/**
 * Issues a self-signed CA: CA:TRUE, keyCertSign, cRLSign, digitalSignature.
 * With `keyPem`, the CA keeps its key, so certificates the old CA signed
 * still verify against the new one.
 *
 * NB. The subject and key identifier are rebuilt from the options; to keep an
 * existing CA's exact subject encoding and SKI, use `reissueCertificate`.
 */
export async function issueCertificateAuthority(
  options: CertificateAuthorityOptions,
): Promise<IssuedPair> {
  const source = options.keySource ?? `the key for CA "${options.commonName}"`;
  const key =
    options.keyPem === undefined ? await generateRsaKey() : parsePrivateKey(options.keyPem, source);
  const subject: NameAttribute[] = [
    ...(options.organization ? [{ type: 'O', value: options.organization }] : []),
    { type: 'CN', value: options.commonName },
  ];
  const profile: CertificateProfile = { subject, isCA: true, keyUsage: CA_USAGE, extKeyUsage: [] };

  const certPem = issueCertificate(
    profile,
    { key, source },
    undefined,
    validityWindow(options.validityMs),
  );
  return { certPem, keyPem: options.keyPem ?? exportPrivateKeyPem(key) };
}

/** Options of `issueEtcdCertificateSet`. */
export interface EtcdCertificateSetOptions {
  members: Member[];
  /** Names the current server certificate carries beyond the members' IPs, to keep them. */
  extraServerSans?: SubjectAltNames;
  validityMs: number;
  /** Sign the leaves with these existing CAs instead of issuing new ones. */
  ca?: IssuedPair;
  peerCa?: IssuedPair;
}

/** The etcd certificates of a cluster, keyed like the files in /var/lib/etcd/cert. */
export interface EtcdCertificateSet {
  /** `ca.pem`, CN "CA": signs server and client. */
  ca: IssuedPair;
  /** `peer-ca.pem`, CN "Peer-CA": signs the peer pairs. */
  peerCa: IssuedPair;
  /** `etcd-server.pem`: serverAuth and clientAuth (etcd 3.4's gateway dials with it). */
  server: IssuedPair;
  /** `etcd-client.pem`: clientAuth, used by kube-apiserver. */
  client: IssuedPair;
  /** `<IP>-name-<N>.pem` by member name: serverAuth and clientAuth, SAN the member's IP. */
  peers: Record<string, IssuedPair>;
}

/**
 * Issues the complete etcd set for `members`, or only the leaves when `ca`
 * and `peerCa` are given. The server certificate names every member, the
 * loopback address, `localhost` and `extraServerSans`.
 */
export async function issueEtcdCertificateSet(
  options: EtcdCertificateSetOptions,
): Promise<EtcdCertificateSet> {
  const { members, validityMs } = options;
  checkMembers(members);
  const window = validityWindow(validityMs);

  const serverNames = altNames([...members.map((m) => m.ip), '127.0.0.1', 'localhost']);
  const extra = options.extraServerSans ?? { dnsNames: [], ipAddresses: [] };
  const leaves = [
    leaf('etcd-server', ['serverAuth', 'clientAuth'], {
      dnsNames: unique([...serverNames.dnsNames, ...extra.dnsNames]),
      ipAddresses: unique([...serverNames.ipAddresses, ...extra.ipAddresses]),
    }),
    leaf('etcd-client', ['clientAuth'], undefined),
    ...members.map((m) => leaf(m.name, ['serverAuth', 'clientAuth'], altNames([m.ip]))),
  ];

  // Every key at once: RSA key generation dominates, and the threadpool runs it on all cores.
  const [ca, peerCa, keys] = await Promise.all([
    options.ca ?? issueCertificateAuthority({ commonName: 'CA', validityMs }),
    options.peerCa ?? issueCertificateAuthority({ commonName: 'Peer-CA', validityMs }),
    Promise.all(leaves.map(() => generateRsaKey())),
  ]);
  const caSigner = readSigner({ ...ca, source: ca.source ?? 'the etcd CA' });
  const peerSigner = readSigner({ ...peerCa, source: peerCa.source ?? 'the etcd peer CA' });

  const [server, client, ...peers] = leaves.map((profile, i): IssuedPair => {
    const key = keys[i] as KeyObject;
    const signer = i < 2 ? caSigner : peerSigner;
    const certPem = issueCertificate(profile, { key, source: 'a new key' }, signer, window);
    return { certPem, keyPem: exportPrivateKeyPem(key) };
  });
  if (server === undefined || client === undefined)
    throw new TypeError('missing server or client pair');

  const peersByName = Object.fromEntries(members.map((m, i) => [m.name, peers[i] as IssuedPair]));
  return { ca, peerCa, server, client, peers: peersByName };
}

function leaf(
  commonName: string,
  extKeyUsage: string[],
  names: SubjectAltNames | undefined,
): CertificateProfile {
  const profile: CertificateProfile = {
    subject: [{ type: 'CN', value: commonName }],
    isCA: false,
    keyUsage: LEAF_USAGE,
    extKeyUsage,
  };
  return names ? { ...profile, altNames: names } : profile;
}

/** Splits host names from IP addresses: a member "IP" that is a host name becomes a DNS SAN. */
function altNames(hosts: string[]): SubjectAltNames {
  return {
    dnsNames: unique(hosts.filter((h) => isIP(h) === 0)),
    ipAddresses: unique(hosts.filter((h) => isIP(h) !== 0)),
  };
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}

function checkMembers(members: Member[]): void {
  if (members.length === 0)
    throw new UsageError('cannot issue etcd certificates: no members given');
  const names = members.map((m) => m.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate !== undefined) {
    throw new UsageError(
      `cannot issue etcd certificates: member name "${duplicate}" appears twice`,
    );
  }
}
