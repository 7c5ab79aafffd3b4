/**
 * What certificate a member presents right now, read from a raw TLS handshake
 * on its client (2379) or peer (2380) port. This is how a rotation proves that
 * a member serves its new certificate: etcd reads its certificate files again
 * on every handshake, so the answer changes without a restart.
 */
import { isIP } from 'node:net';
import { checkServerIdentity, connect, type TLSSocket } from 'node:tls';
import { DEFAULT_TIMEOUT_MS } from './connection.js';
import { describeEtcdFailure, EtcdCallError, timeoutFailure } from './failure.js';

/** The TLS material a probe may use; all optional. */
export interface ProbeTls {
  /** CA bundle to verify against; without it, Node's default roots are used. */
  ca?: Buffer;
  /** Client certificate and key to present (the peer port requires one). */
  cert?: Buffer;
  key?: Buffer;
}

/** Options for `probeServedCertificate`. */
export interface ProbeOptions {
  /** Name to send as SNI and to check the certificate against; default the host. */
  servername?: string;
  /** Default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** The leaf certificate a server presented, and whether it verified. */
export interface ServedCertificate {
  host: string;
  port: number;
  der: Buffer;
  pem: string;
  /** Colon-separated upper-case hex, as Node and OpenSSL print it. */
  fingerprint256: string;
  subject: string;
  issuer: string;
  serialNumber: string;
  notBefore: Date;
  notAfter: Date;
  /** Whether it chains to `ca` and names the host (or `servername`). */
  verified: boolean;
  /** Why it did not verify, as OpenSSL or Node words it. */
  verifyError?: string;
  tlsVersion: string | null;
  tookMs: number;
}

/**
 * Opens a TLS connection to `host:port`, presenting the client certificate
 * when given, and returns the leaf certificate the server presented. It does
 * not reject a certificate that fails to verify: it reports it.
 *
 * NB. Under TLS 1.2 a server that refuses our client certificate aborts the
 * handshake before we can read its certificate; under TLS 1.3 (etcd's default
 * with Go 1.13 and later) the refusal comes after, and the probe succeeds.
 *
 * @throws EtcdCallError when no handshake completes within the timeout.
 */
export async function probeServedCertificate(
  host: string,
  port: number,
  tls: ProbeTls,
  options: ProbeOptions = {},
): Promise<ServedCertificate> {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const endpoint = `https://${isIP(host) === 6 ? `[${host}]` : host}:${port}`;
  const action = 'reading the certificate it presents';
  const started = performance.now();

  const socket = await handshake(host, port, tls, options.servername, timeoutMs).catch((error) => {
    throw error === TIMED_OUT
      ? timeoutFailure(endpoint, action, timeoutMs, 'no TLS handshake completed')
      : describeEtcdFailure(error, endpoint, action, timeoutMs);
  });
  try {
    const leaf = socket.getPeerX509Certificate();
    if (leaf === undefined) {
      throw new EtcdCallError(`${endpoint} presented no certificate`, endpoint, 'failed');
    }
    return {
      host, port,
      der: leaf.raw,
      pem: leaf.toString(),
      fingerprint256: leaf.fingerprint256,
      subject: oneLine(leaf.subject),
      issuer: oneLine(leaf.issuer),
      serialNumber: leaf.serialNumber.toLowerCase(),
      notBefore: new Date(leaf.validFrom),
      notAfter: new Date(leaf.validTo),
      verified: socket.authorized,
      verifyError: socket.authorized ? undefined : String(socket.authorizationError),
      tlsVersion: socket.getProtocol(),
      tookMs: Math.round(performance.now() - started),
    };
  } finally {
    socket.destroy();
  }
}

const TIMED_OUT = Symbol('timed out');

function handshake(
  host: string,
  port: number,
  tls: ProbeTls,
  servername: string | undefined,
  timeoutMs: number,
): Promise<TLSSocket> {
  const name = servername ?? host;
  return new Promise((resolve, reject) => {
    const socket = connect({
      host, port,
      ca: tls.ca, cert: tls.cert, key: tls.key,
      // An IP address is not a valid SNI name (RFC 6066): send none, but
      // still check the certificate's IP SANs against it.
      servername: isIP(name) === 0 ? name : undefined,
      checkServerIdentity: (_host, cert) => checkServerIdentity(name, cert),
      rejectUnauthorized: false,
    });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(TIMED_OUT);
    }, timeoutMs);
    socket.once('secureConnect', () => {
      clearTimeout(timer);
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      socket.destroy();
      reject(error);
    });
  });
}

function oneLine(name: string): string {
  return name.split('\n').filter(Boolean).join(', ');
}
