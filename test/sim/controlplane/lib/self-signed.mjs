/**
 * An in-memory self-signed serving pair, as kube-controller-manager and kube-scheduler make
 * when no --tls-cert-file is given (made with the openssl CLI; Node cannot issue certificates).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { isIP } from 'node:net';
import { join } from 'node:path';

/** `{ cert, key }` PEM texts for `host` (an IP address), valid one year. */
export function selfSignedPair(host) {
  const dir = mkdtempSync(join(tmpdir(), 'sim-serving-'));
  try {
    execFileSync('openssl', [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', '365',
      '-subj', `/CN=${host}@${Math.floor(Date.now() / 1000)}`,
      '-addext', `subjectAltName=${isIP(host) ? 'IP' : 'DNS'}:${host}`,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    return {
      cert: readFileSync(join(dir, 'cert.pem'), 'utf8'),
      key: readFileSync(join(dir, 'key.pem'), 'utf8'),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
