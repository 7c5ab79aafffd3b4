/**
 * Asking several endpoints the same question and taking the first answer,
 * for questions any member can answer (the member list, a write).
 */
import { EtcdCallError } from './failure.js';

/** An answer and the endpoint that gave it. */
export interface Answer<T> {
  endpoint: string;
  value: T;
}

/**
 * Calls `ask` on each endpoint in order until one answers. `ask` reports
 * failures as `EtcdCallError`s (anything else is rethrown at once); when every
 * endpoint fails, the error lists each reason.
 *
 * @throws EtcdCallError when no endpoint answered (or `endpoints` is empty).
 */
export async function firstAnswer<T>(
  endpoints: readonly string[],
  action: string,
  ask: (endpoint: string) => Promise<T>,
): Promise<Answer<T>> {
  const failures: EtcdCallError[] = [];
  for (const endpoint of endpoints) {
    try {
      return { endpoint, value: await ask(endpoint) };
    } catch (error) {
      if (!(error instanceof EtcdCallError)) throw error;
      failures.push(error);
    }
  }
  throw noAnswer(endpoints, action, failures);
}

/** The error for "none of `endpoints` answered", keeping each failure. */
function noAnswer(
  endpoints: readonly string[],
  action: string,
  failures: EtcdCallError[],
): EtcdCallError {
  if (failures.length === 0) {
    return new EtcdCallError(`no etcd endpoint was given for ${action}`, '', 'failed');
  }
  const kinds = new Set(failures.map((f) => f.kind));
  const [kind] = kinds.size === 1 ? kinds : ['failed' as const];
  return new EtcdCallError(
    `no etcd endpoint answered while ${action}: ${failures.map((f) => f.message).join('; ')}`,
    endpoints.join(','),
    kind ?? 'failed',
    { cause: new AggregateError(failures), remedy: failures[0]?.remedy },
  );
}
