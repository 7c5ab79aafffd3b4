/**
 * Whether etcd-rotate runs inside a container, where the host's systemd is only reachable by
 * entering the host's namespaces (see `createServiceManager`).
 */

import { access, readFile } from 'node:fs/promises';
import path from 'node:path';

/** Where `detectContainer` looks; tests point it elsewhere. */
export interface DetectContainerOptions {
  /** Default `process.env`; ETCD_ROTATE_CONTAINERIZED=1 or 0 decides without looking. */
  env?: NodeJS.ProcessEnv;
  /** This process's own filesystem root, not the host's; default "/". */
  fsRoot?: string;
}

const MARKER_FILES = ['/.dockerenv', '/run/.containerenv'];
const CGROUP_HINTS = /\/(docker|kubepods|containerd|libpod|lxc|crio|cri-containerd)[/.-]/;
/** Container runtimes bind-mount these files; a host never has them as mount points. */
const RUNTIME_MOUNTS = new Set(['/etc/hostname', '/etc/hosts', '/etc/resolv.conf']);

/**
 * Resolves to true when this process runs in a container: the override
 * ETCD_ROTATE_CONTAINERIZED=1/0 when set, else /.dockerenv or /run/.containerenv, a container
 * cgroup of PID 1 (cgroup v1), or the bind mounts a runtime makes (cgroup v2 hides the cgroup).
 */
export async function detectContainer(options: DetectContainerOptions = {}): Promise<boolean> {
  const env = options.env ?? process.env;
  const fsRoot = options.fsRoot ?? '/';
  const override = env['ETCD_ROTATE_CONTAINERIZED'];
  if (override === '1' || override === 'true') return true;
  if (override === '0' || override === 'false') return false;

  for (const marker of MARKER_FILES) {
    if (await exists(path.join(fsRoot, marker))) return true;
  }
  const cgroup = await readOptional(path.join(fsRoot, 'proc/1/cgroup'));
  if (CGROUP_HINTS.test(cgroup)) return true;

  const mountinfo = await readOptional(path.join(fsRoot, 'proc/self/mountinfo'));
  return mountinfo.split('\n').some((line) => RUNTIME_MOUNTS.has(line.split(' ')[4] ?? ''));
}

async function exists(file: string): Promise<boolean> {
  return access(file).then(
    () => true,
    () => false,
  );
}

/** The text of `file`, or '' when it cannot be read: each hint is optional. */
async function readOptional(file: string): Promise<string> {
  return readFile(file, 'utf8').catch(() => '');
}
