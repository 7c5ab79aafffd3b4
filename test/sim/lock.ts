/**
 * One simulated cluster per machine at a time: the masters' addresses
 * (127.0.0.11...) and etcd uids are fixed, so a second cluster would collide.
 * The lock is a file created exclusively; a lock whose owner process has died
 * is taken over.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where the machine-wide lock lives. */
export const LOCK_PATH = '/run/lock/etcd-rotate-sim.lock';

interface LockOwner {
  pid: number;
  dir: string;
}

function readOwner(): LockOwner | null {
  try {
    return JSON.parse(readFileSync(LOCK_PATH, 'utf8')) as LockOwner;
  } catch {
    return null;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock for cluster directory `dir`, waiting up to `timeoutMs` for another owner. */
export async function acquireSimLock(dir: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const fd = openSync(LOCK_PATH, 'wx', 0o644);
      writeSync(fd, JSON.stringify({ pid: process.pid, dir } satisfies LockOwner));
      closeSync(fd);
      return;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = readOwner();
    if (owner === null || !alive(owner.pid)) {
      rmSync(LOCK_PATH, { force: true });
      continue;
    }
    if (owner.pid === process.pid) {
      throw new Error(
        `this process already runs a simulated cluster (${owner.dir}); tear it down before creating another`,
      );
    }
    if (Date.now() > deadline) {
      throw new Error(
        `another simulated cluster (${owner.dir}, pid ${owner.pid}) holds ${LOCK_PATH}; ` +
          `waited ${timeoutMs} ms. Let it finish, or end that process.`,
      );
    }
    await sleep(500);
  }
}

/** Releases the lock when this process holds it for `dir`. */
export function releaseSimLock(dir: string): void {
  const owner = readOwner();
  if (owner !== null && owner.pid === process.pid && owner.dir === dir) {
    rmSync(LOCK_PATH, { force: true });
  }
}
