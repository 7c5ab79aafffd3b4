/**
 * The etcd v3 client as kube-apiserver builds it, speaking gRPC (KV.Range, unary) over HTTP/2
 * as the real one does, not through etcd's JSON gateway (whose own inner dial breaks in ways
 * a gRPC client never sees):
 * - the CA file is read once, when the client is made, and never again;
 * - the client certificate and key are read again on every new connection (etcd's
 *   TLSInfo.ClientConfig reloads them per handshake), and connections are long-lived;
 * - one connection per endpoint, reconnected in the background with gRPC's back-off
 *   (1 s, x1.6, jitter 0.2, at most 120 s), each failure logged as grpc logs it;
 * - a request goes to a ready endpoint in turn and waits for one (WaitForReady) until its
 *   deadline, which then fails with "context deadline exceeded".
 */
import { EventEmitter } from 'node:events';
import { readFileSync } from 'node:fs';
import http2 from 'node:http2';
import { isIP } from 'node:net';
import tls from 'node:tls';
import { describeDialError } from './go-errors.mjs';

/** grpc's connect timeout; kube-apiserver's dial timeout is also 20 s. */
const CONNECT_TIMEOUT_MS = 20_000;
const BACKOFF = { baseMs: 1000, multiplier: 1.6, jitter: 0.2, maxMs: 120_000 };

/** gRPC status code names by number, for error messages. */
const GRPC_CODES = [
  'OK', 'Canceled', 'Unknown', 'InvalidArgument', 'DeadlineExceeded', 'NotFound',
  'AlreadyExists', 'PermissionDenied', 'ResourceExhausted', 'FailedPrecondition', 'Aborted',
  'OutOfRange', 'Unimplemented', 'Internal', 'Unavailable', 'DataLoss', 'Unauthenticated',
];

export class EtcdClient extends EventEmitter {
  /** Reads the CA, and checks the certificate and key load, as the real client config does. */
  constructor({ servers, caFile, certFile, keyFile, log }) {
    super();
    this.setMaxListeners(0);
    this.ca = caFile ? readFileSync(caFile) : undefined;
    this.certFile = certFile;
    this.keyFile = keyFile;
    if (certFile || keyFile) {
      tls.createSecureContext({ cert: readFileSync(certFile), key: readFileSync(keyFile) });
    }
    this.log = log;
    this.endpoints = servers.map((url) => new Endpoint(url, this));
    this.next = 0;
    this.closed = false;
  }

  /** Starts connecting to every endpoint. */
  start() {
    for (const endpoint of this.endpoints) endpoint.run();
  }

  close() {
    this.closed = true;
    for (const endpoint of this.endpoints) endpoint.close();
  }

  /** Resolves to true once any endpoint is ready, or false at `deadline` (ms since epoch). */
  waitForReady(deadline) {
    if (this.pick() !== undefined) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.off('ready', onReady);
        resolve(false);
      }, Math.max(0, deadline - Date.now()));
      const onReady = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.once('ready', onReady);
    });
  }

  /** A linearizable range of `key`; throws an Error with the client's message. */
  async range(key, timeoutMs) {
    const deadline = Date.now() + timeoutMs;
    const body = encodeRangeRequest(key);
    for (;;) {
      const endpoint = this.pick();
      if (endpoint === undefined) {
        if (!(await this.waitForReady(deadline))) throw new Error('context deadline exceeded');
        continue;
      }
      try {
        return await endpoint.call('/etcdserverpb.KV/Range', body, deadline);
      } catch (error) {
        if (!error.transport) throw error;
        endpoint.drop();
      }
    }
  }

  pick() {
    const ready = this.endpoints.filter((e) => e.session !== undefined);
    if (ready.length === 0) return undefined;
    this.next = (this.next + 1) % ready.length;
    return ready[this.next];
  }
}

/** One endpoint's connection, like a gRPC subchannel. */
class Endpoint {
  constructor(url, client) {
    const u = new URL(url);
    this.url = url;
    this.host = u.hostname;
    this.port = Number(u.port || 2379);
    this.client = client;
    this.session = undefined;
    this.closed = false;
    this.wake = () => {};
  }

  async run() {
    let backoffMs = BACKOFF.baseMs;
    while (!this.closed && !this.client.closed) {
      const result = await this.dial();
      if (result.session !== undefined) {
        backoffMs = BACKOFF.baseMs;
        this.session = result.session;
        this.client.emit('ready');
        await new Promise((resolve) => result.session.once('close', resolve));
        this.session = undefined;
        continue;
      }
      this.client.log.warn('clientconn.go', `[core] grpc: addrConn.createTransport failed to ` +
        `connect to {${this.url} ${this.host}:${this.port} <nil> 0 <nil>}. Err: connection error: ` +
        `desc = "transport: ${this.describe(result.error)}". Reconnecting...`);
      const jitter = 1 + BACKOFF.jitter * (Math.random() * 2 - 1);
      await new Promise((resolve) => {
        const timer = setTimeout(resolve, backoffMs * jitter);
        this.wake = () => { clearTimeout(timer); resolve(); };
      });
      backoffMs = Math.min(backoffMs * BACKOFF.multiplier, BACKOFF.maxMs);
    }
  }

