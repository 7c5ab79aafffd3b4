import type { AgentSession } from '../remote/session.js';
import { ExitCode, OperatorError, RunFailedError, messageOf } from '../errors.js';
import { prefetchRsaKeys, type IssuedPair } from '../pki/index.js';
import type { ClusterAccess } from './cluster-access.js';
import type { EventSink } from './events.js';
import type { ProgressJournal } from './progress.js';
import { runStep, type StepContext } from './steps/index.js';
import type { Phase, RotationPlan } from './types.js';

/** Raised when the operator interrupts a run; the journal says where it stopped. */
export class InterruptedError extends OperatorError {
  override readonly exitCode = ExitCode.interrupted;
}

/** What a run executes with. */
export interface Execution {
  plan: RotationPlan;
  sessions: Map<string, AgentSession>;
  cluster: ClusterAccess;
  emit: EventSink;
  journal: ProgressJournal;
  root: string;
  /** The Kubernetes CA pairs of this master, read when a step first renews a leaf. */
  signers: () => Promise<IssuedPair[]>;
  /** Set when SIGINT or SIGTERM arrives: the run stops before the next step. */
  interrupted: () => boolean;
}

/**
 * Runs every step of the plan that the journal does not list as done, phase
 * after phase; within a phase each lane runs its steps in order and the lanes
 * run at once. Each step is recorded when it finishes, so a run killed at any
 * point continues every lane with the step it was in.
 */
export async function executePlan(run: Execution): Promise<void> {
  const { plan } = run;
  const done = await run.journal.completedSteps();
  // Keys of leaves renewed later are made now, one at a time, while etcd restarts.
  prefetchRsaKeys(pendingRenewals(plan, done), { parallel: false });

  for (const [p, phase] of plan.phases.entries()) {
    const pending = phase.steps.some((_, s) => !done.has(stepKey(p, s)));
    if (!pending) continue;

    const started = Date.now();
    run.emit({ kind: 'phase', index: p + 1, total: plan.phases.length, name: phase.name, title: phase.title });
    const ctx: StepContext = {
      plan,
      phase,
      identity: plan.identities[phase.identity],
      sessions: run.sessions,
      cluster: run.cluster,
      emit: run.emit,
      root: run.root,
      signers: run.signers,
      doneInPhase: new Set(),
    };

    // The first lane to fail (or see the interrupt) stops the others before their next step.
    let stop: OperatorError | undefined;
    const runLane = async (lane: number[]) => {
      for (const s of await executionOrder(ctx, lane)) {
        if (stop) return;
        const step = phase.steps[s]!;
        const key = stepKey(p, s);
        if (run.interrupted()) {
          stop ??= new InterruptedError(`interrupted before step ${key} of phase ${phase.name}`, {
            remedy: `continue with "etcd-rotate rotate --resume" or undo with "etcd-rotate rollback --from-backup ${plan.runId}"`,
          });
          return;
        }
        try {
          await runStep(ctx, step);
          // A journal that cannot be written (a peer lost right after its step) fails the
          // step like any other cause, so the other lanes stop too; resume runs it again.
          await run.journal.stepDone(key, phase.name, step);
        } catch (error) {
          stop ??= asRunFailure(error, phase.name, plan.runId);
          return;
        }
      }
    };
    await Promise.all(lanesOf(phase, p, done).map(runLane));
    if (stop) throw stop;
    run.emit({ kind: 'phase-done', name: phase.name, elapsedMs: Date.now() - started });
  }
}

/** The steps of phase `p` not done yet, by lane, in plan order. */
export function lanesOf(phase: Phase, p: number, done: Set<string>): number[][] {
  const lanes = new Map<string, number[]>();
  phase.steps.forEach((step, s) => {
    if (done.has(stepKey(p, s))) return;
    const lane = step.lane ?? '';
    lanes.set(lane, [...(lanes.get(lane) ?? []), s]);
  });
  return [...lanes.values()];
}

/** How many leaves the steps not done yet renew with new keys. */
function pendingRenewals(plan: RotationPlan, done: Set<string>): number {
  return plan.phases
    .flatMap((phase, p) => phase.steps.filter((_, s) => !done.has(stepKey(p, s))))
    .reduce((n, step) => n + (step.kind === 'write' ? (step.renew?.length ?? 0) : 0), 0);
}

/**
 * The order to run a lane's steps in: as planned, except that in a rolling
 * restart the member that leads now goes last, so leadership moves once.
 */
async function executionOrder(ctx: StepContext, lane: number[]): Promise<number[]> {
  if (!lane.every((s) => ctx.phase.steps[s]!.kind === 'restart-etcd')) return lane;
  const { leader } = await ctx.cluster.view(ctx.plan.masters, ctx.identity).catch(() => ({ leader: undefined }));
  const isLeader = (s: number) => (ctx.phase.steps[s] as { host: string }).host === leader;
  return [...lane.filter((s) => !isLeader(s)), ...lane.filter(isLeader)];
}

/** The journal's name for step `s` of phase `p`. */
export function stepKey(p: number, s: number): string {
  return `${p}.${s}`;
}

function asRunFailure(error: unknown, phase: string, runId: string): OperatorError {
  const remedy = `fix the cause, then "etcd-rotate rotate --resume"; or "etcd-rotate rollback" (new set) or "etcd-rotate rollback --from-backup ${runId}" (files as before the run)`;
  if (error instanceof OperatorError) {
    return new RunFailedError(`phase ${phase}: ${error.message}`, { remedy: error.remedy ?? remedy, cause: error });
  }
  return new RunFailedError(`phase ${phase}: ${messageOf(error)}`, { remedy, cause: error });
}
