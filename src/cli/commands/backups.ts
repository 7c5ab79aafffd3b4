import { listBackups } from '../../host/index.js';
import { ExitCode } from '../../errors.js';
import { choiceFlag, stringFlag } from '../args.js';
import { ROOT_HELP, type Command } from '../command.js';

export const backupsCommand: Command = {
  name: 'backups',
  summary: 'list the backups earlier runs left on this master',
  help: `Usage: etcd-rotate backups [--output text|json] [--root DIR]

Lists /var/lib/etcd-rotate/backups/<run-id>/ newest first: when, how many files,
their size, and whether an etcd snapshot is included. Restore one on every master
with "etcd-rotate rollback --from-backup <run-id>".

  --output FORMAT     text (default) or json
${ROOT_HELP}`,
  flags: { strings: ['root', 'output'], defaults: { root: '/' } },

  async run(args, io) {
    const output = choiceFlag(args, 'output', ['text', 'json'] as const) ?? 'text';
    const backups = await listBackups(stringFlag(args, 'root') ?? '/');
    if (output === 'json') {
      io.stdout.write(JSON.stringify(backups, null, 2) + '\n');
      return ExitCode.ok;
    }
    if (backups.length === 0) {
      io.stdout.write('no backups on this master\n');
      return ExitCode.ok;
    }
    io.stdout.write('RUN ID                 CREATED                   FILES  BYTES      SNAPSHOT\n');
    for (const b of backups) {
      io.stdout.write(
        `${b.runId.padEnd(22)} ${b.createdAt.padEnd(25)} ${String(b.files).padStart(5)}  ${String(b.bytes).padEnd(10)} ${b.hasSnapshot ? 'yes' : 'no'}\n`,
      );
    }
    return ExitCode.ok;
  },
};
