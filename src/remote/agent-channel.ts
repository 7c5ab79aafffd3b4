import { StringDecoder } from 'node:string_decoder';
import { RunFailedError } from '../errors.js';
import type { AgentResponse, MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';
import { fromAgentError } from './agent-errors.js';
import { DEFAULT_CALL_TIMEOUT_MS } from './session.js';

/**
 * The longest answer an agent may send, in characters: an inspection of a
 * master with every certificate is well under 1 MiB. A longer line ends the
 * channel, so a broken or hostile agent cannot fill the coordinator's memory.
 */
export const MAX_LINE_CHARS = 16 * 1024 * 1024;

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
  /** The start of a line whose end has not arrived; undefined once a line was too long. */
  private partial: string | undefined = '';

  constructor(
    private readonly host: string,
    input: NodeJS.ReadableStream,
    private readonly output: NodeJS.WritableStream,
    private readonly maxLineChars = MAX_LINE_CHARS,
  ) {
    const decoder = new StringDecoder('utf8');
    input.on('data', (chunk: Buffer | string) => this.take(typeof chunk === 'string' ? chunk : decoder.write(chunk)));
    // A stream paused on purpose (the callback socket after its handshake) stays paused otherwise.
    input.resume();
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

  /** Splits `text` into lines for `receive`, keeping the unfinished end for the next chunk. */
  private take(text: string): void {
    if (this.partial === undefined) return;
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const line = this.partial + text.slice(start, end);
      this.partial = '';
      start = end + 1;
      this.receive(line.endsWith('\r') ? line.slice(0, -1) : line);
    }
    this.partial += text.slice(start);
    if (this.partial.length > this.maxLineChars) {
      this.partial = undefined;
      this.end(new RunFailedError(`the agent on ${this.host} sent an answer longer than ${sizeText(this.maxLineChars)}; its channel was closed`, {
        remedy: `check the etcd-rotate version on ${this.host} (the same image or package on every master), then run again`,
      }));
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

function sizeText(chars: number): string {
  return chars >= 1048576 ? `${chars / 1048576} MiB` : `${chars} characters`;
}
