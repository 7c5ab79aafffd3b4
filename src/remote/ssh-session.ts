import { execa, type ResultPromise } from 'execa';
import { createInterface } from 'node:readline';
import { RunFailedError, PreflightError, OperatorError } from '../errors.js';
import type { AgentError, AgentResponse, MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';
import { DEFAULT_CALL_TIMEOUT_MS, type AgentSession } from './session.js';
import { buildSshArgv, type SshOptions } from './ssh-options.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
  method: string;
}

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
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly stderrTail: string[] = [];
  private exited: Error | undefined;

  constructor(
    readonly host: string,
    private readonly address: string,
    private readonly child: ResultPromise,
    onLog: (line: string) => void,
  ) {
    createInterface({ input: child.stdout! }).on('line', (line) => this.receive(line));
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
    if (this.exited) return Promise.reject(this.exited);
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;

    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RunFailedError(`${method} on ${this.host} did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer, method });
      this.child.stdin!.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  async close(): Promise<void> {
    this.child.stdin!.end();
    const timer = setTimeout(() => this.child.kill('SIGTERM'), 5_000);
    await this.child.catch(() => undefined);
    clearTimeout(timer);
  }

  private receive(line: string): void {
    let response: AgentResponse;
    try {
      response = JSON.parse(line) as AgentResponse;
    } catch {
      return;
    }
    const pending = this.pending.get(response.id);
    if (!pending) return;
    this.pending.delete(response.id);
    clearTimeout(pending.timer);
    if ('error' in response) pending.reject(fromAgentError(this.host, response.error));
    else pending.resolve(response.result);
  }

  private fail(exitCode: number | undefined, signal: string | undefined): void {
    const how = signal ? `signal ${signal}` : `exit code ${exitCode}`;
    this.exited = new RunFailedError(
      `lost the SSH connection to ${this.host} (${this.address}): ssh ended with ${how}: ${lastLine(this.stderrTail)}`,
      { remedy: 'check the peer and the network, then run "etcd-rotate rotate --resume"' },
    );
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.exited);
      this.pending.delete(id);
    }
  }
}

/** Turns an error sent by an agent back into the same kind of error here. */
export function fromAgentError(host: string, error: AgentError): OperatorError {
  const message = `${host}: ${error.message}`;
  const details = error.remedy ? { remedy: error.remedy } : {};
  if (error.errorClass === 'PreflightError') return new PreflightError(message, details);
  if (error.operator && error.exitCode === 2) return new OperatorError(message, details);
  return new RunFailedError(message, details);
}

function lastLine(lines: string[]): string {
  return lines.filter((l) => l.trim() !== '').at(-1) ?? 'no output';
}

function shellQuote(text: string): string {
  return /^[\w./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}
