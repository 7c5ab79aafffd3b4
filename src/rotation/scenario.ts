import { parseCertificates } from '../pki/index.js';
import type { LocalSecrets, MasterState } from './plan/index.js';
import type { Scenario } from './types.js';

/** The scenario a run takes, and why. */
export interface ScenarioChoice {
  scenario: Scenario;
  reasons: string[];
}

/**
 * Decides from the certificates themselves how the run must go. A CA that has
 * expired means trust is broken: reset. Otherwise the online rotation works
 * whether or not the old CA keys are there (it only needs the new ones); when
 * leaves have expired they are re-signed by their CAs first, which needs those
 * keys, and without them only a reset is left. `forceExpired` (`--expired`)
 * treats the cluster as down even if it looks fine.
 */
export function chooseScenario(
  masters: MasterState[],
  secrets: LocalSecrets,
  options: { now: Date; forceExpired: boolean },
): ScenarioChoice {
  const reasons: string[] = [];
  const expired = (pem: string, what: string) => {
    const cert = parseCertificates(pem, what)[0]!;
    const gone = cert.notAfter <= options.now;
    if (gone) reasons.push(`${what} expired on ${cert.notAfter.toISOString()}`);
    return gone;
  };

  const coordinator = masters[0]!;
  const caFiles = [coordinator.layout.clientCa.cert, coordinator.layout.peerCa.cert];
  const caExpired = caFiles
    .map((path) => coordinator.inspection.certificates.find((c) => c.path === path)?.pem)
    .map((pem, i) => pem !== undefined && expired(pem, i === 0 ? 'the etcd CA' : 'the etcd peer CA'))
    .some(Boolean);
  if (caExpired) return { scenario: 'reset', reasons };

  let leavesExpired = false;
  for (const m of masters) {
    const leaves = [m.layout.server.cert, ...Object.values(m.layout.peers).map((p) => p.cert)];
    if (m.layout.apiserver) leaves.push(m.layout.apiserver.client.cert);
    for (const path of leaves) {
      const file = m.inspection.certificates.find((c) => c.path === path);
      if (file?.pem && expired(file.pem, `${m.name}:${path}`)) leavesExpired = true;
    }
  }
  if (options.forceExpired && !leavesExpired) {
    reasons.push('--expired given: the leaves are re-signed in place before the rotation');
  }
  if (leavesExpired || options.forceExpired) {
    if (secrets.clientCa && secrets.peerCa) return { scenario: 'leaves-expired', reasons };
    reasons.push('the CA keys beside --trusted-ca-file and --peer-trusted-ca-file are needed to re-sign the expired leaves, and are missing');
    return { scenario: 'reset', reasons };
  }
  return { scenario: 'online', reasons: ['every CA is valid and no certificate has expired'] };
}
