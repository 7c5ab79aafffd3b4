/**
 * Temporary host roots for discovery tests: a directory laid out like a master's filesystem,
 * built from fixtures, text and symbolic links.
 */

import { execFile } from 'node:child_process';
import { chmod, mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const FIXTURES = fileURLToPath(new URL('../fixtures/cluster/', import.meta.url));

/** What to put at one host path: text, a fixture's text, a symbolic link, or a directory. */
export type Entry =
  | string
  | { fixture: string; mode?: number }
  | { symlink: string }
  | { directory: true; mode?: number };

/** The text of a fixture file in test/fixtures/cluster. */
export async function fixture(name: string): Promise<string> {
  return readFile(path.join(FIXTURES, name), 'utf8');
}

/**
 * Creates a temporary root holding `layout` (host path -> entry), parents created as needed,
 * in the order given. Returns the root's path.
 */
export async function makeRoot(layout: Record<string, Entry>): Promise<string> {
  const root = await mkdtemp(path.join(tmpdir(), 'etcd-rotate-cluster-'));
  await chmod(root, 0o755);

  for (const [hostPath, entry] of Object.entries(layout)) {
    const target = path.join(root, hostPath);
    await mkdir(path.dirname(target), { recursive: true });

    if (typeof entry === 'string') {
      await writeFile(target, entry);
    } else if ('fixture' in entry) {
      await writeFile(target, await fixture(entry.fixture));
      if (entry.mode !== undefined) await chmod(target, entry.mode);
    } else if ('symlink' in entry) {
      await symlink(entry.symlink, target);
    } else {
      await mkdir(target, { recursive: true });
      if (entry.mode !== undefined) await chmod(target, entry.mode);
    }
  }
  return root;
}

/** Removes a root made by makeRoot. */
export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** The certificate files of an ACK master, so that roots look like the real thing. */
export function ackCertificates(directory: string, memberIps: string[]): Record<string, Entry> {
  const names = ['ca', 'ca-key', 'etcd-server', 'etcd-server-key', 'etcd-client', 'peer-ca'];
  memberIps.forEach((ip, index) => {
    names.push(`${ip}-name-${index + 1}`, `${ip}-name-${index + 1}-key`);
  });
  return Object.fromEntries(
    names.map((name) => [`${directory}/${name}.pem`, `-----BEGIN ${name}-----\n`]),
  );
}

/** The error `promise` rejects with; fails the test when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}

/** The error `run` throws; fails the test when it returns. */
export function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`threw a non-Error: ${String(error)}`);
  }
  throw new Error('expected an error, but nothing was thrown');
}

/** The outcome of discovery run by another user, as printed by discover-child.ts. */
export interface ChildOutcome {
  ok: boolean;
  name?: string;
  message?: string;
  remedy?: string;
}

/**
 * Runs discovery on `root` in a child process as the unprivileged user "nobody" (uid 65534),
 * or as the current user when that is not root already. Needs the root to be world-readable
 * where the test wants it readable.
 */
export async function discoverAsUnprivileged(root: string): Promise<ChildOutcome> {
  const script = fileURLToPath(new URL('./discover-child.ts', import.meta.url));
  const asRoot = process.getuid?.() === 0;

  const { stdout } = await promisify(execFile)(
    process.execPath,
    ['--import', 'tsx', script, root],
    {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
      env: { ...process.env, HOME: tmpdir() },
    },
  );
  return JSON.parse(stdout) as ChildOutcome;
}
