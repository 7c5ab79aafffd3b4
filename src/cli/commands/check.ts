import { ExitCode } from '../../errors.js';
import { formatJson, formatPrometheus, formatTable, isHealthy, runCheck } from '../../check/index.js';
import { choiceFlag, integerFlag, stringFlag } from '../args.js';
import { ROOT_HELP, type Command } from '../command.js';

const FORMATS = ['table', 'json', 'prometheus'] as const;

export const checkCommand: Command = {
  name: 'check',
  summary: 'report every certificate of this master and when it expires',
  help: `Usage: etcd-rotate check [--output table|json|prometheus] [--warn-days N] [--root DIR]

Reports every certificate in the etcd certificate directory (read from the etcd
unit), /etc/kubernetes/pki/etcd, /etc/kubernetes/pki and the client certificates
embedded in /etc/kubernetes/*.conf: subject, issuer, SANs, expiry, time left,
whether it is a CA, whether its key matches and which CA signed it. Changes nothing.

  --output FORMAT     table (default), json, or prometheus (node-exporter textfile)
  --warn-days N       warn about certificates expiring within N days (default 60)
${ROOT_HELP}

Exit status: 0 all healthy; 1 something expires within --warn-days, has expired,
does not match its key or chains to no CA found; 2 usage or read errors.`,
  flags: { strings: ['root', 'output', 'warn-days'], defaults: { root: '/' } },

  async run(args, io) {
    const output = choiceFlag(args, 'output', FORMATS) ?? 'table';
    const warnDays = integerFlag(args, 'warn-days', { min: 0, max: 36500 }) ?? 60;
    const root = stringFlag(args, 'root') ?? '/';

    const report = await runCheck({ root, warnDays });

    const format = { table: formatTable, json: formatJson, prometheus: formatPrometheus }[output];
    io.stdout.write(format(report));
    if (output !== 'table') {
      for (const file of report.unreadable) io.stderr.write(`etcd-rotate: ${file.message}\n`);
    }

    if (report.unreadable.length > 0) return ExitCode.usage;
    return isHealthy(report) ? ExitCode.ok : ExitCode.unhealthy;
  },
};
