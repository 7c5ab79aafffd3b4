import { setTimeout as sleep } from 'node:timers/promises';
import { PreflightError, messageOf } from '../errors.js';

/** How often and how patiently to retry answers that say "slow down". */
export interface RetryPolicy {
  attempts: number;
  /** First wait; each further wait doubles, with up to 25% jitter. */
  firstDelayMs: number;
}

/** Five attempts over about 15 s (1 + 2 + 4 + 8 s of waiting, with jitter). */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 5, firstDelayMs: 1_000 };

/** The parts of an SDK error this tool reads. */
interface SdkError {
  code?: string;
  statusCode?: number;
  data?: { Message?: string; RequestId?: string };
}

/** True for the answers the API gives when a caller exceeds its rate limit. */
export function isThrottling(error: unknown): boolean {
  const code = (error as SdkError | undefined)?.code ?? '';
  return code.startsWith('Throttling') || code === 'ServiceUnavailable';
}

/**
 * Calls `request`, retrying throttling answers with exponential backoff;
 * any other error, or throttling that outlasts the policy, becomes a
 * PreflightError naming the action, the region and the API's own code.
 */
export async function callEcs<T>(
  action: string,
  where: string,
  request: () => Promise<T>,
  retry: RetryPolicy = DEFAULT_RETRY,
): Promise<T> {
  let delay = retry.firstDelayMs;
  let waitedMs = 0;
  for (let attempt = 1; ; attempt++) {
    try {
      return await request();
    } catch (error) {
      if (!isThrottling(error)) throw describeEcsError(action, where, error);
      if (attempt >= retry.attempts) {
        throw new PreflightError(
          `the ECS API kept throttling ${action} in ${where}: ${attempt} attempts over ${(waitedMs / 1000).toFixed(1)} s all answered ${codeOf(error)}`,
          { remedy: 'wait for the account\'s API rate limit to recover (other tools may be using it) and run again; nothing was changed', cause: error },
        );
      }
      const wait = delay * (1 + Math.random() * 0.25);
      waitedMs += wait;
      await sleep(wait);
      delay *= 2;
    }
  }
}

/** An API error as the operator reads it: action, region, code, message, and what to do. */
export function describeEcsError(action: string, where: string, error: unknown): PreflightError {
  const code = codeOf(error);
  const apiMessage = (error as SdkError).data?.Message ?? messageOf(error);
  const requestId = (error as SdkError).data?.RequestId;
  const message = `the ECS API refused ${action} in ${where}: ${code}: ${apiMessage}${requestId ? ` (request ${requestId})` : ''}`;
  return new PreflightError(message, { remedy: remedyFor(code), cause: error });
}

function codeOf(error: unknown): string {
  return (error as SdkError | undefined)?.code ?? 'no error code';
}

function remedyFor(code: string): string {
  if (/^InvalidAccessKeyId|^SignatureDoesNotMatch|^InvalidSecurityToken|^IncompleteSignature/.test(code)) {
    return 'check ALIBABA_CLOUD_ACCESS_KEY_ID, ALIBABA_CLOUD_ACCESS_KEY_SECRET (and ALIBABA_CLOUD_SECURITY_TOKEN), or unset them to use the instance RAM role; nothing was changed';
  }
  if (/^Forbidden|^NoPermission|RAM/.test(code)) {
    return 'grant the caller ecs:DescribeInstances, ecs:RunCommand, ecs:DescribeInvocationResults and ecs:StopInvocation; nothing was changed';
  }
  if (/^InvalidRegionId|^InvalidParameter\.Region/.test(code)) return 'check --region; nothing was changed';
  return 'check the region, the credentials and the ECS service status, then run again; nothing was changed';
}
