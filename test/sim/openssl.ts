/**
 * The openssl CLI as a vendor's installer would drive it: RSA keys, CSRs and
 * certificates signed by `openssl ca`, which (unlike `openssl x509 -days` in
 * OpenSSL 3.0) accepts explicit start and end dates, so expired certificates
 * can be made on purpose.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mustRun } from './run.js';

/** Who signs a certificate: itself, or a CA given by its files. */
export type Issuer = { kind: 'self' } | { kind: 'ca'; certPath: string; keyPath: string };

/** Everything `signCertificate` needs. */
export interface SignRequest {
  csrPath: string;
  /** The CSR's own key; used when the issuer is `self`. */
  keyPath: string;
  outPath: string;
  issuer: Issuer;
  /** openssl extension lines, for example `basicConstraints = critical,CA:TRUE`. */
  extensions: string[];
  notBefore: Date;
  notAfter: Date;
}

/** Writes a new 2048-bit RSA private key (PKCS#8 PEM) to `path`. */
export async function generateKey(path: string): Promise<void> {
  await mustRun([
    'openssl', 'genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:2048',
    '-out', path,
  ]);
}

/** Writes the public half of `keyPath` to `outPath` (as kubeadm's sa.pub). */
export async function writePublicKey(keyPath: string, outPath: string): Promise<void> {
  await mustRun(['openssl', 'pkey', '-in', keyPath, '-pubout', '-out', outPath]);
}

/** Writes a CSR for `keyPath` with `subject` in openssl form (`/O=x/CN=y`). */
export async function createCsr(keyPath: string, subject: string, csrPath: string): Promise<void> {
  await mustRun(['openssl', 'req', '-new', '-key', keyPath, '-subj', subject, '-out', csrPath]);
}

/** Signs a CSR with explicit dates, in a throw-away `openssl ca` database. */
export async function signCertificate(req: SignRequest): Promise<void> {
  const db = await mkdtemp(join(tmpdir(), 'sim-ca-'));
  try {
    await writeFile(join(db, 'index.txt'), '');
    await writeFile(join(db, 'serial'), `${randomSerial()}\n`);
    await writeFile(join(db, 'ca.cnf'), caConfig(db, req.extensions));

    const signer =
      req.issuer.kind === 'self'
        ? ['-selfsign', '-keyfile', req.keyPath]
        : ['-cert', req.issuer.certPath, '-keyfile', req.issuer.keyPath];
    await mustRun([
      'openssl', 'ca', '-batch', '-notext', '-preserveDN',
      '-config', join(db, 'ca.cnf'), '-extensions', 'sim_ext',
      '-startdate', asn1Time(req.notBefore), '-enddate', asn1Time(req.notAfter),
      ...signer, '-in', req.csrPath, '-out', req.outPath,
    ]);
  } finally {
    await rm(db, { recursive: true, force: true });
  }
}

function caConfig(db: string, extensions: string[]): string {
  return [
    '[ ca ]',
    'default_ca = sim_ca',
    '[ sim_ca ]',
    `database = ${join(db, 'index.txt')}`,
    `new_certs_dir = ${db}`,
    `serial = ${join(db, 'serial')}`,
    'default_md = sha256',
    'policy = sim_policy',
    'unique_subject = no',
    'email_in_dn = no',
    'copy_extensions = none',
    '[ sim_policy ]',
    'countryName = optional',
    'stateOrProvinceName = optional',
    'localityName = optional',
    'organizationName = optional',
    'organizationalUnitName = optional',
    'commonName = supplied',
    '[ sim_ext ]',
    ...extensions,
    '',
  ].join('\n');
}

/** A positive 128-bit serial in hex, as openssl's serial file wants it. */
function randomSerial(): string {
  const b = randomBytes(16);
  b[0] = (b[0] ?? 0) & 0x7f | 0x10;
  return b.toString('hex').toUpperCase();
}

/** UTCTime before 2050 and GeneralizedTime from then on, as RFC 5280 asks. */
function asn1Time(d: Date): string {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return d.getUTCFullYear() < 2050 ? `${iso.slice(2)}Z` : `${iso}Z`;
}
