import { parseCertificates } from '../pki/index.js';
import type { LocalSecrets, MasterState } from './plan/index.js';
import type { Scenario } from './types.js';

/** The scenario a run takes, and why. */
export interface ScenarioChoice {
  scenario: Scenario;
  reasons: string[];
}

/**
 * Decides from the certificates themselves how the run must go: online when
 * every CA is valid with its key and no leaf has expired; leaves re-signed
 * first when only leaves expired; a reset when a CA expired or its key is gone.
 * `forceExpired` (`--expired`) treats the cluster as down even if it looks fine.
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

  if (!secrets.clientCa) reasons.push('the etcd CA key (beside --trusted-ca-file) is missing');
  if (!secrets.peerCa) reasons.push('the etcd peer CA key (beside --peer-trusted-ca-file) is missing');
  const caBroken =
    !secrets.clientCa || !secrets.peerCa ||
    [expired(secrets.clientCa.certPem, 'the etcd CA'), expired(secrets.peerCa.certPem, 'the etcd peer CA')].some(Boolean);
  if (caBroken) return { scenario: 'reset', reasons };

  let leavesExpired = false;
  for (const m of masters) {
    const leaves = [m.layout.server.cert, ...Object.values(m.layout.peers).map((p) => p.cert)];
    if (m.layout.apiserver) leaves.push(m.layout.apiserver.client.cert);
    for (const path of leaves) {
      const file = m.inspection.certificates.find((c) => c.path === path);
      if (file?.pem && expired(file.pem, `${m.name}:${path}`)) leavesExpired = true;
    }
  }
  if (leavesExpired) return { scenario: 'leaves-expired', reasons };
  if (options.forceExpired) {
    return { scenario: 'leaves-expired', reasons: ['--expired given: leaves re-signed in place before the rotation'] };
  }
  return { scenario: 'online', reasons: ['every CA is valid with its key and no certificate has expired'] };
}
