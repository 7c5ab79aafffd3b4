/**
 * Turns what gRPC, TLS and etcd report into one plain sentence that names the
 * endpoint, what went wrong and what to check. gRPC's own text ("14
 * UNAVAILABLE: No connection established. Last error: ...") is reduced to
 * its reason; the original error stays as `cause`.
 */
import { ExitCode, OperatorError } from '../errors.js';

/** What kind of failure, chosen by what the caller does next. */
export type EtcdFailureKind =
  /** No answer in time: wait and retry, or treat the member as down. */
  | 'timeout'
  /** Nothing accepted the connection: the member is not running there. */
  | 'unreachable'
  /** We do not trust the certificate etcd presented: check the CA bundle. */
  | 'server-certificate'
  /** etcd refused our client certificate: check it against etcd's trusted CA. */
  | 'client-certificate'
  /** etcd answered with an error (not leader, no quorum, ...). */
  | 'rejected'
  /** Anything else; the message carries the reason. */
  | 'failed';

/** A failed call to one etcd endpoint. */
export class EtcdCallError extends OperatorError {
  // Callers wrap this into PreflightError or RunFailedError as their phase
  // requires; unwrapped (in read-only commands) it means "etcd is unhealthy".
  override readonly exitCode = ExitCode.unhealthy;

  constructor(
    message: string,
    readonly endpoint: string,
    readonly kind: EtcdFailureKind,
    details: { remedy?: string; cause?: unknown } = {},
  ) {
    super(message, details);
  }
}

/** How OpenSSL and Node word a server certificate we cannot trust, and what it means. */
const SERVER_CERTIFICATE: Array<[RegExp, string]> = [
  [
    /self[- ]signed certificate|unable to verify the first certificate|unable to get (local )?issuer/i,
    'certificate signed by unknown authority',
  ],
  [/certificate has expired/i, 'its certificate has expired'],
  [/certificate is not yet valid/i, 'its certificate is not yet valid'],
  [/does not match certificate's altnames|ERR_TLS_CERT_ALTNAME_INVALID/i,
    'its certificate does not name this address'],
  [/unsupported certificate purpose/i, 'its certificate lacks the serverAuth usage'],
];

const UNREACHABLE = /ECONNREFUSED|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN/;

const REMEDY = {
  clientCertificate: 'check that the client certificate is signed by a CA in etcd\'s ' +
    '--trusted-ca-file, is not expired and has the clientAuth usage',
  serverCertificate:
    'check that the CA bundle contains the CA that signed etcd\'s server certificate',
  unreachable: 'check that the etcd member is running and listens on that address',
  timeout: 'check that the member is running and has quorum (etcd logs, other members)',
};

/**
 * Describes `error`, thrown while doing `action` (a phrase such as "reading
 * member status") against `endpoint`, as an `EtcdCallError`.
 */
export function describeEtcdFailure(
  error: unknown,
  endpoint: string,
  action: string,
  timeoutMs: number,
): EtcdCallError {
  if (error instanceof EtcdCallError) return error;
  const raw = error instanceof Error ? error.message : String(error);
  const reason = grpcReason(raw);
  const at = `etcd at ${endpoint}`;
  const fail = (message: string, kind: EtcdFailureKind, remedy?: string): EtcdCallError =>
    new EtcdCallError(message, endpoint, kind, { cause: error, remedy });

  // A TLS alert from etcd during the handshake: it refused what we presented.
  const alert = /alert ([a-z ]+?)(?::|$)/i.exec(reason)?.[1];
  if (alert !== undefined && /certificate|unknown ca/i.test(alert)) {
    const message = `${at} rejected our client certificate while ${action} (TLS alert "${alert}")`;
    return fail(message, 'client-certificate', REMEDY.clientCertificate);
  }
  const distrust = SERVER_CERTIFICATE.find(([pattern]) => pattern.test(reason));
  if (distrust !== undefined) {
    const message = `TLS handshake with ${at} failed while ${action}: ${distrust[1]} (${reason})`;
    return fail(message, 'server-certificate', REMEDY.serverCertificate);
  }
  if (UNREACHABLE.test(reason)) {
    const message = `${at} is not reachable while ${action}: ${networkReason(reason)}`;
    return fail(message, 'unreachable', REMEDY.unreachable);
  }
  if (/DEADLINE_EXCEEDED|deadline exceeded/i.test(raw)) {
    return timeoutFailure(endpoint, action, timeoutMs, deadlineReason(raw), error);
  }
  if (/etcdserver:/.test(reason)) return fail(`${at} refused ${action}: ${reason}`, 'rejected');
  return fail(`${at} failed while ${action}: ${reason}`, 'failed');
}

/** The error for an endpoint that did not answer within `timeoutMs`. */
export function timeoutFailure(
  endpoint: string,
  action: string,
  timeoutMs: number,
  reason: string,
  cause?: unknown,
): EtcdCallError {
  const within = formatSeconds(timeoutMs);
  return new EtcdCallError(
    `etcd at ${endpoint} did not answer within ${within} while ${action}: ${reason}`,
    endpoint, 'timeout', { cause, remedy: REMEDY.timeout },
  );
}

/** `1500` as "1.5 s", `3000` as "3 s". */
export function formatSeconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

// grpc-js: "14 UNAVAILABLE: No connection established. Last error: <reason>
// (<timestamp>). Resolution note: ..."; the timestamp is not always there.
const LAST_ERROR = /Last error: ([\s\S]*?)(?: \(\d{4}-\d\d-\d\dT[^)]*\))?\.? Resolution note:/;

function grpcReason(message: string): string {
  const last = LAST_ERROR.exec(message);
  const text = last?.[1] ?? message.replace(/^\d+ [A-Z_]+: /, '');
  return text.replace(/^Error: /, '').replace(/\s+/g, ' ').trim();
}

function networkReason(reason: string): string {
  const refused = /ECONNREFUSED (\S+)/.exec(reason);
  if (refused) return `connection refused (nothing listens on ${refused[1]})`;
  return reason;
}

function deadlineReason(message: string): string {
  // grpc-js names the remote address only when a connection was made.
  return /remote_addr=/.test(message)
    ? 'connected, but the request got no answer'
    : 'no connection could be established';
}
