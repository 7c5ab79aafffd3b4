/**
 * Re-signing a certificate under another (or the same) CA while keeping its
 * public key: only the certificate file changes, so a member reading the pair
 * while it is replaced can never see a certificate that does not match its key.
 */

import { authorityKeyIdentifier } from './extension-builders.js';
import type { CertificateInfo } from './inspect.js';
import { type IssuedPair, readSigner, signerKeyId } from './issue.js';
import { ExtensionOid } from './oids.js';
import { randomSerialNumber, signCertificate } from './sign.js';
import { validityWindow } from './validity.js';

/**
 * Issues a copy of `existing` for the same public key, signed by `signer`:
 * subject, SANs, usages and subject key identifier kept; serial, dates and
 * authority key identifier new. Returns the certificate PEM; no key is made.
 */
export function resignCertificate(
  existing: CertificateInfo,
  signer: IssuedPair,
  options: { validityMs: number },
): string {
  const ca = readSigner(signer);
  const kept = existing.raw.extensions
    .filter((e) => e.oid !== ExtensionOid.authorityKeyIdentifier)
    .map((e) => e.node);

  return signCertificate(
    {
      serialNumber: randomSerialNumber(),
      ...validityWindow(options.validityMs),
      subject: existing.raw.subject,
      issuer: ca.cert.raw.subject,
      publicKey: existing.raw.publicKey,
      extensions: [...kept, authorityKeyIdentifier(signerKeyId(ca.cert))],
    },
    ca,
  );
}
