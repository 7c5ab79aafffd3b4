import { restoreFromBackup } from '../../rotation/restore.js';
import { rotate } from '../../rotation/coordinator.js';
import { stringFlag } from '../args.js';
import type { Command } from '../command.js';
import { RUN_FLAGS, RUN_FLAGS_HELP, runOptions } from '../run-options.js';

export const rollbackCommand: Command = {
  name: 'rollback',
  summary: 'return a broken cluster to a working state (new set, or a backup)',
  help: `Usage: etcd-rotate rollback [--from-backup RUN-ID] [--yes] [--dry-run] [flags]

Without --from-backup: issues a fresh, consistent etcd set (new CAs), writes it on
every master, restarts all etcd members together (downtime: trust is assumed
broken) and restarts the control plane. Takes over an unfinished run.
With --from-backup RUN-ID: restores the files that run archived on every master,
byte for byte, and restarts etcd and the control plane. "etcd-rotate backups"
lists the runs.

  --from-backup ID    restore the archive of run ID instead of issuing a new set
${RUN_FLAGS_HELP}

Ends with "etcd CA and certs have successfully rotated!" and exit 0.`,
  flags: { ...RUN_FLAGS, strings: [...(RUN_FLAGS.strings ?? []), 'from-backup'] },

  async run(args, io) {
    const options = await runOptions(args, io, 'etcd-rotate rollback');
    const runId = stringFlag(args, 'from-backup');
    return runId ? restoreFromBackup(options, runId) : rotate(options, 'reset');
  },
};
