/**
 * Certificates for the etcd test cluster, made with the openssl CLI: a CA,
 * one server certificate per member, one peer certificate naming every member
 * (members share 127.0.0.1 as their source address, see the facts document)
 * and a client certificate. EC P-256 keys keep generation fast.
 */
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';

/** The files of one CA. */
export interface CaFiles {
  certPath: string;
  keyPath: string;
}

/** The files of one leaf certificate. */
export interface LeafFiles {
  certPath: string;
  keyPath: string;
}

/** What a leaf certificate should say. */
export interface LeafRequest {
  /** File name stem: `<name>.pem` and `<name>-key.pem`. */
  name: string;
  commonName: string;
  ips: string[];
  usages: Array<'serverAuth' | 'clientAuth'>;
}

const KEY_ARGS = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

/** Writes a self-signed CA valid for one day into `dir` as `<name>.pem`. */
export async function createCa(dir: string, name: string): Promise<CaFiles> {
  const files = { certPath: join(dir, `${name}.pem`), keyPath: join(dir, `${name}-key.pem`) };
  await openssl([
    'req', '-x509', ...KEY_ARGS, '-keyout', files.keyPath, '-out', files.certPath,
    '-subj', `/CN=${name}`, '-days', '1', '-set_serial', randomSerial(),
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return files;
}

/** Writes a leaf certificate signed by `ca` into `dir`. */
export async function issueLeaf(dir: string, ca: CaFiles, req: LeafRequest): Promise<LeafFiles> {
  const files = {
    certPath: join(dir, `${req.name}.pem`),
    keyPath: join(dir, `${req.name}-key.pem`),
  };
  const csrPath = join(dir, `${req.name}.csr`);
  const extPath = join(dir, `${req.name}.ext`);

  await openssl([
    'req', '-new', ...KEY_ARGS, '-keyout', files.keyPath, '-out', csrPath,
    '-subj', `/CN=${req.commonName}`,
  ]);
  await writeFile(extPath, leafExtensions(req));
  await openssl([
    'x509', '-req', '-in', csrPath, '-CA', ca.certPath, '-CAkey', ca.keyPath,
    '-set_serial', randomSerial(), '-days', '1', '-sha256', '-extfile', extPath,
    '-out', files.certPath,
  ]);
  return files;
}

/** Reads a leaf's certificate and key as the Buffers the etcd layer takes. */
export async function readLeaf(files: LeafFiles): Promise<{ cert: Buffer; key: Buffer }> {
  return { cert: await readFile(files.certPath), key: await readFile(files.keyPath) };
}

function leafExtensions(req: LeafRequest): string {
  return [
    'basicConstraints=critical,CA:FALSE',
    'keyUsage=critical,digitalSignature,keyEncipherment',
    `extendedKeyUsage=${req.usages.join(',')}`,
    `subjectAltName=${req.ips.map((ip) => `IP:${ip}`).join(',')}`,
    '',
  ].join('\n');
}

function randomSerial(): string {
  return `0x${randomBytes(12).toString('hex')}`;
}

async function openssl(args: string[]): Promise<void> {
  const result = await execa('openssl', args, { reject: false, timeout: 30_000 });
  if (result.exitCode !== 0) {
    throw new Error(`openssl ${args[0]} failed: ${String(result.stderr).trim()}`);
  }
}
