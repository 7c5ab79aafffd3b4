import type { TLSSocket } from 'node:tls';
import type { MethodName, ParamsOf, ResultOf } from '../../agent/protocol.js';
import { RunFailedError } from '../../errors.js';
import { AgentChannel } from '../agent-channel.js';
import type { AgentSession } from '../session.js';

/** An agent that called back over TLS: the same JSON-lines protocol as over SSH. */
export class CallbackSession implements AgentSession {
  private readonly channel: AgentChannel;
  private readonly closed: Promise<void>;
  private closing = false;

  /** `whyEnded` says what Cloud Assistant reports once the connection drops unasked. */
  constructor(
    readonly host: string,
    private readonly instanceId: string,
    private readonly socket: TLSSocket,
    whyEnded: () => Promise<string>,
  ) {
    this.channel = new AgentChannel(host, socket, socket);
    socket.on('error', () => undefined);
    this.closed = new Promise((resolve) => socket.once('close', () => resolve()));
    void this.closed.then(async () => {
      const detail = this.closing ? '' : await whyEnded();
      this.channel.end(
        new RunFailedError(`lost the connection to the agent on ${this.host} (${this.instanceId}, started through Cloud Assistant)${detail}`, {
          remedy: 'check the peer and the network, then run "etcd-rotate rotate --resume"',
        }),
      );
    });
  }

  call<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options: { timeoutMs?: number } = {},
  ): Promise<ResultOf<M>> {
    return this.channel.call(method, params, options);
  }

  /** Ends the connection; the agent then exits and its invocation finishes. */
  async close(): Promise<void> {
    this.closing = true;
    this.socket.end();
    const timer = setTimeout(() => this.socket.destroy(), 5_000);
    await this.closed;
    clearTimeout(timer);
  }
}
