/**
 * Ending a cluster's processes and undoing its host changes, synchronously so
 * that exit and signal handlers can do it too, plus the registry those
 * handlers use and the reaping of clusters left by a crashed run.
 */
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { releaseSimLock } from './lock.js';
import { killNamespace, mountNamespaceOf, namespaceHasMount } from './namespaces.js';
import { deleteNatSync } from './nft.js';

/** What must be undone for one cluster; written to `<dir>/state.json`. */
export interface CleanupState {
  dir: string;
  ownerPid: number;
  natTable: string;
  /** Mount namespaces (`mnt:[...]`) of the masters, recorded at start. */
  namespaces: string[];
  anchorPids: number[];
  keepDir: boolean;
}

const STATE_FILE = 'state.json';
const live = new Map<string, CleanupState>();
let handlersInstalled = false;

/** Records the state on disk (for reaping after a crash) and for the exit handlers. */
export function trackCluster(state: CleanupState): void {
  writeFileSync(join(state.dir, STATE_FILE), `${JSON.stringify(state, null, 2)}\n`);
  live.set(state.dir, state);
  installHandlers();
}

/**
 * Kills every process in the cluster's namespaces, deletes its nftables table,
 * removes its directory unless kept, and releases the lock. Idempotent.
 */
export function cleanUpSync(state: CleanupState): void {
  for (const ns of state.namespaces) {
    // A namespace number can be reused once its processes are gone: only kill
    // in namespaces that still carry this cluster's mounts.
    if (namespaceHasMount(ns, state.dir)) killNamespace(ns);
  }
  for (const pid of state.anchorPids) {
    const ns = mountNamespaceOf(pid);
    if (ns !== null && !state.namespaces.includes(ns)) continue;
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  deleteNatSync(state.natTable);
  if (state.keepDir) rmSync(join(state.dir, STATE_FILE), { force: true });
  else rmSync(state.dir, { recursive: true, force: true });
  live.delete(state.dir);
  releaseSimLock(state.dir);
}

/**
 * Cleans up clusters under `simRoot` whose owning process is gone (a test run
 * that was killed). Returns the directories cleaned.
 */
export function reapStaleClusters(simRoot: string): string[] {
  if (!existsSync(simRoot)) return [];
  const reaped: string[] = [];
  for (const entry of readdirSync(simRoot)) {
    const file = join(simRoot, entry, STATE_FILE);
    let state: CleanupState;
    try {
      state = JSON.parse(readFileSync(file, 'utf8')) as CleanupState;
    } catch {
      continue;
    }
    if (ownerAlive(state.ownerPid)) continue;
    cleanUpSync(state);
    reaped.push(state.dir);
  }
  return reaped;
}

function ownerAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Forgets a cluster that was cleaned up by its own teardown. */
export function untrackCluster(dir: string): void {
  live.delete(dir);
}

function cleanUpAllSync(): void {
  for (const state of [...live.values()]) {
    try {
      cleanUpSync(state);
    } catch (err) {
      process.stderr.write(`[sim] cleanup of ${state.dir} failed: ${(err as Error).message}\n`);
    }
  }
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanUpAllSync);
  for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143], ['SIGHUP', 129]] as const) {
    process.once(signal, () => {
      cleanUpAllSync();
      process.exit(code);
    });
  }
}
