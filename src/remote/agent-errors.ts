import type { AgentError } from '../agent/protocol.js';
import { OperatorError, PreflightError, RunFailedError } from '../errors.js';

/** Turns an error sent by an agent back into the same kind of error here. */
export function fromAgentError(host: string, error: AgentError): OperatorError {
  const message = `${host}: ${error.message}`;
  const details = error.remedy ? { remedy: error.remedy } : {};
  if (error.errorClass === 'PreflightError') return new PreflightError(message, details);
  if (error.operator && error.exitCode === 2) return new OperatorError(message, details);
  return new RunFailedError(message, details);
}
