import type { FileWrite, KubeconfigWrite } from '../../agent/protocol.js';
import { RunFailedError } from '../../errors.js';
import {
  keyMatchesCertificate,
  parseCertificates,
  parsePrivateKey,
  parseValidity,
  reissueCertificate,
  type IssuedPair,
} from '../../pki/index.js';
import { certWrite, keyWrite } from '../material.js';
import type { LeafRenewal } from '../types.js';
import type { StepContext } from './context.js';

/** What a write step's renewals add to it. */
export interface RenewedWrites {
  files: FileWrite[];
  kubeconfigs: KubeconfigWrite[];
}

/**
 * Issues every leaf `renewals` asks for, each with a new key, signed by the
 * Kubernetes CA the plan names; the CA's key comes from this master's disk.
 */
export async function issueRenewals(ctx: StepContext, renewals: LeafRenewal[]): Promise<RenewedWrites> {
  const renewed: RenewedWrites = { files: [], kubeconfigs: [] };
  if (renewals.length === 0) return renewed;
  const signers = await ctx.signers();
  const validityMs = parseValidity(ctx.plan.validity);

  const issued = await Promise.all(
    renewals.map(async (renewal) => {
      const template = parseCertificates(renewal.templatePem, describeTarget(renewal))[0]!;
      return { renewal, pair: await reissueCertificate(template, signerFor(renewal, signers), { validityMs }) };
    }),
  );
  for (const { renewal: { target }, pair } of issued) {
    if (target.kind === 'files') {
      renewed.files.push(certWrite(target.cert, pair.certPem), keyWrite(target.key, pair.keyPem));
      continue;
    }
    const write: KubeconfigWrite = { path: target.path, user: target.user, certificatePem: pair.certPem, keyPem: pair.keyPem };
    if (target.caPem) write.caPem = target.caPem;
    renewed.kubeconfigs.push(write);
  }
  return renewed;
}

/** The plan's signing CA certificate with the key of this master's CA it belongs to. */
function signerFor(renewal: LeafRenewal, signers: IssuedPair[]): IssuedPair {
  const ca = parseCertificates(renewal.signerPem, 'a Kubernetes CA of the plan')[0]!;
  const own = signers.find((s) => keyMatchesCertificate(ca, parsePrivateKey(s.keyPem, s.source ?? 'a Kubernetes CA key')));
  if (!own) {
    throw new RunFailedError(`cannot renew ${describeTarget(renewal)}: the key of its CA "${ca.subject}" is not on this master`, {
      remedy: 'continue the run from a master that holds the Kubernetes CA keys (/etc/kubernetes/pki/*.key) with "etcd-rotate rotate --resume"',
    });
  }
  return { certPem: renewal.signerPem, keyPem: own.keyPem, ...(own.source ? { source: own.source } : {}) };
}

/** The file or kubeconfig user a renewal writes, for messages and the plan. */
export function describeTarget(renewal: LeafRenewal): string {
  const { target } = renewal;
  return target.kind === 'files' ? target.cert : `the client certificate of user ${target.user} in ${target.path}`;
}
