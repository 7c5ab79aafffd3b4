import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { RunFailedError, PreflightError } from '../errors.js';
import type { MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';
import { AgentChannel } from './agent-channel.js';
import type { AgentSession } from './session.js';
import { buildSshArgv, type SshOptions } from './ssh-options.js';
import { shellQuote } from './shell-quote.js';

export { fromAgentError } from './agent-errors.js';

/**
 * Opens an agent on a peer: `ssh ... host -- <peerCommand> agent`, kept open
 * for the whole run so every call costs one round trip, not one handshake.
 */
export async function openSshSession(options: {
  host: string;
  address: string;
  peerCommand: string;
  remoteRoot: string;
  ssh: SshOptions;
  onLog: (line: string) => void;
}): Promise<AgentSession> {
  const remote = `${options.peerCommand} agent --root ${shellQuote(options.remoteRoot)}`;
  const child = execa('ssh', buildSshArgv(options.address, remote, options.ssh), {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'pipe',
    buffer: false,
    reject: false,
  });
  const session = new SshSession(options.host, options.address, child, options.onLog);
  await session.ready();
  return session;
}

class SshSession implements AgentSession {
  private readonly channel: AgentChannel;
  private readonly stderrTail: string[] = [];

  constructor(
    readonly host: string,
    private readonly address: string,
    private readonly child: ResultPromise,
    onLog: (line: string) => void,
  ) {
    this.channel = new AgentChannel(host, child.stdout!, child.stdin!);
    createInterface({ input: child.stderr! }).on('line', (line) => {
      this.stderrTail.push(line);
      if (this.stderrTail.length > 5) this.stderrTail.shift();
      onLog(line);
    });
    child.stdin!.on('error', () => undefined);
    void child.then((result) => this.fail(result.exitCode, result.signal));
  }

  /** Resolves once the agent answers, or fails with why ssh could not start it. */
  async ready(): Promise<void> {
    try {
      await this.call('hello', {}, { timeoutMs: 30_000 });
    } catch (error) {
      throw new PreflightError(
        `cannot start the agent on ${this.host} (${this.address}) over SSH: ${lastLine(this.stderrTail)}`,
        {
          remedy:
            'check that root SSH with keys works (ssh -o BatchMode=yes), that the host key is in known_hosts, and that --peer-command runs etcd-rotate there',
          cause: error,
        },
      );
    }
  }

  call<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options: { timeoutMs?: number } = {},
  ): Promise<ResultOf<M>> {
    return this.channel.call(method, params, options);
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5_000);
    await this.child.catch(() => undefined);
    clearTimeout(timer);
  }

  private fail(exitCode: number | undefined, signal: string | undefined): void {
    const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
    this.channel.end(
      new RunFailedError(
        `lost the SSH connection to ${this.host} (${this.address}): ssh ended with ${how}: ${lastLine(this.stderrTail)}`,
        { remedy: 'check the peer and the network, then run "etcd-rotate rotate --resume"' },
      ),
    );
  }
}

function lastLine(lines: string[]): string {
  return lines.filter((l) => l.trim() !== '').at(-1) ?? 'no output';
}

