import type { AgentSession } from '../../remote/session.js';
import type { ClusterAccess, MemberEndpoint } from '../cluster-access.js';
import type { EventSink } from '../events.js';
import type { EtcdIdentity, Phase, PlannedMaster, RotationPlan } from '../types.js';
import { RunFailedError } from '../../errors.js';
import type { IssuedPair } from '../../pki/index.js';

/** What every step runs with. */
export interface StepContext {
  plan: RotationPlan;
  phase: Phase;
  identity: EtcdIdentity;
  sessions: Map<string, AgentSession>;
  cluster: ClusterAccess;
  emit: EventSink;
  /** Host root of the coordinator, where the snapshot is written. */
  root: string;
  /** The Kubernetes CA pairs of this master, for the leaves renewed when their step runs. */
  signers: () => Promise<IssuedPair[]>;
  /** Masters whose step in the current phase is done, to hand leadership to. */
  doneInPhase: Set<string>;
}

/** The agent session of a master, which exists for every master of the plan. */
export function sessionOf(ctx: StepContext, host: string): AgentSession {
  const session = ctx.sessions.get(host);
  if (!session) throw new RunFailedError(`no connection to ${host}`);
  return session;
}

/** A plan master by name. */
export function masterOf(ctx: StepContext, host: string): PlannedMaster {
  const master = ctx.plan.masters.find((m) => m.name === host);
  if (!master) throw new RunFailedError(`the plan names no master ${host}`);
  return master;
}

/** Every member's endpoints. */
export function endpoints(ctx: StepContext): MemberEndpoint[] {
  return ctx.plan.masters;
}

/** Reports progress of a step on `host`. */
export function report(ctx: StepContext, host: string | undefined, message: string): void {
  const event = { kind: 'step' as const, phase: ctx.phase.name, message };
  ctx.emit(host ? { ...event, host } : event);
}

/** Seconds with two decimals, for progress lines. */
export function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(2)}s`;
}
