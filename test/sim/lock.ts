/**
 * One simulated cluster per machine at a time: the masters' addresses
 * (127.0.0.11...) and etcd uids are fixed, so a second cluster would collide.
 * The lock is a file created exclusively; a lock whose owner process has died
 * is taken over.
 */
import { closeSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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
    if (tryLock(dir)) {
      // A waiter that saw the previous owner dead may have removed the lock just after we took
      // it over; if what is there now is not ours, keep waiting.
      await sleep(200);
      const now = readOwner();
      if (now?.pid === process.pid && now.dir === dir) return;
      continue;
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

/**
 * Creates the lock with its content in one step (a link of a file already written), so a
 * waiter never reads a half-written lock and takes it for a stale one.
 */
function tryLock(dir: string): boolean {
  const draft = `${LOCK_PATH}.${process.pid}`;
  const fd = openSync(draft, 'w', 0o644);
  writeSync(fd, JSON.stringify({ pid: process.pid, dir } satisfies LockOwner));
  closeSync(fd);
  try {
    linkSync(draft, LOCK_PATH);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  } finally {
    rmSync(draft, { force: true });
  }
}

/** Releases the lock when this process holds it for `dir`. */
export function releaseSimLock(dir: string): void {
  const owner = readOwner();
  if (owner !== null && owner.pid === process.pid && owner.dir === dir) {
    rmSync(LOCK_PATH, { force: true });
  }
}
