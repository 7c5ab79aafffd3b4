/**
 * Starting, stopping and asking about the host's systemd units (etcd, kubelet).
 *
 * `systemctl` runs from an argument list. Inside a container it runs in the host's namespaces
 * through `nsenter --target 1`, which needs the container to share the host's PID namespace
 * (`--pid=host`, `hostPID: true`) and to be privileged.
 *
 * NB. `systemctl show --value` appeared in systemd 230; CentOS 7 and Alibaba Cloud Linux 2
 * masters ship 219, so properties are read as "Name=value" lines instead.
 */

import { InputError, RunFailedError } from '../errors.js';
import { type CommandOutput, runCommand, showCommand } from './command.js';
import { errnoOf } from './failures.js';

/** The host's systemd, reached directly or from a container. */
export interface ServiceManager {
  /** Restarts `unit` and resolves once systemctl returns (a failed start is a RunFailedError). */
  restart(unit: string): Promise<void>;
  stop(unit: string): Promise<void>;
  start(unit: string): Promise<void>;
  /** Whether `unit` is active right now ("activating" and "failed" are not). */
  isActive(unit: string): Promise<boolean>;
  /** What `systemctl is-active` says of `unit`: "active", "activating", "failed", "inactive"... */
  activeState(unit: string): Promise<string>;
  /** The PID of the unit's main process; undefined when it has none running. */
  mainPid(unit: string): Promise<number | undefined>;
}

/** How to reach systemd. */
export interface ServiceManagerOptions {
  /** Run inside a container: reach the host's systemd through nsenter (see `detectContainer`). */
  containerized: boolean;
  /** How long one systemctl call may take; default 3 minutes (etcd may be slow to start). */
  timeoutMs?: number;
}

/** The words that run a command in the host's namespaces from a container (PID 1's). */
export const HOST_NSENTER = ['nsenter', '--target', '1', '--mount', '--uts', '--ipc', '--net', '--pid', '--'];
const UNIT_NAME = /^[A-Za-z0-9:_.\\@][A-Za-z0-9:_.\\@-]*$/;
const UNIT_STATE = /^[a-z-]+$/;

/** The argv that runs `systemctl args...` on the host, directly or through nsenter. */
export function systemctlArgv(containerized: boolean, args: readonly string[]): string[] {
  return [...(containerized ? HOST_NSENTER : []), 'systemctl', ...args];
}

/** Creates the service manager for this host; see `ServiceManagerOptions`. */
export function createServiceManager(options: ServiceManagerOptions): ServiceManager {
  const timeoutMs = options.timeoutMs ?? 180_000;

  async function systemctl(action: string, unit: string, args: string[]) {
    checkUnit(unit);
    const argv = systemctlArgv(options.containerized, args);
    let output: CommandOutput;
    try {
      output = await runCommand(argv, { timeoutMs });
    } catch (error) {
      throw notRun(action, unit, argv, options.containerized, error);
    }
    return { argv, output };
  }

  async function change(verb: 'restart' | 'stop' | 'start', unit: string): Promise<void> {
    const { argv, output } = await systemctl(verb, unit, [verb, unit]);
    if (output.exitCode !== 0) throw failed(verb, unit, argv, output, timeoutMs);
  }

  async function activeState(unit: string): Promise<string> {
    const { argv, output } = await systemctl('query', unit, ['is-active', unit]);
    const state = output.stdout.trim();
    if (output.exitCode === 0) return 'active';
    if (!output.timedOut && UNIT_STATE.test(state)) return state;
    throw failed('query', unit, argv, output, timeoutMs);
  }

  return {
    restart: (unit) => change('restart', unit),
    stop: (unit) => change('stop', unit),
    start: (unit) => change('start', unit),

    isActive: async (unit) => (await activeState(unit)) === 'active',
    activeState,

    async mainPid(unit) {
      const { argv, output } = await systemctl('query', unit, ['show', '-p', 'MainPID', unit]);
      const match = /^MainPID=(\d+)$/m.exec(output.stdout);
      if (output.exitCode !== 0 || match === null) {
        throw failed('query', unit, argv, output, timeoutMs);
      }
      const pid = Number(match[1]);
      return pid === 0 ? undefined : pid;
    },
  };
}

function checkUnit(unit: string): void {
  if (!UNIT_NAME.test(unit)) {
    throw new InputError(`"${unit}" is not a systemd unit name`, {
      remedy: 'check the unit found for etcd or kubelet (for example "etcd.service")',
    });
  }
}

function failed(
  action: string,
  unit: string,
  argv: string[],
  output: CommandOutput,
  timeoutMs: number,
): RunFailedError {
  const ending = output.timedOut
    ? `did not finish within ${Math.round(timeoutMs / 1000)} s`
    : `exited with ${output.exitCode}`;
  const said = (output.stderr.trim() || output.stdout.trim()).replace(/\s*\n\s*/g, ' ');
  return new RunFailedError(
    `could not ${action} ${unit}: "${showCommand(argv)}" ${ending}${said ? `: ${said}` : ''}`,
    {
      remedy: `check "systemctl status ${unit}" and "journalctl -u ${unit}" on the host, fix the cause and run again`,
    },
  );
}

function notRun(
  action: string,
  unit: string,
  argv: string[],
  containerized: boolean,
  error: unknown,
): RunFailedError {
  const program = argv[0] ?? 'systemctl';
  const remedy = containerized
    ? 'run the container privileged with the host PID namespace (--pid=host, hostPID: true) and nsenter installed'
    : 'run etcd-rotate on a systemd host, or set ETCD_ROTATE_CONTAINERIZED=1 inside a container';
  return new RunFailedError(
    `could not ${action} ${unit}: "${program}" could not be started (${errnoOf(error) || error})`,
    { remedy, cause: error },
  );
}
