/**
 * Running host commands from argument lists (never a shell string), returning what they
 * printed and how they ended, so that each caller can say what a failure means for it.
 */

import { execa } from 'execa';

/** How a command ended and what it printed. */
export interface CommandOutput {
  /** The exit code; 128 + the signal number when a signal ended it, -1 on a timeout. */
  exitCode: number;
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

const SIGNALS: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };

/**
 * Runs `argv` with the environment of this process and resolves to its output, whatever its
 * exit code. Rejects only when the command could not be started at all (the error's `code` is
 * then ENOENT, EACCES, ...). A command still running after `timeoutMs` is killed.
 */
export async function runCommand(
  argv: readonly string[],
  { timeoutMs = 60_000, input }: { timeoutMs?: number; input?: string } = {},
): Promise<CommandOutput> {
  const [file, ...args] = argv;
  if (file === undefined) throw new TypeError('runCommand needs a non-empty argv');

  const result = await execa(file, args, {
    reject: false,
    timeout: timeoutMs,
    input: input ?? '',
  });
  if (result.timedOut) {
    return { exitCode: -1, stdout: result.stdout, stderr: result.stderr, timedOut: true };
  }
  if (result.exitCode === undefined && result.signal === undefined) throw result;

  const exitCode = result.exitCode ?? 128 + (SIGNALS[result.signal ?? ''] ?? 0);
  return { exitCode, stdout: result.stdout, stderr: result.stderr, timedOut: false };
}

/** Shows `argv` the way an operator would type it, for messages. */
export function showCommand(argv: readonly string[]): string {
  const quote = (arg: string) => `'${arg.replace(/'/g, `'\\''`)}'`;
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : quote(arg))).join(' ');
}
