/**
 * Re-issuing an existing certificate: same subject and extensions, new serial
 * and dates, a new key unless one is given. Used to renew leaves under an
 * existing CA and to extend a CA while keeping its key.
 */

import type { KeyObject } from 'node:crypto';
import {
  authorityKeyIdentifier,
  keyIdentifier,
  subjectKeyIdentifier,
} from './extension-builders.js';
import type { CertificateInfo } from './inspect.js';
import { type IssuedPair, readSigner, signerKeyId } from './issue.js';
import { exportPrivateKeyPem, generateRsaKey, parsePrivateKey, publicKeyDer } from './keys.js';
import { ExtensionOid } from './oids.js';
import { randomSerialNumber, signCertificate } from './sign.js';
import { validityWindow } from './validity.js';

/** Options of `reissueCertificate`. */
export interface ReissueOptions {
  validityMs: number;
  /** Keep this key (PEM), e.g. a Kubernetes leaf's; it is returned unchanged. */
  keyPem?: string;
  /** Where `keyPem` came from, for messages. */
  keySource?: string;
}

const KEY_IDS: string[] = [ExtensionOid.subjectKeyIdentifier, ExtensionOid.authorityKeyIdentifier];

/**
 * Issues a copy of `existing` signed by `signer`: the subject bytes and every
 * extension are kept (SANs, key usages, basic constraints, ...), the serial
 * and dates are new, and the authority key identifier names the signer.
 * The subject key identifier is kept when the key is, so certificates signed
 * by an old CA still chain to its re-issued copy. To extend a self-signed CA,
 * pass the CA itself as `signer` and its key as `keyPem`.
 *
 * NB. A new key is RSA 2048 whatever the old key was; pass `keyPem` to keep
 * an EC key.
 */
export async function reissueCertificate(
  existing: CertificateInfo,
  signer: IssuedPair,
  options: ReissueOptions,
): Promise<IssuedPair> {
  const ca = readSigner(signer);
  const key: KeyObject =
    options.keyPem === undefined
      ? await generateRsaKey()
      : parsePrivateKey(options.keyPem, options.keySource ?? `the key for ${existing.source}`);
  const publicKey = publicKeyDer(key);

  const sameKey = publicKey.equals(existing.x509.publicKey.export({ format: 'der', type: 'spki' }));
  const ownKeyId =
    sameKey && existing.subjectKeyId
      ? Buffer.from(existing.subjectKeyId, 'hex')
      : keyIdentifier(publicKey);
  const kept = existing.raw.extensions.filter((e) => !KEY_IDS.includes(e.oid)).map((e) => e.node);
  const extensions = [
    ...kept,
    subjectKeyIdentifier(ownKeyId),
    authorityKeyIdentifier(signerKeyId(ca.cert)),
  ];

  const certPem = signCertificate(
    {
      serialNumber: randomSerialNumber(),
      ...validityWindow(options.validityMs),
      subject: existing.raw.subject,
      issuer: ca.cert.raw.subject,
      publicKey,
      extensions,
    },
    ca,
  );
  return { certPem, keyPem: options.keyPem ?? exportPrivateKeyPem(key) };
}
