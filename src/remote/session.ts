import type { MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';

/** A channel to the agent of one master: over SSH for peers, in-process for this one. */
export interface AgentSession {
  /** The master's label in logs and errors (its member name). */
  readonly host: string;
  call<M extends MethodName>(
    method: M,
    params: ParamsOf<M>,
    options?: { timeoutMs?: number },
  ): Promise<ResultOf<M>>;
  close(): Promise<void>;
}

/** Default time one agent call may take; restarts pass their own. */
export const DEFAULT_CALL_TIMEOUT_MS = 60_000;
