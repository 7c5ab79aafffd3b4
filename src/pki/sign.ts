/**
 * Assembling and signing certificates. node-forge encodes the structure;
 * Node's crypto signs it (RSA PKCS#1 v1.5 or ECDSA), which is both faster
 * than forge's JavaScript RSA and works for EC CA keys that forge cannot use.
 */

import { type KeyObject, X509Certificate, randomBytes, sign } from 'node:crypto';
import { InputError } from '../errors.js';
import {
  type Asn1,
  Class,
  Type,
  constructed,
  fromDer,
  oid,
  primitive,
  sequence,
  timeNode,
  toDer,
} from './der.js';
import { SignatureOid } from './oids.js';
import { toPem } from './pem.js';

/** Everything that goes into a certificate except its signature. */
export interface CertificateTemplate {
  serialNumber: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** DER Names; the issuer must be the signer's subject byte for byte (Go compares bytes). */
  subject: Buffer;
  issuer: Buffer;
  /** DER SubjectPublicKeyInfo of the certified key. */
  publicKey: Buffer;
  extensions: Asn1[];
}

/** The key that signs, and the file it came from (for messages). */
export interface SigningKey {
  key: KeyObject;
  source: string;
}

/** A random positive 16-byte serial number whose first byte is not zero (RFC 5280 4.1.2.2). */
export function randomSerialNumber(): Buffer {
  const serial = randomBytes(16);
  serial[0] = (serial[0] ?? 0) & 0x7f || 0x01;
  return serial;
}

/**
 * Signs `template` with `signer` and returns the certificate as PEM. RSA keys
 * sign with SHA-256; EC keys with the digest matching their curve. Throws an
 * InputError for other key types.
 */
export function signCertificate(template: CertificateTemplate, signer: SigningKey): string {
  const algorithm = signatureAlgorithm(signer);
  const tbs = sequence([
    constructed(Class.CONTEXT_SPECIFIC, 0, [
      primitive(Class.UNIVERSAL, Type.INTEGER, Buffer.from([2])),
    ]),
    primitive(Class.UNIVERSAL, Type.INTEGER, template.serialNumber),
    algorithm.identifier,
    fromDer(template.issuer),
    sequence([timeNode(template.notBefore), timeNode(template.notAfter)]),
    fromDer(template.subject),
    fromDer(template.publicKey),
    constructed(Class.CONTEXT_SPECIFIC, 3, [sequence(template.extensions)]),
  ]);

  const tbsDer = toDer(tbs);
  const signature = sign(algorithm.digest, tbsDer, signer.key);
  const bitString = primitive(
    Class.UNIVERSAL,
    Type.BITSTRING,
    Buffer.concat([Buffer.from([0]), signature]),
  );
  const der = toDer(sequence([tbs, algorithm.identifier, bitString]));

  // Cheap insurance against an encoding slip: OpenSSL must read back what was signed.
  new X509Certificate(der);
  return toPem('CERTIFICATE', der);
}

const EC_DIGESTS: Record<string, [string, string]> = {
  prime256v1: ['sha256', SignatureOid.ecdsaWithSha256],
  secp384r1: ['sha384', SignatureOid.ecdsaWithSha384],
  secp521r1: ['sha512', SignatureOid.ecdsaWithSha512],
};

function signatureAlgorithm({ key, source }: SigningKey): { digest: string; identifier: Asn1 } {
  if (key.asymmetricKeyType === 'rsa') {
    const nullParameters = primitive(Class.UNIVERSAL, Type.NULL, Buffer.alloc(0));
    return {
      digest: 'sha256',
      identifier: sequence([oid(SignatureOid.sha256WithRSAEncryption), nullParameters]),
    };
  }

  const curve = key.asymmetricKeyDetails?.namedCurve ?? '';
  const ec = key.asymmetricKeyType === 'ec' ? EC_DIGESTS[curve] : undefined;
  if (ec === undefined) {
    const type = key.asymmetricKeyType === 'ec' ? `EC (${curve})` : key.asymmetricKeyType;
    throw new InputError(`cannot sign with the CA key ${source}: it is a ${type} key`, {
      remedy: 'signing is supported with RSA keys and EC keys on P-256, P-384 or P-521',
    });
  }
  // RFC 5758: ECDSA algorithm identifiers carry no parameters.
  return { digest: ec[0], identifier: sequence([oid(ec[1])]) };
}
