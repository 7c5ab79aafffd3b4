import path from 'node:path';
import { backupDir, SNAPSHOT_NAME } from '../../host/index.js';
import { messageOf } from '../../errors.js';
import type { Step } from '../types.js';
import { masterOf, report, seconds, sessionOf, type StepContext } from './context.js';
import { controlAll, restartMember, verifyServed, waitQuorum } from './etcd.js';
import { issueRenewals } from './renew.js';
import { verifyFinal, verifyOldClientRejected } from './verify.js';

export type { StepContext } from './context.js';

const POD_TIMEOUT_MS = 180_000;

/** Runs one step of the plan. Every step can run again after an interruption. */
export async function runStep(ctx: StepContext, step: Step): Promise<void> {
  switch (step.kind) {
    case 'backup': {
      const result = await sessionOf(ctx, step.host).call('backup', { runId: ctx.plan.runId, paths: step.paths });
      report(ctx, step.host, `${result.files} files archived${result.created ? '' : ' (archive kept from the first attempt)'}`);
      return;
    }
    case 'snapshot':
      return takeSnapshot(ctx, step.host);
    case 'backup-data': {
      const result = await sessionOf(ctx, step.host).call('backupData', { runId: ctx.plan.runId }, { timeoutMs: 30 * 60_000 });
      report(ctx, step.host, `etcd data directory copied into the backup (${result.bytes} bytes${result.created ? '' : ', kept from the first attempt'})`);
      return;
    }
    case 'write': {
      const renewed = await issueRenewals(ctx, step.renew ?? []);
      const files = [...step.files, ...renewed.files];
      const kubeconfigs = [...(step.kubeconfigs ?? []), ...renewed.kubeconfigs];
      const params = kubeconfigs.length > 0 ? { files, kubeconfigs } : { files };
      const result = await sessionOf(ctx, step.host).call('write', params);
      report(ctx, step.host, `${result.written.length} files written (${step.why})`);
      return;
    }
    case 'restart-etcd':
      return restartMember(ctx, step);
    case 'verify-served':
      return verifyServed(ctx, masterOf(ctx, step.host), step.expect);
    case 'stop-etcd-all':
      return controlAll(ctx, step.hosts, 'stop');
    case 'start-etcd-all':
      return controlAll(ctx, step.hosts, 'start');
    case 'wait-quorum':
      return waitQuorum(ctx);
    case 'restart-pods': {
      const results = await sessionOf(ctx, step.host).call(
        'restartStaticPods',
        { components: step.components, timeoutMs: POD_TIMEOUT_MS },
        { timeoutMs: POD_TIMEOUT_MS + 10_000 },
      );
      const each = results.map((r) => `${r.component} in ${seconds(r.elapsedMs)}`).join(', ');
      report(ctx, step.host, `restarted and healthy: ${each}`);
      return;
    }
    case 'restart-kubelet': {
      const result = await sessionOf(ctx, step.host).call('service', { action: 'restart', unit: 'kubelet' }, { timeoutMs: 120_000 });
      report(ctx, step.host, `kubelet restarted in ${seconds(result.elapsedMs)}`);
      return;
    }
    case 'restore': {
      const result = await sessionOf(ctx, step.host).call('restore', { runId: ctx.plan.restoreFrom ?? ctx.plan.runId });
      report(ctx, step.host, `${result.files} files restored byte for byte`);
      return;
    }
    case 'verify-old-client-rejected':
      return verifyOldClientRejected(ctx);
    case 'verify-final':
      return verifyFinal(ctx);
  }
}

/** A snapshot of the coordinator's member, kept with its backup; a cluster that does not serve gets a warning. */
async function takeSnapshot(ctx: StepContext, host: string): Promise<void> {
  const destination = path.posix.join(await backupDir(ctx.root, ctx.plan.runId), SNAPSHOT_NAME);
  try {
    const { bytes } = await ctx.cluster.snapshot(masterOf(ctx, host), ctx.identity, destination);
    report(ctx, host, `etcd snapshot saved (${bytes} bytes)`);
  } catch (error) {
    ctx.emit({ kind: 'warn', phase: ctx.phase.name, host, message: `no etcd snapshot taken: ${messageOf(error)}` });
  }
}
