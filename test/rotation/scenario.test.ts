import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { issueCertificateAuthority, type IssuedPair } from '../../src/pki/index.js';
import type { MasterState } from '../../src/rotation/plan/index.js';
import { chooseScenario } from '../../src/rotation/scenario.js';

const YEAR = 365 * 86_400_000;
// notBefore is set five minutes back for clock skew, so 1 ms of validity is already over.
const EXPIRED = 1;

async function pair(validityMs: number): Promise<IssuedPair> {
  return issueCertificateAuthority({ commonName: 'x', validityMs });
}

function master(files: Record<string, string>): MasterState {
  return {
    name: 'm1',
    inspection: { certificates: Object.entries(files).map(([path, pem]) => ({ path, exists: true, pem })) },
    layout: {
      clientCa: { cert: '/c/ca.pem' },
      peerCa: { cert: '/c/peer-ca.pem' },
      server: { cert: '/c/server.pem', key: '/c/server-key.pem' },
      peers: { m1: { cert: '/c/m1.pem', key: '/c/m1-key.pem' } },
    },
  } as unknown as MasterState;
}

const cases: [string, { ca: number; leaf: number; keys: boolean; force?: boolean }, string][] = [
  ['everything valid, CA keys present', { ca: YEAR, leaf: YEAR, keys: true }, 'online'],
  ['everything valid, CA keys missing (the online rotation does not need them)', { ca: YEAR, leaf: YEAR, keys: false }, 'online'],
  ['a leaf expired under a valid CA with its key', { ca: YEAR, leaf: EXPIRED, keys: true }, 'leaves-expired'],
  ['a leaf expired and the CA key missing', { ca: YEAR, leaf: EXPIRED, keys: false }, 'reset'],
  ['the CA expired', { ca: EXPIRED, leaf: YEAR, keys: true }, 'reset'],
  ['--expired on a valid cluster', { ca: YEAR, leaf: YEAR, keys: true, force: true }, 'leaves-expired'],
];

for (const [title, given, expected] of cases) {
  test(`chooseScenario: ${title} -> ${expected}`, async () => {
    const [ca, peerCa, leaf] = await Promise.all([pair(given.ca), pair(given.ca), pair(given.leaf)]);
    const m = master({
      '/c/ca.pem': ca.certPem,
      '/c/peer-ca.pem': peerCa.certPem,
      '/c/server.pem': leaf.certPem,
      '/c/m1.pem': leaf.certPem,
    });
    const secrets = given.keys ? { client: ca, clientCa: ca, peerCa, kubernetesCas: [] } : { client: ca, kubernetesCas: [] };
    const choice = chooseScenario([m], secrets, { now: new Date(), forceExpired: given.force ?? false });
    assert.is(choice.scenario, expected, choice.reasons.join('; '));
    assert.ok(choice.reasons.length > 0, 'the plan says why');
  });
}

test.run();
