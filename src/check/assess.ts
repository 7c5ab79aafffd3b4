import type { KeyObject } from 'node:crypto';
import {
  findIssuer,
  keyMatchesCertificate,
  parseCertificates,
  parsePrivateKey,
  type CertificateInfo,
} from '../pki/index.js';
import { OperatorError } from '../errors.js';
import type { CertificateSource } from './sources.js';
import type { CertificateReport, CertificateStatus, CheckReport, UnreadableFile } from './report.js';

const DAY_MS = 24 * 60 * 60 * 1000;

interface Parsed {
  source: CertificateSource;
  certificates: CertificateInfo[];
  key?: KeyObject;
  keyProblem?: string;
}

/**
 * Judges every certificate: time left against `warnDays`, key match, and
 * which of the CA certificates found alongside it signed it.
 */
export function assessCertificates(
  sources: CertificateSource[],
  options: { warnDays: number; now: Date },
): Pick<CheckReport, 'certificates' | 'unreadable'> {
  const unreadable: UnreadableFile[] = [];
  const parsed = sources.flatMap((source) => {
    try {
      return [parseSource(source)];
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      unreadable.push({ path: source.path, message: error.message });
      return [];
    }
  });

  const authorities = parsed.flatMap((p) =>
    p.certificates.filter((c) => c.isCA).map((certificate) => ({ certificate, path: p.source.path })),
  );

  const certificates = parsed.flatMap((p) =>
    p.certificates.map((certificate, i) =>
      assessOne(p, certificate, i, authorities, options),
    ),
  );
  return { certificates, unreadable };
}

function parseSource(source: CertificateSource): Parsed {
  const certificates = parseCertificates(source.pem, describe(source));
  const parsed: Parsed = { source, certificates };
  if (source.keyPem !== undefined && source.keyPath !== undefined) {
    try {
      parsed.key = parsePrivateKey(source.keyPem, describeKey(source));
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      parsed.keyProblem = error.message;
    }
  }
  return parsed;
}

function assessOne(
  parsed: Parsed,
  certificate: CertificateInfo,
  index: number,
  authorities: { certificate: CertificateInfo; path: string }[],
  options: { warnDays: number; now: Date },
): CertificateReport {
  const { source } = parsed;
  const problems: string[] = [];
  const daysLeft = Math.floor((certificate.notAfter.getTime() - options.now.getTime()) / DAY_MS);

  let status: CertificateStatus = 'ok';
  const worsen = (to: CertificateStatus, problem: string) => {
    problems.push(problem);
    if (rank(to) > rank(status)) status = to;
  };

  if (certificate.notAfter <= options.now) worsen('expired', 'expired');
  else if (daysLeft < options.warnDays) worsen('warning', `expires in ${daysLeft} days`);
  if (certificate.notBefore > options.now) worsen('invalid', 'not valid yet');

  const issuer = findIssuer(certificate, authorities.map((a) => a.certificate));
  const chainsTo = issuer && authorities.find((a) => a.certificate === issuer)?.path;
  if (!chainsTo) worsen('invalid', 'signed by no CA certificate found on this master');

  let keyMatches: boolean | undefined;
  if (parsed.key && index === 0) {
    keyMatches = keyMatchesCertificate(certificate, parsed.key);
    if (!keyMatches) worsen('invalid', `private key ${source.keyPath} does not match`);
  } else if (parsed.keyProblem && index === 0) {
    worsen('invalid', parsed.keyProblem);
  }

  const report: CertificateReport = {
    path: source.path,
    kind: source.kind,
    subject: certificate.subject,
    issuer: certificate.issuer,
    serialNumber: certificate.serialNumber,
    dnsNames: certificate.dnsNames,
    ipAddresses: certificate.ipAddresses,
    notBefore: certificate.notBefore.toISOString(),
    notAfter: certificate.notAfter.toISOString(),
    daysLeft,
    isCA: certificate.isCA,
    status,
    problems,
  };
  if (source.user !== undefined) report.user = source.user;
  if (parsed.certificates.length > 1) {
    report.index = index + 1;
    report.bundleSize = parsed.certificates.length;
  }
  if (source.keyPath !== undefined && index === 0) report.keyPath = source.keyPath;
  if (keyMatches !== undefined) report.keyMatches = keyMatches;
  if (chainsTo) report.chainsTo = chainsTo;
  return report;
}

function rank(status: CertificateStatus): number {
  return ['ok', 'warning', 'expired', 'invalid'].indexOf(status);
}

function describe(source: CertificateSource): string {
  return source.kind === 'kubeconfig' ? `${source.path} (user ${source.user})` : source.path;
}

function describeKey(source: CertificateSource): string {
  return source.kind === 'kubeconfig' ? `${source.path} (key of user ${source.user})` : `${source.keyPath}`;
}
