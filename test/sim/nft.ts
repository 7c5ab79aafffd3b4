/**
 * Source NAT that gives each member's peer traffic its own address. All
 * masters share the host's network namespace, so an etcd connecting to a peer
 * would come from 127.0.0.1 and be refused: etcd checks the source address
 * against the IP SANs of the peer certificate. Each master's etcd runs under
 * its own uid, and one rule per uid rewrites the source to the master's IP.
 */
import { spawnSync } from 'node:child_process';
import { PEER_PORT, type MasterFacts } from './layout.js';
import { mustRun } from './run.js';

/** The nftables table name of cluster `id` (letters, digits, underscores). */
export function natTableName(id: string): string {
  return `etcd_rotate_sim_${id.replace(/[^A-Za-z0-9_]/g, '_')}`;
}

/** The ruleset, for `nft -f -`. */
export function renderNatRuleset(table: string, masters: readonly MasterFacts[]): string {
  return [
    `table ip ${table} {`,
    '  chain postrouting {',
    '    type nat hook postrouting priority srcnat; policy accept;',
    ...masters.map(
      (m) => `    meta skuid ${m.etcdUid} tcp dport ${PEER_PORT} snat to ${m.ip}`,
    ),
    '  }',
    '}',
    '',
  ].join('\n');
}

/** Creates the table (replacing one of the same name). */
export async function installNat(table: string, masters: readonly MasterFacts[]): Promise<void> {
  deleteNatSync(table);
  await mustRun(['nft', '-f', '-'], { input: renderNatRuleset(table, masters) });
}

/** Deletes the table when it exists; synchronous so exit handlers can use it. */
export function deleteNatSync(table: string): void {
  const list = spawnSync('nft', ['list', 'table', 'ip', table], { stdio: 'ignore' });
  if (list.status !== 0) return;
  const del = spawnSync('nft', ['delete', 'table', 'ip', table], { encoding: 'utf8' });
  if (del.status !== 0) {
    throw new Error(`could not delete nftables table ip ${table}: ${del.stderr.trim()}`);
  }
}

/** True when the table exists. */
export function natTableExists(table: string): boolean {
  return spawnSync('nft', ['list', 'table', 'ip', table], { stdio: 'ignore' }).status === 0;
}
