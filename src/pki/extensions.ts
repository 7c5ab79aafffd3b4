/**
 * Reading the X.509 v3 extensions of a certificate. Node's X509Certificate
 * does not expose key usage bits or key identifiers, so they are decoded here
 * from the DER.
 */

import { type Asn1, Class, Type, bytesOf, bytesToIp, childrenOf, fromDer, readOid } from './der.js';
import { ExtKeyUsageOid, ExtensionOid, KEY_USAGE_BITS, type KeyUsage, nameOfOid } from './oids.js';

/** One extension as it appears in the certificate, for copying it unchanged. */
export interface RawExtension {
  oid: string;
  critical: boolean;
  /** The DER inside extnValue. */
  value: Buffer;
  /** The whole Extension node. */
  node: Asn1;
}

/** The extensions of a certificate, decoded where this code understands them. */
export interface DecodedExtensions {
  /** basicConstraints cA; false when the extension is absent. */
  isCA: boolean;
  pathLength: number | undefined;
  keyUsage: KeyUsage[];
  /** Names from `ExtKeyUsageOid` (serverAuth, clientAuth, ...) or dotted OIDs. */
  extKeyUsage: string[];
  dnsNames: string[];
  ipAddresses: string[];
  /** Lower-case hex, when the extension is present. */
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  all: RawExtension[];
}

const SAN_DNS = 2;
const SAN_IP = 7;

/** Decodes the `[3] Extensions` node of a TBSCertificate; undefined means none. */
export function decodeExtensions(node: Asn1 | undefined): DecodedExtensions {
  const list = node === undefined ? undefined : childrenOf(node)[0];
  const all = list === undefined ? [] : childrenOf(list).map(readRaw);
  const find = (dotted: string) => all.find((e) => e.oid === dotted);
  const decoded: DecodedExtensions = {
    isCA: false,
    pathLength: undefined,
    keyUsage: [],
    extKeyUsage: [],
    dnsNames: [],
    ipAddresses: [],
    subjectKeyId: undefined,
    authorityKeyId: undefined,
    all,
  };

  const basic = find(ExtensionOid.basicConstraints);
  if (basic) {
    for (const child of childrenOf(fromDer(basic.value))) {
      if (child.type === Type.BOOLEAN) decoded.isCA = bytesOf(child)[0] !== 0;
      if (child.type === Type.INTEGER)
        decoded.pathLength = Number(`0x${bytesOf(child).toString('hex')}`);
    }
  }

  const usage = find(ExtensionOid.keyUsage);
  if (usage) decoded.keyUsage = readKeyUsage(bytesOf(fromDer(usage.value)));

  const extended = find(ExtensionOid.extKeyUsage);
  if (extended) {
    decoded.extKeyUsage = childrenOf(fromDer(extended.value)).map((o) =>
      nameOfOid(ExtKeyUsageOid, readOid(o)),
    );
  }

  const san = find(ExtensionOid.subjectAltName);
  for (const name of san ? childrenOf(fromDer(san.value)) : []) {
    if (name.tagClass !== Class.CONTEXT_SPECIFIC) continue;
    if (name.type === SAN_DNS) decoded.dnsNames.push(bytesOf(name).toString('latin1'));
    if (name.type === SAN_IP) decoded.ipAddresses.push(bytesToIp(bytesOf(name)));
  }

  const ski = find(ExtensionOid.subjectKeyIdentifier);
  if (ski) decoded.subjectKeyId = bytesOf(fromDer(ski.value)).toString('hex');

  const aki = find(ExtensionOid.authorityKeyIdentifier);
  const keyId =
    aki &&
    childrenOf(fromDer(aki.value)).find(
      (n) => n.tagClass === Class.CONTEXT_SPECIFIC && n.type === 0,
    );
  if (keyId) decoded.authorityKeyId = bytesOf(keyId).toString('hex');

  return decoded;
}

function readRaw(node: Asn1): RawExtension {
  const children = childrenOf(node);
  const [id, second, third] = children;
  if (id === undefined || second === undefined) throw new TypeError('truncated extension');
  const critical = second.type === Type.BOOLEAN && bytesOf(second)[0] !== 0;
  const octets = second.type === Type.BOOLEAN ? third : second;
  if (octets === undefined) throw new TypeError('extension without a value');
  return { oid: readOid(id), critical, value: bytesOf(octets), node };
}

function readKeyUsage(bitString: Buffer): KeyUsage[] {
  const bits = bitString.subarray(1);
  return KEY_USAGE_BITS.filter((_, i) => ((bits[i >> 3] ?? 0) & (0x80 >> (i & 7))) !== 0);
}
