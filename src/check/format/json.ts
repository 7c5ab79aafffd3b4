import { isHealthy, type CheckReport } from '../report.js';

/**
 * Formats the report as JSON. Scripts rely on `certificates[]` with `path`,
 * `subject`, `issuer`, `notAfter` (ISO 8601), `daysLeft` and `isCA`.
 */
export function formatJson(report: CheckReport): string {
  const document = {
    generatedAt: report.generatedAt,
    warnDays: report.warnDays,
    healthy: isHealthy(report) && report.unreadable.length === 0,
    certificates: report.certificates,
    unreadable: report.unreadable,
    notes: report.notes,
  };
  return JSON.stringify(document, null, 2) + '\n';
}
