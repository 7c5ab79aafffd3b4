/**
 * A write and a read-back from every member: the end-to-end check that the
 * cluster accepts writes and that each member serves them, with its current
 * certificates, to a client using ours.
 */
import { randomBytes } from 'node:crypto';
import {
  checkEndpoints, deadline, timeoutOf, withEtcdClient, type EtcdCallOptions, type EtcdTls,
} from './connection.js';
import { describeEtcdFailure, EtcdCallError } from './failure.js';
import { firstAnswer } from './first-answer.js';

/** The key written by default. */
export const VERIFY_KEY = '/etcd-rotate/verify';

/** What to write. */
export interface PutAndGetOptions extends EtcdCallOptions {
  /** Default `VERIFY_KEY`. */
  key?: string;
  /** Default a fresh random value, so an old value cannot pass. */
  value?: string;
}

/** What one member returned for the key. */
export interface ReadBack {
  endpoint: string;
  /** The member returned the value just written. */
  matched: boolean;
  value?: string;
  error?: EtcdCallError;
  latencyMs: number;
}

/** The write and every read-back. */
export interface PutAndGetResult {
  key: string;
  value: string;
  /** The endpoint that accepted the write. */
  writtenAt: string;
  /** The store revision of the write. */
  revision: number;
  reads: ReadBack[];
  /** Every endpoint returned the value. */
  allMatched: boolean;
}

/**
 * Writes `key` through the first endpoint that accepts it, then reads it
 * back (linearizable) from every endpoint in parallel.
 *
 * @throws EtcdCallError when no endpoint accepts the write; read failures
 *   are reported per endpoint in the result.
 */
export async function putAndGet(
  endpoints: readonly string[],
  tls: EtcdTls,
  options: PutAndGetOptions = {},
): Promise<PutAndGetResult> {
  checkEndpoints(endpoints);
  const key = options.key ?? VERIFY_KEY;
  const value = options.value ?? `${new Date().toISOString()} ${randomBytes(6).toString('hex')}`;
  const timeoutMs = timeoutOf(options);

  const written = await firstAnswer(endpoints, `writing ${key}`, (endpoint) =>
    withEtcdClient(endpoint, tls, (client) =>
      client.put(key).value(value).options(deadline(timeoutMs)).exec(),
    ).catch((error: unknown) => {
      throw describeEtcdFailure(error, endpoint, `writing ${key}`, timeoutMs);
    }),
  );
  const reads = await Promise.all(endpoints.map((e) => readBack(e, tls, key, value, timeoutMs)));

  return {
    key,
    value,
    writtenAt: written.endpoint,
    revision: Number(written.value.header.revision),
    reads,
    allMatched: reads.every((r) => r.matched),
  };
}

async function readBack(
  endpoint: string,
  tls: EtcdTls,
  key: string,
  expected: string,
  timeoutMs: number,
): Promise<ReadBack> {
  const started = performance.now();
  const latency = (): number => Math.round(performance.now() - started);
  try {
    const value = await withEtcdClient(endpoint, tls, (client) =>
      client.get(key).options(deadline(timeoutMs)).string(),
    );
    const matched = value === expected;
    return { endpoint, matched, value: value ?? undefined, latencyMs: latency() };
  } catch (error) {
    const failure = describeEtcdFailure(error, endpoint, `reading ${key}`, timeoutMs);
    return { endpoint, matched: false, error: failure, latencyMs: latency() };
  }
}
