import { ExitCode, formatOperatorError, OperatorError, UsageError } from '../errors.js';
import { parseArgs } from './args.js';
import type { CommandIo } from './command.js';
import { COMMANDS } from './commands/index.js';

const VERSION = '0.1.0';

function overview(): string {
  const visible = COMMANDS.filter((c) => !c.hidden);
  const width = Math.max(...visible.map((c) => c.name.length));
  return `etcd-rotate ${VERSION}: renew the etcd and control-plane certificates of Kubernetes masters

Usage: etcd-rotate <command> [flags]

Commands:
${visible.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Run "etcd-rotate <command> --help" for the flags of a command.
Exit status: 0 ok, 1 unhealthy or run failed, 2 usage or input error,
3 preflight refused, 4 interrupted (resume with "rotate --resume"), 70 internal error.
`;
}

/**
 * Runs the CLI and returns the exit code. The one place where errors become
 * messages: operator errors print one line, anything else is a bug.
 */
export async function main(argv: string[], io: CommandIo): Promise<number> {
  const [name, ...rest] = argv;
  try {
    if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
      io.stdout.write(overview());
      return name === undefined ? ExitCode.usage : ExitCode.ok;
    }
    if (name === '--version' || name === 'version') {
      io.stdout.write(`${VERSION}\n`);
      return ExitCode.ok;
    }

    const command = COMMANDS.find((c) => c.name === name);
    if (!command) {
      throw new UsageError(`unknown command "${name}"`, { remedy: 'run "etcd-rotate --help" for the list' });
    }
    const args = parseArgs(command.name, rest, command.flags);
    if (args.flags.help === true) {
      io.stdout.write(command.help + '\n');
      return ExitCode.ok;
    }
    if (args.positionals.length > 0 && !command.flags.strings?.includes('_')) {
      throw new UsageError(`unexpected argument "${args.positionals[0]}" for "etcd-rotate ${command.name}"`, {
        remedy: `run "etcd-rotate ${command.name} --help"`,
      });
    }
    return await command.run(args, io);
  } catch (error) {
    if (error instanceof OperatorError) {
      io.stderr.write(`etcd-rotate: ${formatOperatorError(error)}\n`);
      return error.exitCode;
    }
    const detail = error instanceof Error ? (error.stack ?? error.message) : String(error);
    io.stderr.write(
      `etcd-rotate: internal error, please report it with this output:\n${detail}\n`,
    );
    return ExitCode.internal;
  }
}
