/**
 * The etcd systemd unit as the vendor's installer writes it: `User=etcd`, a
 * relative data directory, flags over backslash-continued lines in both
 * `--flag value` and `--flag=value` forms, and `Type=notify` commented out.
 */
import { CLIENT_PORT, PEER_PORT, type MasterFacts } from './layout.js';

/** Raft timing; the simulation keeps etcd's own defaults so restarts stay fast. */
export interface EtcdTuning {
  /** `--heartbeat-interval` in ms; default 100 (ACK hosts use 500). */
  heartbeatMs: number;
  /** `--election-timeout` in ms; default 1000 (ACK hosts use 3000). */
  electionMs: number;
}

/** etcd's defaults: a lost leader is replaced in about a second, not three. */
export const DEFAULT_TUNING: EtcdTuning = { heartbeatMs: 100, electionMs: 1000 };

/** Where the unit lives on an ACK master. */
export const ETCD_UNIT_PATH = '/usr/lib/systemd/system/etcd.service';

/** Renders master `m`'s `etcd.service`. */
export function renderEtcdUnit(
  m: MasterFacts,
  all: readonly MasterFacts[],
  clusterToken: string,
  tuning: EtcdTuning,
): string {
  const cert = '/var/lib/etcd/cert';
  const peerUrl = `https://${m.ip}:${PEER_PORT}`;
  const clientUrl = `https://${m.ip}:${CLIENT_PORT}`;
  const initialCluster = all.map((x) => `${x.name}=https://${x.ip}:${PEER_PORT}`).join(',');
  const flagLines = [
    `--data-dir=data.etcd --name ${m.name}`,
    `--client-cert-auth --trusted-ca-file=${cert}/ca.pem`,
    `--cert-file=${cert}/etcd-server.pem --key-file=${cert}/etcd-server-key.pem`,
    `--peer-client-cert-auth --peer-trusted-ca-file=${cert}/peer-ca.pem`,
    `--peer-cert-file=${cert}/${m.name}.pem --peer-key-file=${cert}/${m.name}-key.pem`,
    `--initial-advertise-peer-urls ${peerUrl} --listen-peer-urls ${peerUrl}`,
    `--advertise-client-urls ${clientUrl} --listen-client-urls ${clientUrl}`,
    `--initial-cluster ${initialCluster}`,
    `--initial-cluster-state new --initial-cluster-token ${clusterToken}`,
    `--heartbeat-interval=${tuning.heartbeatMs} --election-timeout=${tuning.electionMs}`,
    '--snapshot-count=50000 --auto-compaction-retention=1 --max-request-bytes=33554432',
    '--quota-backend-bytes=8589934592',
  ];
  return [
    '[Unit]',
    'Description=Etcd Server',
    'After=network.target',
    'After=network-online.target',
    'Wants=network-online.target',
    'Documentation=https://github.com/coreos',
    '',
    '[Service]',
    '#Type=notify',
    'WorkingDirectory=/var/lib/etcd/',
    'User=etcd',
    `ExecStart=/usr/bin/etcd ${flagLines.join(' \\\n    ')}`,
    'Restart=always',
    'RestartSec=15s',
    'LimitNOFILE=65536',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
    '',
  ].join('\n');
}
