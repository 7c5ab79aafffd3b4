/**
 * Running the built CLI inside a simulated master, the way an operator runs
 * it on a real one: as root in the master's namespaces, peers reached over
 * SSH where the same build is the peer command.
 */
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CommandResult, MasterRef, SimCluster } from '../sim/index.js';
import { MASTER_ENV } from '../sim/namespaces.js';

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** The CLI as built by `npm run build`. */
export const CLI = path.join(REPO, 'dist/cli.js');

/** How the peers start the tool: the same build, through SSH. */
export const PEER_COMMAND = `node ${CLI}`;

/** Runs `etcd-rotate <args>` on `master` with the flags that reach the other simulated masters. */
export function runTool(
  cluster: SimCluster,
  master: MasterRef,
  args: string[],
  options: { timeoutMs?: number } = {},
): Promise<CommandResult> {
  const fanOut = ['rotate', 'rollback'].includes(args[0] ?? '')
    ? ['--peer-command', PEER_COMMAND, '--ssh-port', String(cluster.sshPort)]
    : [];
  return cluster.exec(master, ['node', CLI, ...args, ...fanOut], { timeoutMs: options.timeoutMs ?? 300_000 });
}

/**
 * Runs the tool on `master` with its output going straight to this process's
 * stdout and stderr, for the demo; resolves to the exit code.
 */
export function streamTool(cluster: SimCluster, master: MasterRef, args: string[]): Promise<number> {
  const m = cluster.master(master);
  const fanOut = ['--peer-command', PEER_COMMAND, '--ssh-port', String(cluster.sshPort)];
  const argv = ['-t', String(m.anchorPid), '-m', '-u', '--wd=/root', 'env', ...masterEnv(), 'node', CLI, ...args, ...fanOut];
  const child = spawn('nsenter', argv, { stdio: ['ignore', 'inherit', 'inherit'] });
  return new Promise((resolve) => child.on('close', (code) => resolve(code ?? 1)));
}

function masterEnv(): string[] {
  return Object.entries(MASTER_ENV).map(([k, v]) => `${k}=${v}`);
}

/** A tool run in progress, for tests that interrupt it. */
export interface RunningTool {
  output(): string;
  /** Resolves once the output matches `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<void>;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
}

/** Starts the tool on `master` in the background. */
export function startTool(cluster: SimCluster, master: MasterRef, args: string[]): RunningTool {
  const m = cluster.master(master);
  const fanOut = ['--peer-command', PEER_COMMAND, '--ssh-port', String(cluster.sshPort)];
  const argv = ['-t', String(m.anchorPid), '-m', '-u', '--wd=/root', 'env', ...masterEnv(), 'node', CLI, ...args, ...fanOut];
  const child = spawn('nsenter', argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (chunk: Buffer) => (text += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (text += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  return {
    output: () => text,
    async waitFor(pattern, timeoutMs = 120_000) {
      const deadline = Date.now() + timeoutMs;
      while (!pattern.test(text)) {
        if (Date.now() > deadline || child.exitCode !== null) {
          throw new Error(`the tool never printed ${pattern}:\n${text}`);
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    kill: (signal) => child.kill(signal),
    exited,
  };
}
