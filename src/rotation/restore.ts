import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { hostPath } from '../cluster/index.js';
import { InputError, PreflightError } from '../errors.js';
import { readManifest } from '../host/index.js';
import { confirmAndRun, newRunId, unfinishedRun, type RunOptions } from './coordinator.js';
import { closeAll, connectMasters } from './masters.js';
import { plannedMasters, type MasterState } from './plan/context.js';
import { kubeconfigComponents } from './plan/kubernetes.js';
import type { EtcdIdentity, Phase, RotationPlan, Step } from './types.js';

const BACKUPS = '/var/lib/etcd-rotate/backups';

/**
 * `rollback --from-backup RUN`: puts the files run RUN archived back on every
 * master, byte for byte, and restarts etcd on all masters together (the
 * restored set may not trust what a half-rotated member presents), then the
 * control plane one master at a time.
 */
export async function restoreFromBackup(options: RunOptions, fromRun: string): Promise<number> {
  const connected = await connectMasters(options);
  try {
    const missing = connected.masters.filter((m) => !m.inspection.backups.includes(fromRun)).map((m) => m.name);
    if (missing.length > 0) {
      throw new PreflightError(`run ${fromRun} has no backup on ${missing.join(', ')}; nothing was changed`, {
        remedy: '"etcd-rotate backups" lists the runs each master holds',
      });
    }
    const local = connected.masters.find((m) => m.name === connected.localName)!;
    const identity = await archivedIdentity(options.root, fromRun, local);
    const plan = restorePlan(newRunId(), fromRun, connected.localName, connected.masters, identity, options.validity);
    const reasons = [`rollback --from-backup ${fromRun}: the files as they were before that run`];
    return await confirmAndRun(connected, plan, { reasons, warnings: [] }, options, unfinishedRun(connected));
  } finally {
    await closeAll(connected.sessions);
  }
}

function restorePlan(
  runId: string,
  fromRun: string,
  coordinator: string,
  masters: MasterState[],
  identity: EtcdIdentity,
  validity: string,
): RotationPlan {
  const hosts = masters.map((m) => m.name);
  const restore: Step[] = [
    { kind: 'stop-etcd-all', hosts },
    ...hosts.map((host): Step => ({ kind: 'restore', host })),
    { kind: 'start-etcd-all', hosts },
    { kind: 'wait-quorum' },
  ];
  // Every master at once: kube-apiserver cannot serve until it runs on the restored files.
  // The others restart where they have a kubeconfig (their credentials were restored too).
  const controlPlane: Step[] = masters.flatMap((m): Step[] => {
    if (!m.layout.apiserver) return [];
    const components = kubeconfigComponents(m);
    const pods = components.filter((c) => c !== 'kubelet');
    const steps: Step[] = [{ kind: 'restart-pods', host: m.name, components: ['kube-apiserver'], lane: m.name }];
    if (pods.length > 0) steps.push({ kind: 'restart-pods', host: m.name, components: pods, lane: m.name });
    if (components.includes('kubelet')) steps.push({ kind: 'restart-kubelet', host: m.name, lane: m.name });
    return steps;
  });
  const phases: Phase[] = [
    { name: 'restore', title: `files of run ${fromRun} restored, etcd restarted together`, identity: 'current', steps: restore },
    { name: 'control-plane', title: 'control plane restarted on the restored files', identity: 'current', steps: controlPlane },
    { name: 'verify', title: 'every member healthy', identity: 'current', steps: [{ kind: 'verify-final' }] },
  ];
  return {
    runId,
    scenario: 'restore',
    createdAt: new Date().toISOString(),
    coordinator,
    validity,
    masters: plannedMasters(masters),
    identities: { current: identity, new: identity },
    finalServed: {},
    phases,
    restoreFrom: fromRun,
  };
}

/** The client pair and CA the restored files hold, read from this master's archive. */
async function archivedIdentity(root: string, runId: string, local: MasterState): Promise<EtcdIdentity> {
  const dir = path.posix.join(BACKUPS, runId);
  const manifest = await readManifest(root, dir);
  const read = async (file: string | undefined) => {
    const entry = manifest?.files.find((f) => f.path === file);
    return entry ? readFile(hostPath(root, path.posix.join(dir, entry.archive)), 'latin1') : undefined;
  };
  const { layout } = local;
  const pairs = [layout.apiserver?.client, layout.client, layout.server].filter((p) => p !== undefined);
  const caPem = await read(layout.apiserver?.ca ?? layout.clientCa.cert);
  for (const pair of pairs) {
    const [certPem, keyPem] = [await read(pair.cert), await read(pair.key)];
    if (caPem && certPem && keyPem) return { caPem, certPem, keyPem };
  }
  throw new InputError(`the backup of run ${runId} on this master holds no etcd client pair and CA`, {
    remedy: 'restore from another run, or run "etcd-rotate rollback" to issue a new set',
  });
}
