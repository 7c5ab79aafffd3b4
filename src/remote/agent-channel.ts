import { createInterface } from 'node:readline';
import { RunFailedError } from '../errors.js';
import type { AgentResponse, MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';
import { fromAgentError } from './agent-errors.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './session.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * The coordinator's end of the JSON-lines protocol over any byte stream (an
 * SSH child's stdio, a TLS socket): numbers requests, matches responses, and
 * times calls out. Transports own the stream and call `end` when it is gone.
 */
export class AgentChannel {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private ended: Error | undefined;

  constructor(
    private readonly host: string,
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
  ) {
    createInterface({ input, crlfDelay: Infinity }).on('line', (line) => this.receive(line));
  }

  /** Sends one request and resolves to its result, or rejects with the agent's error. */
  call<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options: { timeoutMs?: number } = {},
  ): Promise<ResultOf<M>> {
    if (this.ended) return Promise.reject(this.ended);
    const id = this.nextId++;
    const timeoutMs = options.timeoutMs ?? DEFAULT_CALL_TIMEOUT_MS;

    return new Promise<ResultOf<M>>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new RunFailedError(`${method} on ${this.host} did not finish within ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject, timer });
      this.output.write(JSON.stringify({ id, method, params }) + '\n');
    });
  }

  /** Fails every call in flight and every later one with `error`. */
  end(error: Error): void {
    this.ended ??= error;
    for (const [id, pending] of this.pending) {
      clearTimeout(pending.timer);
      pending.reject(this.ended);
      this.pending.delete(id);
    }
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
}
