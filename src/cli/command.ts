import type { FlagSpec, ParsedArgs } from './args.js';

/** Where a command writes; tests pass their own. */
export interface CommandIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
}

/** One `etcd-rotate <name>` command. */
export interface Command {
  name: string;
  /** One line for the command list. */
  summary: string;
  /** The full help text, printed by `--help`. */
  help: string;
  flags: FlagSpec;
  /** Hidden commands (the peer side of a rotation) are left out of the list. */
  hidden?: boolean;
  /** Runs the command and returns its exit code. */
  run(args: ParsedArgs, io: CommandIo): Promise<number>;
}

/** Flags every command that reads the host takes. */
export const HOST_FLAGS = {
  strings: ['root'],
  defaults: { root: '/' },
} as const;

export const ROOT_HELP = `  --root DIR          resolve host paths under DIR (default /; a container mounts the host there)`;
