import path from 'node:path';
import type { RotationPlan, Step } from './types.js';

/**
 * The plan as the operator reads it before saying yes: per phase, what
 * changes on which master and what restarts, in order.
 */
export function describePlan(plan: RotationPlan, notes: { reasons: string[]; warnings: string[] }): string {
  const lines = [
    `Plan of run ${plan.runId}: ${SCENARIO_TITLES[plan.scenario]}, new certificates valid ${plan.validity}`,
    ...notes.reasons.map((r) => `  because ${r}`),
    `  masters: ${plan.masters.map((m) => `${m.name} (${m.hostname}${m.name === plan.coordinator ? ', this one' : ''})`).join(', ')}`,
  ];
  for (const [i, phase] of plan.phases.entries()) {
    const lanes = [...new Set(phase.steps.map((s) => s.lane ?? ''))];
    const together = lanes.length > 1 ? ` (at the same time, one after another within each: ${lanes.join(', ')})` : '';
    lines.push(`  ${i + 1}. ${phase.name}: ${phase.title}${together}`);
    for (const step of phase.steps) lines.push(`       ${together ? `[${step.lane}] ` : ''}${describeStep(step)}`);
  }
  for (const warning of notes.warnings) lines.push(`  WARNING: ${warning}`);
  return lines.join('\n') + '\n';
}

const SCENARIO_TITLES: Record<RotationPlan['scenario'], string> = {
  online: 'rotate online, one member at a time, quorum kept throughout',
  'leaves-expired': 'renew the expired leaves in place under the current CAs; the online rotation is planned once the cluster serves again',
  reset: 'new set on every master, etcd members restarted together (downtime)',
  restore: 'restore the archived files on every master, etcd restarted together (downtime)',
};

function describeStep(step: Step): string {
  switch (step.kind) {
    case 'backup':
      return `${step.host}: archive ${step.paths.length} files`;
    case 'snapshot':
      return `${step.host}: etcd snapshot`;
    case 'backup-data':
      return `${step.host}: copy the etcd data directory into the backup (members stopped)`;
    case 'write': {
      const renew = step.renew ?? [];
      const kubeconfigs = [
        ...(step.kubeconfigs ?? []).map((k) => ({ path: k.path, user: k.user })),
        ...renew.flatMap((r) => (r.target.kind === 'kubeconfig' ? [r.target] : [])),
      ].map((k) => `${path.posix.basename(k.path)}(${k.user})`);
      const renewed = renew.flatMap((r) => (r.target.kind === 'files' ? [r.target.cert, r.target.key] : []));
      const written = files([...step.files.map((f) => f.path), ...renewed]);
      const fresh = renew.length > 0 ? `; ${renew.length} leaves renewed with new keys, issued when the step runs` : '';
      return `${step.host}: write ${written}${kubeconfigs.length ? `; kubeconfigs ${kubeconfigs.join(', ')}` : ''}${fresh}`;
    }
    case 'restart-etcd':
      return `${step.host}: restart etcd${step.files.length ? `, writing while stopped ${files(step.files.map((f) => f.path))}` : ''}`;
    case 'verify-served':
      return `${step.host}: check the member serves the new certificates`;
    case 'stop-etcd-all':
      return `stop etcd on ${step.hosts.join(', ')}`;
    case 'start-etcd-all':
      return `start etcd on ${step.hosts.join(', ')}`;
    case 'wait-quorum':
      return 'wait until every member is healthy with a leader';
    case 'restart-pods':
      return `${step.host}: restart ${step.components.join(' and ')} and wait for /healthz`;
    case 'restart-kubelet':
      return `${step.host}: restart kubelet`;
    case 'restore':
      return `${step.host}: restore the archived files`;
    case 'verify-old-client-rejected':
      return 'check a client certificate of the old CA is refused';
    case 'verify-final':
      return 'check health, served certificates and a write on every member';
  }
}

/** Paths grouped by folder: `/var/lib/etcd/cert/{ca.pem,peer-ca.pem}`. */
function files(paths: string[]): string {
  const byDir = new Map<string, string[]>();
  for (const p of paths) {
    const dir = path.posix.dirname(p);
    byDir.set(dir, [...(byDir.get(dir) ?? []), path.posix.basename(p)]);
  }
  return [...byDir].map(([dir, names]) => (names.length === 1 ? `${dir}/${names[0]}` : `${dir}/{${names.join(',')}}`)).join(' ');
}

/** What a finished run did, in one line, and where its backups and log are. */
export function summarizeRun(plan: RotationPlan): string {
  const steps = plan.phases.flatMap((p) => p.steps);
  const written = (s: Step) =>
    s.kind === 'write'
      ? s.files.length + (s.kubeconfigs?.length ?? 0) + (s.renew ?? []).reduce((n, r) => n + (r.target.kind === 'files' ? 2 : 1), 0)
      : s.kind === 'restart-etcd'
        ? s.files.length
        : 0;
  const files = steps.reduce((n, s) => n + written(s), 0);
  const together = steps.some((s) => s.kind === 'start-etcd-all') ? plan.masters.length : 0;
  const etcdRestarts = steps.filter((s) => s.kind === 'restart-etcd').length + together;
  const podRestarts = steps.reduce((n, s) => n + (s.kind === 'restart-pods' ? s.components.length : s.kind === 'restart-kubelet' ? 1 : 0), 0);
  return (
    `run ${plan.runId}: ${files} file writes on ${plan.masters.length} masters, ${etcdRestarts} etcd restarts, ` +
    `${podRestarts} control-plane restarts; backups in /var/lib/etcd-rotate/backups/${plan.runId}/ and the log in ` +
    `/var/lib/etcd-rotate/runs/${plan.runId}/run.log on every master`
  );
}
