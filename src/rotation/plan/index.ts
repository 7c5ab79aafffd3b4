import { parseCertificates, resignCertificate } from '../../pki/index.js';
import { PreflightError } from '../../errors.js';
import { bundle } from '../material.js';
import type { EtcdIdentity, Phase, RotationPlan, Step } from '../types.js';
import { plannedMasters, type PlanInput } from './context.js';
import { backupPaths, finalExpectation, issueNewEtcdSet } from './etcd-set.js';
import { planKubernetes } from './kubernetes.js';
import { planOnlinePhases, recoveryWrites } from './online.js';
import { planResetPhases } from './reset.js';
import { validateNewSet } from './validate.js';

export type { LocalSecrets, MasterState, PlanInput } from './context.js';

/** A plan and what the planner could not do, to show before anything changes. */
export interface PlanResult {
  plan: RotationPlan;
  warnings: string[];
}

/**
 * Decides the whole run before the first change: issues the new certificate
 * set, re-signs what must stay valid on the way, and orders every step. Expired
 * leaves get a plan of their own (see `recoveryPlan`).
 */
export async function buildPlan(input: PlanInput): Promise<PlanResult> {
  if (input.scenario === 'leaves-expired') return { plan: recoveryPlan(input), warnings: [] };
  const warnings: string[] = [];
  const [set, kubernetes] = await Promise.all([issueNewEtcdSet(input), planKubernetes(input, warnings)]);
  validateNewSet(input.masters, set);
  const online = input.scenario === 'online';

  const phases: Phase[] = [prepare(input, online)];
  phases.push(...(online ? planOnlinePhases(input, set, kubernetes) : planResetPhases(input, set, kubernetes)));

  const verify: Step[] = online ? [{ kind: 'verify-old-client-rejected' }, { kind: 'verify-final' }] : [{ kind: 'verify-final' }];
  phases.push({ name: 'verify', title: 'every member healthy and serving the new certificates', identity: 'new', steps: verify });

  // During the run a member may present a certificate of either CA, whichever identity the tool uses.
  const current = currentIdentity(input);
  const caPem = bundle(current.caPem, set.ca.certPem);
  const identities: Record<'current' | 'new', EtcdIdentity> = {
    current: { ...current, caPem },
    new: { caPem, certPem: set.client.certPem, keyPem: set.client.keyPem },
  };

  const plan: RotationPlan = {
    ...planHeader(input),
    identities,
    finalServed: Object.fromEntries(input.masters.map((m) => [m.name, finalExpectation(m, set)])),
    phases,
  };
  if (online) plan.oldClient = identities.current;
  return { plan, warnings };
}

/**
 * The first of two runs when leaves expired under valid CAs: back up, then
 * re-sign the leaves in place by their own CAs. It needs no new key, so the
 * cluster serves again within seconds; the rotation is planned afterwards, on
 * a serving cluster, as a run of its own.
 */
export function recoveryPlan(input: PlanInput): RotationPlan {
  const current = currentIdentity(input);
  return {
    ...planHeader(input),
    identities: { current, new: current },
    finalServed: {},
    phases: [prepare(input, false), recover(input)],
  };
}

function planHeader(input: PlanInput): Pick<RotationPlan, 'runId' | 'scenario' | 'createdAt' | 'coordinator' | 'validity' | 'masters'> {
  return {
    runId: input.runId,
    scenario: input.scenario,
    createdAt: new Date().toISOString(),
    coordinator: input.coordinator,
    validity: input.validity,
    masters: plannedMasters(input.masters),
  };
}

/** Every master archives at once; the snapshot goes into the coordinator's archive once it exists. */
function prepare(input: PlanInput, snapshot: boolean): Phase {
  const steps: Step[] = input.masters.map((m) => ({ kind: 'backup', host: m.name, paths: backupPaths(m, []), lane: m.name }));
  if (snapshot) steps.push({ kind: 'snapshot', host: input.coordinator, lane: input.coordinator });
  return { name: 'prepare', title: 'back up every file the run changes', identity: 'current', steps };
}

/** Expired leaves re-signed in place by their CAs: members pick them up without a restart. */
function recover(input: PlanInput): Phase {
  const { clientCa, peerCa } = input.secrets;
  if (!clientCa || !peerCa) {
    throw new PreflightError('cannot re-sign the expired leaves: the etcd CA keys are not on this master', {
      remedy: 'run from a master that holds ca-key.pem and peer-ca-key.pem, or run "etcd-rotate rollback"',
    });
  }
  const steps: Step[] = input.masters.map((m) => ({
    kind: 'write',
    host: m.name,
    files: recoveryWrites(m, clientCa, peerCa, input.validityMs),
    why: 'expired leaves re-signed by their CAs, same keys',
  }));
  steps.push({ kind: 'wait-quorum' });
  for (const m of input.masters) {
    if (m.layout.apiserver) steps.push({ kind: 'restart-pods', host: m.name, components: ['kube-apiserver'] });
  }
  return { name: 'recover', title: 'expired leaves renewed under the current CAs', identity: 'current', steps };
}

/**
 * How the tool talks to etcd before the new CA is trusted: the client pair of
 * this master (re-signed in memory when it has expired) and every master's CA.
 */
export function currentIdentity(input: Pick<PlanInput, 'masters' | 'secrets' | 'validityMs'>): EtcdIdentity {
  const caPem = bundle(...input.masters.map((m) => m.inspection.certificates.find((c) => c.path === m.layout.clientCa.cert)?.pem ?? ''));
  return { caPem, ...currentClient(input) };
}

function currentClient(input: Pick<PlanInput, 'secrets' | 'validityMs'>): { certPem: string; keyPem: string } {
  const { client, clientCa } = input.secrets;
  const cert = parseCertificates(client.certPem, 'the etcd client certificate')[0]!;
  if (cert.notAfter.getTime() > Date.now() || !clientCa) return client;
  return { certPem: resignCertificate(cert, clientCa, { validityMs: input.validityMs }), keyPem: client.keyPem };
}
