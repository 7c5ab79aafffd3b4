/** Runs host commands from argument lists, with errors that name the command. */
import { execa } from 'execa';

/** What a finished command left behind. */
export interface CommandResult {
  stdout: string;
  stderr: string;
  /** The exit code; 128 + signal number when a signal ended it. */
  exitCode: number;
}

/** Options shared by `runCommand` and `SimCluster.exec`. */
export interface RunOptions {
  /** Text written to the command's stdin. */
  input?: string;
  /** Extra environment variables. */
  env?: Record<string, string>;
  /** Milliseconds before the command is killed; default 60 000. */
  timeoutMs?: number;
}

const SIGNAL_NUMBERS: Record<string, number> = { SIGKILL: 9, SIGTERM: 15, SIGINT: 2 };

/** Runs `argv` and returns its output and exit code; never throws on a non-zero exit. */
export async function runCommand(
  argv: readonly string[],
  opts: RunOptions & { cwd?: string; extendEnv?: boolean } = {},
): Promise<CommandResult> {
  const [file, ...args] = argv;
  if (file === undefined) throw new Error('runCommand needs a non-empty argv');
  const r = await execa(file, args, {
    input: opts.input ?? '',
    env: opts.env,
    extendEnv: opts.extendEnv ?? true,
    cwd: opts.cwd,
    timeout: opts.timeoutMs ?? 60_000,
    reject: false,
    stripFinalNewline: false,
  });
  if (r.failed && r.exitCode === undefined && r.signal === undefined) {
    throw new Error(`could not run ${argv.join(' ')}: ${r.message}`, { cause: r.cause });
  }
  const exitCode = r.exitCode ?? 128 + (SIGNAL_NUMBERS[r.signal ?? ''] ?? 1);
  return { stdout: String(r.stdout), stderr: String(r.stderr), exitCode };
}

/** Runs `argv` and returns its stdout; throws with the stderr when it fails. */
export async function mustRun(
  argv: readonly string[],
  opts: RunOptions & { cwd?: string } = {},
): Promise<string> {
  const r = await runCommand(argv, opts);
  if (r.exitCode !== 0) {
    throw new Error(
      `${argv.join(' ')} exited with ${r.exitCode}: ${r.stderr.trim() || r.stdout.trim()}`,
    );
  }
  return r.stdout;
}

/** Runs async jobs with at most `limit` in flight; resolves in input order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
