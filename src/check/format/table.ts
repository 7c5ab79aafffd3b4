import { displayPath, isHealthy, type CheckReport, type CertificateReport } from '../report.js';

const HEADERS = ['CERTIFICATE', 'SUBJECT', 'EXPIRES', 'RESIDUAL', 'CA', 'KEY', 'SIGNED BY', 'STATUS'];

/**
 * Formats the report as an aligned table in the spirit of
 * `kubeadm certs check-expiration`, with one line per problem below it.
 */
export function formatTable(report: CheckReport): string {
  const rows = report.certificates.map((c) => [
    displayPath(c),
    c.subject,
    formatDate(c.notAfter),
    formatResidual(c.daysLeft),
    c.isCA ? 'yes' : 'no',
    c.keyMatches === undefined ? '-' : c.keyMatches ? 'ok' : 'MISMATCH',
    signedBy(c),
    c.status.toUpperCase(),
  ]);

  const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  ');

  const lines = [line(HEADERS), ...rows.map(line)];
  const problems = report.certificates.flatMap((c) =>
    c.problems.map((p) => `${c.status.toUpperCase()}: ${displayPath(c)}: ${p}`),
  );
  const unreadable = report.unreadable.map((u) => `UNREADABLE: ${u.message}`);
  const notes = report.notes.map((n) => `NOTE: ${n}`);

  lines.push('', summary(report), ...problems, ...unreadable, ...notes);
  return lines.join('\n') + '\n';
}

function summary(report: CheckReport): string {
  const count = report.certificates.length;
  const bad = report.certificates.filter((c) => c.status !== 'ok').length;
  if (isHealthy(report) && report.unreadable.length === 0) {
    return `${count} certificates checked; all valid for more than ${report.warnDays} days.`;
  }
  return `${count} certificates checked; ${bad} need attention, ${report.unreadable.length} unreadable.`;
}

function signedBy(c: CertificateReport): string {
  if (!c.chainsTo) return 'UNKNOWN CA';
  return c.chainsTo === c.path && c.subject === c.issuer ? 'self' : c.chainsTo;
}

/** `Nov 23, 2075 08:00 UTC`, as kubeadm prints dates. */
export function formatDate(iso: string): string {
  const d = new Date(iso);
  const month = d.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${month} ${pad(d.getUTCDate())}, ${d.getUTCFullYear()} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())} UTC`;
}

/** Time left as kubeadm shows it: `49y`, `364d`, or `<invalid>` once expired. */
export function formatResidual(daysLeft: number): string {
  if (daysLeft < 0) return '<invalid>';
  if (daysLeft >= 365) return `${Math.floor(daysLeft / 365)}y`;
  return `${daysLeft}d`;
}
