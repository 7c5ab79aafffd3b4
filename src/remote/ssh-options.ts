import { UsageError } from '../errors.js';

/** How to reach peers over SSH (the system OpenSSH client). */
export interface SshOptions {
  user: string;
  port: number;
  identity?: string;
  /** Extra `-o` options, for example `StrictHostKeyChecking=accept-new`. */
  options: string[];
  connectTimeoutSeconds: number;
}

export const DEFAULT_SSH_OPTIONS: SshOptions = {
  user: 'root',
  port: 22,
  options: [],
  connectTimeoutSeconds: 5,
};

/** Options an operator may not override: they keep the channel non-interactive and closed. */
const FIXED = ['BatchMode=yes', 'ForwardAgent=no', 'ForwardX11=no', 'ClearAllForwardings=yes'];

/**
 * Builds the ssh argv that runs `remoteCommand` on `host`. Host keys are
 * checked against known_hosts (StrictHostKeyChecking=yes) unless the
 * operator passes another StrictHostKeyChecking value with --ssh-option.
 */
export function buildSshArgv(host: string, remoteCommand: string, ssh: SshOptions): string[] {
  checkSshOptions(ssh);
  const overridesHostKeyCheck = ssh.options.some((o) => /^stricthostkeychecking=/i.test(o));

  const argv = ['-T', '-p', String(ssh.port), '-l', ssh.user];
  for (const option of FIXED) argv.push('-o', option);
  if (!overridesHostKeyCheck) argv.push('-o', 'StrictHostKeyChecking=yes');
  argv.push(
    '-o', `ConnectTimeout=${ssh.connectTimeoutSeconds}`,
    '-o', 'ServerAliveInterval=5',
    '-o', 'ServerAliveCountMax=3',
  );
  if (ssh.identity) argv.push('-i', ssh.identity, '-o', 'IdentitiesOnly=yes');
  for (const option of ssh.options) argv.push('-o', option);
  argv.push(host, '--', remoteCommand);
  return argv;
}

/** Refuses extra options that are malformed or would undo the fixed ones (a UsageError, before any change). */
export function checkSshOptions(ssh: SshOptions): void {
  for (const option of ssh.options) {
    const name = option.split('=')[0]?.trim().toLowerCase() ?? '';
    if (!/^[a-z0-9]+=.+/i.test(option)) {
      throw new UsageError(`--ssh-option takes Name=value, got "${option}"`);
    }
    if (FIXED.some((f) => f.split('=')[0]!.toLowerCase() === name)) {
      throw new UsageError(`--ssh-option ${option} is not allowed: the tool needs ${FIXED.join(', ')}`);
    }
  }
}
