import { X509Certificate, createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createServer, type TLSSocket } from 'node:tls';
import { PreflightError, messageOf } from '../../errors.js';
import { issueCertificateAuthority } from '../../pki/index.js';
import type { PeerTarget } from '../transport.js';
import { readFirstLine, type CallbackAnswer, type CallbackHello } from './handshake.js';

const HANDSHAKE_TIMEOUT_MS = 10_000;
const CERTIFICATE_VALIDITY_MS = 2 * 24 * 3600_000;

/** A peer the listener waits for: its token and, once it called, its socket. */
export interface Expectation {
  /** Given to the agent in the command text; valid for one connection to this listener. */
  token: string;
  connected: Promise<TLSSocket>;
  /** Stops waiting: `connected` rejects with `reason`, the token becomes invalid. */
  cancel(reason: Error): void;
}

/** The coordinator's TLS listener the agents started through Cloud Assistant call back to. */
export interface CallbackListener {
  /** `https://<address>:<port>`, as the agents are told. */
  readonly url: string;
  /** `sha256:<hex>` of the listener's certificate; the agents pin it. */
  readonly fingerprint: string;
  expect(peer: PeerTarget): Expectation;
  /** Stops accepting; connections already made stay open. */
  close(): Promise<void>;
}

interface Waiting {
  peer: PeerTarget;
  resolve: (socket: TLSSocket) => void;
  reject: (error: Error) => void;
}

/**
 * Listens on `address:port` (0: any free port) with a certificate made for
 * this run. A connection is accepted only if its first line carries a token
 * handed out by `expect`, not used before, and it comes from that peer's own
 * address; everything else is answered with the reason and closed.
 */
export async function startCallbackListener(
  address: string,
  port: number,
  onRefused: (line: string) => void,
): Promise<CallbackListener> {
  const ca = await issueCertificateAuthority({
    commonName: 'etcd-rotate callback listener',
    validityMs: CERTIFICATE_VALIDITY_MS,
  });
  const fingerprint = `sha256:${new X509Certificate(ca.certPem).fingerprint256.replace(/:/g, '').toLowerCase()}`;
  const waiting = new Map<string, Waiting>();

  const server = createServer({ cert: ca.certPem, key: ca.keyPem, minVersion: 'TLSv1.2' }, (socket) => {
    void authenticate(socket);
  });
  server.on('tlsClientError', () => undefined);

  async function authenticate(socket: TLSSocket): Promise<void> {
    socket.on('error', () => undefined);
    const from = (socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    let hello: CallbackHello;
    try {
      hello = JSON.parse(await readFirstLine(socket, HANDSHAKE_TIMEOUT_MS)) as CallbackHello;
    } catch (error) {
      return refuse(socket, `a connection from ${from} sent no valid handshake: ${messageOf(error)}`);
    }
    const key = tokenKey(String(hello.token ?? ''));
    const entry = waiting.get(key);
    if (!entry) return refuse(socket, `a connection from ${from} presented an unknown or already used token`);
    waiting.delete(key);
    if (from !== entry.peer.ip) {
      const reason = `the callback with ${entry.peer.name}'s token came from ${from}, not from ${entry.peer.ip}`;
      refuse(socket, reason);
      entry.reject(new PreflightError(`refused the agent connection for ${entry.peer.name}: ${reason}`, {
        remedy: 'someone else may have read the invocation\'s command text; check who can call ecs:DescribeInvocations, then run again (nothing was changed)',
      }));
      return;
    }
    answer(socket, { accepted: true });
    entry.resolve(socket);
  }

  function refuse(socket: TLSSocket, reason: string): void {
    onRefused(reason);
    answer(socket, { accepted: false, reason });
    socket.end();
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', (error) =>
      reject(new PreflightError(`cannot listen for the agents' callbacks on ${address}:${port}: ${messageOf(error)}`, {
        remedy: 'pass --listen ADDRESS[:PORT] with an address of this master the other masters can reach',
        cause: error,
      })),
    );
    server.listen(port, address, () => resolve());
  });
  const bound = server.address() as AddressInfo;
  const host = bound.family === 'IPv6' ? `[${bound.address}]` : bound.address;

  return {
    url: `https://${host}:${bound.port}`,
    fingerprint,
    expect(peer) {
      const token = randomBytes(32).toString('base64url');
      const key = tokenKey(token);
      let cancel: (reason: Error) => void = () => undefined;
      const connected = new Promise<TLSSocket>((resolve, reject) => {
        waiting.set(key, { peer, resolve, reject });
        cancel = (reason) => {
          waiting.delete(key);
          reject(reason);
        };
      });
      connected.catch(() => undefined);
      return { token, connected, cancel };
    },
    close: () =>
      new Promise<void>((resolve) => {
        waiting.clear();
        server.close(() => resolve());
        // Connections already accepted keep the server's close callback waiting; do not wait for them.
        setImmediate(resolve);
      }),
  };
}

function tokenKey(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function answer(socket: TLSSocket, value: CallbackAnswer): void {
  socket.write(JSON.stringify(value) + '\n');
}
