import { createInterface } from 'node:readline';
import { OperatorError, messageOf } from '../errors.js';
import { dispatch, isMethod, type AgentHost } from './handlers.js';
import type { AgentError, AgentRequest, AgentResponse } from './protocol.js';

/**
 * Serves requests from `input` one at a time until it closes, answering on
 * `output`. One request at a time keeps the master's changes in the order
 * the coordinator sent them.
 */
export async function serveAgent(
  host: AgentHost,
  input: NodeJS.ReadableStream,
  output: NodeJS.WritableStream,
): Promise<void> {
  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const response = await answer(host, line);
    output.write(JSON.stringify(response) + '\n');
  }
}

async function answer(host: AgentHost, line: string): Promise<AgentResponse> {
  let request: AgentRequest;
  try {
    request = JSON.parse(line) as AgentRequest;
  } catch {
    return { id: 0, error: toAgentError(new Error('the request is not JSON')) };
  }
  if (!isMethod(request.method)) {
    return { id: request.id, error: toAgentError(new Error(`unknown method ${String(request.method)}`)) };
  }
  try {
    return { id: request.id, result: await dispatch(host, request.method, request.params as never) };
  } catch (error) {
    return { id: request.id, error: toAgentError(error) };
  }
}

/** An error as it crosses the channel: operator errors keep class, message, remedy and exit code. */
export function toAgentError(error: unknown): AgentError {
  if (error instanceof OperatorError) {
    const result: AgentError = {
      message: error.message,
      operator: true,
      exitCode: error.exitCode,
      errorClass: error.name,
    };
    if (error.remedy) result.remedy = error.remedy;
    return result;
  }
  return { message: `internal error: ${messageOf(error)}`, operator: false, exitCode: 70, errorClass: 'Error' };
}
