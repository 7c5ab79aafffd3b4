/**
 * One short-lived etcd3 client per endpoint and per operation: it answers for
 * exactly one member, fails fast (no retries, no circuit breaker, a deadline
 * on every call) and is always closed, so no gRPC channel outlives the call.
 */
import type { Etcd3, IOptions } from 'etcd3';
import { InputError } from '../errors.js';

/** The TLS material for talking to etcd, as PEM in memory (never paths). */
export interface EtcdTls {
  /** The CA bundle that etcd's server certificates must chain to. */
  ca: Buffer;
  /** The client certificate (PEM), accepted by etcd's `--trusted-ca-file`. */
  cert: Buffer;
  /** The client certificate's private key (PEM). */
  key: Buffer;
}

/** Options every etcd call takes. */
export interface EtcdCallOptions {
  /** How long one endpoint may take to answer; default `DEFAULT_TIMEOUT_MS`. */
  timeoutMs?: number;
}

/** The default time one endpoint may take to answer one request. */
export const DEFAULT_TIMEOUT_MS = 3_000;

type Policy = ReturnType<NonNullable<NonNullable<IOptions['faultHandling']>['host']>>;

// Every call is tried once, on the one host given: the callers want to know
// which member answered, and retries would hide how long it took.
const SINGLE_ATTEMPT = {
  _altReturn: undefined as never,
  onSuccess: () => ({ dispose: () => undefined }),
  onFailure: () => ({ dispose: () => undefined }),
  execute: async (fn: (context: { signal: AbortSignal }) => unknown) =>
    fn({ signal: new AbortController().signal }),
} as unknown as Policy;

const CHANNEL_OPTIONS = {
  // New channels per call: keep the first connection attempt quick and
  // never let gRPC wait between attempts longer than a call may last.
  'grpc.initial_reconnect_backoff_ms': 100,
  'grpc.max_reconnect_backoff_ms': 1_000,
  'grpc.enable_retries': 0,
};

/**
 * Runs `fn` with a client connected only to `endpoint` and closes the client
 * afterwards, whether `fn` succeeds or not. Callers check the endpoint first
 * (`checkEndpoint`), so that a malformed one is an input error, not an etcd failure.
 */
export async function withEtcdClient<T>(
  endpoint: string,
  tls: EtcdTls,
  fn: (client: Etcd3) => Promise<T>,
): Promise<T> {
  // etcd3 (with gRPC) loads on first use: the peers' agents never need it.
  const { Etcd3 } = await import('etcd3');
  const client = new Etcd3({
    hosts: [endpoint],
    credentials: { rootCertificate: tls.ca, certChain: tls.cert, privateKey: tls.key },
    grpcOptions: CHANNEL_OPTIONS,
    faultHandling: { host: () => SINGLE_ATTEMPT, global: SINGLE_ATTEMPT },
  });
  try {
    return await fn(client);
  } finally {
    client.close();
  }
}

/** gRPC call options with a deadline `timeoutMs` from now. */
export function deadline(timeoutMs: number): { deadline: number } {
  return { deadline: Date.now() + timeoutMs };
}

/** The timeout to use for a call, from its options. */
export function timeoutOf(options: EtcdCallOptions | undefined): number {
  return options?.timeoutMs ?? DEFAULT_TIMEOUT_MS;
}

const ENDPOINT = /^https:\/\/(\[[0-9a-fA-F:.]+\]|[^\s/:[\]]+):\d{1,5}\/?$/;

/** Checks that `endpoint` is an `https://host:port` URL; returns it without a final slash. */
export function checkEndpoint(endpoint: string): string {
  if (!ENDPOINT.test(endpoint)) {
    throw new InputError(`etcd endpoint "${endpoint}" is not of the form https://host:port`, {
      remedy: 'give client URLs as etcd advertises them, for example https://10.0.0.1:2379',
    });
  }
  return endpoint.replace(/\/$/, '');
}

/** Checks a non-empty list of endpoints with `checkEndpoint`. */
export function checkEndpoints(endpoints: readonly string[]): string[] {
  if (endpoints.length === 0) {
    throw new InputError('no etcd endpoint was given', {
      remedy: 'give the client URLs of the etcd members',
    });
  }
  return endpoints.map(checkEndpoint);
}
