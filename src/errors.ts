/**
 * Error classes, chosen by what the caller does next, and their exit codes.
 *
 * | exit | meaning                                                            |
 * |------|--------------------------------------------------------------------|
 * | 0    | success; `check`: every certificate healthy                        |
 * | 1    | `check`: something expires within --warn-days, expired, or does    |
 * |      | not chain; `rotate`/`rollback`: the run failed after changes began |
 * | 2    | usage or input error: bad flag, unreadable or malformed file;      |
 * |      | nothing was changed                                                |
 * | 3    | preflight refused the run; nothing was changed                     |
 * | 4    | interrupted by a signal; the journal says where (`rotate --resume`)|
 * | 70   | internal error (a bug): please report it with the output           |
 *
 * The one place that turns errors into messages and exit codes is `src/cli.ts`.
 */

export const ExitCode = {
  ok: 0,
  unhealthy: 1,
  runFailed: 1,
  usage: 2,
  preflight: 3,
  interrupted: 4,
  internal: 70,
} as const;

interface Details {
  /** What the operator should do about it, appended to the message. */
  remedy?: string;
  cause?: unknown;
}

/** An error the operator can act on; printed as one line, never with a stack. */
export class OperatorError extends Error {
  readonly exitCode: number = ExitCode.usage;
  readonly remedy: string | undefined;

  constructor(message: string, details: Details = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.remedy = details.remedy;
  }
}

/** A bad flag or argument. Nothing was read or changed. */
export class UsageError extends OperatorError {
  override readonly exitCode = ExitCode.usage;
}

/** A file that is missing, unreadable or malformed. Nothing was changed. */
export class InputError extends OperatorError {
  override readonly exitCode = ExitCode.usage;
}

/** A precondition of the run does not hold (peer unreachable, cluster unhealthy, ...). */
export class PreflightError extends OperatorError {
  override readonly exitCode = ExitCode.preflight;
}

/** A run failed after it began changing things; the journal allows resume or rollback. */
export class RunFailedError extends OperatorError {
  override readonly exitCode = ExitCode.runFailed;
}

/** Formats an operator error as the single line the CLI prints. */
export function formatOperatorError(error: OperatorError): string {
  return error.remedy ? `${error.message}; ${error.remedy}` : error.message;
}

/** The message of any thrown value, for wrapping causes into operator messages. */
export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}
