/** Waiting for members to answer and the cluster to have a leader again. */
import { checkEndpoints, DEFAULT_TIMEOUT_MS, type EtcdTls } from './connection.js';
import { EtcdCallError, formatSeconds } from './failure.js';
import { endpointHealth, type EndpointHealth } from './health.js';
import { describeLeaderId, NO_LEADER } from './status.js';

/** What `waitForHealthy` waits for, and how long. */
export interface WaitForHealthyOptions {
  /** The member to wait for; give this or `endpoints`. */
  endpoint?: string;
  /** Several members that must all be healthy and name the same leader. */
  endpoints?: readonly string[];
  tls: EtcdTls;
  /** How long to wait in total; default 60 000 ms. */
  timeoutMs?: number;
  /** The pause between attempts; default 200 ms. */
  intervalMs?: number;
  /** How long one attempt may take; default `DEFAULT_TIMEOUT_MS`. */
  attemptTimeoutMs?: number;
}

/**
 * Polls until every endpoint answers its status, serves a linearizable read
 * (so the cluster has a leader and a quorum), and, with several endpoints,
 * all name the same leader. Returns how long that took, in ms.
 *
 * @throws EtcdCallError (kind "timeout") with the last problem seen, and the
 *   last failure as its cause, when `timeoutMs` passes first.
 */
export async function waitForHealthy(options: WaitForHealthyOptions): Promise<number> {
  const given = options.endpoints ?? (options.endpoint === undefined ? [] : [options.endpoint]);
  const endpoints = checkEndpoints(given);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const intervalMs = options.intervalMs ?? 200;
  const started = performance.now();
  const elapsed = (): number => performance.now() - started;

  let problem: EtcdCallError | undefined;
  for (;;) {
    const attemptTimeoutMs = Math.max(
      100, Math.min(options.attemptTimeoutMs ?? DEFAULT_TIMEOUT_MS, timeoutMs - elapsed()),
    );
    const results = await Promise.all(
      endpoints.map((e) => endpointHealth(e, options.tls, { timeoutMs: attemptTimeoutMs })),
    );
    problem = findProblem(results);
    if (problem === undefined) return Math.round(elapsed());

    if (elapsed() + intervalMs >= timeoutMs) break;
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }

  throw new EtcdCallError(
    `etcd at ${endpoints.join(', ')} did not become healthy within ${formatSeconds(timeoutMs)}: ` +
      problem.message,
    endpoints.join(','), 'timeout',
    { cause: problem, remedy: 'check the member\'s logs and that a quorum of members is running' },
  );
}

function findProblem(results: EndpointHealth[]): EtcdCallError | undefined {
  for (const r of results) {
    if (r.healthy) continue;
    return r.error ?? new EtcdCallError(`etcd at ${r.endpoint} is not healthy`, r.endpoint, 'failed');
  }

  const leaders = new Set(results.map((r) => r.status?.leaderId ?? NO_LEADER));
  if (leaders.size > 1) {
    const named = [...leaders].map(describeLeaderId).join(', ');
    const endpoints = results.map((r) => r.endpoint).join(',');
    return new EtcdCallError(`the members name different leaders (${named})`, endpoints, 'failed');
  }
  return undefined;
}
