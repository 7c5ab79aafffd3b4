import { randomBytes } from 'node:crypto';
import { ExitCode, OperatorError, UsageError } from '../errors.js';
import { readRunFile, readRunLock } from '../host/index.js';
import { prefetchRsaKeys } from '../pki/index.js';
import type { AgentSession } from '../remote/session.js';
import type { ClusterAccess } from './cluster-access.js';
import { describePlan, summarizeRun } from './describe.js';
import { formatEvent, type EventSink } from './events.js';
import { executePlan } from './execute.js';
import { assertFilesIntact } from './intact.js';
import { closeAll, connectMasters, inspectAgain, type ConnectedCluster, type Reach } from './masters.js';
import { buildPlan, currentIdentity } from './plan/index.js';
import { expectedNewKeys } from './plan/key-count.js';
import { plannedMasters } from './plan/context.js';
import { preflight } from './preflight.js';
import { createProgressJournal } from './progress.js';
import { chooseScenario } from './scenario.js';
import { readLocalSecrets } from './secrets.js';
import type { RotationPlan, Scenario } from './types.js';

/** The line operators and the vendor's documentation grep for. */
export const SUCCESS_LINE = 'etcd CA and certs have successfully rotated!';

const PLAN_FILE = 'plan.json';

/** Everything a run of rotate, resume or rollback needs from the CLI. */
export interface RunOptions extends Reach {
  validity: string;
  validityMs: number;
  yes: boolean;
  dryRun: boolean;
  forceExpired: boolean;
  skipKubernetes: boolean;
  command: string;
  cluster: ClusterAccess;
  emit: EventSink;
  /** Prints the plan (stdout). */
  print: (text: string) => void;
  confirm: (question: string) => Promise<boolean>;
  interrupted: () => boolean;
}

/** Rotates every etcd and control-plane certificate of the cluster (or resets it for `rollback`). */
export async function rotate(options: RunOptions, forced?: Scenario): Promise<number> {
  // Key generation dominates planning: start it while the peers' agents come up.
  const connected = await connectMasters(options, {
    onLocalInspected: (local) => prefetchRsaKeys(expectedNewKeys(local)),
  });
  try {
    const run = await planRun(connected, options, forced);
    const code = await confirmAndRun(connected, run.plan, run.notes, options, run.abandoned);
    if (run.plan.scenario !== 'leaves-expired') return code;
    if (options.dryRun) {
      options.print('Then, once the cluster serves again, the online rotation is planned and shown as a run of its own.\n');
      return code;
    }
    return await rotateAfterRecovery(connected, options);
  } finally {
    await closeAll(connected.sessions);
  }
}

/** A plan for the cluster as the masters report it now, and why this plan, after the preflight. */
async function planRun(
  connected: ConnectedCluster,
  options: RunOptions,
  forced?: Scenario,
): Promise<{ plan: RotationPlan; notes: { reasons: string[]; warnings: string[] }; abandoned?: string }> {
  const local = connected.masters.find((m) => m.name === connected.localName)!;
  if (!forced) assertFilesIntact(connected.masters);
  const secrets = await readLocalSecrets(options.root, local.layout);
  const choice = forced
    ? { scenario: forced, reasons: ['rollback: a new, consistent set replaces whatever the masters hold now'] }
    : chooseScenario(connected.masters, secrets, { now: new Date(), forceExpired: options.forceExpired });

  const abandoned = forced ? unfinishedRun(connected) : undefined;
  await preflight({
    masters: connected.masters,
    planned: plannedMasters(connected.masters),
    scenario: choice.scenario,
    cluster: options.cluster,
    identity: currentIdentity({ masters: connected.masters, secrets, validityMs: options.validityMs }),
    ...(abandoned ? { resuming: abandoned } : {}),
  });

  const { plan, warnings } = await buildPlan({
    runId: newRunId(),
    coordinator: connected.localName,
    scenario: choice.scenario,
    validity: options.validity,
    validityMs: options.validityMs,
    masters: connected.masters,
    secrets,
    skipKubernetes: options.skipKubernetes,
  });
  return { plan, notes: { reasons: choice.reasons, warnings }, ...(abandoned ? { abandoned } : {}) };
}

/** The second run after expired leaves were renewed: the masters read again, the rotation planned on a serving cluster. */
async function rotateAfterRecovery(connected: ConnectedCluster, options: RunOptions): Promise<number> {
  connected.masters = await inspectAgain(connected);
  const run = await planRun(connected, { ...options, forceExpired: false });
  if (run.plan.scenario === 'leaves-expired') {
    throw new OperatorError('certificates still count as expired after their renewal', {
      remedy: 'run "etcd-rotate check" to see which, then "etcd-rotate rollback" for a new set',
    });
  }
  return confirmAndRun(connected, run.plan, run.notes, options);
}

/** Continues the unfinished run this master holds the lock for, from the step it stopped in. */
export async function resume(options: RunOptions): Promise<number> {
  const lock = await readRunLock(options.root);
  if (!lock) {
    throw new UsageError('there is no unfinished run on this master to resume', {
      remedy: 'start one with "etcd-rotate rotate"; "etcd-rotate backups" lists earlier runs',
    });
  }
  const connected = await connectMasters(options);
  try {
    // Files damaged by hand while the run was stopped would fail a later step with a misleading
    // cause (a member that cannot serve looks like a lost quorum): refused now, before any step.
    assertFilesIntact(connected.masters);
    const plan = await loadPlan(options.root, lock.runId, connected.sessions);
    options.emit({ kind: 'info', message: `resuming run ${plan.runId} (${plan.scenario}) started on ${plan.coordinator} at ${plan.createdAt}` });
    await lockAll(connected, plan, options.command);
    const code = await carryOut(connected, plan, options);
    return plan.scenario === 'leaves-expired' ? await rotateAfterRecovery(connected, options) : code;
  } finally {
    await closeAll(connected.sessions);
  }
}

