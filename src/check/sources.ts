import { readdir, readFile, realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { keyFileOf, resolveHostPath } from '../cluster/index.js';
import { InputError, messageOf } from '../errors.js';
import { readKubeconfigCredentials } from './kubeconfig.js';

/** A place a certificate was read from, with the private key that belongs to it. */
export interface CertificateSource {
  /** Host path of the file (before --root). */
  path: string;
  kind: 'file' | 'kubeconfig';
  /** The kubeconfig user the certificate belongs to. */
  user?: string;
  pem: string;
  /** Host path of the key file, or the kubeconfig path when the key is embedded. */
  keyPath?: string;
  keyPem?: string;
}

const NOT_CERTIFICATES = /(-key\.pem|\.key|\.csr|\.json|\.pub|\.conf|\.yaml|\.yml)$/;
const CERTIFICATE_NAMES = /\.(pem|crt|cer)$/;

/**
 * Reads every certificate file directly inside `dirs` and the client
 * certificates embedded in `kubeconfigs`. Directories that do not exist are
 * skipped; a directory reached twice (through a symlink) is read once.
 */
export async function collectCertificateSources(
  root: string,
  dirs: string[],
  kubeconfigs: string[],
): Promise<CertificateSource[]> {
  const sources: CertificateSource[] = [];
  const seen = new Set<string>();

  for (const dir of dirs) {
    const real = await realpathOrUndefined(await resolveHostPath(root, dir));
    if (real === undefined || seen.has(real)) continue;
    seen.add(real);
    sources.push(...(await readCertificateDir(root, dir)));
  }
  for (const file of kubeconfigs) {
    sources.push(...(await readKubeconfigCredentials(root, file)));
  }
  return sources;
}

async function readCertificateDir(root: string, dir: string): Promise<CertificateSource[]> {
  const entries = await readdir(await resolveHostPath(root, dir), { withFileTypes: true }).catch((error) => {
    throw new InputError(`cannot list certificate directory ${dir}: ${messageOf(error)}`, {
      remedy: 'run as root on a master, or point --root at the host filesystem',
      cause: error,
    });
  });

  const sources: CertificateSource[] = [];
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    if (NOT_CERTIFICATES.test(entry.name)) continue;
    const file = path.posix.join(dir, entry.name);
    if (!(await isRegularFile(await resolveHostPath(root, file)))) continue;

    const pem = await readText(root, file);
    const looksLikeCertificate = pem.includes('-----BEGIN CERTIFICATE-----');
    if (!looksLikeCertificate && !CERTIFICATE_NAMES.test(entry.name)) continue;

    const source: CertificateSource = { path: file, kind: 'file', pem };
    const keyPath = keyFileOf(file);
    if (await isRegularFile(await resolveHostPath(root, keyPath))) {
      source.keyPath = keyPath;
      source.keyPem = await readText(root, keyPath);
    }
    sources.push(source);
  }
  return sources;
}

/** Reads a host file as text, with an operator-readable error. */
export async function readText(root: string, file: string): Promise<string> {
  try {
    // latin1 keeps every byte, so DER given where PEM belongs is recognised as such.
    return await readFile(await resolveHostPath(root, file), 'latin1');
  } catch (error) {
    throw new InputError(`cannot read ${file}: ${messageOf(error)}`, {
      remedy: 'run as root on a master, or point --root at the host filesystem',
      cause: error,
    });
  }
}

async function isRegularFile(file: string): Promise<boolean> {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ?? false;
}

async function realpathOrUndefined(dir: string): Promise<string | undefined> {
  const info = await stat(dir).catch(() => undefined);
  if (!info?.isDirectory()) return undefined;
  return realpath(dir);
}
