import type { AgentSession } from '../remote/session.js';
import { ExitCode, OperatorError, RunFailedError, messageOf } from '../errors.js';
import type { ClusterAccess } from './cluster-access.js';
import type { EventSink } from './events.js';
import type { ProgressJournal } from './progress.js';
import { runStep, type StepContext } from './steps/index.js';
import type { RotationPlan } from './types.js';

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
  /** Set when SIGINT or SIGTERM arrives: the run stops before the next step. */
  interrupted: () => boolean;
}

/**
 * Runs every step of the plan that the journal does not list as done, in
 * order. Each step is recorded when it finishes, so a run killed at any
 * point continues with the step it was in.
 */
export async function executePlan(run: Execution): Promise<void> {
  const { plan } = run;
  const done = await run.journal.completedSteps();

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
      doneInPhase: new Set(),
    };

    for (const s of await executionOrder(ctx, p, done)) {
      const step = phase.steps[s]!;
      const key = stepKey(p, s);
      if (done.has(key)) continue;
      if (run.interrupted()) {
        throw new InterruptedError(`interrupted before step ${key} of phase ${phase.name}`, {
          remedy: `continue with "etcd-rotate rotate --resume" or undo with "etcd-rotate rollback --from-backup ${plan.runId}"`,
        });
      }
      try {
        await runStep(ctx, step);
      } catch (error) {
        throw asRunFailure(error, phase.name, plan.runId);
      }
      await run.journal.stepDone(key, phase.name, step);
    }
    run.emit({ kind: 'phase-done', name: phase.name, elapsedMs: Date.now() - started });
  }
}

/**
 * The order to run a phase's steps in: as planned, except that in a rolling
 * restart the member that leads now goes last, so leadership moves once.
 */
async function executionOrder(ctx: StepContext, p: number, done: Set<string>): Promise<number[]> {
  const indexes = ctx.phase.steps.map((_, s) => s).filter((s) => !done.has(stepKey(p, s)));
  if (!ctx.phase.steps.every((step) => step.kind === 'restart-etcd')) return indexes;
  const { leader } = await ctx.cluster.view(ctx.plan.masters, ctx.identity).catch(() => ({ leader: undefined }));
  const isLeader = (s: number) => 'host' in ctx.phase.steps[s]! && (ctx.phase.steps[s] as { host: string }).host === leader;
  return [...indexes.filter((s) => !isLeader(s)), ...indexes.filter(isLeader)];
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
