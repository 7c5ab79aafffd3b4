/**
 * Root SSH between masters as an operator sets it up: one sshd per master on
 * `<IP>:<port>` with its own host key, one cluster-wide client key trusted by
 * every master, and known_hosts listing every master's host key.
 */
import { readFile } from 'node:fs/promises';
import { mustRun } from './run.js';
import type { MasterFacts } from './layout.js';
import { renderServiceUnit } from './service-unit.js';

/** Where a master's sshd keeps its files, inside the master. */
export const SSHD_DIR = '/run/sim/sshd';

/** Writes an ed25519 key pair without a passphrase: `path` and `path.pub`. */
export async function generateSshKey(path: string, comment: string): Promise<string> {
  await mustRun(['ssh-keygen', '-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', path]);
  return (await readFile(`${path}.pub`, 'utf8')).trim();
}

/** The sshd_config of master `m`. */
export function renderSshdConfig(m: MasterFacts, port: number): string {
  return [
    `# sshd of simulated ${m.hostname}; started by sshd.service through the systemctl stand-in`,
    `Port ${port}`,
    `ListenAddress ${m.ip}`,
    `HostKey ${SSHD_DIR}/ssh_host_ed25519_key`,
    'PidFile none',
    'PermitRootLogin prohibit-password',
    'PasswordAuthentication no',
    'KbdInteractiveAuthentication no',
    'PubkeyAuthentication yes',
    'AuthorizedKeysFile .ssh/authorized_keys',
    // PAM's session modules (pam_loginuid) fail in containers; UsePAM no avoids them.
    'UsePAM no',
    'StrictModes yes',
    'UseDNS no',
    'PrintMotd no',
    'PrintLastLog no',
    'AcceptEnv LANG LC_*',
    // Like MASTER_ENV: the master is a host to the tool, not a container.
    'SetEnv ETCD_ROTATE_CONTAINERIZED=0',
    'Subsystem sftp /usr/lib/openssh/sftp-server',
    '',
  ].join('\n');
}

/** The sshd unit, run by the stand-in like any other service. */
export function renderSshdUnit(m: MasterFacts, port: number): string {
  return renderServiceUnit({
    description: `OpenSSH server daemon (simulation, ${m.ip}:${port})`,
    after: 'network.target',
    execStart: `/usr/sbin/sshd -D -e -f ${SSHD_DIR}/sshd_config`,
  });
}

/** A known_hosts line for master `m`'s host key, as ssh writes it for a non-22 port. */
export function knownHostsLine(m: MasterFacts, port: number, hostKey: string): string {
  const [type, key] = hostKey.split(/\s+/);
  const host = port === 22 ? m.ip : `[${m.ip}]:${port}`;
  return `${host} ${type} ${key}`;
}

/**
 * The client config: plain `ssh root@127.0.0.1x` reaches the simulated sshd,
 * as `ssh root@<ip>` reaches port 22 on a real master.
 */
export function renderSshClientConfig(masters: readonly MasterFacts[], port: number): string {
  return [
    `Host ${masters.map((m) => m.ip).join(' ')}`,
    `    Port ${port}`,
    '',
  ].join('\n');
}
