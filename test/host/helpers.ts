/** Temporary host roots and stand-in programs for the tests of src/host. */

import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** A fresh directory to use as the host's root; remove it with `rm(root)` afterwards. */
export async function makeRoot(prefix = 'etcd-rotate-host-'): Promise<string> {
  return mkdtemp(path.join(tmpdir(), prefix));
}

/** Removes a root made by `makeRoot`. */
export async function removeRoot(root: string): Promise<void> {
  await rm(root, { recursive: true, force: true });
}

/** Writes `text` to `file` under `root` (a host path), creating its directories. */
export async function put(root: string, file: string, text: string | Buffer): Promise<string> {
  const onDisk = path.join(root, file);
  await mkdir(path.dirname(onDisk), { recursive: true });
  await writeFile(onDisk, text);
  return onDisk;
}

/** Writes an executable script `name` into `dir` and resolves to its path. */
export async function writeScript(dir: string, name: string, script: string): Promise<string> {
  await mkdir(dir, { recursive: true });
  const file = path.join(dir, name);
  await writeFile(file, script);
  await chmod(file, 0o755);
  return file;
}

/** Runs `fn` with `dir` first in PATH, restoring PATH afterwards. */
export async function withPath<T>(dir: string, fn: () => Promise<T>, only = false): Promise<T> {
  const saved = process.env['PATH'];
  process.env['PATH'] = only ? dir : `${dir}:${saved ?? ''}`;
  try {
    return await fn();
  } finally {
    process.env['PATH'] = saved;
  }
}

/** Resolves to the error `promise` rejects with; fails when it resolves. */
export async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof Error) return error;
    throw new Error(`rejected with a non-Error: ${String(error)}`);
  }
  throw new Error('expected a rejection, but the promise resolved');
}
