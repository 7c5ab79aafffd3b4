/**
 * Building the X.509 v3 extensions of new certificates as ASN.1 nodes.
 */

import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import {
  type Asn1,
  Class,
  Type,
  bytesOf,
  childrenOf,
  fromDer,
  ipToBytes,
  oid,
  primitive,
  sequence,
  toDer,
} from './der.js';
import { ExtKeyUsageOid, ExtensionOid, KEY_USAGE_BITS, type KeyUsage } from './oids.js';

/** DNS names and IP addresses for a subjectAltName extension. */
export interface SubjectAltNames {
  dnsNames: string[];
  ipAddresses: string[];
}

/** An Extension node: extnID, critical (only when true, as DER requires), extnValue. */
export function extensionNode(dotted: string, critical: boolean, value: Asn1): Asn1 {
  const flag = critical ? [primitive(Class.UNIVERSAL, Type.BOOLEAN, Buffer.from([0xff]))] : [];
  return sequence([
    oid(dotted),
    ...flag,
    primitive(Class.UNIVERSAL, Type.OCTETSTRING, toDer(value)),
  ]);
}

/** basicConstraints, critical; CA:TRUE without a path length for CAs, CA:FALSE for leaves. */
export function basicConstraints(isCA: boolean): Asn1 {
  const flag = isCA ? [primitive(Class.UNIVERSAL, Type.BOOLEAN, Buffer.from([0xff]))] : [];
  return extensionNode(ExtensionOid.basicConstraints, true, sequence(flag));
}

/** keyUsage, critical, as a DER BIT STRING without trailing zero bits. */
export function keyUsage(usages: KeyUsage[]): Asn1 {
  if (usages.length === 0) throw new TypeError('keyUsage needs at least one usage');
  const positions = usages.map((u) => KEY_USAGE_BITS.indexOf(u));
  const length = Math.max(...positions) + 1;
  const bytes = Buffer.alloc(Math.ceil(length / 8) + 1);
  bytes[0] = (bytes.length - 1) * 8 - length;
  for (const p of positions) bytes[1 + (p >> 3)] = (bytes[1 + (p >> 3)] ?? 0) | (0x80 >> (p & 7));
  return extensionNode(
    ExtensionOid.keyUsage,
    true,
    primitive(Class.UNIVERSAL, Type.BITSTRING, bytes),
  );
}

/** extKeyUsage, not critical, from names in `ExtKeyUsageOid`. */
export function extKeyUsage(names: string[]): Asn1 {
  return extensionNode(
    ExtensionOid.extKeyUsage,
    false,
    sequence(names.map((n) => oid(ExtKeyUsageOid[n] ?? n))),
  );
}

/** subjectAltName, not critical (subjects are never empty here). Throws UsageError for a bad IP. */
export function subjectAltName(names: SubjectAltNames): Asn1 {
  const dns = names.dnsNames.map((name) =>
    primitive(Class.CONTEXT_SPECIFIC, 2, Buffer.from(name, 'latin1')),
  );
  const ips = names.ipAddresses.map((ip) => {
    const bytes = ipToBytes(ip);
    if (bytes === undefined)
      throw new UsageError(
        `invalid IP address "${ip}" for a subjectAltName: expected IPv4 or IPv6`,
      );
    return primitive(Class.CONTEXT_SPECIFIC, 7, bytes);
  });
  return extensionNode(ExtensionOid.subjectAltName, false, sequence([...dns, ...ips]));
}

/** subjectKeyIdentifier, not critical. */
export function subjectKeyIdentifier(keyId: Buffer): Asn1 {
  return extensionNode(
    ExtensionOid.subjectKeyIdentifier,
    false,
    primitive(Class.UNIVERSAL, Type.OCTETSTRING, keyId),
  );
}

/** authorityKeyIdentifier with the issuer's key identifier only, not critical. */
export function authorityKeyIdentifier(keyId: Buffer): Asn1 {
  const value = sequence([primitive(Class.CONTEXT_SPECIFIC, 0, keyId)]);
  return extensionNode(ExtensionOid.authorityKeyIdentifier, false, value);
}

/**
 * The key identifier of a DER SubjectPublicKeyInfo: the SHA-1 of its
 * subjectPublicKey bits, RFC 5280 section 4.2.1.2 method (1), as OpenSSL and
 * cfssl compute it.
 */
export function keyIdentifier(spki: Buffer): Buffer {
  const [, bits] = childrenOf(fromDer(spki));
  if (bits === undefined) throw new TypeError('SubjectPublicKeyInfo without a key');
  return createHash('sha1').update(bytesOf(bits).subarray(1)).digest();
}
