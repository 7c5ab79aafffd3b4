import { parse } from 'yaml';
import path from 'node:path';
import { InputError, messageOf } from '../errors.js';
import { resolveHostPath } from '../cluster/index.js';
import { stat } from 'node:fs/promises';
import type { CertificateSource } from './sources.js';
import { readText } from './sources.js';

interface KubeconfigUser {
  name?: string;
  user?: {
    'client-certificate-data'?: string;
    'client-key-data'?: string;
    'client-certificate'?: string;
    'client-key'?: string;
  };
}

/**
 * Reads the client certificates a kubeconfig carries, embedded as base64 or
 * named as files (relative names resolve against the kubeconfig's folder).
 * A missing kubeconfig yields nothing; a malformed one is an input error.
 */
export async function readKubeconfigCredentials(
  root: string,
  file: string,
): Promise<CertificateSource[]> {
  const exists = await stat(await resolveHostPath(root, file)).then((s) => s.isFile(), () => false);
  if (!exists) return [];

  const users = parseUsers(file, await readText(root, file));
  const sources: CertificateSource[] = [];
  for (const entry of users) {
    const user = entry.user ?? {};
    const name = entry.name ?? '(unnamed)';
    const base = { path: file, kind: 'kubeconfig' as const, user: name };

    if (user['client-certificate-data']) {
      const source: CertificateSource = { ...base, pem: decode(user['client-certificate-data']) };
      if (user['client-key-data']) {
        source.keyPath = file;
        source.keyPem = decode(user['client-key-data']);
      }
      sources.push(source);
    } else if (user['client-certificate']) {
      const certPath = path.posix.resolve(path.posix.dirname(file), user['client-certificate']);
      const source: CertificateSource = { ...base, pem: await readText(root, certPath) };
      if (user['client-key']) {
        source.keyPath = path.posix.resolve(path.posix.dirname(file), user['client-key']);
        source.keyPem = await readText(root, source.keyPath);
      }
      sources.push(source);
    }
  }
  return sources;
}

function parseUsers(file: string, text: string): KubeconfigUser[] {
  let document: unknown;
  try {
    document = parse(text);
  } catch (error) {
    throw new InputError(`kubeconfig ${file} is not valid YAML: ${messageOf(error).split('\n')[0]}`, {
      remedy: 'repair or restore the file from a backup',
      cause: error,
    });
  }
  const users = (document as { users?: unknown } | null)?.users;
  return Array.isArray(users) ? (users as KubeconfigUser[]) : [];
}

function decode(base64: string): string {
  return Buffer.from(base64, 'base64').toString('latin1');
}
