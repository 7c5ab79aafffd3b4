/**
 * A master's namespaces: a long-lived anchor process in its own mount and UTS
 * namespaces (the network namespace stays the host's, so every master is
 * reachable at its 127.0.0.x address), its bind mounts, and commands run inside.
 */
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
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

/**
 * Starts an anchor process in new mount and UTS namespaces; resolves to its PID. With `pid`,
 * also a new PID namespace whose PID 1 is the anchor (tini when installed, so orphans are
 * reaped), with its own /proc: every command in the master must then enter it (`execInside`
 * does, `nsenter --pid`).
 */
export async function startAnchor(options: { pid?: boolean } = {}): Promise<number> {
  const init = existsSync('/usr/bin/tini') ? ['/usr/bin/tini', '--'] : [];
  const flags = options.pid
    ? ['--mount', '--uts', '--pid', '--fork', '--mount-proc', '--propagation', 'private', '--', ...init]
    : ['--mount', '--uts', '--propagation', 'private', '--'];
  const child = spawn('unshare', [...flags, 'sleep', 'infinity'], {
    detached: true,
    stdio: 'ignore',
    cwd: '/',
  });
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
    if (ns !== own) {
      if (!options.pid) return pid;
      const first = firstChild(pid);
      if (first !== undefined) return first;
    }
    await sleep(10);
  }
  throw new Error(`the namespace anchor (pid ${pid}) did not enter its new namespaces within 2 s`);
}

/** The first child of `pid` (unshare --fork's PID 1 of the new namespace), if any yet. */
function firstChild(pid: number): number | undefined {
  try {
    const first = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/)[0];
    return first ? Number(first) : undefined;
  } catch {
    return undefined;
  }
}

/** Whether `pid` lives in a PID namespace other than this process's. */
export function hasOwnPidNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/pid`) !== readlinkSync('/proc/self/ns/pid');
  } catch {
    return false;
  }
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
 * host name. `extraDirs` are bound as well (a docker master's /var/lib/docker, a containerd
 * master's /var/lib/containerd), and give the master its own /run.
 */
export async function setUpMounts(
  anchorPid: number,
  masterDir: string,
  hideDir: string,
  hostname: string,
  extraDirs: readonly string[] = [],
): Promise<void> {
  const inside = ['nsenter', '-t', String(anchorPid), '-m', '-u', '--'];
  if (extraDirs.length > 0) {
    // A master with its own runtime has its own /run (its socket and state): a tmpfs
    // with the directories the shared /run provided.
    await mustRun([...inside, 'mount', '-t', 'tmpfs', '-o', 'mode=0755', 'sim-run', '/run']);
    await mustRun([...inside, 'mkdir', '-p', '/run/sim', '/run/sshd', '/run/lock']);
  }
  for (const target of [...BOUND_DIRS, ...extraDirs, ...BOUND_FILES]) {
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
  const pid = hasOwnPidNamespace(anchorPid) ? ['-p'] : [];
  const enter = ['nsenter', '-t', String(anchorPid), '-m', '-u', ...pid, `--wd=${cwd}`, '--'];
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
  // A supervisor (the kubelet stand-in) can start a child between the listing and its own
  // death, so list and kill again until nothing is left (bounded: a few rounds suffice).
  let killed = 0;
  for (let round = 0; round < 20; round++) {
    const pids = processesInNamespace(ns);
    if (pids.length === 0) break;
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
        killed += 1;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
      }
    }
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  return killed;
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
