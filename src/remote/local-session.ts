import { dispatch, type AgentHost } from '../agent/handlers.js';
import { toAgentError } from '../agent/serve.js';
import type { MethodName, ParamsOf, ResultOf } from '../agent/protocol.js';
import type { AgentSession } from './session.js';
import { fromAgentError } from './agent-errors.js';

/**
 * The agent of the master the run started on, called in-process: the same
 * handlers as over SSH, with errors passed through the same translation.
 */
export function openLocalSession(host: string, agentHost: AgentHost): AgentSession {
  return {
    host,
    async call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>> {
      try {
        return await dispatch(agentHost, method, params);
      } catch (error) {
        throw fromAgentError(host, toAgentError(error));
      }
    },
    async close() {},
  };
}
