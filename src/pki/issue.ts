/**
 * Issuing one certificate from a profile: the step every profile in
 * `profiles.ts` and `reissue.ts` shares once keys exist.
 */

import type { KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import {
  type SubjectAltNames,
  authorityKeyIdentifier,
  basicConstraints,
  extKeyUsage,
  keyIdentifier,
  keyUsage,
  subjectAltName,
  subjectKeyIdentifier,
} from './extension-builders.js';
import { type CertificateInfo, parseCertificate } from './inspect.js';
import { keyMatchesCertificate, parsePrivateKey, publicKeyDer } from './keys.js';
import { type NameAttribute, buildName } from './names.js';
import type { KeyUsage } from './oids.js';
import { type SigningKey, randomSerialNumber, signCertificate } from './sign.js';
import { toDer } from './der.js';

/**
 * A certificate and its private key, both PEM. New RSA keys are PKCS#1
 * (`RSA PRIVATE KEY`), the form the ACK installer's cfssl and kubeadm write;
 * a key passed in is returned as given.
 */
export interface IssuedPair {
  certPem: string;
  keyPem: string;
  /** Where the pair was read from, for messages (e.g. `/var/lib/etcd/cert/ca.pem`). */
  source?: string;
}

/** What a new certificate says about its subject. */
export interface CertificateProfile {
  /** In DER order; put CN last so it prints first (`CN=etcd-server, O=etcd`). */
  subject: NameAttribute[];
  isCA: boolean;
  keyUsage: KeyUsage[];
  extKeyUsage: string[];
  altNames?: SubjectAltNames;
}

/** A CA ready to sign: its certificate, its key and where they came from. */
export interface Signer {
  cert: CertificateInfo;
  key: KeyObject;
  source: string;
}

/** The notBefore/notAfter of a new certificate, from `validityWindow`. */
export interface ValidityWindow {
  notBefore: Date;
  notAfter: Date;
}

/**
 * Reads a CA pair for signing. Throws an InputError when either PEM is
 * unreadable, the key does not belong to the certificate, or the
 * certificate is not a CA (basicConstraints CA:TRUE).
 */
export function readSigner(pair: IssuedPair): Signer {
  const source = pair.source ?? 'the signing CA';
  const cert = parseCertificate(pair.certPem, source);
  const key = parsePrivateKey(pair.keyPem, `${source} (key)`);
  if (!keyMatchesCertificate(cert, key)) {
    throw new InputError(
      `cannot sign with ${source}: the private key does not belong to the CA certificate ${cert.subject}`,
      {
        remedy: 'pass the key file that was issued with this CA certificate',
      },
    );
  }
  if (!cert.isCA) {
    throw new InputError(
      `cannot sign with ${source}: ${cert.subject} is not a CA certificate (basicConstraints CA:TRUE missing)`,
      {
        remedy: 'pass the CA certificate and key, not a leaf',
      },
    );
  }
  return { cert, key, source };
}

/**
 * Issues a certificate for `subjectKey` according to `profile`, signed by
 * `signer`, or self-signed when `signer` is undefined. Returns the PEM.
 */
export function issueCertificate(
  profile: CertificateProfile,
  subjectKey: SigningKey,
  signer: Signer | undefined,
  window: ValidityWindow,
): string {
  const publicKey = publicKeyDer(subjectKey.key);
  const subject = toDer(buildName(profile.subject));
  const ownKeyId = keyIdentifier(publicKey);
  const issuerKeyId = signer ? signerKeyId(signer.cert) : ownKeyId;

  const extensions = [
    basicConstraints(profile.isCA),
    keyUsage(profile.keyUsage),
    ...(profile.extKeyUsage.length > 0 ? [extKeyUsage(profile.extKeyUsage)] : []),
    subjectKeyIdentifier(ownKeyId),
    authorityKeyIdentifier(issuerKeyId),
    ...(profile.altNames ? [subjectAltName(profile.altNames)] : []),
  ];

  return signCertificate(
    {
      serialNumber: randomSerialNumber(),
      ...window,
      subject,
      issuer: signer ? signer.cert.raw.subject : subject,
      publicKey,
      extensions,
    },
    signer ?? subjectKey,
  );
}

/** The key identifier a certificate signed by `ca` names: the CA's own SKI when it has one. */
export function signerKeyId(ca: CertificateInfo): Buffer {
  return ca.subjectKeyId ? Buffer.from(ca.subjectKeyId, 'hex') : keyIdentifier(ca.raw.publicKey);
}
