/**
 * kube-apiserver's serving certificate and client CA, both reloaded from their files while it
 * runs (the real dynamic certificate controllers watch the files): a new pair is used for new
 * TLS connections; a pair that does not load (a certificate replaced before its key) is logged
 * and the previous one is kept. Client certificates are verified on every request against the
 * current CA bundle, as the real x509 authenticator does.
 */
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import tls from 'node:tls';
import { describeTlsError } from './go-errors.mjs';
import { kv } from './klog.mjs';

const CLIENT_AUTH_OID = '1.3.6.1.5.5.7.3.2';
const POLL_MS = 1000;

export class DynamicServing {
  /** Loads the files once; throws when they do not load, as the real server fails to start. */
  constructor({ certFile, keyFile, clientCaFile, log }) {
    this.certFile = certFile;
    this.keyFile = keyFile;
    this.clientCaFile = clientCaFile;
    this.log = log;
    this.pair = readPair(certFile, keyFile);
    tls.createSecureContext(this.pair);
    this.caText = clientCaFile ? readFileSync(clientCaFile, 'utf8') : '';
    this.cas = parseBundle(this.caText);
  }

  /** The server options for the current pair. */
  serverOptions() {
    return { ...this.pair, requestCert: true, rejectUnauthorized: false };
  }

  /** Polls the files and swaps the server's context when the pair or the CA changes. */
  watch(server) {
    this.timer = setInterval(() => this.reload(server), POLL_MS);
    this.timer.unref();
  }

  reload(server) {
    const name = `serving-cert::${this.certFile}::${this.keyFile}`;
    try {
      const pair = readPair(this.certFile, this.keyFile);
      if (pair.cert !== this.pair.cert || pair.key !== this.pair.key) {
        tls.createSecureContext(pair);
        this.pair = pair;
        server.setSecureContext(this.serverOptions());
        this.log.info('dynamic_serving_content.go',
          `"Loaded a new cert/key pair" ${kv('name', name)}`);
      }
    } catch (error) {
      this.log.error('dynamic_serving_content.go', `"Failed to load cert/key pair" ` +
        `${kv('name', name)} ${kv('err', describeTlsError(error) ?? error.message)}`);
    }
    if (!this.clientCaFile) return;
    try {
      const text = readFileSync(this.clientCaFile, 'utf8');
      if (text !== this.caText) {
        const cas = parseBundle(text);
        if (cas.length === 0) throw new Error('no certificates found in the file');
        this.cas = cas;
        this.caText = text;
        this.log.info('dynamic_cafile_content.go', `"Loaded a new CA Bundle and Verifier" ` +
          `${kv('name', `client-ca-bundle::${this.clientCaFile}`)}`);
      }
    } catch (error) {
      this.log.error('dynamic_cafile_content.go', `"Failed to load the CA bundle" ` +
        `${kv('name', `client-ca-bundle::${this.clientCaFile}`)} ${kv('err', error.message)}`);
    }
  }

  /**
   * Who sent `req`: `{ user, groups }` for a valid client certificate, `{ anonymous: true }`
   * without one, `{ error }` (401) for a certificate that does not verify.
   */
  authenticate(req) {
    const peer = req.socket.getPeerCertificate(false);
    if (!peer || !peer.raw) return { anonymous: true };
    const leaf = new X509Certificate(peer.raw);
    const now = Date.now();
    if (now < Date.parse(leaf.validFrom) || now > Date.parse(leaf.validTo)) {
      const until = new Date(Date.parse(leaf.validTo)).toISOString();
      return { error: 'x509: certificate has expired or is not yet valid: current time ' +
        `${new Date(now).toISOString()} is after ${until}` };
    }
    const usages = leaf.keyUsage;
    if (Array.isArray(usages) && !usages.includes(CLIENT_AUTH_OID)) {
      return { error: 'x509: certificate specifies an incompatible key usage' };
    }
    const trusted = this.cas.some((ca) => leaf.checkIssued(ca) && leaf.verify(ca.publicKey) &&
      now >= Date.parse(ca.validFrom) && now <= Date.parse(ca.validTo));
    if (!trusted) return { error: 'x509: certificate signed by unknown authority' };
    return { user: peer.subject?.CN ?? '', groups: [peer.subject?.O ?? []].flat() };
  }
}

function readPair(certFile, keyFile) {
  return { cert: readFileSync(certFile, 'utf8'), key: readFileSync(keyFile, 'utf8') };
}

/** Every certificate in a PEM bundle. */
export function parseBundle(text) {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((pem) => new X509Certificate(pem));
}