  describe(error) {
    const text = describeDialError(error, this.host, this.port);
    const dial = ['ECONNREFUSED', 'ETIMEDOUT'].includes(error?.code);
    return dial ? `Error while dialing ${text}` : `authentication handshake failed: ${text}`;
  }

  /** One TLS + HTTP/2 connection; `{ session }` once the server's settings arrive. */
  dial() {
    return new Promise((resolve) => {
      let settled = false;
      let session;
      let timer;
      const done = (result) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        if (result.error !== undefined) session?.destroy();
        resolve(result);
      };
      try {
        const cert = this.client.certFile ? readFileSync(this.client.certFile) : undefined;
        const key = this.client.keyFile ? readFileSync(this.client.keyFile) : undefined;
        session = http2.connect(`https://${this.host}:${this.port}`, {
          createConnection: () => {
            const socket = tls.connect({
              host: this.host,
              port: this.port,
              ca: this.client.ca,
              cert,
              key,
              ALPNProtocols: ['h2'],
              servername: isIP(this.host) ? undefined : this.host,
            });
            socket.on('error', (error) => done({ error }));
            return socket;
          },
        });
      } catch (error) {
        done({ error });
        return;
      }
      session.on('error', (error) => done({ error }));
      session.once('close', () => done({ error: new Error('connection closed') }));
      session.once('remoteSettings', () => done({ session }));
      timer = setTimeout(() => {
        done({ error: Object.assign(new Error('i/o timeout'), { code: 'ETIMEDOUT' }) });
      }, CONNECT_TIMEOUT_MS);
    });
  }

  /**
   * One unary gRPC call: resolves with the response message bytes, rejects with the status
   * as etcd's client words it, or with `transport` set when the connection failed.
   */
  call(path, message, deadline) {
    return new Promise((resolve, reject) => {
      const stream = this.session.request({
        ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers',
      });
      const timer = setTimeout(() => {
        stream.close(http2.constants.NGHTTP2_CANCEL);
        reject(new Error('context deadline exceeded'));
      }, Math.max(0, deadline - Date.now()));
      let status;
      const chunks = [];
      const readStatus = (headers) => {
        if (headers['grpc-status'] !== undefined) {
          const code = Number(headers['grpc-status']);
          status = { code, message: headers['grpc-message'] ?? '' };
        }
      };
      stream.on('response', readStatus);
      stream.on('trailers', readStatus);
      stream.on('data', (chunk) => chunks.push(chunk));
      stream.on('end', () => {
        clearTimeout(timer);
        if (status?.code === 0) resolve(Buffer.concat(chunks).subarray(5));
        else if (status !== undefined) reject(new Error(grpcError(status)));
        else reject(Object.assign(new Error('no gRPC status in the answer'), { transport: true }));
      });
      stream.on('error', (error) => {
        clearTimeout(timer);
        reject(Object.assign(new Error(error.message), { transport: true }));
      });
      stream.end(frame(message));
    });
  }

  /** Drops the connection after a transport error; `run` reconnects. */
  drop() {
    this.session?.destroy();
    this.session = undefined;
  }

  close() {
    this.closed = true;
    this.drop();
    this.wake();
  }
}

/** etcdserverpb.RangeRequest with only `key` (field 1) set: linearizable, no limit. */
function encodeRangeRequest(key) {
  const bytes = Buffer.from(key);
  return Buffer.concat([Buffer.from([0x0a]), varint(bytes.length), bytes]);
}

function varint(n) {
  const out = [];
  let rest = n;
  while (rest >= 0x80) {
    out.push((rest & 0x7f) | 0x80);
    rest >>>= 7;
  }
  out.push(rest);
  return Buffer.from(out);
}

/** A gRPC length-prefixed message: no compression, 4-byte big-endian length. */
function frame(message) {
  const head = Buffer.alloc(5);
  head.writeUInt32BE(message.length, 1);
  return Buffer.concat([head, message]);
}

/** The client's error for a status: etcd's own errors as they are, else gRPC's form. */
function grpcError({ code, message }) {
  const text = decodeURIComponent(message);
  if (text.startsWith('etcdserver:')) return text;
  return `rpc error: code = ${GRPC_CODES[code] ?? 'Unknown'} desc = ${text}`;
}
