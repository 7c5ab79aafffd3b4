/**
 * Node's connection and TLS errors in the words a Go client (grpc, client-go) would log, so
 * the stand-ins' logs read like the real components' logs.
 */

const UNKNOWN_AUTHORITY = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY', 'CERT_SIGNATURE_FAILURE',
  'CERT_UNTRUSTED',
]);

/** How a failed dial or handshake to `host:port` reads in Go. */
export function describeDialError(error, host, port) {
  const code = error?.code ?? '';
  if (code === 'ECONNREFUSED') return `dial tcp ${host}:${port}: connect: connection refused`;
  if (code === 'ETIMEDOUT') return `dial tcp ${host}:${port}: i/o timeout`;
  if (code === 'ECONNRESET') return `read tcp ${host}:${port}: read: connection reset by peer`;
  return describeTlsError(error) ?? error?.message ?? String(error);
}

/** The Go wording of a TLS failure, or undefined when `error` is not one. */
export function describeTlsError(error) {
  const code = error?.code ?? '';
  if (UNKNOWN_AUTHORITY.has(code)) return 'x509: certificate signed by unknown authority';
  if (code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID') {
    return 'x509: certificate has expired or is not yet valid';
  }
  if (code === 'ERR_TLS_CERT_ALTNAME_INVALID') return `x509: ${error.reason ?? error.message}`;
  const alert = /ALERT_(.+)$/.exec(code);
  if (alert) return `remote error: tls: ${alertWords(alert[1])}`;
  if (/KEY_VALUES_MISMATCH/.test(code) || /key values mismatch/.test(error?.message ?? '')) {
    return 'tls: private key does not match public key';
  }
  if (code === 'ENOENT') return `open ${error.path}: no such file or directory`;
  return undefined;
}

function alertWords(name) {
  const words = { UNKNOWN_CA: 'unknown certificate authority' };
  return words[name] ?? name.toLowerCase().replace(/_/g, ' ');
}
