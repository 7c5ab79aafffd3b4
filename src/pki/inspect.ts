/**
 * Reading certificates: PEM files and bundles in, `CertificateInfo` out. Node's
 * X509Certificate parses (RSA and EC alike) and verifies; the fields it does
 * not expose are decoded from the DER.
 */

import { X509Certificate } from 'node:crypto';
import { type Asn1, Class, bytesOf, childrenOf, fromDer, readTime, toDer } from './der.js';
import { type DecodedExtensions, type RawExtension, decodeExtensions } from './extensions.js';
import { type DistinguishedName, findAttribute, formatName, readName } from './names.js';
import type { KeyUsage } from './oids.js';
import { damaged, describeLabels, splitPem, toPem } from './pem.js';
import { InputError } from '../errors.js';

/** Everything the tool needs to know about one certificate. */
export interface CertificateInfo {
  /** The file it was read from, and its 1-based position there. */
  source: string;
  index: number;
  pem: string;
  der: Buffer;
  /** One line, most specific first: `CN=etcd-server, O=etcd`. */
  subject: string;
  subjectCommonName: string | undefined;
  issuer: string;
  /** Lower-case hex without a sign byte or separators. */
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  isCA: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  keyUsage: KeyUsage[];
  /** serverAuth, clientAuth, ... (dotted OID for unnamed ones). */
  extKeyUsage: string[];
  /** Lower-case hex, when the extension is present. */
  subjectKeyId: string | undefined;
  authorityKeyId: string | undefined;
  publicKeyAlgorithm: 'rsa' | 'ec' | (string & {});
  /** Colon-separated upper-case hex, as Node and OpenSSL print it. */
  fingerprint256: string;
  x509: X509Certificate;
  /** Parsed names and the raw parts that re-issuing copies byte for byte. */
  subjectName: DistinguishedName;
  raw: { subject: Buffer; issuer: Buffer; publicKey: Buffer; extensions: RawExtension[] };
}

/**
 * Reads every CERTIFICATE block of a PEM file or bundle, in file order.
 * Throws an InputError naming `source` when there is none or one is damaged.
 */
export function parseCertificates(text: string | Buffer, source: string): CertificateInfo[] {
  const blocks = splitPem(text, source, 'certificate');
  const certificates = blocks.filter((b) => b.label === 'CERTIFICATE');
  if (certificates.length === 0) {
    throw new InputError(
      `cannot read certificate ${source}: it holds ${describeLabels(blocks)}, no CERTIFICATE`,
      {
        remedy: 'point to the certificate file (usually *.pem or *.crt), not the key or request',
      },
    );
  }
  return certificates.map((b) => readCertificate(b.der, source, b.index));
}

/** Reads the first certificate of a PEM file (the leaf, in a chain file). */
export function parseCertificate(text: string | Buffer, source: string): CertificateInfo {
  const [first] = parseCertificates(text, source);
  if (first === undefined) throw new TypeError('parseCertificates returned no certificate');
  return first;
}

/** Reads one DER certificate; `index` is its position in `source`. */
export function readCertificate(der: Buffer, source: string, index = 1): CertificateInfo {
  let x509: X509Certificate;
  let fields: ReturnType<typeof readTbs>;
  try {
    x509 = new X509Certificate(der);
    fields = readTbs(fromDer(der));
  } catch (error) {
    throw damaged(
      source,
      'certificate',
      `PEM block ${index} is not a valid X.509 certificate`,
      error,
    );
  }

  const { extensions } = fields;
  return {
    source,
    index,
    pem: toPem('CERTIFICATE', der),
    der,
    subject: formatName(fields.subjectName),
    subjectCommonName: findAttribute(fields.subjectName, 'CN'),
    issuer: formatName(fields.issuerName),
    serialNumber: fields.serialNumber,
    notBefore: fields.notBefore,
    notAfter: fields.notAfter,
    isCA: extensions.isCA,
    dnsNames: extensions.dnsNames,
    ipAddresses: extensions.ipAddresses,
    keyUsage: extensions.keyUsage,
    extKeyUsage: extensions.extKeyUsage,
    subjectKeyId: extensions.subjectKeyId,
    authorityKeyId: extensions.authorityKeyId,
    publicKeyAlgorithm: x509.publicKey.asymmetricKeyType ?? 'unknown',
    fingerprint256: x509.fingerprint256,
    x509,
    subjectName: fields.subjectName,
    raw: {
      subject: fields.subject,
      issuer: fields.issuer,
      publicKey: fields.publicKey,
      extensions: extensions.all,
    },
  };
}

function readTbs(certificate: Asn1) {
  const [tbs] = childrenOf(certificate);
  if (tbs === undefined) throw new TypeError('empty certificate');
  const children = childrenOf(tbs);
  const versioned = children[0]?.tagClass === Class.CONTEXT_SPECIFIC ? 1 : 0;
  const [serial, , issuer, validity, subject, publicKey] = children.slice(versioned);
  if (!serial || !issuer || !validity || !subject || !publicKey)
    throw new TypeError('truncated TBSCertificate');
  const [notBefore, notAfter] = childrenOf(validity);
  if (!notBefore || !notAfter) throw new TypeError('truncated validity');
  const extensionsNode = children.find(
    (c) => c.tagClass === Class.CONTEXT_SPECIFIC && c.type === 3,
  );
  const extensions: DecodedExtensions = decodeExtensions(extensionsNode);

  return {
    serialNumber: bytesOf(serial)
      .toString('hex')
      .replace(/^00(?=.)/, ''),
    issuer: toDer(issuer),
    issuerName: readName(issuer),
    subject: toDer(subject),
    subjectName: readName(subject),
    publicKey: toDer(publicKey),
    notBefore: readTime(notBefore),
    notAfter: readTime(notAfter),
    extensions,
  };
}
