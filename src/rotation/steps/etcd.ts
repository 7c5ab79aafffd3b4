import { RunFailedError, messageOf } from '../../errors.js';
import type { ClusterView } from '../cluster-access.js';
import type { PlannedMaster, ServedExpectation, Step } from '../types.js';
import { endpoints, masterOf, report, seconds, sessionOf, type StepContext } from './context.js';
import { restartAfterFailedWrite, waitMemberUp } from './member-up.js';

const HEALTHY_TIMEOUT_MS = 60_000;
const SERVED_TIMEOUT_MS = 5_000;

type RestartStep = Extract<Step, { kind: 'restart-etcd' }>;

/**
 * Restarts one member without ever having two down: the cluster must be
 * whole before it stops, leadership moves away first, the files are written
 * while it is stopped, and the step ends only when it is healthy again and
 * serves the expected certificates.
 */
export async function restartMember(ctx: StepContext, step: RestartStep): Promise<void> {
  const master = masterOf(ctx, step.host);
  const view = await requireWholeCluster(ctx, step.host);
  await moveLeadershipAway(ctx, master, view);

  const started = Date.now();
  await controlEtcd(ctx, master, 'stop');
  const start = () => controlEtcd(ctx, master, 'start');
  if (step.files.length > 0) {
    await sessionOf(ctx, master.name)
      .call('write', { files: step.files })
      .catch((error: unknown) => restartAfterFailedWrite(ctx, master, start, error));
  }
  await start();
  const healthyAfter = await waitMemberUp(ctx, master);

  if (step.expect) await verifyServed(ctx, master, step.expect);
  ctx.doneInPhase.add(master.name);
  report(ctx, master.name, `etcd restarted (${step.why}) in ${seconds(Date.now() - started)}, healthy ${seconds(healthyAfter)} after start`);
}

/** Stops or starts the etcd of `master` through its agent (systemctl, or the runtime for a static pod). */
export async function controlEtcd(ctx: StepContext, master: PlannedMaster, action: 'stop' | 'start'): Promise<void> {
  const session = sessionOf(ctx, master.name);
  if (master.etcdService.kind === 'systemd') {
    await session.call('service', { action, unit: master.etcdService.unit }, { timeoutMs: 120_000 });
    return;
  }
  throw new RunFailedError(`${master.name}: etcd runs as a static pod, which this version cannot ${action} on its own`, {
    remedy: 'etcd-rotate supports etcd as a systemd unit (the ACK layout)',
  });
}

/** Refuses to take a member down unless every other member is healthy and there is a leader; resolves to what it saw. */
async function requireWholeCluster(ctx: StepContext, host: string): Promise<ClusterView> {
  const view = await ctx.cluster.view(endpoints(ctx), ctx.identity);
  const others = view.unhealthy.filter((u) => u.name !== host);
  if (others.length > 0 || view.leader === undefined) {
    const why = others.map((u) => `${u.name}: ${u.reason}`).join('; ') || 'no leader';
    throw new RunFailedError(`not restarting ${host}: the cluster is not whole (${why})`, {
      remedy: 'bring the other members back, then run "etcd-rotate rotate --resume"',
    });
  }
  return view;
}

/** Before the leader stops, leadership moves to a member already done in this phase (or any healthy one). */
async function moveLeadershipAway(ctx: StepContext, master: PlannedMaster, view: ClusterView): Promise<void> {
  if (view.leader !== master.name) return;
  const candidates = ctx.plan.masters.filter((m) => m.name !== master.name && view.healthy.includes(m.name));
  const target = candidates.find((m) => ctx.doneInPhase.has(m.name)) ?? candidates[0];
  if (!target) return;
  const took = await ctx.cluster.moveLeader(endpoints(ctx), ctx.identity, target);
  report(ctx, master.name, `leadership moved to ${target.name} in ${seconds(took)}`);
}

/** Proves the running member presents the certificates written for it, on its client and peer ports. */
export async function verifyServed(ctx: StepContext, master: PlannedMaster, expect: ServedExpectation): Promise<void> {
  const checks: [string, string | undefined][] = [[master.clientUrl, expect.client], [master.peerUrl, expect.peer]];
  for (const [url, wanted] of checks) {
    if (!wanted) continue;
    const deadline = Date.now() + SERVED_TIMEOUT_MS;
    let served = '';
    for (;;) {
      served = await ctx.cluster.servedFingerprint(url, ctx.identity).catch((error) => `error: ${messageOf(error)}`);
      if (served === wanted || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    if (served !== wanted) {
      throw new RunFailedError(
        `${master.name}: ${url} does not serve the certificate written to disk (serves ${served.slice(0, 16)}, expected ${wanted.slice(0, 16)})`,
        { remedy: 'the member may be running with other files than its unit names; check it, then run "etcd-rotate rotate --resume"' },
      );
    }
  }
  report(ctx, master.name, 'serves the new certificates on its client and peer ports');
}

/** Stops (or starts) etcd on all `hosts` at once: the reset, where quorum is already lost. */
export async function controlAll(ctx: StepContext, hosts: string[], action: 'stop' | 'start'): Promise<void> {
  await Promise.all(hosts.map((host) => controlEtcd(ctx, masterOf(ctx, host), action)));
  report(ctx, undefined, `etcd ${action === 'stop' ? 'stopped' : 'started'} on ${hosts.length} masters`);
}

/** Waits until every member is healthy with one leader. */
export async function waitQuorum(ctx: StepContext): Promise<void> {
  const started = Date.now();
  await Promise.all(endpoints(ctx).map((m) => ctx.cluster.waitHealthy(m, ctx.identity, HEALTHY_TIMEOUT_MS)));
  report(ctx, undefined, `all ${endpoints(ctx).length} members healthy with a leader after ${seconds(Date.now() - started)}`);
}
