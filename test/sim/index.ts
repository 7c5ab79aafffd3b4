/**
 * A real ACK-like multi-master cluster on one machine, for integration tests
 * and the demo: each master is a mount+UTS namespace with its own files, a
 * real etcd member (client and peer TLS) run by a systemctl stand-in, and a
 * real sshd. See createSimCluster.
 */
export { createSimCluster, DEFAULT_SIM_ROOT } from './create.js';
export { ensureSimPackages, missingSimPrograms } from './packages.js';
export { reapStaleClusters } from './cleanup.js';
export { DEFAULT_VALIDITY } from './certs.js';
export { DEFAULT_TUNING, ETCD_UNIT_PATH } from './etcd-unit.js';
export { CLIENT_PORT, ETCD_ID_BASE, IP_BASE, PEER_PORT } from './layout.js';
export type {
  CommandResult, EtcdctlOptions, EtcdTuning, ExecOptions, MasterRef, SimCluster,
  SimClusterOptions, SimMaster, SimRuntime, SimValidity,
} from './types.js';
export { replaceEtcdCertificates } from './reissue.js';
