import { PreflightError } from '../errors.js';
import type { ClusterAccess } from './cluster-access.js';
import type { MasterState } from './plan/index.js';
import type { EtcdIdentity, PlannedMaster, Scenario } from './types.js';

/**
 * Group or other permissions on a private key. A rewritten file keeps its
 * mode, so the run would hand the new key to the same users: refused instead.
 */
const OPEN_TO_OTHERS = 0o077;

/** Disk a master needs for backups and run state. */
export const MIN_FREE_BYTES = 64 * 1024 * 1024;

/**
 * Checks everything that can be known before the first change, and refuses
 * with every problem found at once. Changes nothing.
 */
export async function preflight(options: {
  masters: MasterState[];
  planned: PlannedMaster[];
  scenario: Scenario;
  cluster: ClusterAccess;
  identity: EtcdIdentity;
  /** The run this one continues, whose lock is not a conflict. */
  resuming?: string;
}): Promise<void> {
  const problems: string[] = [];
  const [first] = options.masters;
  const members = (m: MasterState) =>
    m.inspection.topology.etcd.members.map((x) => `${x.name}=${x.peerUrls.join(',')}`).sort().join(' ');

  for (const m of options.masters) {
    if (first && members(m) !== members(first)) {
      problems.push(`${m.name} names other members (${members(m)}) than ${first.name} (${members(first)})`);
    }
    const lock = m.inspection.lock;
    if (lock && lock.runId !== options.resuming) {
      problems.push(`${m.name} is locked by run ${lock.runId} of ${lock.host} since ${lock.since} (continue it with "rotate --resume" or undo it with "rollback")`);
    }
    if (m.inspection.freeBytes < MIN_FREE_BYTES) {
      problems.push(`${m.name} has ${Math.floor(m.inspection.freeBytes / 1048576)} MiB free under /var/lib/etcd-rotate, needs ${MIN_FREE_BYTES / 1048576} MiB`);
    }
    if (m.inspection.topology.etcd.source.kind !== 'systemd') {
      problems.push(`${m.name} runs etcd as a static pod (${m.inspection.topology.etcd.source.manifestPath}); this version restarts etcd only as a systemd unit`);
    }
    for (const key of m.inspection.keys) {
      if (key.exists && key.mode !== undefined && (key.mode & OPEN_TO_OTHERS) !== 0) {
        problems.push(`${m.name}: ${key.path} is open to other users (mode ${octal(key.mode)}), and its new key would be written the same way (chmod 600 it)`);
      }
    }
    // A rotation refused a missing file before (`assertFilesIntact`); a reset writes every one of them.
    if (options.scenario === 'reset') continue;
    for (const file of [m.layout.server.cert, m.layout.server.key, m.layout.clientCa.cert, m.layout.peerCa.cert]) {
      const present = [...m.inspection.certificates, ...m.inspection.keys].some((f) => f.path === file && f.exists);
      if (!present) problems.push(`${m.name} lacks ${file}`);
    }
  }

  if (options.scenario === 'online' && problems.length === 0) {
    const view = await options.cluster.view(options.planned, options.identity);
    for (const u of view.unhealthy) problems.push(`etcd member ${u.name} is not healthy: ${u.reason}`);
    if (view.leader === undefined) problems.push('the etcd cluster has no leader');
  }

  if (problems.length > 0) {
    throw new PreflightError(`preflight refused the run, nothing was changed: ${problems.join('; ')}`);
  }
}

function octal(mode: number): string {
  return `0${(mode & 0o777).toString(8).padStart(3, '0')}`;
}
