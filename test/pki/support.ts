/**
 * Shared helpers of the PKI tests: temporary directories, the openssl CLI as
 * an independent judge, and member lists shaped like ACK's.
 */

import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import type { Member } from '../../src/cluster/types.js';

export const OPENSSL = '/usr/bin/openssl';

/** Runs openssl with `args` in `cwd`; rejects with openssl's stderr when it fails. */
export async function openssl(cwd: string, ...args: string[]): Promise<string> {
  const result = await execa(OPENSSL, args, { cwd, reject: false });
  if (result.exitCode !== 0)
    throw new Error(`openssl ${args.join(' ')} failed: ${result.stderr}${result.stdout}`);
  return `${result.stdout}${result.stderr}`;
}

/** Like `openssl` but resolves with the exit code and output instead of rejecting. */
export async function opensslStatus(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; output: string }> {
  const result = await execa(OPENSSL, args, { cwd, reject: false });
  return { code: result.exitCode ?? -1, output: `${result.stdout}${result.stderr}` };
}

/** A scratch directory with helpers to write and read files in it. */
export interface Scratch {
  dir: string;
  write(name: string, content: string | Buffer): Promise<string>;
  read(name: string): Promise<Buffer>;
  text(name: string): Promise<string>;
  remove(): Promise<void>;
}

/** Creates a scratch directory under the system temp dir. */
export async function scratch(): Promise<Scratch> {
  const dir = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-pki-'));
  return {
    dir,
    async write(name, content) {
      const file = path.join(dir, name);
      await writeFile(file, content);
      return file;
    },
    read: (name) => readFile(path.join(dir, name)),
    text: (name) => readFile(path.join(dir, name), 'utf8'),
    remove: () => rm(dir, { recursive: true, force: true }),
  };
}

/** `count` members named like ACK's `<IP>-name-<N>`, on 192.168.0.1 and up. */
export function ackMembers(count: number): Member[] {
  return Array.from({ length: count }, (_, i) => {
    const ip = `192.168.0.${i + 1}`;
    return {
      name: `${ip}-name-${i + 1}`,
      ip,
      peerUrls: [`https://${ip}:2380`],
      clientUrls: [`https://${ip}:2379`],
    };
  });
}

/** Runs `fn` and returns what it threw; fails when it throws nothing. */
export async function thrown(fn: () => unknown): Promise<Error> {
  try {
    await fn();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`expected an Error, got ${String(error)}`);
  }
  throw new Error('expected the call to throw');
}

/** The lines of one `openssl x509 -text` extension section, e.g. "X509v3 Key Usage". */
export function extensionText(text: string, name: string): string {
  const lines = text.split('\n');
  const at = lines.findIndex((l) => l.trim().startsWith(`${name}:`));
  if (at < 0) return '';
  const header = lines[at] ?? '';
  return `${header.trim()} ${(lines[at + 1] ?? '').trim()}`;
}
