/**
 * RSA keys for the simulated certificates. Generating 2048-bit keys is most of
 * the time a cluster takes to build, so by default keys come from a pool kept
 * on disk and reused across clusters (never twice within one cluster).
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { generateKey } from './openssl.js';

/** Writes a private key that no other certificate of the cluster uses. */
export interface KeySource {
  writeKey(path: string): Promise<void>;
}

/** A new key every time. */
export const freshKeys: KeySource = { writeKey: generateKey };

/** Keys numbered 0, 1, 2... in `dir`, each made on first use; one pool per cluster. */
export function pooledKeys(dir: string): KeySource {
  let next = 0;
  return {
    async writeKey(path: string): Promise<void> {
      const file = join(dir, `rsa2048-${next++}.pem`);
      if (!existsSync(file)) {
        await mkdir(dir, { recursive: true, mode: 0o700 });
        const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
        await generateKey(tmp);
        await rename(tmp, file);
      }
      await copyFile(file, path);
    },
  };
}
