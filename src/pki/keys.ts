/**
 * Private keys: reading PKCS#1, PKCS#8 and SEC1 PEM files, generating RSA keys
 * on Node's threadpool, writing them back as PEM and matching them to
 * certificates. No function here puts key material into a message.
 */

import { type KeyObject, createPrivateKey, createPublicKey, generateKeyPair } from 'node:crypto';
import { promisify } from 'node:util';
import { InputError } from '../errors.js';
import type { CertificateInfo } from './inspect.js';
import { damaged, describeLabels, splitPem } from './pem.js';

const generateKeyPairAsync = promisify(generateKeyPair);

/** RSA modulus size of every generated key, as cfssl and kubeadm use. */
export const RSA_KEY_BITS = 2048;

const KEY_TYPES: Record<string, 'pkcs1' | 'pkcs8' | 'sec1'> = {
  'RSA PRIVATE KEY': 'pkcs1',
  'PRIVATE KEY': 'pkcs8',
  'EC PRIVATE KEY': 'sec1',
};

/**
 * Reads an unencrypted private key (PKCS#1 `RSA PRIVATE KEY`, PKCS#8
 * `PRIVATE KEY` or SEC1 `EC PRIVATE KEY`, EC parameters blocks ignored).
 * Throws an InputError naming `source` for encrypted, missing or damaged keys.
 *
 * NB. Encrypted keys are refused rather than prompted for: the tool runs
 * unattended on several hosts, and the cluster's own keys are never encrypted.
 */
export function parsePrivateKey(text: string | Buffer, source: string): KeyObject {
  const blocks = splitPem(text, source, 'private key');
  const encrypted = blocks.find(
    (b) => b.label === 'ENCRYPTED PRIVATE KEY' || /ENCRYPTED/.test(b.headers['Proc-Type'] ?? ''),
  );
  if (encrypted) {
    throw new InputError(
      `cannot read private key ${source}: it is encrypted with a passphrase; this tool needs an unencrypted key`,
      {
        remedy: `write a decrypted copy with \`openssl pkey -in ${source} -out <copy>\` (mode 0600) and point to it`,
      },
    );
  }

  const block = blocks.find((b) => b.label in KEY_TYPES);
  if (block === undefined) {
    throw new InputError(
      `cannot read private key ${source}: it holds ${describeLabels(blocks)}, no private key`,
      {
        remedy:
          'point to the key file (usually *-key.pem or *.key) in PKCS#1, PKCS#8 or SEC1 PEM form',
      },
    );
  }

  try {
    return createPrivateKey({ key: block.der, format: 'der', type: KEY_TYPES[block.label] });
  } catch (error) {
    throw damaged(
      source,
      'private key',
      `PEM block ${block.index} (${block.label}) is not a valid key`,
      error,
    );
  }
}

/** Keys started early by `prefetchRsaKeys`, handed out before new ones are made. */
const prefetched: Promise<KeyObject>[] = [];

/**
 * Starts generating `count` RSA keys now, for a run that knows it will need
 * them while it still waits for something else (the SSH agents of the peers,
 * or etcd restarting). `parallel: false` makes them one after another, on one
 * core, so the rest of the machine keeps running. A key handed out is used
 * once; keys never asked for are dropped with the process.
 */
export function prefetchRsaKeys(count: number, { parallel = true }: { parallel?: boolean } = {}): void {
  let previous: Promise<unknown> = Promise.resolve();
  for (let i = 0; i < count; i++) {
    const key = parallel ? newRsaKey() : previous.then(newRsaKey, newRsaKey);
    key.catch(() => undefined); // a failure surfaces when the key is asked for
    prefetched.push(key);
    previous = key;
  }
}

/** Generates an RSA key pair off the main thread (or takes a prefetched one); several calls run in parallel. */
export function generateRsaKey(): Promise<KeyObject> {
  return prefetched.shift() ?? newRsaKey();
}

async function newRsaKey(): Promise<KeyObject> {
  const { privateKey } = await generateKeyPairAsync('rsa', { modulusLength: RSA_KEY_BITS });
  return privateKey;
}

/**
 * Writes a private key as PEM in the form cfssl and kubeadm write: PKCS#1
 * `RSA PRIVATE KEY` for RSA, SEC1 `EC PRIVATE KEY` for EC, PKCS#8 otherwise.
 */
export function exportPrivateKeyPem(key: KeyObject): string {
  const type =
    key.asymmetricKeyType === 'rsa' ? 'pkcs1' : key.asymmetricKeyType === 'ec' ? 'sec1' : 'pkcs8';
  return key.export({ format: 'pem', type }).toString();
}

/** The DER SubjectPublicKeyInfo of a private or public key. */
export function publicKeyDer(key: KeyObject): Buffer {
  return createPublicKey(key).export({ format: 'der', type: 'spki' });
}

/** Whether `key` (private, or public) belongs to the public key `cert` certifies. */
export function keyMatchesCertificate(cert: CertificateInfo, key: KeyObject): boolean {
  if (key.type === 'secret') return false;
  return publicKeyDer(key).equals(cert.x509.publicKey.export({ format: 'der', type: 'spki' }));
}
