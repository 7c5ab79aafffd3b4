import { resume, rotate } from '../../rotation/coordinator.js';
import { booleanFlag } from '../args.js';
import type { Command } from '../command.js';
import { RUN_FLAGS, RUN_FLAGS_HELP, runOptions } from '../run-options.js';

export const rotateCommand: Command = {
  name: 'rotate',
  summary: 'renew the etcd CAs and certificates and the control-plane certificates on every master',
  help: `Usage: etcd-rotate rotate [--yes] [--dry-run] [--resume] [--expired] [flags]

Run on any master. Discovers every master from the local etcd unit, checks that
each one is reachable (over SSH, or through Cloud Assistant with
--transport cloud-assistant) and that the cluster is healthy, prints the plan,
and on confirmation rotates: new etcd CA and peer CA, new server, client and peer
certificates, kube-apiserver's etcd files, and the Kubernetes leaf certificates
and kubeconfigs re-issued by the existing Kubernetes CAs. While the certificates
are valid, etcd keeps quorum throughout (one member restarted at a time). Expired
certificates are detected and recovered first. Every master archives the files
it changes under /var/lib/etcd-rotate/backups/<run-id>/ first.

  --resume            continue the unfinished run from the step it stopped in
  --expired           treat the cluster as expired even if it does not look it
${RUN_FLAGS_HELP}

Ends with "etcd CA and certs have successfully rotated!" and exit 0.
Exit status: 1 the run failed (resume or roll back), 2 usage or input error,
3 preflight refused (nothing changed), 4 interrupted (resume).`,
  flags: { ...RUN_FLAGS, booleans: [...(RUN_FLAGS.booleans ?? []), 'resume', 'expired'] },

  async run(args, io) {
    const options = await runOptions(args, io, 'etcd-rotate rotate');
    return booleanFlag(args, 'resume') ? resume(options) : rotate(options);
  },
};
