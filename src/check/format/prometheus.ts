import type { CheckReport, CertificateReport } from '../report.js';

/**
 * Formats the report in the Prometheus text format for node-exporter's
 * textfile collector. Label sets are unique per certificate: bundles carry
 * an `index` label and kubeconfig certificates a `user` label.
 */
export function formatPrometheus(report: CheckReport): string {
  const lines: string[] = [];
  const metric = (name: string, help: string, samples: [string, number][]) => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} gauge`);
    for (const [labels, value] of samples) lines.push(`${name}${labels} ${value}`);
  };

  metric(
    'etcd_rotate_certificate_not_after_seconds',
    'Time the certificate expires (notAfter), in seconds since the Unix epoch.',
    report.certificates.map((c) => [labels(c), Math.floor(Date.parse(c.notAfter) / 1000)]),
  );
  metric(
    'etcd_rotate_certificate_healthy',
    'Whether the certificate is valid beyond the warning window, matches its key and chains to a CA found (1) or not (0).',
    report.certificates.map((c) => [labels(c), c.status === 'ok' ? 1 : 0]),
  );
  metric(
    'etcd_rotate_check_unreadable_files',
    'Number of certificate or key files the check could not read or parse.',
    [['', report.unreadable.length]],
  );
  metric(
    'etcd_rotate_check_timestamp_seconds',
    'Time of the check, in seconds since the Unix epoch.',
    [['', Math.floor(Date.parse(report.generatedAt) / 1000)]],
  );
  return lines.join('\n') + '\n';
}

function labels(c: CertificateReport): string {
  const pairs: [string, string][] = [
    ['path', c.path],
    ['subject', c.subject],
    ['ca', String(c.isCA)],
  ];
  if (c.user !== undefined) pairs.push(['user', c.user]);
  if (c.index !== undefined) pairs.push(['index', String(c.index)]);
  return `{${pairs.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}`;
}

/** Escapes a label value as the text exposition format requires. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}
