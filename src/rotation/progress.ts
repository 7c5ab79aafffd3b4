import type { AgentSession } from '../remote/session.js';
import type { Step } from './types.js';

/**
 * Where a run records which steps are done. The coordinator keeps it in its
 * own journal and copies each entry to the journal of the master the step ran
 * on, so a run can be resumed from any master that holds the plan.
 */
export interface ProgressJournal {
  completedSteps(): Promise<Set<string>>;
  stepDone(key: string, phase: string, step: Step): Promise<void>;
}

/** The master a step ran on, or undefined for steps that span the cluster. */
export function stepHost(step: Step): string | undefined {
  return 'host' in step ? step.host : undefined;
}

/**
 * The progress of `runId` kept in the coordinator's journal, each entry also
 * appended to the journal of the master the step ran on. Reading takes the
 * union of every reachable master's journal.
 */
export function createProgressJournal(
  runId: string,
  local: AgentSession,
  sessions: Map<string, AgentSession>,
): ProgressJournal {
  return {
    async completedSteps() {
      const all = await Promise.all(
        [...sessions.values()].map((s) => s.call('progress', { runId }).catch(() => ({ steps: [] as string[] }))),
      );
      return new Set(all.flatMap((p) => p.steps));
    },
    async stepDone(key, phase, step) {
      const event = { kind: 'step-done', key, phase, step: step.kind, host: stepHost(step) ?? 'cluster' };
      // The master the step ran on first: when it cannot be reached any more, no journal
      // lists the step, and a resume runs it again (every step can run twice).
      const host = stepHost(step);
      if (host && host !== local.host) await sessions.get(host)?.call('journal', { runId, event });
      await local.call('journal', { runId, event });
    },
  };
}