/**
 * Prints the plan, asks (unless --yes), then takes over an abandoned run if
 * asked to, locks every master, saves the plan everywhere and carries it out.
 */
export async function confirmAndRun(
  connected: ConnectedCluster,
  plan: RotationPlan,
  notes: { reasons: string[]; warnings: string[] },
  options: RunOptions,
  abandoned?: string,
): Promise<number> {
  options.print(describePlan(plan, notes));
  if (options.dryRun) return ExitCode.ok;
  if (!options.yes && !(await options.confirm('Carry out this plan?'))) {
    throw new UsageError('not confirmed; nothing was changed');
  }
  if (abandoned) await releaseAll(connected, abandoned);
  await lockAll(connected, plan, options.command);
  await saveEverywhere(connected.sessions, plan);
  return carryOut(connected, plan, options);
}

async function carryOut(connected: ConnectedCluster, plan: RotationPlan, options: RunOptions): Promise<number> {
  const local = connected.sessions.get(connected.localName)!;
  const started = Date.now();
  // Every master keeps the whole run's log; a master that cannot take a line
  // does not stop the run (its steps fail on their own if it is gone).
  const warnings: string[] = [];
  const emit: EventSink = (event) => {
    if (event.kind === 'warn') warnings.push(`${event.host ? `${event.host}: ` : ''}${event.message}`);
    options.emit(event);
    const record = { ...event, kind: `event-${event.kind}`, line: formatEvent(event, Date.now() - started) };
    for (const session of connected.sessions.values()) {
      void session.call('journal', { runId: plan.runId, event: record }).catch(() => undefined);
    }
  };
  await executePlan({
    plan,
    sessions: connected.sessions,
    cluster: options.cluster,
    emit,
    journal: createProgressJournal(plan.runId, local, connected.sessions),
    root: options.root,
    signers: once(async () => {
      const local = connected.masters.find((m) => m.name === connected.localName)!;
      return (await readLocalSecrets(options.root, local.layout)).kubernetesCas;
    }),
    interrupted: options.interrupted,
  });
  await Promise.all(
    [...connected.sessions.values()].map(async (s) => {
      await s.call('journal', { runId: plan.runId, event: { kind: 'run-finished' } });
      // The plan holds every new private key and the old client key; done, it has no use left.
      await s.call('removeRunState', { runId: plan.runId, name: PLAN_FILE });
      await s.call('unlock', { runId: plan.runId });
    }),
  );
  emit({ kind: 'info', message: summarizeRun(plan) });
  for (const warning of warnings) options.emit({ kind: 'warn', message: `during the run: ${warning}` });
  if (plan.scenario === 'leaves-expired') {
    emit({ kind: 'info', message: 'expired leaves renewed under the current CAs and the cluster serves again; planning the rotation' });
  } else {
    emit({ kind: 'info', message: SUCCESS_LINE });
  }
  return ExitCode.ok;
}

/** Locks every master in member order, so two runs started at once cannot both get all of them. */
async function lockAll(connected: ConnectedCluster, plan: RotationPlan, command: string): Promise<void> {
  for (const master of plan.masters) {
    await connected.sessions.get(master.name)!.call('lock', { runId: plan.runId, command, host: plan.coordinator });
  }
}

async function releaseAll(connected: ConnectedCluster, runId: string): Promise<void> {
  for (const session of connected.sessions.values()) {
    await session.call('journal', { runId, event: { kind: 'run-abandoned', reason: 'rollback' } });
    await session.call('unlock', { runId });
  }
}

/** The run whose lock some master still holds, if any. */
export function unfinishedRun(connected: ConnectedCluster): string | undefined {
  return connected.masters.map((m) => m.inspection.lock?.runId).find((id) => id !== undefined);
}

/** The plan, with the new keys, goes to every master (0600) so any of them can resume the run. */
async function saveEverywhere(sessions: Map<string, AgentSession>, plan: RotationPlan): Promise<void> {
  const contentBase64 = Buffer.from(JSON.stringify(plan)).toString('base64');
  await Promise.all([...sessions.values()].map((s) => s.call('saveRunState', { runId: plan.runId, name: PLAN_FILE, contentBase64 })));
}

async function loadPlan(root: string, runId: string, sessions: Map<string, AgentSession>): Promise<RotationPlan> {
  const local = await readRunFile(root, runId, PLAN_FILE);
  if (local) return JSON.parse(local.toString()) as RotationPlan;
  for (const session of sessions.values()) {
    const remote = await session.call('loadRunState', { runId, name: PLAN_FILE }).catch(() => ({ contentBase64: undefined }));
    if (remote.contentBase64) return JSON.parse(Buffer.from(remote.contentBase64, 'base64').toString()) as RotationPlan;
  }
  throw new OperatorError(`the plan of run ${runId} is on no master`, {
    remedy: `undo what it did with "etcd-rotate rollback" (new set) or "etcd-rotate rollback --from-backup ${runId}"`,
  });
}

/** `load`, called at most once. */
function once<T>(load: () => Promise<T>): () => Promise<T> {
  let loaded: Promise<T> | undefined;
  return () => (loaded ??= load());
}

/** A run id that sorts by time: `20261203-172501-3f9a`. */
export function newRunId(now = new Date()): string {
  const stamp = now.toISOString().replace(/[-:]/g, '').replace('T', '-').slice(0, 15);
  return `${stamp}-${randomBytes(2).toString('hex')}`;
}
