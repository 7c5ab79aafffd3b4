/**
 * A master's namespaces: a long-lived anchor process in its own mount and UTS
 * namespaces (the network namespace stays the host's, so every master is
 * reachable at its 127.0.0.x address), its bind mounts, and commands run inside.
 */
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { BOUND_DIRS, BOUND_FILES } from './layout.js';
import { mustRun, runCommand, type CommandResult, type RunOptions } from './run.js';

/** The environment an operator's root shell on a master has. */
export const MASTER_ENV = {
  PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin',
  HOME: '/root',
  USER: 'root',
  LOGNAME: 'root',
  SHELL: '/bin/bash',
  LANG: 'C.UTF-8',
  // A simulated master stands for a host, even though this machine may itself
  // be a container: the tool must use the stand-in systemctl directly.
  ETCD_ROTATE_CONTAINERIZED: '0',
};

/** Starts an anchor process in new mount and UTS namespaces; resolves to its PID. */
export async function startAnchor(): Promise<number> {
  const child = spawn(
    'unshare',
    ['--mount', '--uts', '--propagation', 'private', '--', 'sleep', 'infinity'],
    { detached: true, stdio: 'ignore', cwd: '/' },
  );
  const pid = await new Promise<number>((resolve, reject) => {
    child.once('spawn', () => resolve(child.pid as number));
    child.once('error', (err) =>
      reject(new Error(`could not start unshare: ${err.message}`, { cause: err })),
    );
  });
  child.unref();

  const own = readlinkSync('/proc/self/ns/mnt');
  for (let i = 0; i < 200; i++) {
    const ns = mountNamespaceOf(pid);
    if (ns === null) {
      throw new Error(`the namespace anchor (pid ${pid}) exited at once; can this user unshare?`);
    }
    if (ns !== own) return pid;
    await sleep(10);
  }
  throw new Error(`the namespace anchor (pid ${pid}) did not enter a new mount namespace within 2 s`);
}

/** The mount namespace of `pid` (`mnt:[...]`), or null when the process is gone. */
export function mountNamespaceOf(pid: number): string | null {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`);
  } catch {
    return null;
  }
}

/**
 * Bind-mounts the master's copies over the bound paths, hides the cluster's
 * directory (so a master cannot read another's files through it) and sets the
 * host name.
 */
export async function setUpMounts(
  anchorPid: number,
  masterDir: string,
  hideDir: string,
  hostname: string,
): Promise<void> {
  const inside = ['nsenter', '-t', String(anchorPid), '-m', '-u', '--'];
  for (const target of [...BOUND_DIRS, ...BOUND_FILES]) {
    await mustRun([...inside, 'mount', '--bind', `${masterDir}${target}`, target]);
  }
  const tmpfs = ['mount', '-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'sim-hidden', hideDir];
  await mustRun([...inside, ...tmpfs]);
  await mustRun([...inside, 'hostname', hostname]);
}

/** Options of a command run inside a master. */
export interface ExecOptions extends RunOptions {
  /** Working directory inside the master; default /root. */
  cwd?: string;
}

/** Runs `argv` inside the anchor's namespaces with a root login's environment. */
export async function execInside(
  anchorPid: number,
  argv: readonly string[],
  opts: ExecOptions = {},
): Promise<CommandResult> {
  const cwd = opts.cwd ?? '/root';
  const enter = ['nsenter', '-t', String(anchorPid), '-m', '-u', `--wd=${cwd}`, '--'];
  return runCommand([...enter, ...argv], {
    ...opts,
    env: { ...MASTER_ENV, ...opts.env },
    extendEnv: false,
  });
}

/** PIDs of every process in the mount namespace `ns`. */
export function processesInNamespace(ns: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    if (mountNamespaceOf(Number(entry)) === ns) pids.push(Number(entry));
  }
  return pids;
}

/** Sends SIGKILL to every process in `ns`; returns how many were signalled. */
export function killNamespace(ns: string): number {
  const pids = processesInNamespace(ns);
  for (const pid of pids) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return pids.length;
}

/** True when some process in `ns` sees a mount whose mount point is `mountPoint`. */
export function namespaceHasMount(ns: string, mountPoint: string): boolean {
  const [pid] = processesInNamespace(ns);
  if (pid === undefined) return false;
  let info: string;
  try {
    info = readFileSync(`/proc/${pid}/mountinfo`, 'utf8');
  } catch {
    return false;
  }
  return info.split('\n').some((line) => line.split(' ')[4] === mountPoint);
}
