import { createHash } from 'node:crypto';
import type { FileWrite } from '../agent/protocol.js';
import { parseCertificates, type CertificateInfo } from '../pki/index.js';

/** Modes for files the run creates; files that exist keep their own. */
export const CERT_MODE = 0o644;
export const KEY_MODE = 0o600;

/** A certificate file to write. */
export function certWrite(path: string, pem: string): FileWrite {
  return { path, contentBase64: Buffer.from(pem).toString('base64'), mode: CERT_MODE };
}

/** A private key file to write. */
export function keyWrite(path: string, pem: string): FileWrite {
  return { path, contentBase64: Buffer.from(pem).toString('base64'), mode: KEY_MODE };
}

/**
 * A CA bundle: every certificate of `pems` once, in order. A bundle read
 * back again (a resumed run) does not grow.
 */
export function bundle(...pems: string[]): string {
  const seen = new Set<string>();
  const blocks: string[] = [];
  for (const pem of pems) {
    for (const block of pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []) {
      const key = block.replace(/\s+/g, '');
      if (seen.has(key)) continue;
      seen.add(key);
      blocks.push(block);
    }
  }
  return blocks.join('\n') + '\n';
}

/** SHA-256 of the first certificate of a PEM, as the TLS probe reports it. */
export function fingerprint(pem: string): string {
  const [cert] = parseCertificates(pem, 'a certificate of the plan');
  return fingerprintOf(cert!);
}

/** SHA-256 of a parsed certificate's DER, lower-case hex. */
export function fingerprintOf(cert: CertificateInfo): string {
  return createHash('sha256').update(cert.der).digest('hex');
}

/**
 * Merges writes to the same path (two roles sharing one file, such as one CA
 * file for clients and peers): certificates are bundled, anything else must agree.
 */
export function mergeWrites(writes: FileWrite[]): FileWrite[] {
  const byPath = new Map<string, FileWrite>();
  for (const write of writes) {
    const earlier = byPath.get(write.path);
    if (!earlier || earlier.contentBase64 === write.contentBase64) {
      byPath.set(write.path, write);
      continue;
    }
    const a = Buffer.from(earlier.contentBase64, 'base64').toString();
    const b = Buffer.from(write.contentBase64, 'base64').toString();
    if (!a.includes('BEGIN CERTIFICATE') || !b.includes('BEGIN CERTIFICATE')) {
      throw new TypeError(`two different contents planned for ${write.path}`);
    }
    byPath.set(write.path, certWrite(write.path, bundle(a, b)));
  }
  return [...byPath.values()];
}
