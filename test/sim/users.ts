/**
 * Per-master copies of /etc/passwd and /etc/group: the host's, with `etcd`
 * given this master's own uid and gid (so nftables can tell the members' peer
 * traffic apart) and `sshd` added when the host lacks it.
 */
import { readFile, writeFile } from 'node:fs/promises';

/** Accounts the copies must hold, as passwd and group lines. */
function simAccounts(etcdId: number): { passwd: string[]; group: string[] } {
  return {
    passwd: [
      `etcd:x:${etcdId}:${etcdId}:etcd user:/var/lib/etcd:/usr/sbin/nologin`,
      'sshd:x:74:65534::/run/sshd:/usr/sbin/nologin',
    ],
    group: [`etcd:x:${etcdId}:`],
  };
}

/** Replaces (or adds) the accounts named in `lines` within an account file's text. */
export function mergeAccounts(
  text: string,
  lines: string[],
  keep: (name: string) => boolean,
): string {
  const names = new Set(lines.map((l) => l.split(':')[0]));
  const kept = text
    .split('\n')
    .filter((l) => l !== '')
    .filter((l) => {
      const name = l.split(':')[0] as string;
      return !names.has(name) || keep(name);
    });
  const present = new Set(kept.map((l) => l.split(':')[0]));
  return `${[...kept, ...lines.filter((l) => !present.has(l.split(':')[0]))].join('\n')}\n`;
}

/** Writes the master's passwd and group copies from the host's files. */
export async function writeAccountFiles(
  passwdPath: string,
  groupPath: string,
  etcdId: number,
): Promise<void> {
  const accounts = simAccounts(etcdId);
  // The host's sshd account is kept as it is; only etcd is always replaced.
  const keepSshd = (name: string) => name === 'sshd';
  const passwd = mergeAccounts(await readFile('/etc/passwd', 'utf8'), accounts.passwd, keepSshd);
  const group = mergeAccounts(await readFile('/etc/group', 'utf8'), accounts.group, () => false);
  await writeFile(passwdPath, passwd, { mode: 0o644 });
  await writeFile(groupPath, group, { mode: 0o644 });
}
