/**
 * Certificates made by the openssl CLI, so the reading code is tested on
 * files it did not write: RSA and EC keys, CA and leaf, extensions as an
 * installer script would set them.
 */

import { type Scratch, openssl } from './support.js';

/** Key algorithms the fixtures can make. */
export type FixtureKey = 'rsa' | 'ec';

const KEY_ARGS: Record<FixtureKey, string[]> = {
  rsa: ['-newkey', 'rsa:2048'],
  ec: ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'],
};

/** Makes a self-signed CA `<name>.pem` / `<name>-key.pem` in `s.dir`. */
export async function opensslCa(
  s: Scratch,
  name: string,
  subject: string,
  key: FixtureKey = 'rsa',
): Promise<void> {
  await openssl(
    s.dir,
    'req',
    '-x509',
    ...KEY_ARGS[key],
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.pem`,
    '-subj',
    subject,
    '-days',
    '3650',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign,digitalSignature',
  );
}

/** Options of `opensslLeaf`. */
export interface LeafFixture {
  subject: string;
  key?: FixtureKey;
  /** Lines of the x509 extfile. */
  extensions: string[];
  serial?: string;
  days?: number;
}

/** Makes `<name>.pem` / `<name>-key.pem` signed by the CA `<ca>.pem` in `s.dir`. */
export async function opensslLeaf(
  s: Scratch,
  name: string,
  ca: string,
  leaf: LeafFixture,
): Promise<void> {
  await s.write(`${name}.ext`, `${leaf.extensions.join('\n')}\n`);
  await openssl(
    s.dir,
    'req',
    '-new',
    ...KEY_ARGS[leaf.key ?? 'rsa'],
    '-nodes',
    '-keyout',
    `${name}-key.pem`,
    '-out',
    `${name}.csr`,
    '-subj',
    leaf.subject,
  );
  await openssl(
    s.dir,
    'x509',
    '-req',
    '-in',
    `${name}.csr`,
    '-CA',
    `${ca}.pem`,
    '-CAkey',
    `${ca}-key.pem`,
    '-set_serial',
    leaf.serial ?? '0x1f2e3d4c5b6a',
    '-days',
    String(leaf.days ?? 365),
    '-sha256',
    '-extfile',
    `${name}.ext`,
    '-out',
    `${name}.pem`,
  );
}

/** The extensions an installer would give an etcd server certificate. */
export const SERVER_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature,keyEncipherment',
  'extendedKeyUsage=serverAuth,clientAuth',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
  'subjectAltName=IP:10.0.0.1,IP:10.0.0.2,DNS:localhost,DNS:etcd.local,IP:fd00::1',
];
