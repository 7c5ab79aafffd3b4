/** Health of one certificate, worst last. */
export type CertificateStatus = 'ok' | 'warning' | 'expired' | 'invalid';

/** One certificate as `check` reports it. */
export interface CertificateReport {
  path: string;
  /** Position in a bundle, 1-based, when the file holds several certificates. */
  index?: number;
  bundleSize?: number;
  kind: 'file' | 'kubeconfig';
  user?: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  dnsNames: string[];
  ipAddresses: string[];
  notBefore: string;
  notAfter: string;
  daysLeft: number;
  isCA: boolean;
  keyPath?: string;
  /** Whether the private key matches; undefined when no key was found. */
  keyMatches?: boolean;
  /** Path of the CA that signed it (its own path when self-signed). */
  chainsTo?: string;
  status: CertificateStatus;
  problems: string[];
}

/** A file that could not be read or parsed. */
export interface UnreadableFile {
  path: string;
  message: string;
}

/** Everything `check` found on one master. */
export interface CheckReport {
  generatedAt: string;
  warnDays: number;
  certificates: CertificateReport[];
  unreadable: UnreadableFile[];
  /** Notes about how the search went (for example discovery fell back to defaults). */
  notes: string[];
}

/** True when nothing expires within the warning window and everything chains. */
export function isHealthy(report: CheckReport): boolean {
  return report.certificates.every((c) => c.status === 'ok');
}

/** The label the table and metrics use for a certificate. */
export function displayPath(report: CertificateReport): string {
  let label = report.path;
  if (report.kind === 'kubeconfig' && report.user) label += ` (user ${report.user})`;
  if (report.index !== undefined) label += ` [${report.index}/${report.bundleSize}]`;
  return label;
}
