/**
 * Who signed what: finding a certificate's issuer among candidates and
 * recognising self-signed certificates, by name and by signature.
 */

import type { CertificateInfo } from './inspect.js';

/**
 * The first candidate whose subject is `cert`'s issuer and whose public key
 * verifies `cert`'s signature, or undefined. Key identifiers are not required
 * to match, so a CA re-issued with the same key is still found.
 */
export function findIssuer(
  cert: CertificateInfo,
  candidates: CertificateInfo[],
): CertificateInfo | undefined {
  return candidates.find(
    (candidate) => namesMatch(cert, candidate) && verifiesSignature(cert, candidate),
  );
}

/** Whether `cert` names itself as issuer and its own key verifies its signature. */
export function isSelfSigned(cert: CertificateInfo): boolean {
  return namesMatch(cert, cert) && verifiesSignature(cert, cert);
}

/** Whether `issuer`'s public key verifies the signature on `cert`. */
export function verifiesSignature(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  return cert.x509.verify(issuer.x509.publicKey);
}

function namesMatch(cert: CertificateInfo, issuer: CertificateInfo): boolean {
  return cert.raw.issuer.equals(issuer.raw.subject) || cert.issuer === issuer.subject;
}
