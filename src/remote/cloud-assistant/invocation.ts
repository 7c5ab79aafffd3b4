import { setTimeout as sleep } from 'node:timers/promises';
import type { EcsApi, InvocationResult } from '../../cloud/ecs-api.js';
import { PreflightError, messageOf } from '../../errors.js';

/** Invocation states after which the command no longer runs. */
const FINISHED = new Set([
  'Success', 'Failed', 'Stopped', 'Timeout', 'Error', 'Invalid', 'Aborted', 'Cancelled', 'Terminated',
]);

/**
 * Polls an invocation until it finishes or `callbackMs` pass (then stops
 * it), and rejects with what Cloud Assistant reported; settles never once `signal` aborts
 * (the agent called back). Throttled polls back off inside the API client.
 */
export function watchInvocation(
  api: EcsApi,
  invokeId: string,
  instanceId: string,
  options: { callbackMs: number; pollMs: number; signal: AbortSignal; where: string },
): Promise<never> {
  const never = new Promise<never>(() => undefined);
  return poll().catch((error: unknown) => {
    if (options.signal.aborted) return never;
    throw error;
  });

  async function poll(): Promise<never> {
    const deadline = Date.now() + options.callbackMs;
    let last: InvocationResult | undefined;
    while (Date.now() < deadline) {
      await sleep(options.pollMs);
      if (options.signal.aborted) return never;
      last = await api.describeInvocationResult(invokeId, instanceId);
      if (options.signal.aborted) return never;
      if (last && FINISHED.has(last.status)) throw endedEarly(options.where, last);
    }
    await api.stopInvocation(invokeId, instanceId).catch((error: unknown) => {
      throw new PreflightError(`the agent on ${options.where} did not call back within ${options.callbackMs / 1000} s, and stopping its invocation failed: ${messageOf(error)}`, {
        remedy: `stop invocation ${invokeId} on ${instanceId} in the ECS console; nothing was changed`,
        cause: error,
      });
    });
    throw new PreflightError(
      `the agent on ${options.where} did not call back within ${options.callbackMs / 1000} s; Cloud Assistant reports the invocation ${last?.status ?? 'unknown'}${outputTail(last)}; the invocation was stopped`,
      {
        remedy: 'check that --peer-command starts etcd-rotate on that master and that it can reach this master\'s --listen address; nothing was changed',
      },
    );
  }
}

function endedEarly(where: string, result: InvocationResult): PreflightError {
  const exit = result.exitCode === undefined ? '' : ` with exit code ${result.exitCode}`;
  const reasons = [result.errorCode, result.errorInfo].filter(Boolean);
  const info = reasons.length > 0 ? ` (${reasons.join(': ')})` : '';
  return new PreflightError(
    `the agent on ${where} ended before calling back: invocation ${result.status}${exit}${info}${outputTail(result)}`,
    { remedy: 'fix what its output says (is --peer-command right there?), then run again; nothing was changed' },
  );
}

/**
 * What Cloud Assistant says about an invocation whose agent went away, as a
 * message suffix: waits up to `waitMs` for it to finish, never throws.
 */
export async function describeEndedInvocation(api: EcsApi, invokeId: string, instanceId: string, waitMs = 5_000): Promise<string> {
  const deadline = Date.now() + waitMs;
  try {
    for (;;) {
      const result = await api.describeInvocationResult(invokeId, instanceId);
      if (result && FINISHED.has(result.status)) {
        const exit = result.exitCode === undefined ? '' : ` with exit code ${result.exitCode}`;
        return `; Cloud Assistant reports invocation ${invokeId} ${result.status}${exit}${outputTail(result)}`;
      }
      if (Date.now() > deadline) return `; Cloud Assistant still reports invocation ${invokeId} ${result?.status ?? 'unknown'}`;
      await sleep(500);
    }
  } catch (error) {
    return `; the state of invocation ${invokeId} could not be read: ${messageOf(error)}`;
  }
}

function outputTail(result: InvocationResult | undefined): string {
  const lines = (result?.output ?? '').split('\n').filter((l) => l.trim() !== '');
  return lines.length === 0 ? '' : `; its output ends: ${lines.slice(-3).join(' | ')}`;
}
