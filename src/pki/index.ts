/**
 * The PKI core: reading certificates and keys, checking who signed what, and
 * issuing the etcd and Kubernetes certificates of an ACK master. Pure: PEM in,
 * PEM out; nothing here touches the disk.
 */

export { findIssuer, isSelfSigned, verifiesSignature } from './chain.js';
export type { SubjectAltNames } from './extension-builders.js';
export { type CertificateInfo, parseCertificate, parseCertificates } from './inspect.js';
export { type IssuedPair, type Signer, readSigner } from './issue.js';
export {
  RSA_KEY_BITS,
  exportPrivateKeyPem,
  keyMatchesCertificate,
  parsePrivateKey,
  prefetchRsaKeys,
} from './keys.js';
export type { KeyUsage } from './oids.js';
export {
  type CertificateAuthorityOptions,
  type EtcdCertificateSet,
  type EtcdCertificateSetOptions,
  issueCertificateAuthority,
  issueEtcdCertificateSet,
} from './profiles.js';
export { type ReissueOptions, reissueCertificate } from './reissue.js';
export { resignCertificate } from './resign.js';
export { CLOCK_SKEW_MS, DEFAULT_VALIDITY, parseValidity } from './validity.js';
